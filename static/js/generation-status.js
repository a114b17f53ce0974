// Watches a report's files being made: asks for the status every 2 seconds while it is
// queued or running, and reloads the page (with its download links) once it is done or
// failed. Without this script the page says "Queued" or "Running" until reloaded.
for (const status of document.querySelectorAll("[data-generation-status]")) {
  let state = status.dataset.generationState;
  if (state !== "queued" && state !== "running") continue;
  const url = status.dataset.generationStatus;
  const check = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const found = await response.json();
        if (found.status !== state) {
          state = found.status;
          if (state === "done" || state === "failed") {
            window.location.reload();
            return;
          }
          status.textContent = `${found.label}.`;
        }
      }
    } catch (error) {
      // The network dropped for a moment: try again at the next tick.
    }
    window.setTimeout(check, 2000);
  };
  window.setTimeout(check, 2000);
}
