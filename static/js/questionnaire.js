// One question at a time, with no round trip. The server sends the whole questionnaire (or
// the myth round) as one form, and without JavaScript that is what it stays. Here a tap on
// an answer moves on at once; Back (the page's or the browser's) goes back; a progress bar
// and a spoken line follow along. The answers leave the browser only with the form, once.
//
// Until then they are kept in this tab's own storage (static/js/kept-answers.js), so that a
// reload, Back from another page or a switch of language keeps them.

import { keep, kept } from "./kept-answers.js";

const TAP_MS = 1500; // a choice this soon after a pointer went down was a tap; otherwise a key chose it
const TICK_MS = 120; // long enough to see the tick, short enough to feel at once

function oneAtATime(form) {
  const name = form.dataset.oneAtATime;
  const steps = [...form.querySelectorAll("[data-step]")];
  const last = steps.length - 1;
  const back = form.querySelector("[data-step-back]");
  const next = form.querySelector("[data-step-next]");
  const send = form.querySelector("[data-step-send]");
  const missing = form.querySelector("[data-step-missing]");
  const bar = document.querySelector("[data-step-progress]");
  const said = document.querySelector("[data-step-said]");
  const radios = [...form.querySelectorAll("input[type=radio]")];
  let current = 0;
  let pointerAt = -Infinity;
  let timer;
  let sent = false;

  const answered = (step) => [...step.querySelectorAll("input[type=radio]")].some((r) => r.checked);
  const firstOpen = () => {
    const open = steps.findIndex((step) => !answered(step));
    return open < 0 ? last : open;
  };
  const reachable = (i) => steps.slice(0, i).every(answered);
  const stepOf = (hash) => {
    const i = steps.findIndex((step) => `#${step.id}` === decodeURIComponent(hash));
    return i < 0 ? null : i;
  };
  const values = () => Object.fromEntries(radios.filter((r) => r.checked).map((r) => [r.name, r.value]));
  const depth = () => (typeof history.state?.depth === "number" ? history.state.depth : 0);

  // What the page ticked (a form the server sent back) wins over what this tab kept.
  const ticked = values();
  for (const [field, value] of Object.entries(kept(name))) {
    const radio = radios.find((r) => r.name === field && r.value === value);
    if (radio && !(field in ticked)) radio.checked = true;
  }
  keep(name, values());

  function show(i, { push = false, replace = false, focus = false } = {}) {
    clearTimeout(timer);
    current = Math.max(0, Math.min(i, last));
    steps.forEach((step, n) => step.classList.toggle("current", n === current));
    back.hidden = current === 0;
    next.hidden = current === last;
    send.hidden = current !== last;
    missing.textContent = "";
    if (bar) {
      bar.hidden = false;
      bar.value = Math.min(current, bar.max);
    }
    const hash = `#${steps[current].id}`;
    if (push) history.pushState({ step: current, depth: depth() + 1 }, "", hash);
    // A page opened without a fragment keeps it so: the keyboard's first Tab stays at the top.
    else if (replace) history.replaceState({ step: current, depth: depth() }, "", location.hash || current ? hash : "");
    // A switch of language opens the same page again: at this question, answers restored.
    for (const link of document.querySelectorAll(".languages a")) link.hash = hash;
    if (focus) {
      if (said) said.textContent = steps[current].querySelector(".step-number")?.textContent.trim() ?? "";
      steps[current].querySelector("h2")?.focus();
    }
  }

  function advance() {
    if (!answered(steps[current])) {
      missing.textContent = missing.dataset.message;
      return;
    }
    show(current + 1, { push: true, focus: true });
  }

  form.classList.add("one-at-a-time");
  form.addEventListener("pointerdown", () => {
    pointerAt = performance.now();
  });
  form.addEventListener("change", () => keep(name, values()));
  form.addEventListener("click", (event) => {
    const radio = event.target;
    if (!(radio instanceof HTMLInputElement) || radio.type !== "radio") return;
    missing.textContent = "";
    // Arrow keys look through the answers (and tick one) without moving on; a tap moves on,
    // even on an answer already ticked (coming back to check it).
    if (performance.now() - pointerAt > TAP_MS || current === last || !steps[current].contains(radio)) return;
    clearTimeout(timer);
    timer = setTimeout(() => show(current + 1, { push: true, focus: true }), TICK_MS);
  });
  next.addEventListener("click", advance);
  back.addEventListener("click", () => {
    if (depth() > 0 && history.state?.step === current) history.back();
    else show(current - 1, { replace: true, focus: true });
  });
  window.addEventListener("popstate", (event) => {
    const fromState = typeof event.state?.step === "number" ? event.state.step : null;
    const wanted = fromState ?? stepOf(location.hash);
    if (wanted === null) return;
    show(reachable(wanted) ? wanted : firstOpen(), { replace: fromState === null, focus: true });
  });
  form.addEventListener("submit", (event) => {
    if (sent) {
      event.preventDefault(); // a second tap would send the same answers again
      return;
    }
    if (current < last) {
      event.preventDefault(); // Enter on a question: on to the next one
      advance();
      return;
    }
    const open = steps.findIndex((step) => !answered(step));
    if (open >= 0) {
      event.preventDefault();
      show(open, { push: true, focus: true });
      missing.textContent = missing.dataset.message;
      return;
    }
    sent = true;
  });
  window.addEventListener("pageshow", () => {
    sent = false; // back from the next page, the form may be sent again
  });

  const fromState = typeof history.state?.step === "number" ? history.state.step : null;
  const problem = steps.findIndex((step) => step.hasAttribute("data-step-error"));
  const wanted = problem >= 0 ? problem : (fromState ?? stepOf(location.hash) ?? firstOpen());
  show(reachable(wanted) ? wanted : firstOpen(), { replace: true });
}

for (const form of document.querySelectorAll("form[data-one-at-a-time]")) oneAtATime(form);
