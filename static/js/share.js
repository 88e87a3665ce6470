// Passing a result on. Without JavaScript the page already shows the link to copy and
// opens the shared page; this only adds a Share button (the browser's own sheet, where
// it has one) or a Copy button. Nothing is sent anywhere but where the visitor chooses.

const section = document.querySelector("[data-share]");
const link = section?.querySelector("[data-share-url]");
const buttons = section?.querySelector(".share-buttons");
const field = section?.querySelector("input.share-link");

function button(label, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button";
  b.textContent = label;
  b.addEventListener("click", action);
  return b;
}

function say(text) {
  const note = section.querySelector(".share-said");
  if (note) note.textContent = text;
}

if (section && link && buttons) {
  const data = { title: link.dataset.shareTitle, text: link.dataset.shareText, url: link.dataset.shareUrl };
  if (navigator.share) {
    buttons.append(
      button(buttons.dataset.shareLabel, () => {
        navigator.share(data).catch(() => {}); // closing the sheet is not an error worth showing
      }),
    );
  }
  if (navigator.clipboard) {
    buttons.append(
      " ",
      button(buttons.dataset.copyLabel, async () => {
        try {
          await navigator.clipboard.writeText(data.url);
          say(buttons.dataset.copiedLabel);
        } catch {
          field?.select(); // no clipboard permission: select the link so it can be copied by hand
        }
      }),
    );
  }
  field?.addEventListener("focus", () => field.select());
}
