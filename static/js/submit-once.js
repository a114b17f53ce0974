// A form posts once: after the first submit its submit buttons are disabled, so a double
// click (or an impatient second click) does not send it twice. Pages restored from the
// back/forward cache get their buttons back. A form can opt out with data-submit-again.
const BUTTONS = 'button:not([type]), button[type="submit"], input[type="submit"]';

function release(form) {
  delete form.dataset.submitted;
  for (const button of form.querySelectorAll(BUTTONS)) {
    button.disabled = false;
    button.removeAttribute("aria-disabled");
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || "submitAgain" in form.dataset) return;
  if (event.defaultPrevented) return; // another script stopped this submit
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  // After this event, so the clicked button's name and value are still sent.
  setTimeout(() => {
    for (const button of form.querySelectorAll(BUTTONS)) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  }, 0);
  // A download keeps the page: let the form be used again after a while.
  setTimeout(() => release(form), 30000);
});

window.addEventListener("pageshow", (event) => {
  if (event.persisted) document.querySelectorAll("form[data-submitted]").forEach(release);
});
