// Copy buttons for the room's links, and a warning before leaving the page that shows the
// presenter link once, until the link was copied or opened. Without JavaScript the links
// are plain text to select, and the browser's presenter cookie still offers the way back.

const status = document.querySelector("[data-copied-text]");

document.querySelectorAll("[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.href || source.textContent.trim());
      if (status) status.textContent = status.dataset.copiedText;
      disarm();
    } catch {
      // the browser refused: the link stays on screen to select by hand
    }
  });
});

let armed = Boolean(document.querySelector("[data-keep-link]"));
function warn(event) {
  if (!armed) return;
  event.preventDefault();
  event.returnValue = "";
}
function disarm() {
  armed = false;
  window.removeEventListener("beforeunload", warn);
}
if (armed) {
  window.addEventListener("beforeunload", warn);
  document.querySelectorAll("[data-presenter-link], [data-open-projector]").forEach((a) => a.addEventListener("click", disarm));
}
