// Progressive enhancement for the presenter's pages: without it, links step and a button refreshes.
// Polls a small JSON (304 while nothing changed) and reloads the page when anyone finishes, so
// the figures follow every finish; arrow keys step through the walkthrough; F toggles full screen.

const layout = document.querySelector("[data-poll-url]");

function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) return;
  if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    const link = document.querySelector(event.key === "ArrowRight" ? "a[rel=next]" : "a[rel=prev]");
    if (link) {
      event.preventDefault();
      link.click();
    }
  } else if (event.key === "f" || event.key === "F") {
    event.preventDefault();
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.();
  }
});

if (layout) {
  const url = layout.dataset.pollUrl;
  const every = Math.max(2, Number(layout.dataset.pollSeconds) || 5) * 1000;
  // The page's own state, as the server's ETag names it: a 304 means nothing moved since.
  const etag = `"${layout.dataset.etag}"`;
  const refresh = document.querySelector("form.refresh");
  if (refresh) refresh.hidden = true; // the page keeps itself up to date

  async function poll() {
    try {
      const response = await fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" });
      if (response.status === 200 || response.status === 404 || response.status === 410) {
        window.location.reload(); // someone finished, the room closed or expired: show the server's page
        return;
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(poll, every);
  }
  window.setTimeout(poll, every);
}
