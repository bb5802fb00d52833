// The dashboard: the office's figures for the head (and, read-only, the
// executors) — this week's and this month's applications by service and by
// status, what is overdue or waits, the queue by birth year, and referrals
// by month. One call; the backend counts and decides who may see it.

import { $, call, currentLang, messageOf, notice, t } from "./api.js";
import { barChart } from "./chart.js";

let last = null;

export function reset() {
  last = null;
  $("dashboard-charts").replaceChildren();
  $("dashboard-figures").replaceChildren();
  $("dashboard-period").textContent = "";
}

export async function open() {
  try {
    last = await call("dashboard");
  } catch (e) {
    notice(messageOf(e));
    return;
  }
  render(last);
}

export function onLanguage() {
  if (last) render(last);
}

function date(iso) {
  const [y, m, d] = iso.split("-");
  return `${d}.${m}.${y}`;
}

function render(d) {
  $("dashboard-period").textContent =
    `${t("dash_today")}: ${date(d.today)} · ${t("dash_week")}: ${date(d.week_from)} – ${date(d.today)} · ` +
    `${t("dash_month")}: ${date(d.month_from)} – ${date(d.today)}`;
  const figures = [
    ["dash_open", d.open, ""],
    ["dash_overdue", d.overdue, d.overdue > 0 ? "bad" : ""],
    ["dash_due_today", d.due_today, d.due_today > 0 ? "warn" : ""],
    ["dash_awaiting_signature", d.awaiting_signature, ""],
    ["dash_ready", d.ready_to_issue, ""],
  ];
  $("dashboard-figures").replaceChildren(
    ...figures.map(([key, n, cls]) => {
      const div = document.createElement("div");
      div.className = `figure ${cls}`;
      div.id = `dash-${key.slice(5)}`;
      const value = document.createElement("strong");
      value.textContent = String(n);
      const label = document.createElement("span");
      label.textContent = t(key);
      div.append(value, label);
      return div;
    }),
  );
  const periods = [t("dash_week"), t("dash_month")];
  $("dashboard-charts").replaceChildren(
    card(
      barChart({
        title: t("dash_by_service"),
        series: periods,
        rows: d.by_service.map((s) => ({ label: s.service_name[currentLang()], values: [s.week, s.month] })),
        empty: t("dash_nothing"),
      }),
      "dash-chart-service",
    ),
    card(
      barChart({
        title: t("dash_by_status"),
        series: periods,
        rows: d.by_status.map((s) => ({ label: t("status_" + s.status), values: [s.week, s.month] })),
        empty: t("dash_nothing"),
      }),
      "dash-chart-status",
    ),
    card(
      barChart({
        title: t("dash_queue_by_year"),
        series: [t("entry_waiting")],
        rows: d.queue_by_year.map((y) => ({ label: `${y.birth_year}`, values: [y.waiting] })),
        empty: t("queue_empty_all"),
      }),
      "dash-chart-queue",
    ),
    card(
      barChart({
        title: t("dash_referrals"),
        series: [t("dash_ref_issued"), t("dash_ref_used"), t("dash_ref_expired")],
        rows: d.referrals_by_month.map((m) => ({ label: m.month, values: [m.issued, m.used, m.expired] })),
        empty: t("dash_no_referrals"),
      }),
      "dash-chart-referrals",
    ),
  );
}

function card(figure, id) {
  const section = document.createElement("section");
  section.className = "card";
  section.id = id;
  section.append(figure);
  return section;
}
