// Answers not yet sent, kept in this tab's sessionStorage (static/js/questionnaire.js keeps
// them), so that a reload, Back from another page or a switch of language keeps them.
// sessionStorage rather than localStorage: it ends with the tab, as the session cookie ends
// with the browser, so closing the tab on a shared phone leaves nothing for the next person;
// and it is never sent anywhere. A page marked data-forget-answers (the result pages, and the
// page "Forget my answers" leads to) clears what it names.

const PREFIX = "score-answers:";

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage switched off: the page still holds the answers
  }
}

export function kept(name) {
  try {
    return JSON.parse(storage()?.getItem(PREFIX + name) || "{}") || {};
  } catch {
    return {};
  }
}

export function keep(name, values) {
  try {
    storage()?.setItem(PREFIX + name, JSON.stringify(values));
  } catch {
    // full or refused: the page still holds them
  }
}

for (const page of document.querySelectorAll("[data-forget-answers]")) {
  for (const name of page.dataset.forgetAnswers.split(" ")) storage()?.removeItem(PREFIX + name);
}
