// Calls to the Rust commands, translations, and how errors are shown.
// Errors from Rust arrive as {code, message, field}, already translated.

import kk from "./i18n/kk.js";
import ru from "./i18n/ru.js";

const dictionaries = { kk, ru };
let lang = "kk";

export const $ = (id) => document.getElementById(id);

export function currentLang() {
  return lang;
}

export function setLang(next) {
  lang = next;
}

export function t(key) {
  return dictionaries[lang][key] ?? key;
}

// Anything slower than ~300 ms shows the progress bar.
export async function call(cmd, args) {
  const busy = setTimeout(() => ($("busy").hidden = false), 300);
  try {
    return await window.__TAURI__.core.invoke(cmd, args);
  } catch (e) {
    if (e && e.code === "not_logged_in" && cmd !== "app_status") window.dispatchEvent(new Event("kense:not-logged-in"));
    // Any step that met the server's loss puts up the banner at once.
    if (e && e.code === "server_unreachable") window.dispatchEvent(new Event("kense:server-lost"));
    throw e;
  } finally {
    clearTimeout(busy);
    $("busy").hidden = true;
  }
}

// A background question (progress of a running job): no busy bar of its
// own, so it never hides the bar of the call it reports on.
export function ask(cmd, args) {
  return window.__TAURI__.core.invoke(cmd, args);
}

export function messageOf(err) {
  return err && typeof err === "object" && err.message ? err.message : t("unexpected");
}

export function showError(el, err, form) {
  el.textContent = messageOf(err);
  el.hidden = false;
  if (form && err && err.field) {
    const input = form.querySelector(`[name="${err.field}"]`) || $(err.field);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }
}

export function clearErrors(form, el) {
  el.hidden = true;
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

export function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

// A background load that failed: told in the notice line, except a session
// that ended — the log-in screen says that, and a late answer must not
// overwrite what the screen says next (e.g. after a restore).
export function noticeError(e) {
  if (e && e.code === "not_logged_in") return;
  notice(messageOf(e));
}

/// What a person is told of a filed paper: where the file is, and whether
/// the viewer opened it, a printer took it, or no viewer could.
export function filedText(printed) {
  const where = `${t("document_saved")} ${printed.path}`;
  if (printed.printer) return `${where} ${t("sent_to_printer")} ${printed.printer}`;
  return `${where} ${t(printed.opened ? "viewer_opened" : "viewer_missing")}`;
}

/// Puts `rows` into `tbody`, keeping each row already shown that is drawn
/// the same (same markup: number, texts, ids). Lists are drawn again while
/// a person works in them — another desk wrote, the page's data arrived —
/// and a row swapped between the press and the release of a click loses
/// the click; a kept row also keeps its focus and a choice being made in
/// it (an executor picked, a box ticked).
export function putRows(tbody, rows) {
  const shown = new Map();
  for (const tr of tbody.children) {
    const same = shown.get(tr.outerHTML);
    if (same) same.push(tr);
    else shown.set(tr.outerHTML, [tr]);
  }
  const next = rows.map((tr) => shown.get(tr.outerHTML)?.shift() ?? tr);
  // Kept rows are never taken out and put back (that would take the focus
  // away): the others go, and new ones are put in before them.
  const kept = new Set(next);
  for (const tr of [...tbody.children]) if (!kept.has(tr)) tr.remove();
  next.forEach((tr, i) => {
    const here = tbody.children[i];
    if (here !== tr) tbody.insertBefore(tr, here ?? null);
  });
}

export function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

export function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

// "2026-11-24T10:15:30+05:00" → "24.11.2026 10:15"
/// A file's size for a person: "12.3 МБ".
export function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} ${t("size_mb")}`;
}

// "2026-12-01" (or a moment that starts with it) → "01.12.2026"
export function day(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}.${m}.${y}`;
}

export function moment(rfc3339) {
  if (!rfc3339) return "";
  const [d, time] = rfc3339.split("T");
  const [y, m, day] = d.split("-");
  return `${day}.${m}.${y} ${time.slice(0, 5)}`;
}

// A due moment as shown, marked when it may still move (its year's moving
// holidays are not entered yet).
export function dueMoment(a) {
  if (!a.step_due_at) return "";
  return a.provisional ? `${moment(a.step_due_at)} (${t("due_provisional")})` : moment(a.step_due_at);
}

export function urgencyText(u) {
  return u === "overdue" ? t("urgency_overdue") : u === "due_today" ? t("urgency_due_today") : "";
}

// The printer chosen at this workstation ("" = the PDF viewer). Kept per
// workstation: the printer stands next to the desk, not with the person.
export function printer() {
  return localStorage.getItem("kense.printer") ?? "";
}

export function setPrinter(name) {
  localStorage.setItem("kense.printer", name);
}
