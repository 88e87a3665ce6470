// What-if without reloading: post the chosen change to the server's own engine and
// redraw the score, reasons, dimensions, perks and court panel in place.
// Without JavaScript the same form posts and the server re-renders the page.

const form = document.querySelector("form.what-if-form");
const select = form?.querySelector("select[name=change]");
const status = document.getElementById("what-if-status");

async function show(change) {
  const body = new FormData(form);
  body.set("change", change);
  let response;
  try {
    response = await fetch(form.dataset.jsonUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": body.get("csrf_token"), Accept: "application/json" },
    });
  } catch {
    form.submit(); // the network failed: let the plain form post try
    return;
  }
  if (!response.ok) {
    form.submit(); // the server explains the problem on its own error page
    return;
  }
  const data = await response.json();
  for (const [id, html] of Object.entries(data.parts)) {
    const part = document.getElementById(id);
    if (part) part.innerHTML = html;
  }
  if (status) {
    // Said here, next to the choice, because the redrawn score card is further up the page.
    const summary = document.querySelector("#result-score .meta");
    status.textContent = `${data.score}, ${data.band_name}. ${summary ? summary.textContent.replace(/\s+/g, " ").trim() : ""}`;
    const link = document.createElement("a");
    link.href = "#result-score";
    link.textContent = status.dataset.seeLabel || "";
    if (link.textContent) status.append(" ", link);
  }
}

if (form && select && form.dataset.jsonUrl) {
  form.addEventListener("submit", (event) => {
    if (!select.value) return;
    event.preventDefault();
    show(select.value);
  });
  select.addEventListener("change", () => {
    if (select.value) show(select.value);
  });
  for (const tryForm of document.querySelectorAll("form.what-if-try")) {
    tryForm.addEventListener("submit", (event) => {
      const change = tryForm.querySelector("input[name=change]").value;
      event.preventDefault();
      select.value = change;
      show(change).then(() => document.getElementById("result-score")?.scrollIntoView({ block: "start" }));
    });
  }
}
