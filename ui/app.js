// The window's frame: screens (first run, log-in, desk), the role-based
// navigation, the language switch. No rule is decided here: the backend
// validates, authorizes and answers; this code shows what it says.

import { $, call, clearErrors, currentLang, messageOf, notice, noticeError, option, printer, setLang, setPrinter, showError, t } from "./api.js";
import * as register from "./register.js";
import * as work from "./work.js";
import * as admin from "./admin.js";
import * as verify from "./verify.js";
import * as queue from "./queue.js";
import * as head from "./head.js";
import * as dashboard from "./dashboard.js";
import * as exchange from "./exchange.js";
import * as recovery from "./recovery.js";

let user = null;
let office = null;
let view = null;

function applyLanguage() {
  document.documentElement.lang = currentLang();
  document.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  document.querySelectorAll("[data-i18n-aria]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nAria)));
  document.querySelectorAll(".lang-switch button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === currentLang())));
  if (office) $("office-name").textContent = office.name[currentLang()];
  showUser();
  register.onLanguage();
  work.onLanguage();
  head.onLanguage();
  dashboard.onLanguage();
  exchange.onLanguage();
}

async function setLanguage(next) {
  setLang(next);
  applyLanguage();
  try {
    await call("set_language", { payload: { lang: next } });
  } catch (e) {
    noticeError(e);
  }
  if (!user) {
    // The start-up error comes from Rust in the chosen language; what the
    // person typed on the screen stays.
    const status = await call("app_status").catch(() => null);
    if (status && status.startup_error) {
      $("startup-error").textContent = status.startup_error.message;
      if (!$("recovery-reason").hidden) $("recovery-reason").textContent = status.startup_error.message;
    }
  }
  await refreshView();
}

function show(screen) {
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== screen;
  $("nav").hidden = screen !== "screen-desk";
}

function showUser() {
  const status = $("status-user");
  status.hidden = !user;
  $("logout").hidden = !user;
  if (user) status.textContent = `${user.full_name} · ${user.roles.map((r) => t("role_" + r)).join(", ")}`;
  // What only some roles see (the catalog's unverified marks: the
  // administrator's to confirm) follows from this, in the style sheet.
  document.body.dataset.roles = user ? user.roles.join(" ") : "";
}

// Tabs follow the user's roles; the backend refuses anything else anyway.
function allowedViews() {
  const roles = new Set(user ? user.roles : []);
  return [...document.querySelectorAll("#nav .tab")].filter((b) => b.dataset.role.split(" ").some((r) => roles.has(r)));
}

async function openView(id) {
  view = id;
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== id;
  for (const b of document.querySelectorAll("#nav .tab")) b.setAttribute("aria-current", String(b.dataset.view === id));
  await refreshView();
}

async function refreshView() {
  if (!user || !view) return;
  if (view === "view-register") {
    await register.open();
    await exchange.openSurvey();
  }
  if (view === "view-work") await work.openWorklist(user);
  if (view === "view-search") await work.openSearch();
  if (view === "view-admin") await admin.open(office, alarm);
  if (view === "view-verify") verify.open();
  if (view === "view-queue") await queue.open(user);
  if (view === "view-sign") await head.open();
  if (view === "view-dashboard") await dashboard.open();
  if (view === "view-reports") await exchange.openReports();
}

let alarm = null;

// ---- the office server: other desks' writes, its loss and return ----------

let serverPoll = null;

/// The server does not answer: every screen says so, and the desk asks it
/// every few seconds (the watcher also tells when it is back).
function serverLost() {
  $("server-lost").hidden = false;
  if (serverPoll) return;
  serverPoll = setInterval(async () => {
    const s = await window.__TAURI__.core.invoke("server_status").catch(() => null);
    if (s && s.reachable) await serverBack(s.reopened);
  }, 3000);
}

async function serverBack(reopened) {
  if (serverPoll) clearInterval(serverPoll);
  serverPoll = null;
  if ($("server-lost").hidden && !reopened) return;
  $("server-lost").hidden = true;
  // A registry opened only now (the desk started while the server was
  // away) needs the whole window drawn; otherwise what is shown is reloaded.
  if (reopened || !user) await refresh();
  else await refreshShown();
}

/// What the desk shows is read again after other desks' writes: the lists,
/// the worklist, the application open. Forms being filled are left alone.
async function refreshShown() {
  if (!user || !view) return;
  if (view === "view-register") await register.refreshLists();
  if (view === "view-work") await work.refreshShown();
  if (view === "view-sign") await head.refreshShown();
  if (view === "view-dashboard") await dashboard.open();
}

// Notifications come in bursts (a batch of signatures): one reload for each.
let changedTimer = null;
function otherDesksWrote() {
  clearTimeout(changedTimer);
  changedTimer = setTimeout(() => refreshShown().catch(noticeError), 300);
}

if (window.__TAURI__.event) {
  window.__TAURI__.event.listen("kense:changed", otherDesksWrote);
  window.__TAURI__.event.listen("kense:server", (e) => (e.payload ? serverBack(false) : serverLost()));
}
window.addEventListener("kense:server-lost", serverLost);

/// The alarm line: a broken chain or records changed outside Kense.
function showAlarm(found) {
  alarm = found;
  const line = $("alarm");
  if (!alarm) {
    line.hidden = true;
    line.textContent = "";
    return;
  }
  const parts = [];
  if (alarm.chain_broken_at !== null) parts.push(`${t("audit_broken_banner")} ${alarm.chain_broken_at}.`);
  if (alarm.findings.length) parts.push(`${t("records_changed_banner")} ${alarm.findings.length}.`);
  parts.push(t("alarm_tell_admin"));
  line.textContent = parts.join(" ");
  line.hidden = false;
}

window.addEventListener("kense:alarm", (e) => showAlarm(e.detail));

async function refresh() {
  const status = await call("app_status");
  setLang(status.lang);
  office = status.office;
  if (!status.user || (user && status.user.login !== user.login)) {
    // Another person, or nobody: nothing of the last one's work stays on screen.
    view = null;
    register.reset();
    work.reset();
    admin.reset();
    verify.reset();
    queue.reset();
    head.reset();
    dashboard.reset();
    exchange.reset();
  }
  user = status.user;
  applyLanguage();
  // What the evidence check found wrong is everyone's business, at the
  // log-in screen and on every desk, until an administrator deals with it.
  showAlarm(status.alarm);
  if (status.startup_error && status.recovery) {
    show("screen-recovery");
    await recovery.open(status.startup_error.message, status.data_dir, refresh, null);
    return;
  }
  if (status.startup_error) {
    $("startup-error").textContent = status.startup_error.message;
    $("startup-data-dir").textContent = status.data_dir ?? "—";
    show("screen-error");
    // A desk on the office server that started while the server was away:
    // it opens the registry by itself once the server answers.
    if (status.startup_error.code === "server_unreachable") serverLost();
    return;
  }
  if (!status.initialised) {
    await showSetup();
  } else if (!user) {
    show("screen-login");
    $("login-login").focus();
  } else {
    show("screen-desk");
    // Not awaited: the first view must not wait on CUPS, nor open after the
    // person already chose another tab.
    loadPrinters();
    const tabs = allowedViews();
    for (const b of document.querySelectorAll("#nav .tab")) b.hidden = !tabs.includes(b);
    if (tabs.length) await openView(tabs[0].dataset.view);
  }
}

// ---- first run: this PC alone, or the office server ------------------------

/// The first-run screen. A desk already joined to the office server (whose
/// registry is still empty) only creates the office's first administrator.
async function showSetup() {
  show("screen-setup");
  const where = await call("server_status").catch(() => null);
  const joined = Boolean(where && where.server);
  $("setup-where").hidden = joined;
  // A server desk never restores a file over the office's registry.
  $("setup-restore-line").hidden = joined;
  if (joined) $("setup-where-pc").checked = true;
  // The person may already be typing: the focus is not pulled away.
  showSetupChoice(!$("screen-setup").contains(document.activeElement));
}

function showSetupChoice(focus = true) {
  const server = $("setup-where-server").checked;
  $("join-form").hidden = !server;
  $("setup-administrator").hidden = server;
  if (focus) (server ? $("join-host") : $("setup-full-name")).focus();
}

for (const id of ["setup-where-pc", "setup-where-server"]) $(id).addEventListener("change", () => showSetupChoice());

// The certificate's PEM text, read in Rust from the file the person picked
// in a dialog Rust opened: the window itself reads no files.
let certificatePem = "";

$("join-certificate").addEventListener("click", async () => {
  const form = $("join-form");
  clearErrors(form, $("join-error"));
  try {
    const chosen = await call("choose_server_certificate");
    if (!chosen) return;
    certificatePem = chosen.certificate_pem;
    $("join-certificate-name").textContent = chosen.name;
    delete $("join-certificate-name").dataset.i18n;
  } catch (e) {
    showError($("join-error"), e, form);
  }
});

$("join-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("join-error"));
  $("join-submit").disabled = true;
  try {
    const joined = await call("join_server", {
      payload: {
        host: $("join-host").value,
        port: $("join-port").value,
        database: $("join-database").value,
        user: $("join-user").value,
        password: $("join-password").value,
        certificate_pem: certificatePem,
      },
    });
    $("join-password").value = "";
    await refresh();
    notice(t(joined.initialised ? "joined_log_in" : "joined_first_administrator"));
  } catch (e) {
    showError($("join-error"), e, form);
  } finally {
    $("join-submit").disabled = false;
  }
});

$("setup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("setup-error"));
  try {
    await call("create_administrator", {
      payload: {
        login: $("setup-login").value,
        full_name: $("setup-full-name").value,
        password: $("setup-password").value,
        password_repeat: $("setup-password-repeat").value,
      },
    });
    form.reset();
    notice(t("setup_done"));
    show("screen-login");
    $("login-login").focus();
  } catch (e) {
    showError($("setup-error"), e, form);
  }
});

// A new computer: the office's registry comes from a backup instead of a
// new administrator.
$("setup-restore").addEventListener("click", async () => {
  const status = await call("app_status");
  show("screen-recovery");
  await recovery.open(null, status.data_dir, refresh, () => {
    show("screen-setup");
    $("setup-full-name").focus();
  });
});

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("login-error"));
  try {
    const logged = await call("login", { payload: { login: $("login-login").value, password: $("login-password").value } });
    form.reset();
    notice("");
    await refresh();
    // Papers owed since a registration that could not file them are filed
    // on the way in; the person is told where they went.
    const filed = logged.owed_filed;
    if (filed.papers.length || filed.owed.length) {
      const parts = filed.papers.map((p) => p.path).concat(filed.owed.map((o) => `${t("paper_" + o.kind)}: ${o.problem}`));
      notice(`${t("owed_filed_at_login")} ${parts.join("; ")}`);
    }
  } catch (e) {
    $("login-password").value = "";
    showError($("login-error"), e, form);
  }
});

$("logout").addEventListener("click", async () => {
  try {
    await call("logout");
  } finally {
    view = null;
    await refresh();
  }
});

// A command refused because the session ended (idle log-out) returns the
// person to the log-in screen instead of leaving a dead desk.
// Only when someone is on screen: a late answer to a call made before a
// log-out must not redraw the log-in screen under the next person's typing.
window.addEventListener("kense:not-logged-in", () => {
  if (user) refresh();
});
window.addEventListener("kense:office", (e) => {
  office = e.detail;
  $("office-name").textContent = office.name[currentLang()];
});

// Direct printing is offered only where CUPS lists printers.
async function loadPrinters() {
  let list = [];
  try {
    list = await call("printers");
  } catch (e) {
    list = [];
  }
  const select = $("printer-choice");
  select.replaceChildren(option("", t("printer_viewer")), ...list.map((p) => option(p, p)));
  select.value = list.includes(printer()) ? printer() : "";
  $("printer-line").hidden = list.length === 0;
}

$("printer-choice").addEventListener("change", () => setPrinter($("printer-choice").value));
// A desk's list opens an application in the worklist's detail (the clerk's
// "ready to hand out" list), where its steps are taken.
window.addEventListener("kense:open-application", async (e) => {
  await openView("view-work");
  await work.openDetail(e.detail);
});

for (const b of document.querySelectorAll("#nav .tab")) b.addEventListener("click", () => openView(b.dataset.view));
document.querySelectorAll(".lang-switch button").forEach((b) => b.addEventListener("click", () => setLanguage(b.dataset.lang)));

refresh().catch((e) => {
  $("startup-error").textContent = messageOf(e);
  show("screen-error");
});
