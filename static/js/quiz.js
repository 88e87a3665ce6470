// Fewer taps: choosing an answer with a finger or mouse moves on to the next question.
// Keyboard users keep the arrows for looking through the answers (an arrow also selects
// one), so only a choice made by pointer submits. Back, and the page's own Back link,
// show the answer already ticked, so a mistaken tap is undone with one more tap.
// Without JavaScript the Next button does the same.

const form = document.querySelector("form.question[data-moves-on]");
let pointerAt = -Infinity;
let sent = false;
let timer;

if (form) {
  form.classList.add("moves-on"); // says that a tap moves on (the tests read it)
  form.addEventListener("pointerdown", () => {
    pointerAt = performance.now();
  });
  form.addEventListener("click", (event) => {
    const radio = event.target;
    if (!(radio instanceof HTMLInputElement) || radio.type !== "radio") return;
    if (performance.now() - pointerAt > 1500 || sent) return; // a key chose it, or already on its way
    sent = true;
    // A moment to see the tick before the page changes.
    timer = setTimeout(() => form.requestSubmit(), 150);
  });
  // Next pressed within that moment: one submission, not two.
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    sent = true;
  });
  // Coming back through the browser's history may restore this page as it was left.
  window.addEventListener("pageshow", () => {
    sent = false;
  });
}
