// The head's signing desk: applications waiting for an executor, assigned
// with one keystroke each (the executor's select has the focus, Enter
// assigns, the focus moves to the next one); results waiting for signature
// beside a preview of the result; batch signing after an explicit
// confirmation, one `take_step` per application so that every signature is
// decided, audited and refused on its own. The backend authorizes each call.

import { $, call, cell, clearErrors, currentLang, messageOf, dueMoment, moment, notice, option, putRows, showError, t, urgencyText } from "./api.js";
import * as draft from "./draft.js";

let executors = [];
// The executor chosen last: most runs of assignments go to one person, so
// the next select starts on them and Enter alone assigns.
let lastExecutor = null;
let toSign = [];
let previewed = null;
let reasons = new Map();
let signing = false;
// The result signed with a certificate last, for saving its file.
let lastSigned = null;

export function reset() {
  executors = [];
  lastExecutor = null;
  toSign = [];
  previewed = null;
  for (const id of ["assign-rows", "sign-rows", "preview-facts", "preview-result", "preview-history"]) $(id).replaceChildren();
  $("preview").hidden = true;
  draft.clear($("preview-pages"));
  $("sign-confirm").checked = false;
  $("sign-status").textContent = "";
  lastSigned = null;
  $("ecp-done").hidden = true;
  $("ecp-password").value = "";
  $("sign-progress").hidden = true;
}

export async function open() {
  try {
    const [people, waiting, prepared] = await Promise.all([
      call("executors"),
      call("search_applications", { payload: { status: "with_head", limit: 200 } }),
      call("search_applications", { payload: { status: "result_prepared", limit: 200 } }),
    ]);
    executors = people;
    renderAssign(waiting);
    renderSign(prepared);
  } catch (e) {
    notice(messageOf(e));
    return;
  }
  if (previewed && toSign.some((a) => a.id === previewed.id)) await openPreview(previewed.id);
  else if (toSign.length) await openPreview(toSign[0].id);
  else $("preview").hidden = true;
  // The head's first keystroke assigns: the first executor select has the focus.
  const first = document.querySelector("#assign-rows select");
  if (first && !$("view-sign").contains(document.activeElement)) first.focus();
}

/// Other desks wrote: both lists are read again — but not in the middle of
/// a batch of signatures, whose own progress is on screen.
export async function refreshShown() {
  if (signing) return;
  await open();
}

export function onLanguage() {
  updateConfirmText();
  if (previewed) renderPreview(previewed);
}

function dueText(a) {
  const due = dueMoment(a);
  const u = urgencyText(a.urgency);
  return u ? `${due} · ${u}` : due;
}

// ---- assignment ---------------------------------------------------------------

function renderAssign(rows) {
  $("assign-empty").hidden = rows.length > 0;
  $("assign-error").hidden = true;
  putRows(
    $("assign-rows"),
    rows.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      tr.dataset.urgency = a.urgency;
      tr.append(cell(a.number), cell(`${a.applicant_name} · ${a.service_name[currentLang()]}`), cell(dueText(a), "due " + a.urgency));
      const td = cell("", "assign-cell");
      const select = document.createElement("select");
      // Named by the application, not the row's place: a row drawn again
      // the same is kept (putRows) while others come and go around it.
      select.id = `assign-${a.number}`;
      select.setAttribute("aria-label", `${t("executor")} — ${a.number}`);
      select.replaceChildren(...executors.map((p) => option(String(p.id), p.full_name)));
      if (lastExecutor && executors.some((p) => p.id === lastExecutor)) select.value = String(lastExecutor);
      select.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          assign(a, select);
        }
      });
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small";
      button.textContent = t("act_assign_short");
      button.addEventListener("click", () => assign(a, select));
      td.append(select, button);
      tr.append(td);
      return tr;
    }),
  );
}

async function assign(a, select) {
  $("assign-error").hidden = true;
  const executor_id = Number(select.value);
  if (!executor_id) return;
  const index = [...$("assign-rows").children].indexOf(select.closest("tr"));
  select.disabled = true;
  try {
    await call("take_step", { payload: { id: a.id, expected_status: "with_head", command: { step: "assign_executor", executor_id } } });
    lastExecutor = executor_id;
    const waiting = await call("search_applications", { payload: { status: "with_head", limit: 200 } });
    renderAssign(waiting);
    // The next application takes the place (and the focus) of the one assigned.
    const selects = document.querySelectorAll("#assign-rows select");
    const next = selects[Math.min(index, selects.length - 1)];
    if (next) next.focus();
    else $("sign-all").focus();
  } catch (e) {
    select.disabled = false;
    showError($("assign-error"), { message: `${a.number}: ${messageOf(e)}` });
    select.focus();
  }
}

// ---- signature --------------------------------------------------------------

function checked() {
  return [...document.querySelectorAll("#sign-rows input[type=checkbox]:checked")].map((b) => Number(b.value));
}

function updateConfirmText() {
  const n = checked().length;
  $("sign-confirm-text").textContent = t("sign_confirm").replace("{n}", String(n));
  $("sign-batch-submit").disabled = signing || n === 0;
}

function renderSign(rows) {
  toSign = rows;
  $("sign-empty").hidden = rows.length > 0;
  $("sign-batch").hidden = rows.length === 0;
  const before = new Set(checked());
  const confirmed = $("sign-confirm").checked;
  putRows(
    $("sign-rows"),
    rows.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      tr.dataset.urgency = a.urgency;
      tr.tabIndex = 0;
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = String(a.id);
      box.id = `sign-pick-${a.number}`;
      box.checked = before.has(a.id);
      box.setAttribute("aria-label", `${t("sign_pick")} ${a.number}`);
      box.addEventListener("change", () => {
        $("sign-confirm").checked = false;
        updateConfirmText();
      });
      box.addEventListener("click", (e) => e.stopPropagation());
      const pick = cell("");
      pick.append(box);
      tr.append(
        pick,
        cell(a.number),
        cell(a.service_name[currentLang()], "service-name"),
        cell(a.applicant_name),
        cell(a.executor ?? ""),
        cell(dueText(a), "due " + a.urgency),
      );
      tr.addEventListener("click", () => openPreview(a.id));
      tr.addEventListener("keydown", (e) => {
        if (e.target === tr && e.key === "Enter") openPreview(a.id);
        if (e.target === tr && e.key === " ") {
          e.preventDefault();
          box.click();
        }
      });
      return tr;
    }),
  );
  $("sign-all").checked = false;
  // The head's confirmation stands while exactly what it confirmed is still
  // ticked (another desk's write redrew the list); anything else asks again.
  const still = checked();
  $("sign-confirm").checked = confirmed && still.length === before.size && still.every((id) => before.has(id));
  updateConfirmText();
}

$("sign-all").addEventListener("change", (e) => {
  for (const b of document.querySelectorAll("#sign-rows input[type=checkbox]")) b.checked = e.currentTarget.checked;
  $("sign-confirm").checked = false;
  updateConfirmText();
});

// Signs the ticked results one by one, in the list's order. The first
// refusal stops the run and names the application, so that nothing after
// it is signed unseen.
$("sign-batch-submit").addEventListener("click", async () => {
  $("sign-error").hidden = true;
  const ids = checked();
  if (ids.length === 0) return;
  if (!$("sign-confirm").checked) {
    showError($("sign-error"), { message: t("sign_confirm_first") });
    $("sign-confirm").focus();
    return;
  }
  const picked = toSign.filter((a) => ids.includes(a.id));
  const bar = $("sign-progress");
  bar.max = picked.length;
  bar.value = 0;
  bar.hidden = false;
  signing = true;
  updateConfirmText();
  let done = 0;
  try {
    for (const a of picked) {
      $("sign-status").textContent = `${t("sign_running")} ${a.number} (${done + 1} / ${picked.length})`;
      try {
        await call("take_step", { payload: { id: a.id, expected_status: "result_prepared", command: { step: "sign" } } });
      } catch (e) {
        showError($("sign-error"), { message: `${t("sign_stopped")} ${a.number}: ${messageOf(e)}` });
        $("sign-status").textContent = `${t("sign_done")} ${done} / ${picked.length}`;
        return;
      }
      done += 1;
      bar.value = done;
    }
    $("sign-status").textContent = `${t("sign_done")} ${done} / ${picked.length}`;
  } finally {
    signing = false;
    $("sign-confirm").checked = false;
    await reload();
  }
});

async function reload() {
  try {
    renderSign(await call("search_applications", { payload: { status: "result_prepared", limit: 200 } }));
  } catch (e) {
    notice(messageOf(e));
  }
  if (previewed && !toSign.some((a) => a.id === previewed.id)) {
    previewed = null;
    if (toSign.length) await openPreview(toSign[0].id);
    else $("preview").hidden = true;
  }
}

// ---- preview ------------------------------------------------------------------

async function openPreview(id) {
  let a;
  try {
    a = await call("application_detail", { payload: { id } });
    if (!reasons.has(a.service_code)) {
      const list = await call("refusal_reasons", { payload: { service_code: a.service_code } });
      reasons.set(a.service_code, list);
    }
  } catch (e) {
    notice(messageOf(e));
    return;
  }
  previewed = a;
  renderPreview(a);
  for (const tr of document.querySelectorAll("#sign-rows tr")) tr.setAttribute("aria-current", String(tr.dataset.number === a.number));
  // The paper beside the application's facts, as it will print once signed.
  if (a.status === "result_prepared") {
    try {
      await draft.show($("preview-pages"), a.id);
    } catch (e) {
      draft.clear($("preview-pages"));
      showError($("preview-error"), e);
    }
  } else {
    draft.clear($("preview-pages"));
  }
}

function facts(list) {
  return list
    .filter(([, v]) => v)
    .flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = t(k);
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    });
}

// The facts the result states, labelled as its form declares them and
// written as the paper writes them.
function resultFacts(a, r) {
  if (r.outcome !== "positive") return [];
  const lang = currentLang();
  const day = (iso) => iso.split("-").reverse().join(".");
  const shown = (kind, v) => {
    if (kind === "date") return day(v);
    if (kind === "period") return v.split("/").map(day).join(" – ");
    if (kind === "money") {
      const [whole, cents] = v.split(".");
      return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ")},${cents ?? "00"}`;
    }
    return v;
  };
  return (a.result_fields[r.form] ?? [])
    .filter((f) => r.fields?.[f.key])
    .map((f) => [f.label[lang], shown(f.kind, r.fields[f.key])]);
}

function renderPreview(a) {
  $("preview").hidden = false;
  $("preview-error").hidden = true;
  $("preview-number").textContent = a.number;
  $("preview-status").textContent = t("status_" + a.status);
  $("preview-due").textContent = a.step_due_at ? `${t("col_due")}: ${dueMoment(a)}` : "";
  $("preview-facts").replaceChildren(
    ...facts([
      ["service", a.service_name[currentLang()]],
      ["applicant", `${a.applicant_name}, ${t("iin")} ${a.applicant_iin}`],
      ["child", a.child_name ? `${a.child_name}, ${t("iin")} ${a.child_iin}` : null],
      ["col_time", moment(a.registered_at)],
    ]),
  );
  const r = a.result;
  const reason = r && r.reason_code ? (reasons.get(a.service_code) ?? []).find((x) => x.code === r.reason_code) : null;
  $("preview-result").replaceChildren(
    ...facts(
      r
        ? [
            ["outcome", t(r.outcome === "positive" ? "outcome_positive" : "outcome_refusal")],
            ["result_form", r.outcome === "positive" && a.result_forms.length > 1 ? a.result_forms[r.form]?.[currentLang()] : null],
            ["refusal_reason", r.reason_code ? (reason ? reason.name[currentLang()] : r.reason_code) : null],
            ["explanation", r.explanation || null],
            ...resultFacts(a, r),
            ["executor", `${r.prepared_by} · ${moment(r.prepared_at)}`],
            ["result_version", String(r.version)],
          ]
        : [["outcome", t("no_result")]],
    ),
  );
  $("preview-result").className = `facts result-facts ${r && r.outcome !== "positive" ? "refusal" : ""}`;
  $("preview-history").replaceChildren(
    ...a.history.map((h) => {
      const li = document.createElement("li");
      li.textContent = `${moment(h.at)} · ${t("step_" + h.step)} · ${h.actor}${h.comment ? " — " + h.comment : ""}`;
      return li;
    }),
  );
  $("preview-return").hidden = a.status !== "result_prepared";
  $("preview-ecp").hidden = a.status !== "result_prepared";
  $("ecp-status").textContent = "";
}

// ---- electronic signature (ЭЦҚ) ---------------------------------------------
// NCALayer asks for the key and its password in its own window; a key file
// is picked in a dialog the backend opens, its password typed here and sent
// once. Either can take a while (the head's dialog), so the status says so.

async function signWithCertificate(method) {
  if (!previewed || signing) return;
  const form = $("preview-ecp");
  clearErrors(form, $("preview-error"));
  const a = previewed;
  const password = $("ecp-password").value;
  signing = true;
  for (const id of ["ecp-ncalayer", "ecp-key-file"]) $(id).disabled = true;
  $("ecp-status").textContent = t(method === "ncalayer" ? "ecp_waiting_ncalayer" : "ecp_signing");
  try {
    const signed = await call("sign_result", { payload: { id: a.id, expected_status: a.status, method, password } });
    $("ecp-password").value = "";
    if (!signed) {
      $("ecp-status").textContent = "";
      return;
    }
    lastSigned = { id: a.id, number: a.number };
    $("ecp-done").hidden = false;
    $("ecp-done-text").textContent = t("ecp_signed")
      .replace("{number}", a.number)
      .replace("{name}", signed.signer_name)
      .replace("{serial}", signed.cert_serial);
    $("ecp-save-status").textContent = signed.printed.path;
    $("sign-status").textContent = `${t("ecp_signed_short")} ${a.number}`;
    $("ecp-status").textContent = "";
    signing = false;
    await reload();
  } catch (e) {
    $("ecp-status").textContent = "";
    showError($("preview-error"), e, form);
  } finally {
    signing = false;
    for (const id of ["ecp-ncalayer", "ecp-key-file"]) $(id).disabled = false;
  }
}

$("ecp-ncalayer").addEventListener("click", () => signWithCertificate("ncalayer"));
$("preview-ecp").addEventListener("submit", (ev) => {
  ev.preventDefault();
  signWithCertificate("key_file");
});

$("ecp-save").addEventListener("click", async () => {
  if (!lastSigned) return;
  try {
    const path = await call("save_signed_result", { payload: { id: lastSigned.id } });
    if (path) $("ecp-save-status").textContent = `${t("ecp_saved")} ${path}`;
  } catch (e) {
    showError($("preview-error"), e);
  }
});

$("preview-return").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!previewed) return;
  const form = ev.currentTarget;
  clearErrors(form, $("preview-error"));
  const button = $("preview-return-submit");
  button.disabled = true;
  try {
    await call("take_step", {
      payload: { id: previewed.id, expected_status: previewed.status, command: { step: "return_to_executor", comment: $("preview-return-comment").value } },
    });
    form.reset();
    $("sign-status").textContent = `${t("returned")} ${previewed.number}`;
    await reload();
  } catch (e) {
    showError($("preview-error"), e, form);
  } finally {
    button.disabled = false;
  }
});
