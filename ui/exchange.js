// Data in and out: the administrator's import card (templates, a dry run of
// a chosen file with each bad row's problem in the current language, the
// counts and queue positions, the import with progress and cancel), the
// head's reports screen (a period's figures as tables, charts beside some,
// and the exports), and the clerk's quality questionnaire. Files are chosen
// in dialogs Rust opens; the window never names a path. Rust checks every
// right.

import { $, call, cell, clearErrors, currentLang, messageOf, notice, option, showError, t } from "./api.js";
import { barChart } from "./chart.js";
import * as job from "./job.js";

let dry = null;
let report = null;
let categories = [];
let services = [];

export function reset() {
  dry = null;
  report = null;
  $("import-dry").hidden = true;
  for (const id of ["import-result", "import-error", "import-templates-saved", "report-saved", "report-error", "survey-saved", "survey-error"]) $(id).hidden = true;
  for (const id of ["import-problems", "import-rows", "import-rows-head", "report-tables"]) $(id).replaceChildren();
  $("report-period").textContent = "";
  $("report-year").value = "";
  categories = [];
  services = [];
}

export function onLanguage() {
  if (dry) renderDry(dry);
  if (report) renderReport(report);
  fillSurveyChoices();
  fillMonths();
}

// ---- the import card --------------------------------------------------------

$("import-templates").addEventListener("click", async () => {
  $("import-templates-saved").hidden = true;
  $("import-error").hidden = true;
  try {
    const names = await call("save_import_templates");
    if (names) {
      $("import-templates-saved").textContent = `${t("import_templates_saved")} ${names.join(", ")}`;
      $("import-templates-saved").hidden = false;
    }
  } catch (e) {
    showError($("import-error"), e);
  }
});

$("import-choose").addEventListener("click", async () => {
  for (const id of ["import-result", "import-error"]) $(id).hidden = true;
  try {
    const found = await call("import_dry_run", { payload: { kind: $("import-kind").value } });
    if (!found) return;
    dry = found;
    renderDry(dry);
  } catch (e) {
    dry = null;
    $("import-dry").hidden = true;
    showError($("import-error"), e);
  }
});

function problemText(p) {
  return currentLang() === "kk" ? p.message_kk : p.message_ru;
}

function written(d) {
  return d.kind === "queue" ? d.rows.length : d.numbers.length;
}

function renderDry(d) {
  $("import-summary").textContent =
    `${d.file.name} · SHA-256 ${d.file.sha256.slice(0, 12)}… · ${t("import_read")}: ${d.rows_read} · ` +
    `${t("import_would")}: ${written(d)} · ${t("import_already")}: ${d.already_imported} · ` +
    `${t("import_bad")}: ${new Set(d.problems.map((p) => p.row)).size}`;
  $("import-problems").replaceChildren(
    ...d.problems.map((p) => {
      const tr = document.createElement("tr");
      tr.append(cell(String(p.row)), cell(problemText(p)));
      return tr;
    }),
  );
  $("import-no-problems").hidden = d.problems.length > 0;
  const head = document.createElement("tr");
  const heads =
    d.kind === "queue"
      ? ["import_col_row", "import_col_position", "import_col_child", "import_col_birth_year", "import_col_category", "import_col_applied_at"]
      : ["import_col_external_number"];
  head.append(...heads.map((k) => Object.assign(document.createElement("th"), { textContent: t(k) })));
  $("import-rows-head").replaceChildren(head);
  const rows =
    d.kind === "queue"
      ? d.rows.map((r) => {
          const tr = document.createElement("tr");
          tr.append(
            cell(String(r.row)),
            cell(r.position == null ? "" : String(r.position)),
            cell(r.child_name),
            cell(String(r.birth_year)),
            cell(categoryName(r.category)),
            cell(r.applied_at),
          );
          return tr;
        })
      : d.numbers.map((n) => {
          const tr = document.createElement("tr");
          tr.append(cell(n));
          return tr;
        });
  $("import-rows").replaceChildren(...rows);
  $("import-confirm").disabled = written(d) === 0;
  $("import-dry").hidden = false;
}

$("import-confirm").addEventListener("click", async () => {
  if (!dry) return;
  for (const id of ["import-result", "import-error"]) $(id).hidden = true;
  const buttons = ["import-confirm", "import-choose", "import-templates"].map($);
  buttons.forEach((b) => (b.disabled = true));
  try {
    const done = await job.withProgress(() => call("confirm_import", { payload: { kind: dry.kind, sha256: dry.file.sha256 } }), {
      line: $("import-progress"),
      bar: $("import-bar"),
      running: $("import-running"),
      cancel: $("import-cancel"),
    });
    dry = null;
    $("import-dry").hidden = true;
    $("import-result").textContent = `${t("import_done")}: ${written(done)} · ${t("import_already")}: ${done.already_imported}`;
    $("import-result").hidden = false;
  } catch (e) {
    showError($("import-error"), e);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
});

// ---- the reports screen -----------------------------------------------------

function pad(n) {
  return String(n).padStart(2, "0");
}

function iso(y, m, d) {
  return `${y}-${pad(m)}-${pad(d)}`;
}

function lastDay(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fillMonths() {
  const month = $("report-month");
  const chosen = month.value;
  month.replaceChildren(...Array.from({ length: 12 }, (_, i) => option(String(i + 1), t(`month_${i + 1}`))));
  if (chosen) month.value = chosen;
}

function showPeriodFields() {
  const kind = $("report-kind").value;
  $("report-year-field").hidden = !["month", "quarter", "year"].includes(kind);
  $("report-month-field").hidden = kind !== "month";
  $("report-quarter-field").hidden = kind !== "quarter";
  $("report-from-field").hidden = !["day", "dates"].includes(kind);
  $("report-to-field").hidden = kind !== "dates";
}

$("report-kind").addEventListener("change", showPeriodFields);

/// The period picked, as ISO dates; the dates a person typed go to Rust as
/// they are (it refuses a date that is not one).
function period() {
  const kind = $("report-kind").value;
  const year = Number($("report-year").value.trim());
  if (kind === "day") return { from: $("report-from").value.trim(), to: $("report-from").value.trim() };
  if (kind === "dates") return { from: $("report-from").value.trim(), to: $("report-to").value.trim() };
  if (!Number.isInteger(year) || year < 2000 || year > 2100) return { from: "?", to: "?" };
  if (kind === "month") {
    const m = Number($("report-month").value);
    return { from: iso(year, m, 1), to: iso(year, m, lastDay(year, m)) };
  }
  if (kind === "quarter") {
    const q = Number($("report-quarter").value);
    const first = 3 * (q - 1) + 1;
    return { from: iso(year, first, 1), to: iso(year, first + 2, lastDay(year, first + 2)) };
  }
  return { from: iso(year, 1, 1), to: iso(year, 12, 31) };
}

export async function openReports() {
  fillMonths();
  if (!$("report-year").value) {
    // The office's today (its clock, not this computer's): a report of no
    // dates is the report of that day.
    try {
      const today = (await call("period_report", { payload: { from: "", to: "" } })).from;
      const [y, m] = today.split("-").map(Number);
      $("report-year").value = String(y);
      $("report-month").value = String(m);
      $("report-quarter").value = String(Math.floor((m - 1) / 3) + 1);
      $("report-from").value = today;
      $("report-to").value = today;
      $("report-kind").value = "month";
    } catch (e) {
      showError($("report-error"), e);
      return;
    }
  }
  showPeriodFields();
  try {
    if (categories.length === 0) categories = (await call("queue_settings")).categories;
    if (services.length === 0) services = await call("services");
  } catch (_) {
    // The codes are shown instead of the names.
  }
  await showReport();
}

async function showReport() {
  $("report-error").hidden = true;
  try {
    report = await call("period_report", { payload: period() });
    renderReport(report);
  } catch (e) {
    showError($("report-error"), e, $("report-form"));
  }
}

$("report-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors($("report-form"), $("report-error"));
  await showReport();
});

for (const button of document.querySelectorAll("#view-reports [data-what]")) {
  button.addEventListener("click", async () => {
    for (const id of ["report-saved", "report-error"]) $(id).hidden = true;
    try {
      const saved = await call("export_register", { payload: { what: button.dataset.what, format: button.dataset.format, ...period() } });
      if (saved) {
        $("report-saved").textContent = `${t("export_saved")} ${saved.file_name} (${t("export_rows")}: ${saved.rows})`;
        $("report-saved").hidden = false;
      }
    } catch (e) {
      showError($("report-error"), e, $("report-form"));
    }
  });
}

function date(isoDate) {
  const [y, m, d] = isoDate.split("-");
  return `${d}.${m}.${y}`;
}

function categoryName(code) {
  const c = categories.find((x) => x.code === code);
  return c ? c.name[currentLang()] : code;
}

/// A table with a caption; `rows` are arrays of cells' text.
function table(id, caption, heads, rows, empty) {
  const section = document.createElement("section");
  section.className = "card";
  section.id = id;
  const h = document.createElement("h3");
  h.textContent = caption;
  section.append(h);
  if (rows.length === 0) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = empty;
    section.append(p);
    return section;
  }
  const tbl = document.createElement("table");
  tbl.className = "list";
  const tr = document.createElement("tr");
  tr.append(...heads.map((x) => Object.assign(document.createElement("th"), { textContent: x })));
  const thead = document.createElement("thead");
  thead.append(tr);
  const tbody = document.createElement("tbody");
  for (const r of rows) {
    const line = document.createElement("tr");
    line.append(...r.map((v, i) => cell(String(v), i > 0 && typeof v === "number" ? "num" : "")));
    tbody.append(line);
  }
  tbl.append(thead, tbody);
  section.append(tbl);
  return section;
}

function withChart(section, chart) {
  section.insertBefore(chart, section.children[1] ?? null);
  return section;
}

function renderReport(r) {
  const lang = currentLang();
  $("report-period").textContent = `${t("report_period")}: ${date(r.from)} – ${date(r.to)}`;
  const nothing = t("report_nothing");
  // Applications per service (the chart), then service × status × channel.
  const perService = new Map();
  for (const a of r.applications) perService.set(a.service_name[lang], (perService.get(a.service_name[lang]) ?? 0) + a.count);
  const applications = table(
    "report-applications",
    t("report_applications"),
    [t("col_service"), t("col_status"), t("channel"), t("report_count")],
    r.applications.map((a) => [a.service_name[lang], t("status_" + a.status), t("channel_" + a.channel), a.count]),
    nothing,
  );
  if (perService.size > 0) {
    withChart(
      applications,
      barChart({ title: t("report_per_service"), series: [t("report_count")], rows: [...perService].map(([label, n]) => ({ label, values: [n] })), empty: nothing }),
    );
  }
  const overdue = table(
    "report-overdue",
    t("report_overdue"),
    [t("col_service"), t("report_with_deadline"), t("report_overdue_count")],
    r.overdue.map((o) => [o.service_name[lang], o.with_deadline, o.overdue]),
    nothing,
  );
  if (r.overdue.length > 0) {
    withChart(
      overdue,
      barChart({
        title: t("report_overdue"),
        series: [t("report_with_deadline"), t("report_overdue_count")],
        rows: r.overdue.map((o) => ({ label: o.service_name[lang], values: [o.with_deadline, o.overdue] })),
        empty: nothing,
      }),
    );
  }
  const refusals = table(
    "report-refusals",
    t("report_refusals"),
    [t("col_service"), t("report_ground"), t("report_count")],
    r.refusals.map((x) => [x.service_name[lang], x.ground_name[lang], x.count]),
    nothing,
  );
  const perGround = new Map();
  for (const x of r.refusals) perGround.set(x.ground_name[lang], (perGround.get(x.ground_name[lang]) ?? 0) + x.count);
  if (perGround.size > 0) {
    withChart(
      refusals,
      barChart({ title: t("report_refusals"), series: [t("report_count")], rows: [...perGround].map(([label, n]) => ({ label, values: [n] })), empty: nothing }),
    );
  }
  const years = new Map();
  for (const q of r.queue) years.set(q.birth_year, (years.get(q.birth_year) ?? 0) + q.waiting);
  const queue = table(
    "report-queue",
    t("report_queue"),
    [t("report_birth_year"), t("category"), t("entry_waiting")],
    r.queue.map((q) => [String(q.birth_year), categoryName(q.category), q.waiting]),
    t("queue_empty_all"),
  );
  if (years.size > 0) {
    withChart(
      queue,
      barChart({ title: t("dash_queue_by_year"), series: [t("entry_waiting")], rows: [...years].map(([y, n]) => ({ label: String(y), values: [n] })), empty: nothing }),
    );
  }
  const f = r.referrals;
  const referrals = withChart(
    table(
      "report-referrals",
      t("report_referrals"),
      [t("dash_ref_issued"), t("dash_ref_used"), t("dash_ref_expired"), t("report_ref_live"), t("report_ref_other")],
      [[f.issued, f.used, f.expired, f.live, f.other]],
      nothing,
    ),
    barChart({
      title: t("report_referrals"),
      series: [t("report_count")],
      rows: [
        { label: t("dash_ref_issued"), values: [f.issued] },
        { label: t("dash_ref_used"), values: [f.used] },
        { label: t("dash_ref_expired"), values: [f.expired] },
      ],
      empty: nothing,
    }),
  );
  const survey = table(
    "report-survey",
    t("report_survey"),
    [t("col_service"), t("report_question"), t("report_rating"), t("report_count")],
    r.survey.map((s) => [serviceName(s.service_code), t("survey_q_" + s.question), t("rating_" + s.rating), s.count]),
    nothing,
  );
  // Each question's answers side by side, one bar per rating.
  const ratings = [...new Set(r.survey.map((x) => x.rating))].sort((a, b) => a - b);
  const questions = new Map();
  for (const x of r.survey) {
    const values = questions.get(x.question) ?? ratings.map(() => 0);
    values[ratings.indexOf(x.rating)] += x.count;
    questions.set(x.question, values);
  }
  if (questions.size > 0) {
    withChart(
      survey,
      barChart({
        title: t("report_survey"),
        series: ratings.map((x) => t("rating_" + x)),
        rows: [...questions].map(([q, values]) => ({ label: t("survey_q_" + q), values })),
        empty: nothing,
      }),
    );
  }
  $("report-tables").replaceChildren(applications, overdue, refusals, queue, referrals, survey);
}

// ---- the quality questionnaire -----------------------------------------------

function serviceName(code) {
  const s = services.find((x) => x.code === code);
  return s ? s.name[currentLang()] : code;
}

function fillSurveyChoices() {
  for (const id of ["survey-quality", "survey-information"]) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(
      option("", "—"),
      option("3", t("rating_satisfied")),
      option("2", t("rating_partly")),
      option("1", t("rating_not_satisfied")),
    );
    select.value = chosen;
  }
  const service = $("survey-service");
  const chosen = service.value;
  service.replaceChildren(...services.map((s) => option(s.code, s.name[currentLang()])));
  if (chosen) service.value = chosen;
}

export async function openSurvey() {
  if (services.length === 0) {
    try {
      services = await call("services");
    } catch (e) {
      notice(messageOf(e));
      return;
    }
  }
  fillSurveyChoices();
}

$("survey-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors($("survey-form"), $("survey-error"));
  $("survey-saved").hidden = true;
  const rating = (id) => Number($(id).value || "0");
  try {
    await call("record_survey", {
      payload: {
        service_code: $("survey-service").value,
        medium: $("survey-medium").value,
        quality: rating("survey-quality"),
        information: rating("survey-information"),
      },
    });
    $("survey-quality").value = "";
    $("survey-information").value = "";
    $("survey-saved").textContent = t("survey_saved");
    $("survey-saved").hidden = false;
  } catch (e) {
    showError($("survey-error"), e, $("survey-form"));
  }
});
