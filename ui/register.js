// The clerk's registration form: service, channel, applicant, child, the
// service's document checklist, consent; save and print in one action.

import { $, call, cell, clearErrors, currentLang, moment, noticeError, option, printer, showError, t } from "./api.js";
import { claimOptions } from "./queue.js";

const QUEUE_SERVICE = "preschool_queue";
let services = [];
let claim = null;

export async function open() {
  const [list, options] = await Promise.all([
    services.length === 0 ? call("services") : services,
    claimOptions().catch((e) => {
      noticeError(e);
      return null;
    }),
  ]);
  services = list;
  claim = options;
  renderServices();
  // The clerk may already be typing: never pull the focus out of the form.
  if (!$("register-form").contains(document.activeElement)) $("applicant_iin").focus();
  await loadRecent();
}

/// Clears the form and the journal when the person at the desk changes.
export function reset() {
  $("register-form").reset();
  $("recent").replaceChildren();
}

export function onLanguage() {
  renderServices();
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

function ticked() {
  return new Set([...document.querySelectorAll("#documents input:checked")].map((i) => i.value));
}

function renderChecklist() {
  const service = currentService();
  if (!service) return;
  const before = ticked();
  $("documents").replaceChildren(
    ...documentsFor(service).map((d) => {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `doc-${d.code}`;
      box.value = d.code;
      box.checked = before.has(d.code);
      box.addEventListener("change", renderIntake);
      const text = document.createElement("span");
      text.textContent = `${d.name[currentLang()]} `;
      const mark = document.createElement("em");
      mark.textContent = `(${t(d.required ? "required_mark" : "optional_mark")})`;
      text.append(mark);
      label.append(box, text);
      return label;
    }),
  );
  $("child-fields").hidden = service.subject !== "child";
  renderClaim(service);
  renderIntake();
}

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
  const complete = documentsFor(service).every((d) => !d.required || have.has(d.code));
  const p = $("intake-preview");
  p.textContent = t(complete ? "intake_accept" : "intake_refuse");
  p.className = complete ? "intake ok" : "intake warn";
}

$("service").addEventListener("change", () => {
  renderChannels();
  renderChecklist();
});
$("channel").addEventListener("change", renderChecklist);

$("register-form").addEventListener("reset", () => {
  setTimeout(() => {
    renderChecklist();
    $("result").hidden = true;
    $("result-code-line").hidden = true;
    $("result-notification").hidden = true;
    $("register-error").hidden = true;
    $("duplicate-field").hidden = true;
    $("applicant_iin").focus();
  });
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
    extra_documents: field("extra_documents").split("\n"),
    consent: $("consent").checked,
    notes: field("notes"),
    duplicate_reason: field("duplicate_reason"),
    queue: claimPayload(),
  };
  $("register-submit").disabled = true;
  try {
    const registered = await call("register_application", { payload });
    $("result-number").textContent = registered.number;
    $("result-status").textContent =
      t("status_" + registered.status) + (registered.queue_position ? ` · ${t("queue_position")} ${registered.queue_position}` : "");
    $("result-receipt").hidden = true;
    $("result-notification").hidden = true;
    $("result").hidden = false;
    // Accepted or refused at intake, the applicant leaves with a receipt;
    // a queued child's parent also with the notification of its number.
    await printReceipt(registered.id);
    if (registered.queue_position) await printNotification(registered.id);
    await loadRecent();
  } catch (e) {
    // A second open application for the same child: the backend asks why.
    if (e && e.code === "duplicate") $("duplicate-field").hidden = false;
    if (e && e.field && (e.field.startsWith("representative") || e.field.startsWith("poa"))) $("representative-fields").open = true;
    showError($("register-error"), e, form);
  } finally {
    $("register-submit").disabled = false;
  }
});

async function printReceipt(id) {
  try {
    const printed = await call("open_receipt", { payload: { id, printer: printer() } });
    $("result-receipt-label").textContent = t(printed.kind === "refusal-receipt" ? "refusal_saved" : "receipt_saved");
    $("result-receipt-path").textContent = printed.path;
    $("result-verification").textContent = printed.verification;
    $("result-code-line").hidden = false;
    $("result-viewer").textContent = t(printed.opened ? "viewer_opened" : "viewer_missing");
    $("result-receipt").hidden = false;
  } catch (e) {
    showError($("register-error"), e);
  }
}

async function printNotification(id) {
  try {
    const printed = await call("print_queue_notification", { payload: { application_id: id, printer: printer() } });
    $("result-notification-path").textContent = printed.path;
    $("result-notification").hidden = false;
  } catch (e) {
    showError($("register-error"), e);
  }
}

async function loadRecent() {
  let rows;
  try {
    rows = await call("search_applications", { payload: { limit: 30 } });
  } catch (e) {
    noticeError(e);
    return;
  }
  $("recent-empty").hidden = rows.length > 0;
  $("recent").replaceChildren(
    ...rows.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      tr.append(cell(a.number), cell(moment(a.registered_at)), cell(a.applicant_name), cell(t("status_" + a.status)));
      const td = cell("");
      {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "secondary small";
        b.textContent = t("print_receipt");
        b.addEventListener("click", () => printReceipt(a.id));
        td.append(b);
      }
      tr.append(td);
      return tr;
    }),
  );
}
