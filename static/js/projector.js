// Progressive enhancement for the projector's slides: without it, links step and the page
// shows what the server had when it was loaded.
// - Arrow keys, Page Up/Down, Space and a click on the slide step; Home goes to the lobby.
// - H holds the figures back or reveals them (the server renders either; the address keeps it).
// - C opens the facilitator's controls; F toggles full screen.
// - A small JSON is polled (304 while nothing changed); on any change the slide reloads.

const slide = document.querySelector("[data-poll-url]");

function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

function go(selector) {
  const link = document.querySelector(selector);
  if (link) link.click();
  return Boolean(link);
}

function withHide(href, on) {
  const url = new URL(href, window.location.href);
  if (on) url.searchParams.set("hide", "1");
  else url.searchParams.delete("hide");
  return url.pathname + url.search;
}

function toggleFigures() {
  const toggle = document.querySelector("[data-toggle-figures]");
  if (!slide || !toggle) return;
  const hidden = !slide.hasAttribute("data-hidden");
  slide.toggleAttribute("data-hidden", hidden);
  toggle.textContent = hidden ? toggle.dataset.showText : toggle.dataset.hideText;
  // Keep the choice in this page's address and in the links, so stepping and reloads keep it.
  document.querySelectorAll("a[rel=next], a[rel=prev]").forEach((a) => { a.href = withHide(a.href, hidden); });
  toggle.href = withHide(window.location.href, !hidden);
  window.history.replaceState(null, "", withHide(window.location.href, hidden));
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) return;
  const next = ["ArrowRight", "PageDown", " "].includes(event.key);
  const prev = ["ArrowLeft", "PageUp"].includes(event.key);
  if (next || prev) {
    if (go(next ? "a[rel=next]" : "a[rel=prev]")) event.preventDefault();
  } else if (event.key === "Home") {
    const first = document.querySelector("[data-slide]");
    if (first && first.dataset.slide !== "0" && slide) {
      event.preventDefault();
      window.location.assign(slide.dataset.pollUrl.replace(/\/poll$/, ""));
    }
  } else if ((event.key === "c" || event.key === "C") && slide) {
    event.preventDefault();
    window.location.assign(slide.dataset.pollUrl.replace(/\/poll$/, "/controls"));
  } else if (event.key === "h" || event.key === "H") {
    event.preventDefault();
    toggleFigures();
  } else if (event.key === "f" || event.key === "F") {
    event.preventDefault();
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.();
  }
});

// A click on the slide itself (not on a link, a button or selected text) steps forward.
if (slide) {
  slide.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a, button, input, select, summary")) return;
    if (String(window.getSelection() || "")) return;
    go("a[rel=next]");
  });
}

const toggle = document.querySelector("[data-toggle-figures]");
if (toggle) {
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    toggleFigures();
  });
}

if (slide) {
  const url = slide.dataset.pollUrl;
  const every = Math.max(2, Number(slide.dataset.pollSeconds) || 3) * 1000;
  // The page's own state, as the server's ETag names it: a 304 means nothing moved since.
  const etag = `"${slide.dataset.etag}"`;

  async function poll() {
    try {
      const response = await fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" });
      if (response.status === 200 || response.status === 404 || response.status === 410) {
        window.location.reload(); // someone joined or finished, the room closed or expired
        return;
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(poll, every);
  }
  window.setTimeout(poll, every);
}
