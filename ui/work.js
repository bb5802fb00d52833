// The worklist (what waits for me, by deadline), an application's detail
// with the steps the backend may allow, and search.

import { $, call, cell, clearErrors, currentLang, day, dueMoment, moment, noticeError, option, printer, putRows, showError, t, urgencyText, filedText } from "./api.js";
import * as draft from "./draft.js";

let user = null;
let current = null;

const STATUSES = ["accepted", "refused_at_intake", "with_head", "with_executor", "result_prepared", "signed", "at_akimat", "issued", "withdrawn"];

// Which step forms a role could use in a status. Only a hint for showing
// buttons: the backend decides, and refuses with a translated reason.
const ACTIONS = [
  ["act-send", "clerk", ["accepted"]],
  ["act-assign", "head", ["with_head", "with_executor"]],
  ["act-prepare", "executor", ["with_executor"]],
  ["act-sign", "head", ["result_prepared"]],
  ["act-return", "head", ["result_prepared"]],
  ["act-send-akimat", "clerk", ["signed"]],
  ["act-record-akimat", "clerk", ["at_akimat"]],
  ["act-issue", "clerk", ["signed"]],
  ["act-withdraw", "clerk", ["accepted", "with_head", "with_executor", "result_prepared", "signed", "at_akimat"]],
];

/// Forgets everything shown for the previous person (log-out, idle log-out):
/// the next user at this workstation must not see what they did not open.
export function reset() {
  current = null;
  user = null;
  $("detail").hidden = true;
  for (const id of ["worklist", "search-results", "detail-facts", "detail-history"]) $(id).replaceChildren();
  $("search-form").reset();
}

export function onLanguage() {
  const select = $("search-status");
  const chosen = select.value;
  select.replaceChildren(option("", t("any_status")), ...STATUSES.map((s) => option(s, t("status_" + s))));
  select.value = chosen;
  if (current) renderDetail(current);
  // The refusal grounds come translated from the backend: ask again.
  if (current && !$("act-prepare").hidden) {
    const ground = $("act-prepare-reason").value;
    loadReasons(current.service_code)
      .then(() => ($("act-prepare-reason").value = ground || $("act-prepare-reason").value))
      .catch((e) => noticeError(e));
  }
}

function row(a, onOpen, columns) {
  const tr = document.createElement("tr");
  tr.dataset.number = a.number;
  tr.dataset.urgency = a.urgency;
  tr.tabIndex = 0;
  tr.append(...columns.map(([text, cls]) => cell(text, cls)));
  tr.addEventListener("click", () => onOpen(a.id));
  tr.addEventListener("keydown", (e) => e.key === "Enter" && onOpen(a.id));
  return tr;
}

function dueText(a) {
  const due = dueMoment(a);
  const u = urgencyText(a.urgency);
  return u ? `${due} · ${u}` : due;
}

/// `keepDetail`: the application open stays open even when it left the
/// worklist (a reload after a write: the person sees where it went).
export async function openWorklist(u, keepDetail = false) {
  user = u;
  let rows;
  try {
    rows = await call("search_applications", { payload: { worklist: true, limit: 200 } });
  } catch (e) {
    noticeError(e);
    return;
  }
  $("worklist-empty").hidden = rows.length > 0;
  putRows(
    $("worklist"),
    rows.map((a) =>
      row(a, openDetail, [
        [a.number],
        [a.service_name[currentLang()]],
        [a.applicant_name],
        [t("status_" + a.status)],
        [dueText(a), "due " + a.urgency],
      ]),
    ),
  );
  if (current && !keepDetail && !rows.some((a) => a.id === current.id)) $("detail").hidden = true;
}

/// Other desks wrote: the worklist is read again, and the application
/// open here is drawn again if it changed (its step forms keep what was
/// typed in them when it did not).
export async function refreshShown() {
  await openWorklist(user, true);
  if (!current || $("detail").hidden) return;
  let fresh;
  try {
    fresh = await call("application_detail", { payload: { id: current.id } });
  } catch (e) {
    noticeError(e);
    return;
  }
  if (!current || fresh.id !== current.id) return;
  const changed = fresh.status !== current.status || fresh.history.length !== current.history.length;
  current = fresh;
  if (changed) renderDetail(fresh);
}

export async function openDetail(id) {
  try {
    current = await call("application_detail", { payload: { id } });
  } catch (e) {
    noticeError(e);
    return;
  }
  renderDetail(current);
  if (!$("act-prepare").hidden) await loadReasons(current.service_code);
  if (!$("act-assign").hidden) await loadExecutors(current.executor_id);
  const first = document.querySelector("#detail form.action:not([hidden]) select, #detail form.action:not([hidden]) button");
  if (first) first.focus();
}

function renderDetail(a) {
  const same = $("detail").dataset.id === String(a.id);
  if (!same) draft.clear($("act-prepare-pages"));
  $("detail").dataset.id = String(a.id);
  $("detail").hidden = false;
  $("detail-error").hidden = true;
  $("detail-number").textContent = a.number;
  $("detail-status").textContent = t("status_" + a.status);
  $("detail-urgency").textContent = a.step_due_at ? `${t("col_due")}: ${dueMoment(a)}` : "";
  const facts = [
    ["service", a.service_name[currentLang()]],
    ["variant", a.variant ? a.variant[currentLang()] : null],
    ["applicant", `${a.applicant_name}, ${t("iin")} ${a.applicant_iin}, ${a.applicant_phone}`],
    ["child", a.child_name ? `${a.child_name}, ${t("iin")} ${a.child_iin}, ${a.child_birth_date ?? ""}` : null],
    ["representative", a.representative ? `${a.representative.name}, ${t("iin")} ${a.representative.iin}, ${t("poa_number")} ${a.representative.poa_number} (${a.representative.poa_date})` : null],
    ["executor", a.executor],
    ["corrections", a.corrections ? String(a.corrections) : null],
    ["result", a.result ? resultText(a.result, a) : null],
    ["ecp_signature", a.result?.certificate ? certificateText(a.result.certificate) : null],
    ["akimat_act", a.result?.akimat_act ? `№ ${a.result.akimat_act.number}, ${day(a.result.akimat_act.date)}` : null],
  ];
  $("detail-facts").replaceChildren(
    ...facts
      .filter(([, v]) => v)
      .flatMap(([k, v]) => {
        const dt = document.createElement("dt");
        dt.textContent = t(k);
        const dd = document.createElement("dd");
        dd.textContent = v;
        return [dt, dd];
      }),
  );
  $("detail-history").replaceChildren(
    ...a.history.map((h) => {
      const li = document.createElement("li");
      li.textContent = `${moment(h.at)} · ${t("step_" + h.step)} · ${h.actor}${h.comment ? " — " + h.comment : ""}`;
      return li;
    }),
  );
  const roles = new Set(user ? user.roles : []);
  for (const [id, role, statuses] of ACTIONS) $(id).hidden = !(roles.has(role) && statuses.includes(a.status));
  // The akimat's act: sent and recorded before anything is handed over.
  if (a.awaits_akimat) $("act-issue").hidden = true;
  else $("act-send-akimat").hidden = true;
  // A result goes back the way its application came; the backend holds
  // the same rule.
  const handover = HANDOVER_OF_CHANNEL[a.channel];
  for (const o of $("act-issue-handover").options) o.disabled = o.value !== handover;
  $("act-issue-handover").value = handover;
  // Services that issue one of several documents: the executor says which.
  const chosenForm = same ? $("act-prepare-form").value : "";
  $("act-prepare-form").replaceChildren(...a.result_forms.map((f, i) => option(String(i), f[currentLang()])));
  if (chosenForm && Number(chosenForm) < a.result_forms.length) $("act-prepare-form").value = chosenForm;
  $("act-prepare-form-line").hidden = a.result_forms.length < 2;
  renderResultFields(same);
  // The signed result goes out on paper with the clerk who hands it over.
  $("detail-print-line").hidden = !((roles.has("clerk") || a.result?.certificate) && (a.status === "signed" || a.status === "issued"));
  $("detail-print-result").hidden = !roles.has("clerk");
  $("detail-save-signed").hidden = !a.result?.certificate;
  $("detail-print-status").textContent = "";
  fillCorrection(a);
}

// Who signed with which certificate: what the registry kept of it.
function certificateText(c) {
  return `${c.signer_name}, ${t("iin")} ${c.signer_iin}, ${t("cert_serial")} ${c.cert_serial} · ${moment(c.signed_at)}`;
}

// The signed PDF itself, for the applicant's e-mail or the portal: saved
// where the person chooses (the dialog is the backend's).
$("detail-save-signed").addEventListener("click", async () => {
  $("detail-error").hidden = true;
  try {
    const path = await call("save_signed_result", { payload: { id: current.id } });
    if (path) $("detail-print-status").textContent = `${t("ecp_saved")} ${path}`;
  } catch (e) {
    showError($("detail-error"), e);
  }
});

$("detail-print-result").addEventListener("click", async () => {
  $("detail-error").hidden = true;
  try {
    const printed = await call("print_result", { payload: { id: current.id, printer: printer() } });
    $("detail-print-status").textContent = filedText(printed);
  } catch (e) {
    showError($("detail-error"), e);
  }
});

const FINAL = ["refused_at_intake", "issued", "withdrawn"];

function fillCorrection(a) {
  const roles = new Set(user ? user.roles : []);
  $("act-correct").hidden = !(roles.has("clerk") && !FINAL.includes(a.status));
  $("act-correct").open = false;
  for (const f of ["applicant_iin", "applicant_name", "applicant_phone", "applicant_address", "child_iin", "child_name", "child_birth_date"]) {
    $("fix-" + f).value = a[f] ?? "";
  }
  $("fix-child").hidden = !a.child_iin;
  $("fix-reason").value = "";
}

$("correct-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const form = ev.currentTarget;
  clearErrors(form, $("detail-error"));
  const v = (f) => $("fix-" + f).value;
  const rep = current.representative;
  try {
    await call("correct_application", {
      payload: {
        id: current.id,
        expected_status: current.status,
        reason: v("reason"),
        corrections: {
          applicant_iin: v("applicant_iin"),
          applicant_name: v("applicant_name"),
          applicant_phone: v("applicant_phone"),
          applicant_address: v("applicant_address"),
          child_iin: v("child_iin"),
          child_name: v("child_name"),
          child_birth_date: v("child_birth_date"),
          representative_iin: rep ? rep.iin : "",
          representative_name: rep ? rep.name : "",
          poa_number: rep ? rep.poa_number : "",
          poa_date: rep ? rep.poa_date : "",
          notes: current.notes ?? "",
        },
      },
    });
    current = await call("application_detail", { payload: { id: current.id } });
    renderDetail(current);
    await openWorklist(user);
  } catch (e) {
    showError($("detail-error"), e, form);
  }
});

function resultText(r, a) {
  const form = a.result_forms.length > 1 && r.outcome === "positive" ? a.result_forms[r.form] : null;
  const what = r.outcome === "positive" ? t("outcome_positive") + (form ? `: ${form[currentLang()]}` : "") : t("outcome_refusal");
  const signed = r.signed_by ? ` · ${t("signed_by")} ${r.signed_by}` : "";
  return `${what} (v${r.version}, ${r.prepared_by})${signed}`;
}

async function loadReasons(service_code) {
  const reasons = await call("refusal_reasons", { payload: { service_code } });
  $("act-prepare-reason").replaceChildren(...reasons.map((r) => option(r.code, r.name[currentLang()])));
}

async function loadExecutors(selected) {
  const people = await call("executors");
  $("act-assign-executor").replaceChildren(...people.map((p) => option(String(p.id), p.full_name)));
  if (selected) $("act-assign-executor").value = String(selected);
}

const HANDOVER_OF_CHANNEL = { office: "in_person", state_corporation: "state_corporation", portal: "portal_cabinet" };

// The facts the chosen result form states (the catalog's fields), as
// inputs: a period as two dates. What was typed stays while the same
// application and form are shown.
function renderResultFields(keep) {
  const box = $("act-prepare-fields");
  const typed = new Map(keep ? [...box.querySelectorAll("input")].map((i) => [i.id, i.value]) : []);
  const specs = current?.result_fields?.[Number($("act-prepare-form").value || 0)] ?? [];
  const lang = currentLang();
  const input = (id, name, label, kind) => {
    const wrap = document.createElement("label");
    const span = document.createElement("span");
    span.textContent = label;
    const i = document.createElement("input");
    i.id = id;
    i.name = name;
    i.maxLength = kind === "text" ? 300 : 20;
    if (kind === "date") i.placeholder = t("date_placeholder");
    if (kind === "money" || kind === "number") i.inputMode = "decimal";
    i.autocomplete = "off";
    i.value = typed.get(id) ?? "";
    wrap.append(span, i);
    return wrap;
  };
  box.replaceChildren(
    ...specs.map((f) => {
      const label = f.label[lang] + (f.required ? " *" : "");
      if (f.kind !== "period") return input(`act-prepare-field-${f.key}`, `rf-${f.key}`, label, f.kind);
      const row = document.createElement("div");
      row.className = "row";
      row.append(
        input(`act-prepare-field-${f.key}-from`, `rf-${f.key}-from`, `${label}: ${t("period_from")}`, "date"),
        input(`act-prepare-field-${f.key}-to`, `rf-${f.key}-to`, t("period_to"), "date"),
      );
      return row;
    }),
  );
  box.hidden = $("act-prepare-refusal").checked || specs.length === 0;
}

$("act-prepare-form").addEventListener("change", () => renderResultFields(false));
for (const id of ["act-prepare-positive", "act-prepare-refusal"]) $(id).addEventListener("change", () => renderResultFields(true));

// What the executor typed into the form's fields, by key; a period as
// "from/to" (the backend checks and stores them).
function resultFieldValues() {
  const specs = current?.result_fields?.[Number($("act-prepare-form").value || 0)] ?? [];
  const value = (id) => $(id)?.value.trim() ?? "";
  const out = {};
  for (const f of specs) {
    const base = `act-prepare-field-${f.key}`;
    const v = f.kind === "period" ? [value(`${base}-from`), value(`${base}-to`)].join("/") : value(base);
    if (v && v !== "/") out[f.key] = v;
  }
  return out;
}

function commandOf(form) {
  const v = (name) => form.querySelector(`[name="${name}"]`)?.value ?? "";
  switch (form.dataset.step) {
    case "assign_executor":
      return { step: "assign_executor", executor_id: Number(v("executor_id")) };
    case "prepare_result": {
      const refusal = $("act-prepare-refusal").checked;
      return {
        step: "prepare_result",
        outcome: refusal
          ? { kind: "refusal", reason_code: v("reason_code"), explanation: v("comment") }
          : { kind: "positive", form: Number(v("form") || 0), fields: resultFieldValues() },
      };
    }
    case "return_to_executor":
      return { step: "return_to_executor", comment: v("comment") };
    case "record_akimat_act":
      return { step: "record_akimat_act", number: v("act_number"), date: v("act_date") };
    case "issue":
      return { step: "issue", handover: v("handover"), received_by: v("received_by") };
    case "withdraw":
      return { step: "withdraw", reason: v("comment") };
    default:
      return { step: form.dataset.step };
  }
}

for (const form of document.querySelectorAll("#detail form.action")) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!current) return;
    clearErrors(form, $("detail-error"));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await call("take_step", { payload: { id: current.id, expected_status: current.status, command: commandOf(form) } });
      form.reset();
      draft.clear($("act-prepare-pages"));
      current = await call("application_detail", { payload: { id: current.id } });
      renderDetail(current);
      await openWorklist(user);
    } catch (e) {
      showError($("detail-error"), e, form);
    } finally {
      button.disabled = false;
    }
  });
}

// The executor sees the paper the result will make before sending it.
$("act-prepare-preview").addEventListener("click", async () => {
  if (!current) return;
  const form = $("act-prepare");
  clearErrors(form, $("detail-error"));
  try {
    await draft.show($("act-prepare-pages"), current.id, commandOf(form).outcome);
  } catch (e) {
    draft.clear($("act-prepare-pages"));
    showError($("detail-error"), e, form);
  }
});

// ---- search -----------------------------------------------------------------

let searchTimer = null;

let filtersLoaded = false;

async function loadFilters() {
  if (filtersLoaded) return;
  const [services, executors] = await Promise.all([call("services"), call("executors")]);
  const keep = (sel, first) => sel.replaceChildren(sel.options[0], ...first);
  keep($("search-service"), services.map((s) => option(s.code, s.name[currentLang()])));
  keep($("search-executor"), executors.map((e) => option(String(e.id), e.full_name)));
  filtersLoaded = true;
}

export async function openSearch() {
  try {
    await loadFilters();
  } catch (e) {
    noticeError(e);
  }
  await runSearch();
  $("search-text").focus();
}

// Searches overlap (the view's first one, then a filter ticked at once):
// only the newest one's answer is shown, whichever arrives last.
let searchGeneration = 0;

async function runSearch() {
  const generation = ++searchGeneration;
  const payload = {
    text: $("search-text").value || null,
    status: $("search-status").value || null,
    service_code: $("search-service").value || null,
    executor_id: $("search-executor").value ? Number($("search-executor").value) : null,
    from: $("search-from").value || null,
    to: $("search-to").value || null,
    overdue: $("search-overdue").checked,
    limit: 200,
  };
  let rows;
  $("search-error").hidden = true;
  try {
    rows = await call("search_applications", { payload });
  } catch (e) {
    if (generation === searchGeneration) showError($("search-error"), e);
    return;
  }
  if (generation !== searchGeneration) return;
  $("search-results").replaceChildren(
    ...rows.map((a) =>
      row(a, () => {}, [
        [a.number],
        [moment(a.registered_at)],
        [a.applicant_name + (a.child_name ? ` / ${a.child_name}` : "")],
        [t("status_" + a.status)],
        [a.executor ?? ""],
        [dueText(a), "due " + a.urgency],
      ]),
    ),
  );
}

// Results follow typing, without waiting for Enter.
$("search-text").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 150);
});
for (const id of ["search-status", "search-service", "search-executor", "search-from", "search-to"]) {
  $(id).addEventListener("change", runSearch);
}
$("search-overdue").addEventListener("change", runSearch);
$("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  runSearch();
});

// The journal of the period typed in the search form, and today's register.
async function printJournal(from, to) {
  $("search-error").hidden = true;
  try {
    const printed = await call("print_journal", { payload: { from, to, printer: printer() } });
    $("journal-status").textContent = filedText(printed);
  } catch (e) {
    showError($("search-error"), e);
  }
}

// Empty dates mean the office's today, decided by the backend's clock.
$("journal-print").addEventListener("click", () => printJournal($("search-from").value, $("search-to").value));
$("register-print").addEventListener("click", () => printJournal("", ""));
