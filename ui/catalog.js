// The administrator's catalog card: the installed versions, one opened with
// its services and what it changed; for a service of the version in force,
// the editors of its checklist, its result forms' facts and its norms; the
// editor of the refusal grounds; a catalog file brought in, the program's catalog
// adopted, a version exported. Every change is shown as a list before it
// is saved as the next version; the backend checks it as it checks the
// shipped catalog.

import { $, call, cell, clearErrors, currentLang, messageOf, moment, notice, noticeError, option, showError, t } from "./api.js";

const KINDS = ["required", "required_unless_in_is", "conditional", "optional"];
const VALUE_KINDS = ["text", "number", "money", "date", "period"];
const NORM_UNITS = ["minutes", "hours", "working_days", "calendar_days"];
let names = new Map();
let inForce = null;
// The service being edited: its code and channels, in the version in force.
let editing = null;
// What "Save" saves once the administrator has read the changes.
let pending = null;
// The card and the editor draw what was asked for last: an answer to an
// earlier click (a version left, a service passed over) that arrives later
// is dropped, or a version no longer in force would be drawn over the one
// the administrator opened, its rows without their editor.
let versionAsked = 0;
let serviceAsked = 0;

export async function open() {
  await loadVersions();
  // Drawn again in the language just chosen.
  if (!$("catalog-detail").hidden) await openVersion(Number($("catalog-detail").dataset.version));
}

export function reset() {
  versionAsked++;
  $("catalog-versions").replaceChildren();
  $("catalog-services").replaceChildren();
  $("catalog-detail").hidden = true;
  closeEditor();
  closeGrounds();
  closePreview();
}

async function loadVersions() {
  const [versions, waiting] = await Promise.all([call("catalog_versions"), call("shipped_catalog_waiting")]);
  inForce = versions.find((v) => v.in_force)?.version ?? null;
  $("catalog-versions").replaceChildren(
    ...versions.map((v) => {
      const tr = document.createElement("tr");
      tr.dataset.version = String(v.version);
      tr.tabIndex = 0;
      const origin = v.origin ? ` · ${t("catalog_origin_" + v.origin)}` : "";
      tr.append(
        cell(`${v.version}${v.in_force ? ` (${t("catalog_in_force")})` : ""}${origin}`),
        cell(moment(v.installed_at)),
        cell(String(v.services)),
        cell(String(v.applications)),
        cell(`${v.sha256.slice(0, 12)}…`, "code"),
      );
      tr.addEventListener("click", () => openVersion(v.version));
      tr.addEventListener("keydown", (e) => e.key === "Enter" && openVersion(v.version));
      return tr;
    }),
  );
  $("catalog-shipped-waiting").hidden = waiting == null;
  $("catalog-shipped-waiting-text").textContent = waiting == null ? "" : t("catalog_shipped_waiting").replace("{version}", String(waiting));
}

async function openVersion(version) {
  const asked = ++versionAsked;
  let detail;
  try {
    detail = await call("catalog_version", { payload: { version } });
  } catch (e) {
    if (asked === versionAsked) noticeError(e);
    return;
  }
  if (asked !== versionAsked) return;
  for (const tr of document.querySelectorAll("#catalog-versions tr")) tr.setAttribute("aria-current", String(tr.dataset.version === String(version)));
  names = new Map(detail.services.map((s) => [s.code, s.name]));
  $("catalog-detail").hidden = false;
  $("catalog-detail-version").textContent = String(detail.version);
  $("catalog-detail").dataset.version = String(detail.version);
  $("catalog-changes").textContent = changesText(detail.changes, detail);
  const editable = detail.version === inForce;
  $("catalog-edit-hint").hidden = !editable;
  $("grounds-open").hidden = !editable;
  $("catalog-services").replaceChildren(
    ...detail.services.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.code = s.code;
      tr.append(
        cell(s.name[currentLang()]),
        cell(s.channels.map((c) => t("channel_" + c)).join(", ")),
        // Always required of all listed, and how many await an
        // administrator's check against the act.
        cell(`${s.required_documents} / ${s.documents}` + (s.unverified_documents ? ` · ${s.unverified_documents} ${t("catalog_unverified")}` : "")),
        cell(s.results.map((k) => t("result_kind_" + k)).join(", ")),
        cell(String(s.applications)),
      );
      tr.title = `${s.code} · ${s.regulation}`;
      if (editable) {
        tr.tabIndex = 0;
        tr.addEventListener("click", () => openEditor(detail.version, s.code));
        tr.addEventListener("keydown", (e) => e.key === "Enter" && openEditor(detail.version, s.code));
      }
      return tr;
    }),
  );
}

// What a version changed: the services, then one line per document,
// refusal ground, fact of a result form and norm.
function changesText(changes, { documents, grounds, results, fields, norms, queue }) {
  if (!changes) return t("catalog_first");
  const name = (code) => names.get(code)?.[currentLang()] ?? code;
  const parts = [
    ["catalog_added", changes.added.map(name)],
    ["catalog_changed", changes.changed.map(name)],
    ["catalog_removed", changes.removed],
  ].filter(([, list]) => list.length);
  const details = [
    ...documentLines(documents),
    ...groundLines(grounds),
    ...resultLines(results),
    ...fieldLines(fields),
    ...normLines(norms),
    ...queueLines(queue),
  ];
  const services = parts.length ? [parts.map(([k, list]) => `${t(k)} ${list.join("; ")}`).join(" ")] : [];
  return (services.length || details.length ? [...services, ...details] : [t("catalog_unchanged")]).join("\n");
}

// One line per document a version adds, removes, rewords or confirms.
function documentLines(documents) {
  const lang = currentLang();
  return (documents ?? []).map(
    (d) => `${t("catalog_doc_" + d.change)}: ${d.name[lang]} (${names.get(d.service)?.[lang] ?? d.service})`,
  );
}

// One line per refusal ground a version adds, removes or rewords.
function groundLines(grounds) {
  const lang = currentLang();
  return (grounds ?? []).map((g) => {
    const whose = g.service ? names.get(g.service)?.[lang] ?? g.service : t("grounds_general");
    return `${t("grounds_change_" + g.change)}: ${g.name[lang]} (${whose})`;
  });
}

// One line per result form a version retitles, with the old and the new title.
function resultLines(results) {
  const lang = currentLang();
  return (results ?? []).map(
    (r) => `${t("fields_retitled")}: ${r.before[lang]} → ${r.after[lang]} (${names.get(r.service)?.[lang] ?? r.service})`,
  );
}

// One line per fact of a result form a version adds, removes or changes.
function fieldLines(fields) {
  const lang = currentLang();
  return (fields ?? []).map(
    (f) => `${t("fields_change_" + f.change)}: ${f.label[lang]} (${f.result[lang]}, ${names.get(f.service)?.[lang] ?? f.service})`,
  );
}

// One line per norm a version changes, with the old and the new value.
function normLines(norms) {
  const lang = currentLang();
  return (norms ?? []).map((n) => {
    const where = [names.get(n.service)?.[lang] ?? n.service, t("channel_" + n.channel), n.variant?.[lang], n.step ? `${n.step}. ${n.what?.[lang] ?? ""}` : t("norms_total")]
      .filter(Boolean)
      .join(" · ");
    return `${t("norms_changed")}: ${where}: ${normText(n.before)} → ${normText(n.after)}`;
  });
}

// One line per queue rule a version changes.
function queueLines(queue) {
  const lang = currentLang();
  return (queue ?? []).map((q) => {
    const what = q.category ? `${q.category[lang]}: ${t("queue_rule_" + q.rule)}` : t("queue_rule_" + q.rule);
    const value = (v) => (v === "true" ? t("queue_rule_yes") : v === "false" ? t("queue_rule_no") : v || "—");
    return `${t("queue_rules_changed")}: ${what}: ${value(q.before)} → ${value(q.after)}`;
  });
}

// ---- The checklist editor -------------------------------------------------

async function openEditor(version, code) {
  const asked = ++serviceAsked;
  let service;
  try {
    service = await call("catalog_service", { payload: { version, code } });
  } catch (e) {
    if (asked === serviceAsked) noticeError(e);
    return;
  }
  if (asked !== serviceAsked) return;
  closePreview();
  closeGrounds();
  editing = { version, code, channels: service.channels, service };
  $("fields-editor").hidden = $("norms-editor").hidden = $("queue-rules-editor").hidden = true;
  $("checklist-to-queue").hidden = !service.queue;
  $("checklist-editor").hidden = false;
  $("checklist-service").textContent = service.name[currentLang()];
  $("checklist-rows").replaceChildren(...service.documents.map((d) => documentRow(d)));
  renumber("checklist-rows");
  $("checklist-error").hidden = true;
  $("checklist-editor").scrollIntoView({ block: "start" });
}

// Closes the service's editors (checklist, result forms, norms).
function closeEditor() {
  editing = null;
  serviceAsked++;
  for (const id of ["checklist-editor", "fields-editor", "norms-editor", "queue-rules-editor"]) $(id).hidden = true;
  for (const id of ["checklist-rows", "fields-rows", "norms-rows", "qr-categories"]) $(id).replaceChildren();
}

function input(className, value, label, tag = "input") {
  const el = document.createElement(tag);
  el.className = className;
  el.value = value ?? "";
  el.setAttribute("aria-label", t(label));
  if (tag === "textarea") el.rows = 2;
  return el;
}

// A row of the editor: the document's names, kind and condition, channels,
// source and whether it was checked against the act.
function documentRow(d) {
  const tr = document.createElement("tr");
  tr.className = "checklist-row";
  if (d?.code) tr.dataset.code = d.code;
  const number = cell("", "number");
  const names = document.createElement("td");
  names.append(input("doc-name-kk", d?.name.kk, "catalog_doc_name_kk", "textarea"), input("doc-name-ru", d?.name.ru, "catalog_doc_name_ru", "textarea"));
  const kindCell = document.createElement("td");
  const kind = document.createElement("select");
  kind.className = "doc-kind";
  kind.setAttribute("aria-label", t("catalog_doc_kind"));
  kind.append(...KINDS.map((k) => option(k, t("catalog_kind_" + k))));
  kind.value = d?.kind ?? "required";
  const conditionKk = input("doc-condition-kk", d?.condition?.kk, "catalog_doc_condition_kk");
  const conditionRu = input("doc-condition-ru", d?.condition?.ru, "catalog_doc_condition_ru");
  conditionKk.placeholder = t("catalog_doc_condition_kk");
  conditionRu.placeholder = t("catalog_doc_condition_ru");
  const showCondition = () => {
    conditionKk.hidden = conditionRu.hidden = kind.value !== "conditional";
  };
  kind.addEventListener("change", showCondition);
  showCondition();
  kindCell.append(kind, conditionKk, conditionRu);
  const channels = document.createElement("td");
  for (const c of editing.channels) {
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "doc-channel";
    box.value = c;
    box.checked = d ? d.channels.includes(c) : true;
    label.append(box, ` ${t("channel_" + c)}`);
    channels.append(label);
  }
  const source = document.createElement("td");
  source.append(input("doc-source", d?.source, "catalog_doc_source", "textarea"));
  const verifiedCell = document.createElement("td");
  const verifiedLabel = document.createElement("label");
  verifiedLabel.className = "check";
  const verified = document.createElement("input");
  verified.type = "checkbox";
  verified.className = "doc-verified";
  verified.checked = d?.verified ?? false;
  verifiedLabel.append(verified, ` ${t("catalog_doc_verified")}`);
  verifiedCell.append(verifiedLabel);
  tr.append(number, names, kindCell, channels, source, verifiedCell, removeButton(tr, "checklist-rows"));
  return tr;
}

// The last cell of an editor's row: the button that takes the row out.
function removeButton(tr, rows) {
  const td = document.createElement("td");
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "row-remove secondary";
  remove.textContent = t("catalog_doc_remove");
  remove.addEventListener("click", () => {
    tr.remove();
    renumber(rows);
  });
  td.append(remove);
  return td;
}

function renumber(rows) {
  [...$(rows).children].forEach((tr, i) => (tr.querySelector(".number").textContent = String(i + 1)));
}

// The rows as the backend reads them.
function checklist() {
  const documents = [...$("checklist-rows").children].map((tr) => ({
    code: tr.dataset.code ?? null,
    name_kk: tr.querySelector(".doc-name-kk").value,
    name_ru: tr.querySelector(".doc-name-ru").value,
    kind: tr.querySelector(".doc-kind").value,
    condition_kk: tr.querySelector(".doc-condition-kk").value,
    condition_ru: tr.querySelector(".doc-condition-ru").value,
    channels: [...tr.querySelectorAll(".doc-channel:checked")].map((b) => b.value),
    verified: tr.querySelector(".doc-verified").checked,
    source: tr.querySelector(".doc-source").value,
  }));
  return { kind: "checklist", service: editing.code, documents };
}

// Asks what an edit would change and shows it; "Save" then saves it. An
// error naming a field of `form` focuses it.
async function previewEdit(based_on, edit, errorBox, form) {
  if (form) clearErrors(form, errorBox);
  errorBox.hidden = true;
  const payload = { based_on, edit };
  try {
    showPreview(await call("preview_catalog_edit", { payload }), () => call("save_catalog_edit", { payload }));
  } catch (e) {
    showError(errorBox, e, form);
  }
}

$("checklist-add").addEventListener("click", () => {
  const tr = documentRow(null);
  $("checklist-rows").append(tr);
  renumber("checklist-rows");
  tr.querySelector(".doc-name-kk").focus();
});

$("checklist-cancel").addEventListener("click", () => {
  closeEditor();
  closePreview();
});

$("checklist-preview").addEventListener("click", () => editing && previewEdit(editing.version, checklist(), $("checklist-error")));

// ---- A result form's facts --------------------------------------------------

$("checklist-to-fields").addEventListener("click", () => {
  if (!editing) return;
  closePreview();
  const lang = currentLang();
  const results = editing.service.results.map((r, i) => [r, i]).filter(([r]) => r.kind !== "reasoned_refusal");
  $("fields-service").textContent = editing.service.name[lang];
  $("fields-result").replaceChildren(...results.map(([r, i]) => option(String(i), r.name[lang])));
  $("checklist-editor").hidden = true;
  $("fields-editor").hidden = false;
  drawFields();
  $("fields-editor").scrollIntoView({ block: "start" });
});

$("fields-result").addEventListener("change", drawFields);

function drawFields() {
  const result = editing.service.results[Number($("fields-result").value)];
  $("fields-title-kk").value = result?.name.kk ?? "";
  $("fields-title-ru").value = result?.name.ru ?? "";
  $("fields-rows").replaceChildren(...(result?.fields ?? []).map(fieldRow));
  renumber("fields-rows");
  $("fields-error").hidden = true;
  closePreview();
}

// A fact of the form: its label in both languages, its kind, whether the
// paper cannot go without it.
function fieldRow(f) {
  const tr = document.createElement("tr");
  if (f?.key) tr.dataset.key = f.key;
  const kk = document.createElement("td");
  kk.append(input("field-kk", f?.label.kk, "catalog_doc_name_kk", "textarea"));
  const ru = document.createElement("td");
  ru.append(input("field-ru", f?.label.ru, "catalog_doc_name_ru", "textarea"));
  const kindCell = document.createElement("td");
  const kind = document.createElement("select");
  kind.className = "field-kind";
  kind.setAttribute("aria-label", t("fields_kind"));
  kind.append(...VALUE_KINDS.map((k) => option(k, t("value_kind_" + k))));
  kind.value = f?.kind ?? "text";
  kindCell.append(kind);
  const requiredCell = document.createElement("td");
  const label = document.createElement("label");
  label.className = "check";
  const required = document.createElement("input");
  required.type = "checkbox";
  required.className = "field-required";
  required.checked = f?.required ?? true;
  label.append(required, ` ${t("fields_required")}`);
  requiredCell.append(label);
  tr.append(cell("", "number"), kk, ru, kindCell, requiredCell, removeButton(tr, "fields-rows"));
  return tr;
}

$("fields-add").addEventListener("click", () => {
  const tr = fieldRow(null);
  $("fields-rows").append(tr);
  renumber("fields-rows");
  tr.querySelector(".field-kk").focus();
});

$("fields-cancel").addEventListener("click", () => {
  closeEditor();
  closePreview();
});

$("fields-preview").addEventListener("click", () => {
  if (!editing) return;
  const edit = {
    kind: "result_form",
    service: editing.code,
    result: Number($("fields-result").value),
    name_kk: $("fields-title-kk").value,
    name_ru: $("fields-title-ru").value,
    fields: [...$("fields-rows").children].map((tr) => ({
      key: tr.dataset.key ?? null,
      label_kk: tr.querySelector(".field-kk").value,
      label_ru: tr.querySelector(".field-ru").value,
      kind: tr.querySelector(".field-kind").value,
      required: tr.querySelector(".field-required").checked,
    })),
  };
  previewEdit(editing.version, edit, $("fields-error"));
});

// ---- The service's time norms ----------------------------------------------

$("checklist-to-norms").addEventListener("click", () => {
  if (!editing) return;
  closePreview();
  const lang = currentLang();
  $("norms-service").textContent = editing.service.name[lang];
  const rows = [];
  editing.service.paths.forEach((p, path) => {
    const way = t("channel_" + p.channel) + (p.variant_name ? ` · ${p.variant_name[lang]}` : "");
    if (p.stated_total) rows.push(normRow(way, t("norms_total"), p.stated_total, { path, step: null, part: null }));
    p.steps.forEach((st, step) => {
      if (st.norm) rows.push(normRow(way, `${st.n}. ${st.action[lang]}`, st.norm, { path, step, part: null }));
      st.parts.forEach((part, i) => rows.push(normRow(way, `${st.n}. ${part.what[lang]}`, part.norm, { path, step, part: i })));
    });
  });
  $("norms-rows").replaceChildren(...rows);
  $("norms-error").hidden = true;
  $("checklist-editor").hidden = true;
  $("norms-editor").hidden = false;
  $("norms-editor").scrollIntoView({ block: "start" });
});

// A norm as the catalog writes it ({"working_days": 5}): its value and unit.
function normParts(norm) {
  const [unit, value] = Object.entries(norm)[0];
  return { unit, value };
}

function normText(norm) {
  const { unit, value } = normParts(norm);
  return `${value} ${t("norm_unit_" + unit)}`;
}

function normRow(way, what, norm, at) {
  const tr = document.createElement("tr");
  tr.className = "norm-row";
  tr.dataset.at = JSON.stringify(at);
  const { unit, value } = normParts(norm);
  // Digits only; a text box, so that the value typed reaches the backend
  // as typed and is refused there by its row, whatever the browser makes
  // of a number field.
  const amount = input("norm-value", String(value), "norms_value");
  amount.inputMode = "numeric";
  amount.size = 5;
  const units = document.createElement("select");
  units.className = "norm-unit";
  units.setAttribute("aria-label", t("norms_unit"));
  units.append(...NORM_UNITS.map((u) => option(u, t("norm_unit_" + u))));
  units.value = unit;
  const td = document.createElement("td");
  td.append(amount, " ", units);
  tr.append(cell(way), cell(what), td);
  return tr;
}

$("norms-cancel").addEventListener("click", () => {
  closeEditor();
  closePreview();
});

$("norms-preview").addEventListener("click", () => {
  if (!editing) return;
  const norms = [...$("norms-rows").children].map((tr) => {
    // Not a whole number: 0, which the backend refuses by its row.
    const value = Number.parseInt(tr.querySelector(".norm-value").value, 10);
    return { ...JSON.parse(tr.dataset.at), norm: { [tr.querySelector(".norm-unit").value]: Number.isNaN(value) ? 0 : value } };
  });
  previewEdit(editing.version, { kind: "norms", service: editing.code, norms }, $("norms-error"));
});

// ---- The preschool queue's rules ---------------------------------------------

const QUEUE_NUMBERS = ["upper_age", "mixing_priority", "mixing_general", "max_preferences", "referral_valid_working_days", "stop_list_days"];

$("checklist-to-queue").addEventListener("click", () => {
  const rules = editing?.service.queue;
  if (!rules) return;
  closePreview();
  for (const key of QUEUE_NUMBERS) $("qr-" + key).value = String(rules[key]);
  $("qr-parent_refusal_removes").checked = rules.parent_refusal_removes;
  $("qr-categories").replaceChildren(
    ...rules.categories.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.code = c.code;
      const kk = document.createElement("td");
      kk.append(input("qr-name-kk", c.name.kk, "queue_rule_name_kk", "textarea"));
      const ru = document.createElement("td");
      ru.append(input("qr-name-ru", c.name.ru, "queue_rule_name_ru", "textarea"));
      const days = document.createElement("td");
      // The general queue needs no evidence; blank: it does not expire.
      if (c.tier !== "general") {
        const box = input("qr-evidence", c.evidence_valid_days == null ? "" : String(c.evidence_valid_days), "queue_rule_evidence_valid_days");
        box.inputMode = "numeric";
        box.size = 5;
        days.append(box);
      }
      tr.append(cell("", "number"), cell(t("tier_" + c.tier)), kk, ru, days);
      return tr;
    }),
  );
  renumber("qr-categories");
  $("queue-rules-error").hidden = true;
  $("checklist-editor").hidden = true;
  $("queue-rules-editor").hidden = false;
  $("queue-rules-editor").scrollIntoView({ block: "start" });
});

$("queue-rules-cancel").addEventListener("click", () => {
  closeEditor();
  closePreview();
});

// A whole number as typed; anything else is sent as -1, which the backend
// refuses by its field.
function whole(text) {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : -1;
}

$("queue-rules-preview").addEventListener("click", () => {
  if (!editing) return;
  const rules = Object.fromEntries(QUEUE_NUMBERS.map((key) => [key, whole($("qr-" + key).value)]));
  rules.parent_refusal_removes = $("qr-parent_refusal_removes").checked;
  rules.categories = [...$("qr-categories").children].map((tr) => {
    const days = tr.querySelector(".qr-evidence");
    return {
      code: tr.dataset.code,
      name_kk: tr.querySelector(".qr-name-kk").value,
      name_ru: tr.querySelector(".qr-name-ru").value,
      evidence_valid_days: days && days.value.trim() ? whole(days.value) : null,
    };
  });
  previewEdit(editing.version, { kind: "queue_rules", rules }, $("queue-rules-error"), $("queue-rules-editor"));
});

// ---- The refusal grounds editor -------------------------------------------

// The version whose grounds are open, and its lists as the backend gave them.
let grounds = null;

$("grounds-open").addEventListener("click", async () => {
  const version = Number($("catalog-detail").dataset.version);
  let lists;
  try {
    lists = await call("catalog_grounds", { payload: { version } });
  } catch (e) {
    noticeError(e);
    return;
  }
  closeEditor();
  closePreview();
  grounds = { version, lists };
  const lang = currentLang();
  $("grounds-whose").replaceChildren(option("", t("grounds_general")), ...lists.services.map((s) => option(s.code, s.name[lang])));
  $("grounds-editor").hidden = false;
  drawGrounds();
  $("grounds-editor").scrollIntoView({ block: "start" });
});

$("grounds-whose").addEventListener("change", drawGrounds);

function drawGrounds() {
  const code = $("grounds-whose").value;
  const list = code ? grounds.lists.services.find((s) => s.code === code)?.own ?? [] : grounds.lists.general;
  $("grounds-rows").replaceChildren(...list.map(groundRow));
  renumber("grounds-rows");
  $("grounds-error").hidden = true;
  closePreview();
}

function groundRow(g) {
  const tr = document.createElement("tr");
  tr.className = "ground-row";
  if (g?.code) tr.dataset.code = g.code;
  const kk = document.createElement("td");
  kk.append(input("ground-kk", g?.name.kk, "catalog_doc_name_kk", "textarea"));
  const ru = document.createElement("td");
  ru.append(input("ground-ru", g?.name.ru, "catalog_doc_name_ru", "textarea"));
  tr.append(cell("", "number"), kk, ru, removeButton(tr, "grounds-rows"));
  return tr;
}

function closeGrounds() {
  grounds = null;
  $("grounds-editor").hidden = true;
  $("grounds-rows").replaceChildren();
}

$("grounds-add").addEventListener("click", () => {
  const tr = groundRow(null);
  $("grounds-rows").append(tr);
  renumber("grounds-rows");
  tr.querySelector(".ground-kk").focus();
});

$("grounds-cancel").addEventListener("click", () => {
  closeGrounds();
  closePreview();
});

$("grounds-preview").addEventListener("click", () => {
  if (!grounds) return;
  const edit = {
    kind: "grounds",
    service: $("grounds-whose").value || null,
    grounds: [...$("grounds-rows").children].map((tr) => ({
      code: tr.dataset.code ?? null,
      name_kk: tr.querySelector(".ground-kk").value,
      name_ru: tr.querySelector(".ground-ru").value,
    })),
  };
  previewEdit(grounds.version, edit, $("grounds-error"));
});

// ---- Files and the program's catalog ---------------------------------------

$("catalog-import").addEventListener("click", async () => {
  $("catalog-file-error").hidden = true;
  try {
    const file = await call("read_catalog_file");
    if (file) showFile(file);
  } catch (e) {
    showError($("catalog-file-error"), e);
  }
});

$("catalog-adopt").addEventListener("click", async () => {
  $("catalog-file-error").hidden = true;
  try {
    showFile(await call("read_shipped_catalog"));
  } catch (e) {
    showError($("catalog-file-error"), e);
  }
});

$("catalog-export").addEventListener("click", async () => {
  const version = Number($("catalog-detail").dataset.version);
  try {
    const path = await call("export_catalog", { payload: { version } });
    if (path) notice(`${t("catalog_exported")} ${path}`);
  } catch (e) {
    noticeError(e);
  }
});

function showFile(file) {
  closeEditor();
  closeGrounds();
  const payload = { based_on: file.based_on, content: file.content };
  showPreview(file.preview, () => call("save_catalog_file", { payload }));
}

// ---- The changes, read before saving ----------------------------------------

function showPreview(preview, save) {
  pending = save;
  $("catalog-preview").hidden = false;
  $("catalog-preview-version").textContent = String(preview.version);
  const { added, removed, changed } = preview.changes;
  const nothing = !added.length && !removed.length && !changed.length && !preview.grounds.length;
  const moves = preview.queue_moves ? [t("queue_rules_moves").replace("{n}", String(preview.queue_moves))] : [];
  $("catalog-preview-changes").replaceChildren(
    ...[...changesText(preview.changes, preview).split("\n"), ...moves].map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }),
  );
  $("catalog-preview-save").disabled = nothing;
  $("catalog-preview-error").hidden = true;
  $("catalog-preview").scrollIntoView({ block: "nearest" });
}

function closePreview() {
  pending = null;
  $("catalog-preview").hidden = true;
  $("catalog-preview-changes").replaceChildren();
}

$("catalog-preview-cancel").addEventListener("click", closePreview);

$("catalog-preview-save").addEventListener("click", async () => {
  if (!pending) return;
  const form = $("catalog-preview");
  clearErrors(form, $("catalog-preview-error"));
  let version;
  try {
    version = await pending();
  } catch (e) {
    showError($("catalog-preview-error"), e);
    return;
  }
  closePreview();
  closeEditor();
  closeGrounds();
  // The notice comes once the card shows the version just saved, so what
  // the administrator reads next is the version in force.
  const saved = t("catalog_saved").replace("{version}", String(version));
  try {
    await loadVersions();
    await openVersion(version);
    notice(saved);
  } catch (e) {
    // Saved all the same: both are said.
    notice(`${saved} ${messageOf(e)}`);
  }
});
