// Progressive enhancement for the projector's slides: without it, links step and reveal, and
// the page shows what the server had when it was loaded.
// - Arrow keys, Page Up/Down and Space step; Home goes to the lobby. A click on the slide
//   reveals its figures if they are held back, or else steps forward.
// - R or H reveals the figures or holds them back (the server renders either; the address keeps it).
// - C opens the facilitator's controls; F toggles full screen.
// - A small JSON is polled (304 while nothing changed); when something changed it carries the
//   slide drawn again, which is swapped in place: bars move to their new length, counts change,
//   and full screen and the reveal survive. Only a closed or expired room reloads the page.

const slide = document.querySelector("[data-poll-url]");
const toggle = document.querySelector("[data-toggle-figures]");

function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

function go(selector) {
  const link = document.querySelector(selector);
  if (link) link.click();
  return Boolean(link);
}

function setShown(shown) {
  if (!slide || !toggle) return;
  slide.toggleAttribute("data-hidden", !shown);
  slide.toggleAttribute("data-revealed", shown); // the reveal's animation (none under reduced motion)
  toggle.textContent = shown ? toggle.dataset.hideText : toggle.dataset.showText;
  toggle.href = shown ? toggle.dataset.urlHeld : toggle.dataset.urlShown;
  // This page's address keeps the choice, so a reload keeps it; the next slide starts hidden again.
  window.history.replaceState(null, "", shown ? toggle.dataset.urlShown : toggle.dataset.urlHeld);
}

function toggleFigures() {
  if (slide && toggle) setShown(slide.hasAttribute("data-hidden"));
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) return;
  const next = ["ArrowRight", "PageDown", " "].includes(event.key);
  const prev = ["ArrowLeft", "PageUp"].includes(event.key);
  if (next || prev) {
    if (go(next ? "a[rel=next]" : "a[rel=prev]")) event.preventDefault();
  } else if (event.key === "Home" && slide) {
    if (slide.dataset.slide !== "0") {
      event.preventDefault();
      window.location.assign(slide.dataset.lobbyUrl);
    }
  } else if ((event.key === "c" || event.key === "C") && slide) {
    event.preventDefault();
    window.location.assign(slide.dataset.controlsUrl);
  } else if (["h", "H", "r", "R"].includes(event.key)) {
    event.preventDefault();
    toggleFigures();
  } else if (event.key === "f" || event.key === "F") {
    event.preventDefault();
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.();
  }
});

// A click on the slide itself (not on a link, a button or selected text) reveals, then steps forward.
if (slide) {
  slide.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a, button, input, select, summary")) return;
    if (String(window.getSelection() || "")) return;
    if (toggle && slide.hasAttribute("data-hidden")) setShown(true);
    else go("a[rel=next]");
  });
}

if (toggle) {
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    toggleFigures();
  });
}

// --- live updates ---------------------------------------------------------------------------

function sameShape(a, b) {
  return a.nodeType === b.nodeType && a.nodeName === b.nodeName && a.childNodes.length === b.childNodes.length;
}

// Bring `old` to look like `fresh`, keeping the elements that stay (so CSS transitions run on
// the bars' new geometry); where the shape differs, the fresh node replaces the old one.
function morph(old, fresh) {
  if (old.nodeType === Node.TEXT_NODE) {
    if (old.nodeValue !== fresh.nodeValue) old.nodeValue = fresh.nodeValue; // a count ticks in place
    return;
  }
  if (old.nodeType !== Node.ELEMENT_NODE) return;
  for (const { name, value } of Array.from(fresh.attributes)) {
    if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  }
  for (const { name } of Array.from(old.attributes)) {
    if (!fresh.hasAttribute(name)) old.removeAttribute(name);
  }
  morphChildren(old, fresh);
}

function morphChildren(old, fresh) {
  const olds = Array.from(old.childNodes);
  const freshes = Array.from(fresh.childNodes);
  if (olds.length !== freshes.length) {
    old.replaceChildren(...freshes);
    return;
  }
  olds.forEach((child, i) => {
    if (sameShape(child, freshes[i])) morph(child, freshes[i]);
    else old.replaceChild(freshes[i], child);
  });
}

function parsed(html) {
  return new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html").body;
}

if (slide) {
  const url = slide.dataset.pollUrl;
  const every = Math.max(2, Number(slide.dataset.pollSeconds) || 3) * 1000;
  // The page's own state, as the server's ETag names it: a 304 means nothing moved since.
  let etag = `"${slide.dataset.etag}"`;
  const bar = document.querySelector("[data-live-bar]");

  async function poll() {
    try {
      const response = await fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" });
      if (response.status === 404 || response.status === 410) {
        window.location.reload(); // the room expired: the server's page says so
        return;
      }
      if (response.status === 200) {
        const data = await response.json();
        etag = response.headers.get("ETag") || etag;
        // The slide's contents change; its own attributes (the reveal, the poll's state) stay.
        if (typeof data.slide === "string") morphChildren(slide, parsed(data.slide));
        const freshBar = typeof data.bar === "string" ? parsed(data.bar).firstElementChild : null;
        if (bar && freshBar) morph(bar, freshBar);
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(poll, every);
  }
  window.setTimeout(poll, every);
}
