// The pages of a result before it is signed, as Rust typeset them (SVG,
// marked as a draft across every page). Shown beside the application on the
// head's desk and under the executor's form; a click enlarges a page.

import { call, t } from "./api.js";

/// Fills `box` with the draft of application `id`: the stored result, or
/// the `outcome` the executor is about to send.
let requests = 0;

export async function show(box, id, outcome) {
  // A later request (the person moved on) wins over an earlier answer.
  const request = String(++requests);
  box.dataset.request = request;
  box.replaceChildren();
  box.hidden = false;
  const waiting = document.createElement("p");
  waiting.className = "hint";
  waiting.textContent = t("draft_loading");
  box.append(waiting);
  const payload = outcome ? { id, outcome } : { id };
  const draft = await call("preview_result", { payload });
  if (box.dataset.request !== request) return;
  box.replaceChildren();
  if (draft.queue_notification) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = t("draft_queue_notification");
    box.append(p);
    return;
  }
  const caption = document.createElement("p");
  caption.className = "hint";
  caption.textContent = t("draft_caption");
  box.append(caption);
  draft.pages.forEach((src, i) => {
    const img = document.createElement("img");
    img.className = "page";
    img.src = src;
    img.alt = `${t("draft_page")} ${i + 1} / ${draft.pages.length}`;
    img.tabIndex = 0;
    const toggle = () => img.classList.toggle("enlarged");
    img.addEventListener("click", toggle);
    img.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggle();
      }
      if (e.key === "Escape") img.classList.remove("enlarged");
    });
    box.append(img);
  });
}

export function clear(box) {
  box.dataset.request = "";
  box.replaceChildren();
  box.hidden = true;
}
