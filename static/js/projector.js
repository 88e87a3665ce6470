// Progressive enhancement for the presenter's pages: without it, links step and a button refreshes.
// Polls a small JSON (304 while nothing changed), updates the finished count, reloads when the
// published figures move; arrow keys step through the walkthrough; F toggles full screen.

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
  const published = layout.dataset.published;
  const mythsPublished = layout.dataset.mythsPublished;
  const finished = document.querySelector("[data-finished]");
  const status = document.querySelector("[data-status]");
  const refresh = document.querySelector("form.refresh");
  if (refresh) refresh.hidden = true; // the page keeps itself up to date
  let etag = null;

  async function poll() {
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      const response = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        const data = await response.json();
        if (String(data.published) !== published || String(data.myths_published) !== mythsPublished) {
          window.location.reload();
          return;
        }
        if (finished) finished.textContent = String(data.finished);
        if (status && status.textContent !== data.status) status.textContent = data.status;
      } else if (response.status === 404 || response.status === 410) {
        window.location.reload(); // the room closed: show the server's page
        return;
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(poll, every);
  }
  window.setTimeout(poll, every);
}
