// The named-trainees checkboxes: a filter box that hides the names that do not match.
// Without this script every name is listed and the filter box stays hidden.
for (const picker of document.querySelectorAll("[data-trainee-picker]")) {
  const box = picker.querySelector("[data-trainee-filter]");
  const input = box.querySelector("input");
  const count = box.querySelector("[role=status]");
  const items = [...picker.querySelectorAll("[data-trainee-name]")];
  if (!items.length) continue;
  box.hidden = false;
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const ticked = item.querySelector("input").checked;
      const match = words.every((word) => item.dataset.traineeName.includes(word));
      // A ticked trainee stays in view, so the choice already made is never hidden.
      item.hidden = !(match || ticked);
      item.style.display = item.hidden ? "none" : "";
      if (!item.hidden) shown += 1;
    }
    count.textContent = words.length ? `${shown} of ${items.length} trainees shown` : "";
  });
}
