// The reveal. The needle's sweep is a CSS animation (it runs without JavaScript too), and
// the number and the band appear as it lands, on the same timing. Meanwhile this counts up
// beside the needle: each frame shows the score the needle points at, read from where the
// browser has drawn it, so the count and the needle cannot drift apart. The count is for
// the eyes only (aria-hidden); a screen reader has the dial's title, then the number.
// Under reduced motion there is no sweep, so nothing is counted and the number shows at once.

function follow(card) {
  const turn = card.querySelector(".needle-turn");
  const figure = card.querySelector(".score-figure");
  const sweep = turn?.getAnimations()[0];
  const scale = card.querySelector("[data-scale]")?.dataset.scale.split(" ").map(Number);
  const start = Number(card.querySelector("[data-start]")?.dataset.start);
  if (!turn || !figure || !sweep || !scale || Number.isNaN(start)) return;
  const [low, high] = scale;
  const count = document.createElement("span");
  count.className = "score-count";
  count.setAttribute("aria-hidden", "true");
  figure.append(count);
  const frame = () => {
    if (!count.isConnected) return;
    const turned = new DOMMatrixReadOnly(getComputedStyle(turn).transform);
    const degrees = (Math.atan2(turned.b, turned.a) * 180) / Math.PI;
    count.textContent = String(Math.round(start + (degrees / 180) * (high - low)));
    requestAnimationFrame(frame);
  };
  frame();
  // Landed (or the card was redrawn): the number itself takes over.
  sweep.finished.then(() => count.remove(), () => count.remove());
}

const holder = document.getElementById("result-score");
if (holder) {
  for (const card of holder.querySelectorAll(".score-card")) follow(card);
  // A what-if redraws the card: its needle sweeps again, and is followed again.
  new MutationObserver(() => {
    for (const card of holder.querySelectorAll(".score-card")) follow(card);
  }).observe(holder, { childList: true });
}
