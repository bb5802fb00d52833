// The queue desk: birth-year queues with each child's number and the
// history of its changes, priority confirmation, kindergartens and free
// places, the distribution (preview, then commit), referrals and their
// printing. Buttons follow the roles only as a convenience: the backend
// decides every action.

import { $, call, cell, clearErrors, currentLang, moment, notice, noticeError, option, printer, showError, t, filedText } from "./api.js";

let user = null;
let settings = null;
let preview = [];
let current = null;
let cancelPrint = false;
let lastDistribution = null;

const has = (...roles) => !!user && user.roles.some((r) => roles.includes(r));

export function reset() {
  user = null;
  current = null;
  preview = [];
  for (const id of ["queue-rows", "distribution-rows", "referral-rows", "entry-history", "entry-facts", "kindergarten-rows", "queue-stats"]) {
    $(id).replaceChildren();
  }
  $("entry-detail").hidden = true;
  lastDistribution = null;
  $("referrals-print-list").hidden = true;
  $("distribution-commit-line").hidden = true;
}

function categoryName(code) {
  const c = settings?.categories.find((x) => x.code === code);
  return c ? c.name[currentLang()] : code;
}

function date(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}.${m}.${y}`;
}

export async function open(u) {
  user = u;
  const staff = has("clerk", "executor", "head");
  for (const id of ["distribution-card"]) $(id).hidden = !has("executor", "head");
  $("distribution-commit-line").hidden = !has("head") || preview.length === 0;
  $("places-form").hidden = !has("executor", "head");
  $("kindergarten-admin").hidden = !has("head", "administrator");
  for (const el of document.querySelectorAll("#view-queue .card")) {
    if (!staff && !el.querySelector("#kindergarten-rows")) el.hidden = true;
  }
  try {
    settings = await call("queue_settings");
    await loadKindergartens();
    if (staff) {
      await loadYears();
      await loadReferrals();
      await loadStatistics();
    }
  } catch (e) {
    noticeError(e);
  }
}

// Queue settings and kindergartens for the registration form's queue part.
// The settings come from the queue's rules, which change only with the
// catalog: `fresh` reads them again (the form asks when the catalog moved).
export async function claimOptions(fresh = false) {
  settings = settings && !fresh ? settings : await call("queue_settings");
  const kindergartens = await call("kindergartens");
  return { settings, kindergartens };
}

async function loadYears() {
  const years = await call("queue_years");
  const select = $("queue-year");
  const chosen = select.value;
  select.replaceChildren(...years.map((y) => option(String(y.birth_year), String(y.birth_year))));
  if (years.some((y) => String(y.birth_year) === chosen)) select.value = chosen;
  $("queue-years").textContent = years
    .map((y) => `${y.birth_year}: ${y.waiting} ${t("entry_waiting")}, ${y.referred} ${t("entry_referred")}, ${y.stop_listed} ${t("entry_stop_listed")}`)
    .join(" · ");
  await loadQueue();
}

async function loadQueue() {
  const year = Number($("queue-year").value);
  if (!year) {
    $("queue-rows").replaceChildren();
    $("queue-empty").hidden = false;
    return;
  }
  const rows = await call("queue_list", { payload: { birth_year: year } });
  $("queue-empty").hidden = rows.length > 0;
  $("queue-rows").replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement("tr");
      tr.tabIndex = 0;
      tr.dataset.number = r.number;
      const state = r.state === "stop_listed" ? `${t("entry_stop_listed")}: ${date(r.stop_until)}` : t("entry_" + r.state);
      tr.append(
        cell(r.position ?? "—"),
        cell(r.number),
        cell(r.child_name),
        // The tier only when it differs from what the category claims
        // (an unconfirmed or lapsed priority stands in the general queue).
        cell(r.category === "general" ? categoryName(r.category) : `${categoryName(r.category)} · ${t("tier_" + r.tier)}`),
        cell(r.queued_at.replace("T", " ").slice(0, 16)),
        cell(state),
      );
      tr.addEventListener("click", () => openEntry(r.application_id));
      tr.addEventListener("keydown", (e) => e.key === "Enter" && openEntry(r.application_id));
      return tr;
    }),
  );
}

// A child's own event reads plainly; another child's says whose it was,
// so a parent can be told exactly why the number moved. The row that put
// the child on the stop list it is on now says until when.
function causeText(c) {
  let what = t("cause_" + c.cause);
  if (c.until) what += ` (${t("stop_until_row").replace("{date}", date(c.until))})`;
  if (c.own) return what;
  if (c.distribution_id) return `${t("cause_others")}: ${what} (${t("distribution")} № ${c.distribution_id})`;
  return `${t("cause_other")} ${c.subject_number ?? ""}: ${what}`;
}

export async function openEntry(applicationId) {
  clearErrors($("confirm-form"), $("entry-error"));
  let view;
  try {
    view = await call("queue_entry", { payload: { application_id: applicationId } });
  } catch (e) {
    noticeError(e);
    return;
  }
  if (!view.entry) return;
  current = view.entry;
  const e = view.entry;
  $("entry-number").textContent = e.number;
  const facts = [
    ["col_position", e.position ?? "—"],
    ["child", `${e.child_name} (${e.child_iin})`],
    ["birth_year", e.birth_year],
    ["category", categoryName(e.category)],
    ["tier", t("tier_" + e.tier)],
    ["evidence_until", e.confirmed ? date(e.evidence_until) || t("evidence_permanent") : t("evidence_unconfirmed")],
    ["col_queued_at", e.queued_at.replace("T", " ")],
    ["col_state", t("entry_" + e.state) + (e.stop_until ? `: ${date(e.stop_until)}` : "")],
  ];
  $("entry-facts").replaceChildren(
    ...facts.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = t(k);
      const dd = document.createElement("dd");
      dd.textContent = String(v);
      return [dt, dd];
    }),
  );
  $("entry-history").replaceChildren(
    ...view.history.map((c) => {
      const tr = document.createElement("tr");
      tr.append(cell(moment(c.at)), cell(`${c.from ?? "—"} → ${c.to ?? "—"}`), cell(causeText(c)));
      return tr;
    }),
  );
  $("confirm-form").hidden = !has("executor", "head") || e.category === "general" || e.tier !== "general";
  $("entry-detail").hidden = false;
}

$("queue-print-extract").addEventListener("click", async () => {
  const year = Number($("queue-year").value);
  if (!year) return;
  try {
    const printed = await call("print_queue_extract", { payload: { birth_year: year, printer: printer() } });
    notice(filedText(printed));
  } catch (e) {
    noticeError(e);
  }
});

$("queue-year").addEventListener("change", () => loadQueue().catch((e) => noticeError(e)));

$("confirm-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("entry-error"));
  try {
    await call("confirm_priority", {
      payload: { application_id: current.application_id, document: $("confirm-document").value, issued_on: $("confirm-date").value },
    });
    form.reset();
    await openEntry(current.application_id);
    await loadQueue();
  } catch (e) {
    showError($("entry-error"), e, form);
  }
});

$("entry-print").addEventListener("click", async () => {
  try {
    const printed = await call("print_queue_notification", { payload: { application_id: current.application_id, printer: printer() } });
    notice(filedText(printed));
  } catch (e) {
    showError($("entry-error"), e);
  }
});

$("entry-print-history").addEventListener("click", async () => {
  try {
    const printed = await call("print_queue_history", { payload: { application_id: current.application_id, printer: printer() } });
    notice(filedText(printed));
  } catch (e) {
    showError($("entry-error"), e);
  }
});

async function loadKindergartens() {
  const list = await call("kindergartens");
  const rows = [];
  const groups = [];
  for (const k of list) {
    if (k.groups.length === 0) {
      const tr = document.createElement("tr");
      tr.append(cell(k.name[currentLang()]), cell("—"), cell(""), cell(""), cell(""), cell(""), cell(""));
      rows.push(tr);
    }
    for (const g of k.groups) {
      const tr = document.createElement("tr");
      tr.dataset.group = g.id;
      tr.append(
        cell(k.name[currentLang()]),
        cell(`${g.name}${g.special ? " *" : ""}`),
        cell(g.birth_year),
        cell(g.capacity),
        cell(g.occupied),
        cell(g.free),
        cell(g.held),
      );
      rows.push(tr);
      groups.push(option(String(g.id), `${k.name[currentLang()]} — ${g.name} (${g.birth_year})`));
    }
  }
  $("kindergarten-rows").replaceChildren(...rows);
  $("places-group").replaceChildren(...groups);
  $("group-kindergarten").replaceChildren(...list.map((k) => option(String(k.id), k.name[currentLang()])));
}

$("places-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("kindergarten-error"));
  try {
    await call("declare_places", {
      payload: { group_id: Number($("places-group").value), count: Number($("places-count").value), protocol: $("places-protocol").value },
    });
    form.reset();
    await loadKindergartens();
  } catch (e) {
    showError($("kindergarten-error"), e, form);
  }
});

$("kindergarten-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("kindergarten-error"));
  try {
    await call("add_kindergarten", {
      payload: {
        name_kk: $("kg-name-kk").value,
        name_ru: $("kg-name-ru").value,
        address_kk: $("kg-address-kk").value,
        address_ru: $("kg-address-ru").value,
        ownership: $("kg-ownership").value,
      },
    });
    form.reset();
    await loadKindergartens();
  } catch (e) {
    showError($("kindergarten-error"), e, form);
  }
});

$("group-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("kindergarten-error"));
  try {
    await call("add_group", {
      payload: {
        kindergarten_id: Number($("group-kindergarten").value),
        name: $("group-name").value,
        birth_year: Number($("group-year").value),
        language: $("group-language").value,
        special: $("group-special").checked,
        capacity: Number($("group-capacity").value),
      },
    });
    form.reset();
    await loadKindergartens();
  } catch (e) {
    showError($("kindergarten-error"), e, form);
  }
});

$("distribution-preview").addEventListener("click", async () => {
  $("distribution-error").hidden = true;
  try {
    preview = await call("preview_distribution");
  } catch (e) {
    showError($("distribution-error"), e);
    return;
  }
  $("distribution-empty").hidden = preview.length > 0;
  $("distribution-rows").replaceChildren(
    ...preview.map((p) => {
      const tr = document.createElement("tr");
      tr.dataset.number = p.number;
      tr.append(cell(p.number), cell(p.child_name), cell(p.birth_year), cell(p.position ?? "—"), cell(p.kindergarten[currentLang()]), cell(p.group_name));
      return tr;
    }),
  );
  $("distribution-confirm").checked = false;
  $("distribution-commit-line").hidden = !has("head") || preview.length === 0;
});

$("distribution-commit").addEventListener("click", async () => {
  $("distribution-error").hidden = true;
  // An explicit confirmation: referrals go out over the head's name.
  if (!$("distribution-confirm").checked) {
    showError($("distribution-error"), { message: t("distribution_confirm").replace("{n}", String(preview.length)) });
    $("distribution-confirm").focus();
    return;
  }
  try {
    const referrals = await call("distribute", { payload: { assignments: preview.map((p) => ({ place: p.place_id, entry: p.application_id })) } });
    notice(`${t("distribution_done")} ${referrals.length}`);
    preview = [];
    $("distribution-rows").replaceChildren();
    $("distribution-commit-line").hidden = true;
    await Promise.all([loadYears(), loadKindergartens(), loadStatistics()]);
    await loadReferrals(referrals);
    lastDistribution = referrals[0]?.distribution_id ?? null;
    $("referrals-print-list").hidden = lastDistribution === null;
  } catch (e) {
    showError($("distribution-error"), e);
  }
});


$("referrals-print-list").addEventListener("click", async () => {
  try {
    const printed = await call("print_referral_list", { payload: { distribution_id: lastDistribution, printer: printer() } });
    $("referrals-print-status").textContent = filedText(printed);
  } catch (e) {
    showError($("referral-error"), e);
  }
});

// The steps a person may take on a referral in each status; a hint only.
const REFERRAL_STEPS = {
  issued: [["present", ["executor", "head"]], ["enrol", ["executor", "head"]], ["refuse_by_parent", ["executor", "head"]], ["cancel", ["head"]]],
  presented: [["enrol", ["executor", "head"]], ["refuse_by_parent", ["executor", "head"]], ["cancel", ["head"]]],
};

let shownReferrals = [];

async function loadReferrals(list) {
  shownReferrals = list ?? (await call("referrals", { payload: {} }));
  renderReferrals(shownReferrals);
}

// The distributions the listed referrals came from, newest first: the one
// chosen is exported whole (its list, not just what is shown).
function renderDistributions(list) {
  const ids = [...new Set(list.map((r) => r.distribution_id).filter((id) => id !== null && id !== undefined))].sort((a, b) => b - a);
  const chosen = $("referrals-distribution").value;
  $("referrals-distribution").replaceChildren(...ids.map((id) => option(String(id), `№ ${id}`)));
  if (ids.map(String).includes(chosen)) $("referrals-distribution").value = chosen;
  $("referrals-export-line").hidden = ids.length === 0;
}

async function exportReferrals(format) {
  $("referral-error").hidden = true;
  $("referrals-export-status").textContent = "";
  const id = Number($("referrals-distribution").value);
  if (!id) return;
  try {
    const saved = await call("export_register", { payload: { what: "referrals", format, distribution_id: id } });
    if (saved) $("referrals-export-status").textContent = `${t("export_saved")} ${saved.file_name} (${saved.rows})`;
  } catch (e) {
    showError($("referral-error"), e);
  }
}

$("referrals-export-xlsx").addEventListener("click", () => exportReferrals("xlsx"));
$("referrals-export-csv").addEventListener("click", () => exportReferrals("csv"));

function renderReferrals(list) {
  renderDistributions(list);
  $("referral-rows").replaceChildren(
    ...list.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.number = r.number;
      tr.dataset.status = r.status;
      tr.append(cell(r.number), cell(r.child_name), cell(`${r.kindergarten[currentLang()]} · ${r.group_name}`), cell(date(r.valid_until)), cell(t("referral_" + r.status)));
      const td = cell("");
      const print = document.createElement("button");
      print.type = "button";
      print.className = "secondary small";
      print.textContent = t("print");
      print.addEventListener("click", () => printReferral(r.id).catch((e) => showError($("referral-error"), e)));
      td.append(print);
      for (const [step, roles] of REFERRAL_STEPS[r.status] ?? []) {
        if (!has(...roles)) continue;
        const b = document.createElement("button");
        b.type = "button";
        b.className = "secondary small";
        b.dataset.step = step;
        b.textContent = t("ref_step_" + step);
        b.addEventListener("click", () => referralStep(r, step));
        td.append(b);
      }
      tr.append(td);
      return tr;
    }),
  );
}

async function referralStep(r, step) {
  $("referral-error").hidden = true;
  // A cancellation or a refusal needs its reason; the backend asks for it.
  const reason = step === "cancel" || step === "refuse_by_parent" ? $("referral-reason").value : "";
  try {
    await call("referral_step", { payload: { id: r.id, expected_status: r.status, step, reason } });
    $("referral-reason").value = "";
    await Promise.all([loadReferrals(), loadKindergartens(), loadYears(), loadStatistics()]);
  } catch (e) {
    showError($("referral-error"), e);
  }
}

async function printReferral(id, open = true) {
  const printed = await call("print_referral", { payload: { referral_id: id, open, printer: printer() } });
  $("referrals-print-status").textContent = filedText(printed);
  return printed;
}

// Batch printing: one referral at a time, so that the bar moves and the
// person can stop between two documents.
$("referrals-print-all").addEventListener("click", async () => {
  const live = shownReferrals.filter((r) => r.status === "issued");
  if (live.length === 0) return;
  cancelPrint = false;
  const bar = $("referrals-print-progress");
  bar.max = live.length;
  bar.value = 0;
  bar.hidden = false;
  $("referrals-print-cancel").hidden = false;
  $("referrals-print-all").disabled = true;
  let done = 0;
  try {
    for (const r of live) {
      if (cancelPrint) break;
      await printReferral(r.id, false);
      done += 1;
      bar.value = done;
      $("referrals-print-status").textContent = `${done} / ${live.length}`;
    }
    $("referrals-print-status").textContent = cancelPrint ? `${t("print_cancelled")} ${done} / ${live.length}` : `${t("print_done")} ${done}`;
  } catch (e) {
    showError($("referral-error"), e);
  } finally {
    $("referrals-print-cancel").hidden = true;
    $("referrals-print-all").disabled = false;
  }
});

$("referrals-print-cancel").addEventListener("click", () => {
  cancelPrint = true;
});

$("referral-find").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("referral-error").hidden = true;
  try {
    const r = await call("find_referral", { payload: { number: $("referral-find-number").value, iin: $("referral-find-iin").value } });
    renderReferrals([r]);
  } catch (e) {
    showError($("referral-error"), e);
  }
});

async function loadStatistics() {
  const s = await call("queue_statistics");
  const table = (head, rows) => {
    const tbl = document.createElement("table");
    const tr = document.createElement("tr");
    for (const h of head) {
      const th = document.createElement("th");
      th.textContent = t(h);
      tr.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(tr);
    const tbody = document.createElement("tbody");
    for (const r of rows) {
      const row = document.createElement("tr");
      row.append(...r.map((c) => cell(c)));
      tbody.append(row);
    }
    tbl.append(thead, tbody);
    return tbl;
  };
  $("queue-stats").replaceChildren(
    table(["birth_year", "category", "col_count"], s.queue.map(([y, c, n]) => [y, categoryName(c), n])),
    table(["col_month", "col_status", "col_count"], s.referrals.map(([m, st, n]) => [m, t("referral_" + st), n])),
  );
}
