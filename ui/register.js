// The clerk's registration form: service, channel, applicant, child, the
// service's document checklist, consent; save and print in one action.

import { $, call, cell, clearErrors, currentLang, filedText, moment, notice, noticeError, option, printer, putRows, showError, t } from "./api.js";
import { claimOptions } from "./queue.js";
import { iinState } from "./iin.js";

const QUEUE_SERVICE = "preschool_queue";
let services = [];
let claim = null;

export async function open() {
  // Read every time: the administrator may have saved a new catalog
  // version (on this desk or another) since the form was drawn.
  const options = (fresh) =>
    claimOptions(fresh).catch((e) => {
      noticeError(e);
      return null;
    });
  let [list, claimed] = await Promise.all([call("services"), options(false)]);
  // A new catalog version may carry new queue rules: their settings too.
  if (services.length && JSON.stringify(services) !== JSON.stringify(list)) claimed = await options(true);
  // Drawn again only when something changed: the clerk may already have
  // chosen the service and ticked documents, which a redraw would undo.
  const changed = JSON.stringify(services) !== JSON.stringify(list) || JSON.stringify(claim) !== JSON.stringify(claimed);
  services = list;
  claim = claimed;
  if (changed) renderServices();
  // The clerk may already be typing: never pull the focus out of the form.
  if (!$("register-form").contains(document.activeElement)) $("applicant_iin").focus();
  await loadRecent();
}

/// Other desks wrote: today's registrations and what is ready to hand out
/// are read again; the form being filled stays as it is.
export async function refreshLists() {
  await loadRecent();
}

/// Clears the form and the lists when the person at the desk changes.
export function reset() {
  clearForm();
  $("recent").replaceChildren();
  $("ready").replaceChildren();
}

export function onLanguage() {
  renderServices();
  for (const id of IIN_FIELDS) showIinState(id);
}

// ---- the IIN as it is typed ------------------------------------------------

const IIN_FIELDS = ["applicant_iin", "child_iin", "representative_iin"];
const PERSON_FIELDS = [
  ["applicant_name", "name"],
  ["applicant_phone", "phone"],
  ["applicant_address", "address"],
];
let lookedUp = "";
// This filling of the form's name for its registration: sent with every
// attempt, so that an attempt whose answer was lost with the office server
// and is sent again finds the registration that committed instead of making
// a second. A new one once an answer arrived, or the form was cleared.
let requestId = newRequestId();

/// A random (version 4) UUID; `crypto.randomUUID` only in a secure context.
function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
// Which registration the result panel shows: each one, and each clearing,
// takes the next number, and late answers about an older one stay off screen.
let onScreen = 0;

function showIinState(id) {
  const state = iinState($(id).value);
  const mark = $(`${id}-check`);
  const text = { ok: "iin_ok", bad: "iin_bad", format: "iin_format", partial: "iin_partial" }[state];
  mark.textContent = text ? t(text).replace("{n}", String($(id).value.trim().length)) : "";
  mark.className = `iin-check ${state}`;
  return state;
}

// Fills what the registry knows of the applicant into the fields still
// empty; what the clerk typed is never overwritten. A field that has the
// focus gets its new text selected, so typing over it replaces it.
async function lookUpApplicant() {
  const iin = $("applicant_iin").value.trim();
  if (iin === lookedUp) return;
  lookedUp = iin;
  $("person-known").hidden = true;
  let person;
  try {
    person = await call("person_by_iin", { payload: { iin } });
  } catch (e) {
    noticeError(e);
    return;
  }
  if (!person || $("applicant_iin").value.trim() !== iin) return;
  for (const [id, key] of PERSON_FIELDS) {
    const input = $(id);
    if (input.value.trim() === "" && person[key]) {
      input.value = person[key];
      if (document.activeElement === input) input.select();
    }
  }
  // Said whether or not anything was filled in: the clerk may have typed
  // the name already, and still learns the applicant came before.
  $("person-known").textContent = `${t("person_known")} ${person.number} (${moment(person.registered_at)})`;
  $("person-known").hidden = false;
}

for (const id of IIN_FIELDS) {
  $(id).addEventListener("input", () => {
    const state = showIinState(id);
    if (id === "applicant_iin" && state === "ok") lookUpApplicant();
  });
}

function currentService() {
  return services.find((s) => s.code === $("service").value) ?? services[0];
}

function renderServices() {
  const select = $("service");
  if (services.length === 0) return;
  const chosen = select.value;
  select.replaceChildren(...services.map((s) => option(s.code, s.name[currentLang()])));
  if (chosen) select.value = chosen;
  renderChannels();
  renderChecklist();
}

function renderChannels() {
  const service = currentService();
  const select = $("channel");
  const chosen = select.value;
  const channels = service.channels ?? ["office"];
  select.replaceChildren(...channels.map((c) => option(c, t("channel_" + c))));
  if (channels.includes(chosen)) select.value = chosen;
}

function documentsFor(service) {
  const channel = $("channel").value;
  return service.documents.filter((d) => !d.channels || d.channels.includes(channel));
}

function ticked(mark = "presented") {
  return new Set([...document.querySelectorAll(`#documents input[data-mark="${mark}"]:checked`)].map((i) => i.value));
}

// A tick beside a document: what the clerk found (presented, found in the
// state information system, the condition applies, expired).
function markBox(d, mark, before, label) {
  const wrap = document.createElement("label");
  wrap.className = `check mark mark-${mark}`;
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = `doc-${d.code}-${mark}`;
  box.value = d.code;
  box.dataset.mark = mark;
  box.checked = before[mark].has(d.code);
  box.addEventListener("change", renderIntake);
  // An expired paper is the exception: its tick stays out of the Tab
  // order, so that one Tab still goes from a document to the next.
  if (mark === "expired") box.tabIndex = -1;
  const text = document.createElement("span");
  text.textContent = t(label);
  wrap.append(box, text);
  return wrap;
}

// How the kind reads beside a document's name.
function kindText(d) {
  if (d.kind === "conditional") return `${t("conditional_mark")}: ${d.condition.kk} / ${d.condition.ru}`;
  return t({ required: "required_mark", required_unless_in_is: "unless_in_is_mark", optional: "optional_mark" }[d.kind]);
}

// Each document of the checklist: its presented tick, its name in Kazakh
// then Russian, its kind, and the ticks its kind has.
// Where the channel has several paths the office takes part in (service
// 15: the office's own student or another organisation's), the clerk says
// which one this application takes; its terms follow it.
function renderVariants(service) {
  const channel = $("channel").value;
  const office = (p) => p.steps.some((s) => s.role === "clerk" || s.role === "executor");
  const paths = (service.paths ?? []).filter((p) => p.channel === channel && p.variant && office(p));
  const select = $("variant");
  const chosen = select.value;
  $("variant-field").hidden = paths.length < 2;
  select.replaceChildren(option("", "—"), ...(paths.length < 2 ? [] : paths.map((p) => option(p.variant, p.variant_name?.[currentLang()] ?? p.variant))));
  if (paths.some((p) => p.variant === chosen)) select.value = chosen;
}

function renderChecklist() {
  const service = currentService();
  if (!service) return;
  renderVariants(service);
  const before = Object.fromEntries(MARKS.map((m) => [m, ticked(m)]));
  $("documents").replaceChildren(
    ...documentsFor(service).map((d) => {
      const row = document.createElement("div");
      row.className = "document";
      row.dataset.code = d.code;
      row.dataset.kind = d.kind;
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `doc-${d.code}`;
      box.value = d.code;
      box.dataset.mark = "presented";
      box.checked = before.presented.has(d.code);
      box.addEventListener("change", renderIntake);
      const text = document.createElement("span");
      const kk = document.createElement("span");
      kk.textContent = `${d.name.kk} `;
      const ru = document.createElement("small");
      ru.className = "ru";
      ru.textContent = d.name.ru;
      const mark = document.createElement("em");
      mark.className = "kind";
      mark.textContent = `(${kindText(d)})`;
      text.append(kk, ru, " ", mark);
      if (d.verified === false) {
        // Shown to administrators only (styles.css): the wording awaits
        // their check against the act.
        const unverified = document.createElement("strong");
        unverified.className = "unverified";
        unverified.textContent = ` ${t("unverified_mark")}`;
        unverified.title = d.source ?? "";
        text.append(unverified);
      }
      label.append(box, text);
      const marks = document.createElement("div");
      marks.className = "marks";
      if (d.kind === "required_unless_in_is") marks.append(markBox(d, "found_in_is", before, "found_in_is_mark"));
      if (d.kind === "conditional") marks.append(markBox(d, "condition_applies", before, "condition_applies_mark"));
      marks.append(markBox(d, "expired", before, "expired_mark"));
      row.append(label, marks);
      return row;
    }),
  );
  $("child-fields").hidden = service.subject !== "child";
  renderClaim(service);
  renderIntake();
}

const MARKS = ["presented", "found_in_is", "condition_applies", "expired"];

// The queue's part of the form: the claimed category and up to N
// kindergartens in the parent's order.
function renderClaim(service) {
  const fields = $("queue-fields");
  fields.hidden = service.code !== QUEUE_SERVICE || !claim;
  if (fields.hidden) return;
  const category = $("queue-category");
  const chosen = category.value;
  // The general queue first: it is what most parents claim, and what a
  // reset form falls back to.
  const categories = [...claim.settings.categories].sort((a, b) => (b.code === "general") - (a.code === "general"));
  category.replaceChildren(...categories.map((c) => option(c.code, c.name[currentLang()])));
  category.value = chosen || "general";
  const before = [...document.querySelectorAll("#queue-preferences select")].map((s) => s.value);
  const selects = [];
  for (let i = 0; i < claim.settings.max_preferences; i++) {
    const label = document.createElement("label");
    const span = document.createElement("span");
    span.textContent = `${t("preference")} ${i + 1}`;
    const select = document.createElement("select");
    select.id = `queue-preference-${i + 1}`;
    select.replaceChildren(option("", "—"), ...claim.kindergartens.map((k) => option(String(k.id), k.name[currentLang()])));
    select.value = before[i] ?? "";
    label.append(span, select);
    selects.push(label);
  }
  $("queue-preferences").replaceChildren(...selects);
}

function claimPayload() {
  if ($("queue-fields").hidden) return null;
  return {
    category: $("queue-category").value,
    preferences: [...document.querySelectorAll("#queue-preferences select")].map((s) => Number(s.value)).filter((v) => v > 0),
    desired_start: $("queue-desired-start").value,
    commission_decision: $("queue-commission").value,
  };
}

// Which paper will come out, from the catalog's checklist: shown before
// saving; the backend makes the binding decision from the same catalog.
function renderIntake() {
  const service = currentService();
  if (!service) return;
  const have = ticked();
  const inIs = ticked("found_in_is");
  const applies = ticked("condition_applies");
  const expired = ticked("expired");
  // The expired tick is offered only for a document that is there.
  for (const box of document.querySelectorAll('#documents input[data-mark="expired"]')) {
    const shown = have.has(box.value);
    box.closest("label").hidden = !shown;
    if (!shown) box.checked = false;
  }
  const needed = (d) =>
    d.kind === "required" ||
    (d.kind === "required_unless_in_is" && !inIs.has(d.code)) ||
    (d.kind === "conditional" && applies.has(d.code));
  const complete = documentsFor(service).every((d) => (!needed(d) || have.has(d.code)) && !(have.has(d.code) && expired.has(d.code)));
  const p = $("intake-preview");
  p.textContent = t(complete ? "intake_accept" : "intake_refuse");
  p.className = complete ? "intake ok" : "intake warn";
}

$("service").addEventListener("change", () => {
  renderChannels();
  renderChecklist();
});
$("channel").addEventListener("change", renderChecklist);

// Clearing is done in one go, the form's reset and everything shown about
// the last applicant, so that a clerk typing the next one at once (or a
// late answer about the last one) never meets a half-cleared form. (A
// "reset" listener runs before the form's fields are reset, and deferring
// its work raced with the next keystrokes.)
function clearForm() {
  onScreen++;
  requestId = newRequestId();
  $("register-form").reset();
  renderChecklist();
  $("result").hidden = true;
  $("result-code-line").hidden = true;
  $("result-notification").hidden = true;
  $("register-error").hidden = true;
  $("duplicate-field").hidden = true;
  $("person-known").hidden = true;
  lookedUp = "";
  for (const id of IIN_FIELDS) showIinState(id);
  $("applicant_iin").focus();
}

$("register-clear").addEventListener("click", clearForm);

// Enter registers from anywhere in the form, as it does from a text field:
// after the last tick (Space) the clerk need not Tab to the button.
$("register-form").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && ev.target instanceof HTMLInputElement && ev.target.type === "checkbox") {
    ev.preventDefault();
    ev.currentTarget.requestSubmit();
  }
});

$("register-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("register-error"));
  $("result").hidden = true;
  const field = (id) => $(id).value;
  const payload = {
    service_code: $("service").value,
    channel: $("channel").value,
    variant: $("variant").value,
    applicant_iin: field("applicant_iin"),
    applicant_name: field("applicant_name"),
    applicant_phone: field("applicant_phone"),
    applicant_address: field("applicant_address"),
    child_iin: field("child_iin"),
    child_name: field("child_name"),
    child_birth_date: field("child_birth_date"),
    representative_iin: field("representative_iin"),
    representative_name: field("representative_name"),
    poa_number: field("poa_number"),
    poa_date: field("poa_date"),
    documents: [...ticked()],
    found_in_is: [...ticked("found_in_is")],
    conditions_apply: [...ticked("condition_applies")],
    expired: [...ticked("expired")].filter((c) => ticked().has(c)),
    extra_documents: field("extra_documents").split("\n"),
    consent: $("consent").checked,
    notes: field("notes"),
    duplicate_reason: field("duplicate_reason"),
    queue: claimPayload(),
    request_id: requestId,
  };
  // Where the clerk pressed Enter; the focus moves on from there only.
  const pressedOn = document.activeElement;
  $("register-submit").disabled = true;
  let registered;
  try {
    registered = await call("register_application", { payload });
  } catch (e) {
    // A second open application for the same child: the backend asks why.
    if (e && e.code === "duplicate") $("duplicate-field").hidden = false;
    if (e && e.field && (e.field.startsWith("representative") || e.field.startsWith("poa"))) $("representative-fields").open = true;
    showError($("register-error"), e, form);
    return;
  } finally {
    // Registered (or refused): the next applicant may be registered while
    // this one's papers print.
    $("register-submit").disabled = false;
  }
  // Registered: whatever is typed next is another registration.
  requestId = newRequestId();
  const mine = ++onScreen;
  $("result-number").textContent = registered.number;
  $("result-status").textContent =
    t("status_" + registered.status) + (registered.queue_position ? ` · ${t("queue_position")} ${registered.queue_position}` : "");
  $("result-receipt").hidden = true;
  $("result-notification").hidden = true;
  $("result-owed").hidden = true;
  $("result").hidden = false;
  // Accepted or refused at intake, the applicant leaves with a receipt, a
  // queued child's parent also with the notification of its number: the
  // backend filed them before answering; here they go to the viewer or the
  // printer. One it could not file is said, with a button to print it now.
  showOwed(registered.id, registered.owed, mine);
  for (const paper of registered.papers) await showPaper(registered.id, paper, mine);
  await loadRecent();
  // The next applicant is one Enter away — unless the clerk already moved
  // on (typing the next one while the papers printed): their focus stays.
  if (mine === onScreen && (document.activeElement === pressedOn || document.activeElement === document.body)) {
    $("register-clear").focus();
  }
});

// Papers of a registration the clerk has already moved on from still
// print; only what they say on screen is dropped (or, for a failure, told
// as a notice, since the form now shows someone else).
function shownOrTold(mine, e) {
  if (mine === onScreen) showError($("register-error"), e);
  else noticeError(e);
}

function showFiled(printed, mine) {
  if (mine !== onScreen) return;
  if (printed.kind === "queue-notification") {
    $("result-notification-path").textContent = printed.path;
    $("result-notification").hidden = false;
    return;
  }
  $("result-receipt-label").textContent = t(printed.kind === "refusal-receipt" ? "refusal_saved" : "receipt_saved");
  $("result-receipt-path").textContent = printed.path;
  $("result-verification").textContent = printed.verification;
  $("result-code-line").hidden = false;
  $("result-viewer").textContent = printed.opened === undefined ? "" : t(printed.opened ? "viewer_opened" : "viewer_missing");
  $("result-receipt").hidden = false;
}

async function showPaper(id, paper, mine) {
  showFiled({ ...paper, opened: undefined }, mine);
  try {
    const printed = await call("show_paper", {
      payload: { application_id: id, kind: paper.kind, copy: paper.copy, printer: printer() },
    });
    showFiled(printed, mine);
  } catch (e) {
    shownOrTold(mine, e);
  }
}

// A paper the backend could not file stays owed: said in words, with what
// stopped it, and a button that prints it now.
function showOwed(id, owed, mine) {
  if (mine !== onScreen || !owed.length) return;
  $("result-owed-text").textContent = owed.map((o) => `${t("paper_" + o.kind)}: ${o.problem}`).join("; ");
  $("result-owed-print").onclick = () => printOwed(id, owed, mine);
  $("result-owed").hidden = false;
}

async function printOwed(id, owed, mine) {
  for (const o of owed) {
    try {
      const printed =
        o.kind === "queue-notification"
          ? await call("print_queue_notification", { payload: { application_id: id, printer: printer() } })
          : await call("open_receipt", { payload: { id, printer: printer() } });
      showFiled(printed, mine);
    } catch (e) {
      shownOrTold(mine, e);
      return;
    }
  }
  $("result-owed").hidden = true;
  await loadRecent();
}

// A copy of a receipt from today's list: the file it went to and whether a
// viewer or a printer took it are said in the notice line.
async function reprint(id) {
  try {
    notice(filedText(await call("open_receipt", { payload: { id, printer: printer() } })));
  } catch (e) {
    noticeError(e);
  }
}

async function printOwedRow(a) {
  const told = [];
  try {
    for (const kind of a.owed) {
      const printed =
        kind === "queue-notification"
          ? await call("print_queue_notification", { payload: { application_id: a.id, printer: printer() } })
          : await call("open_receipt", { payload: { id: a.id, printer: printer() } });
      told.push(filedText(printed));
    }
    notice(told.join(" · "));
  } catch (e) {
    noticeError(e);
  }
  await loadRecent();
}

// Today's registrations (the registry's today) and what is signed and
// waits to be handed out: the two things a clerk looks up at the counter.
async function loadRecent() {
  let today;
  let ready;
  try {
    [today, ready] = await Promise.all([
      call("search_applications", { payload: { today: true, limit: 50 } }),
      call("search_applications", { payload: { status: "signed", limit: 50 } }),
    ]);
  } catch (e) {
    noticeError(e);
    return;
  }
  $("recent-empty").hidden = today.length > 0;
  putRows(
    $("recent"),
    today.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      tr.append(cell(a.number), cell(moment(a.registered_at).slice(11)), cell(a.applicant_name), cell(t("status_" + a.status)));
      const td = cell("");
      if (a.owed.length) {
        // A paper the registration could not file: said, and printed now.
        const owed = document.createElement("button");
        owed.type = "button";
        owed.className = "small";
        owed.id = `owed-${a.number}`;
        owed.textContent = `${t("print_now")} (${a.owed.map((k) => t("paper_" + k)).join(", ")})`;
        owed.title = t("owed_row");
        owed.addEventListener("click", () => printOwedRow(a));
        td.append(owed, " ");
      }
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary small";
      b.textContent = t("print_receipt");
      b.addEventListener("click", () => reprint(a.id));
      td.append(b);
      tr.append(td);
      return tr;
    }),
  );
  $("ready-empty").hidden = ready.length > 0;
  putRows(
    $("ready"),
    ready.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      tr.append(cell(a.number), cell(a.applicant_name), cell(a.service_name[currentLang()], "service-name"));
      const td = cell("");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary small";
      b.id = `hand-out-${a.number}`;
      b.textContent = t("act_hand_out");
      // Handing over happens in the application's detail, where the
      // receiver is written down.
      b.addEventListener("click", () => window.dispatchEvent(new CustomEvent("kense:open-application", { detail: a.id })));
      td.append(b);
      tr.append(td);
      return tr;
    }),
  );
}
