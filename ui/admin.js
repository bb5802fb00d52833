// The administrator's desk: accounts and roles, the office, the calendar,
// the audit check, and backups.

import { $, call, cell, clearErrors, messageOf, megabytes, moment, notice, noticeError, showError, t } from "./api.js";
import * as catalog from "./catalog.js";
import * as job from "./job.js";

let office = null;

let years = [];

async function loadCalendar() {
  const calendar = await call("calendar_years");
  years = calendar.years;
  const missing = $("calendar-year-to-enter");
  missing.hidden = calendar.year_to_enter == null;
  missing.textContent = calendar.year_to_enter == null ? "" : t("calendar_year_to_enter").replace("{year}", String(calendar.year_to_enter));
  if (calendar.year_to_enter != null && !$("cal-year").value) $("cal-year").value = String(calendar.year_to_enter);
  $("calendar-years").replaceChildren(
    ...years.map((y) => {
      const tr = document.createElement("tr");
      tr.dataset.year = String(y.year);
      const transfers = y.transfers.map((t) => `${t.day_off} → ${t.working_day}`).join("; ");
      tr.append(cell(String(y.year) + (y.local ? " *" : "")), cell(y.kurban_ait), cell(transfers), cell(String(y.working_days)));
      return tr;
    }),
  );
}

$("calendar-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("calendar-error"));
  const year = Number($("cal-year").value);
  const known = years.find((y) => y.year === year);
  const transfers = known ? [...known.transfers] : [];
  if ($("cal-day-off").value || $("cal-working-day").value) {
    transfers.push({ day_off: $("cal-day-off").value, working_day: $("cal-working-day").value, decree: $("cal-decree").value });
  }
  try {
    const moved = await call("set_calendar_year", { payload: { year, rules: { kurban_ait: $("cal-kurban").value, transfers } } });
    form.reset();
    notice(t("calendar_saved").replace("{count}", String(moved)));
    await loadCalendar();
  } catch (e) {
    showError($("calendar-error"), e, form);
  }
});

export function reset() {
  $("users").replaceChildren();
  catalog.reset();
  $("backups").replaceChildren();
  for (const id of ["backup-result", "backup-error", "backup-progress", "backup-running"]) $(id).hidden = true;
  $("restore-confirm").checked = false;
  $("restore-submit").disabled = true;
  $("restore").open = false;
  $("user-form").reset();
  $("office-form").reset();
  officeEdited = false;
  $("findings").replaceChildren();
  $("findings-block").hidden = true;
  $("audit-result").textContent = "";
  $("accept-form").reset();
}

// The office form is filled from what the window already knows, before
// anything is awaited, so that nothing arriving later can land in a field
// the administrator is typing in; and never over unsaved edits (a language
// switch opens the desk again).
let officeEdited = false;
$("office-form").addEventListener("input", () => (officeEdited = true));

function fillOffice(known) {
  office = known;
  if (!office || officeEdited) return;
  $("office-name-kk").value = office.name.kk;
  $("office-name-ru").value = office.name.ru;
  $("office-address-kk").value = office.address.kk;
  $("office-address-ru").value = office.address.ru;
  $("office-phone").value = office.phone;
  $("office-series").value = office.series;
  $("office-start-number").value = String(office.start_number);
  $("office-bin").value = office.bin ?? "";
}

/// `known` is the office as the window last heard of it.
export async function open(known, alarm) {
  fillOffice(known);
  // What the last check found is listed at once, to be dealt with.
  if (alarm && $("findings").children.length === 0) showFindings(alarm.findings);
  // Filled in the page's order, top to bottom: a part that grows pushes down
  // only what is below it, and that is drawn after it. Otherwise the
  // catalog's rows, at the bottom, would move under the pointer while the
  // parts above them arrive, and a click meant for one service would open
  // another.
  for (const load of [loadUsers, loadTrusted, loadBackups, loadCalendar, loadStamp, catalog.open]) {
    try {
      await load();
    } catch (e) {
      noticeError(e);
    }
  }
}

async function loadUsers() {
  const users = await call("users");
  $("users").replaceChildren(
    ...users.map((u) => {
      const tr = document.createElement("tr");
      tr.append(cell(u.login), cell(u.full_name), cell(u.roles.map((r) => t("role_" + r)).join(", ")), iinCell(u));
      return tr;
    }),
  );
}

// The IIN a certificate must name for the person to sign with it: typed
// against the person's identity document, saved on Enter or the button.
function iinCell(u) {
  const td = document.createElement("td");
  const form = document.createElement("form");
  form.className = "inline";
  form.noValidate = true;
  const input = document.createElement("input");
  input.id = `user-iin-${u.login}`;
  input.name = "user_iin";
  input.inputMode = "numeric";
  input.maxLength = 12;
  input.value = u.iin ?? "";
  input.setAttribute("aria-label", `${t("user_iin")} ${u.login}`);
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "secondary";
  save.id = `user-iin-save-${u.login}`;
  save.textContent = t("save");
  form.append(input, save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form, $("users-error"));
    try {
      await call("set_user_iin", { payload: { user_id: u.id, iin: input.value } });
      save.textContent = t("saved");
    } catch (e) {
      showError($("users-error"), e, form);
    }
  });
  td.append(form);
  return td;
}

$("user-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("user-error"));
  const roles = [...document.querySelectorAll("#user-roles input:checked")].map((i) => i.value);
  try {
    await call("create_user", {
      payload: {
        login: $("user-login").value,
        full_name: $("user-full-name").value,
        roles,
        password: $("user-password").value,
        password_repeat: $("user-password-repeat").value,
      },
    });
    form.reset();
    // Ready for the next person at once: focused before the page is drawn
    // again, never after, when the administrator may be typing elsewhere.
    $("user-full-name").focus();
    await open();
  } catch (e) {
    showError($("user-error"), e, form);
  }
});

$("office-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("office-error"));
  $("office-saved").hidden = true;
  try {
    office = await call("update_office", {
      payload: {
        name_kk: $("office-name-kk").value,
        name_ru: $("office-name-ru").value,
        address_kk: $("office-address-kk").value,
        address_ru: $("office-address-ru").value,
        phone: $("office-phone").value,
        series: $("office-series").value,
        start_number: Number($("office-start-number").value) || 0,
        bin: $("office-bin").value,
      },
    });
    $("office-saved").hidden = false;
    officeEdited = false;
    window.dispatchEvent(new CustomEvent("kense:office", { detail: office }));
  } catch (e) {
    showError($("office-error"), e, form);
  }
});

// The evidence: the whole chain and every record against it, run in Rust on
// a second connection (a bar after 300 ms, a cancel button); what is found
// is listed with the record, the field and the event that vouches for it,
// and the administrator may take the records as they stand, with a reason.

function findingWhat(f) {
  const d = f.deviation;
  if (d.kind === "changed") return `${t("finding_changed")}: ${d.fields.join(", ") || "—"}`;
  if (d.kind === "position") return `${t("finding_position")}: ${d.stored ?? "—"} → ${d.computed ?? "—"}`;
  return t(`finding_${d.kind}`);
}

function showFindings(findings) {
  $("findings").replaceChildren(
    ...findings.map((f) => {
      const tr = document.createElement("tr");
      const table = t(`table_${f.table}`);
      tr.append(cell(`${table.startsWith("table_") ? f.table : table} ${f.key}`), cell(findingWhat(f)), cell(f.seq === null ? "—" : `№ ${f.seq}`));
      return tr;
    }),
  );
  $("findings-block").hidden = findings.length === 0;
}

function showEvidence(e) {
  const ok = e.chain.first_bad === null && e.findings.length === 0;
  let text;
  if (ok) text = `${t("audit_ok")} (${e.chain.events}; ${e.chain.head.slice(0, 12)})`;
  else if (e.chain.first_bad !== null) text = `${t("audit_broken")} ${e.chain.first_bad}`;
  else text = `${t("records_changed_banner")} ${e.findings.length}`;
  $("audit-result").textContent = text;
  $("audit-result").className = ok ? "hint ok" : "error-text";
  showFindings(e.findings);
  window.dispatchEvent(new CustomEvent("kense:alarm", { detail: ok ? null : { chain_broken_at: e.chain.first_bad, findings: e.findings } }));
}

$("audit-verify").addEventListener("click", async () => {
  $("audit-verify").disabled = true;
  try {
    const e = await job.withProgress(() => call("verify_audit"), {
      line: $("audit-line"),
      bar: $("audit-bar"),
      running: $("audit-running"),
      cancel: $("audit-cancel"),
    });
    showEvidence(e);
  } catch (e) {
    $("audit-result").textContent = messageOf(e);
    $("audit-result").className = "error-text";
  } finally {
    $("audit-verify").disabled = false;
  }
});

$("accept-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("accept-error"));
  try {
    const alarm = await call("accept_findings", { payload: { reason: $("accept-reason").value } });
    $("accept-reason").value = "";
    showFindings(alarm ? alarm.findings : []);
    $("audit-result").textContent = alarm ? t("accept_left") : t("accept_done");
    $("audit-result").className = alarm ? "error-text" : "hint ok";
    window.dispatchEvent(new CustomEvent("kense:alarm", { detail: alarm }));
  } catch (e) {
    showError($("accept-error"), e, form);
  }
});

// Backups. The copy, the checks and the restore run in Rust; this shows the
// list, asks for an explicit confirmation before a restore, and shows which
// step a long operation is at.

async function loadBackups() {
  const list = await call("backups");
  $("backups-empty").hidden = list.length > 0;
  $("backups").replaceChildren(
    ...list.map((b) => {
      const tr = document.createElement("tr");
      tr.dataset.name = b.name;
      tr.append(cell(b.name), cell(moment(b.taken_at)), cell(megabytes(b.size)));
      return tr;
    }),
  );
}

// Runs a backup command with its progress and cancel button (job.js).
async function withProgress(cmd) {
  for (const id of ["backup-result", "backup-error"]) $(id).hidden = true;
  const buttons = ["backup-now", "backup-copy", "restore-submit"].map($);
  const wasDisabled = buttons.map((b) => b.disabled);
  buttons.forEach((b) => (b.disabled = true));
  try {
    return await job.withProgress(() => call(cmd), {
      line: $("backup-progress"),
      bar: $("backup-bar"),
      running: $("backup-running"),
      cancel: $("backup-cancel"),
    });
  } finally {
    buttons.forEach((b, i) => (b.disabled = wasDisabled[i]));
  }
}

function done(text) {
  $("backup-result").textContent = text;
  $("backup-result").hidden = false;
}

$("backup-now").addEventListener("click", async () => {
  try {
    const rec = await withProgress("back_up_now");
    done(`${t("backup_made")} ${rec.name} (${megabytes(rec.size)}; SHA-256 ${rec.sha256.slice(0, 12)}…)`);
    await loadBackups();
  } catch (e) {
    showError($("backup-error"), e);
  }
});

$("backup-copy").addEventListener("click", async () => {
  try {
    const rec = await withProgress("copy_latest_backup");
    if (rec) done(`${t("backup_copied")} ${rec.destination} / ${rec.name}`);
  } catch (e) {
    showError($("backup-error"), e);
  }
});

$("restore-confirm").addEventListener("change", (ev) => {
  $("restore-submit").disabled = !ev.currentTarget.checked;
});

$("restore-submit").addEventListener("click", async () => {
  if (!$("restore-confirm").checked) return;
  try {
    const rec = await withProgress("restore_backup");
    if (!rec) return;
    // Everyone was logged out by the restore: back to the log-in screen,
    // with what happened and where the replaced file is.
    window.dispatchEvent(new Event("kense:not-logged-in"));
    notice(`${t("restore_done")} ${rec.kept_as}`);
  } catch (e) {
    showError($("backup-error"), e);
  } finally {
    $("restore-confirm").checked = false;
    $("restore-submit").disabled = true;
  }
});

// The stamp (seal and signature) drawn on signed documents.
async function loadStamp() {
  let png = null;
  try {
    png = await call("stamp");
  } catch (e) {
    noticeError(e);
    return;
  }
  $("stamp-state").textContent = t(png ? "stamp_present" : "stamp_none");
  $("stamp-preview").hidden = !png;
  if (png) $("stamp-preview").src = `data:image/png;base64,${png}`;
  $("stamp-remove").hidden = !png;
}

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

$("stamp-upload").addEventListener("click", async () => {
  $("stamp-error").hidden = true;
  const file = $("stamp-file").files[0];
  if (!file) {
    showError($("stamp-error"), { message: t("stamp_choose") });
    return;
  }
  try {
    await call("set_stamp", { payload: { png: await base64Of(file) } });
    $("stamp-file").value = "";
    await loadStamp();
  } catch (e) {
    showError($("stamp-error"), e);
  }
});

$("stamp-remove").addEventListener("click", async () => {
  $("stamp-error").hidden = true;
  try {
    await call("set_stamp", { payload: { png: null } });
    await loadStamp();
  } catch (e) {
    showError($("stamp-error"), e);
  }
});

// ---- trusted certificates and revocation lists ---------------------------------
// NCA's roots and intermediates (root_rsa_2020, root_gost_2022, nca_rsa_2022,
// nca_gost_2022 from pki.gov.kz) and its CRLs, imported by the
// administrator; each row shows the SHA-256 to compare with NCA's.

async function loadTrusted() {
  let files;
  try {
    files = await call("trusted_files");
  } catch (e) {
    noticeError(e);
    return;
  }
  $("trust-empty").hidden = files.length > 0;
  $("trust-rows").replaceChildren(
    ...files.map((f) => {
      const tr = document.createElement("tr");
      const sha = cell(f.sha256.match(/.{1,16}/g).join(" "), "mono");
      tr.append(
        cell(t(f.kind === "crl" ? "trust_kind_crl" : "trust_kind_certificate")),
        cell(f.name),
        cell(`${f.valid_from} — ${f.valid_until ?? "—"}`),
        sha,
      );
      return tr;
    }),
  );
}

$("trust-import").addEventListener("click", async () => {
  $("trust-error").hidden = true;
  $("trust-status").textContent = "";
  try {
    const f = await call("import_trusted_file");
    if (!f) return;
    $("trust-status").textContent = `${t("trust_imported")} ${f.name}`;
    await loadTrusted();
  } catch (e) {
    showError($("trust-error"), e);
  }
});
