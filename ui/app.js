// The window's behaviour: screens, forms and calls to the Rust commands.
// No rule is decided here: the backend validates, authorizes and answers
// {code, message, field}; this file only shows what it says.

import kk from "./i18n/kk.js";
import ru from "./i18n/ru.js";

const dictionaries = { kk, ru };
let lang = "kk";
let services = [];

const $ = (id) => document.getElementById(id);

function t(key) {
  return dictionaries[lang][key] ?? key;
}

async function call(cmd, args) {
  const busy = setTimeout(() => ($("busy").hidden = false), 300);
  try {
    return await window.__TAURI__.core.invoke(cmd, args);
  } finally {
    clearTimeout(busy);
    $("busy").hidden = true;
  }
}

// Errors from Rust are {code, message, field}; anything else is a bug.
function messageOf(err) {
  return err && typeof err === "object" && err.message ? err.message : t("unexpected");
}

function showError(el, err, form) {
  el.textContent = messageOf(err);
  el.hidden = false;
  if (form && err && err.field) {
    const input = form.querySelector(`[name="${err.field}"]`) || $(err.field);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }
}

function clearErrors(form, el) {
  el.hidden = true;
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  document.querySelectorAll(".lang-switch button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  renderServices();
}

async function setLanguage(next) {
  lang = next;
  applyLanguage();
  try {
    await call("set_language", { payload: { lang } });
  } catch (e) {
    notice(messageOf(e));
  }
  if (!$("screen-desk").hidden) await loadRecent();
}

function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

function show(screen) {
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== screen;
}

function showUser(user, office) {
  if (office) $("office-name").textContent = office.name[lang];
  const status = $("status-user");
  status.hidden = !user;
  $("logout").hidden = !user;
  if (user) status.textContent = `${user.full_name} · ${user.roles.map((r) => t("role_" + r)).join(", ")}`;
}

async function refresh() {
  const status = await call("app_status");
  lang = status.lang;
  applyLanguage();
  if (status.office) $("office-name").textContent = status.office.name[lang];
  if (status.startup_error) {
    $("startup-error").textContent = status.startup_error.message;
    $("startup-data-dir").textContent = status.data_dir ?? "—";
    show("screen-error");
    return;
  }
  showUser(status.user, status.office);
  if (!status.initialised) {
    show("screen-setup");
    $("setup-full-name").focus();
  } else if (!status.user) {
    show("screen-login");
    $("login-login").focus();
  } else {
    await openDesk();
  }
}

// ---- first run and log-in ------------------------------------------------

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

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("login-error"));
  try {
    await call("login", { payload: { login: $("login-login").value, password: $("login-password").value } });
    form.reset();
    notice("");
    await refresh();
  } catch (e) {
    $("login-password").value = "";
    showError($("login-error"), e, form);
  }
});

$("logout").addEventListener("click", async () => {
  try {
    await call("logout");
  } finally {
    await refresh();
  }
});

// ---- the clerk's desk ------------------------------------------------------

async function openDesk() {
  show("screen-desk");
  services = await call("services");
  renderServices();
  await loadRecent();
  $("applicant_iin").focus();
}

function currentService() {
  return services.find((s) => s.code === $("service").value) ?? services[0];
}

function renderServices() {
  const select = $("service");
  if (!select || services.length === 0) return;
  const chosen = select.value;
  select.replaceChildren(
    ...services.map((s) => {
      const o = document.createElement("option");
      o.value = s.code;
      o.textContent = s.name[lang];
      return o;
    }),
  );
  if (chosen) select.value = chosen;
  renderChecklist();
}

function renderChecklist() {
  const service = currentService();
  if (!service) return;
  const ticked = new Set([...document.querySelectorAll("#documents input:checked")].map((i) => i.value));
  $("documents").replaceChildren(
    ...service.documents.map((d) => {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `doc-${d.code}`;
      box.value = d.code;
      box.checked = ticked.has(d.code);
      box.addEventListener("change", renderIntake);
      const text = document.createElement("span");
      text.textContent = `${d.name[lang]} `;
      const mark = document.createElement("em");
      mark.textContent = `(${t(d.required ? "required_mark" : "optional_mark")})`;
      text.append(mark);
      label.append(box, text);
      return label;
    }),
  );
  $("child-fields").hidden = service.subject !== "child";
  renderIntake();
}

// Which paper will come out is the catalog's checklist, shown before saving;
// the backend makes the same decision from the same catalog when it saves.
function renderIntake() {
  const service = currentService();
  if (!service) return;
  const ticked = new Set([...document.querySelectorAll("#documents input:checked")].map((i) => i.value));
  const complete = service.documents.every((d) => !d.required || ticked.has(d.code));
  const p = $("intake-preview");
  p.textContent = t(complete ? "intake_accept" : "intake_refuse");
  p.className = complete ? "intake ok" : "intake warn";
}

$("service").addEventListener("change", renderChecklist);

$("register-form").addEventListener("reset", () => {
  setTimeout(() => {
    renderChecklist();
    $("result").hidden = true;
    $("register-error").hidden = true;
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
    applicant_iin: field("applicant_iin"),
    applicant_name: field("applicant_name"),
    applicant_phone: field("applicant_phone"),
    applicant_address: field("applicant_address"),
    child_iin: field("child_iin"),
    child_name: field("child_name"),
    child_birth_date: field("child_birth_date"),
    documents: [...document.querySelectorAll("#documents input:checked")].map((i) => i.value),
    consent: $("consent").checked,
    notes: field("notes"),
  };
  $("register-submit").disabled = true;
  try {
    const registered = await call("register_application", { payload });
    $("result-number").textContent = registered.number;
    $("result-status").textContent = t("status_" + registered.status);
    $("result-receipt").hidden = true;
    $("result").hidden = false;
    if (registered.status === "accepted") await printReceipt(registered.id);
    await loadRecent();
  } catch (e) {
    showError($("register-error"), e, form);
  } finally {
    $("register-submit").disabled = false;
  }
});

async function printReceipt(id) {
  try {
    const printed = await call("open_receipt", { payload: { id } });
    $("result-receipt-path").textContent = printed.path;
    $("result-viewer").textContent = t(printed.opened ? "viewer_opened" : "viewer_missing");
    $("result-receipt").hidden = false;
  } catch (e) {
    showError($("register-error"), e);
  }
}

async function loadRecent() {
  let rows;
  try {
    rows = await call("recent_applications");
  } catch (e) {
    notice(messageOf(e));
    return;
  }
  $("recent-empty").hidden = rows.length > 0;
  $("recent").replaceChildren(
    ...rows.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.number = a.number;
      const cells = [a.number, a.registered_at.slice(0, 19).replace("T", " "), a.applicant_name, t("status_" + a.status)];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const td = document.createElement("td");
      if (a.status === "accepted") {
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

document.querySelectorAll(".lang-switch button").forEach((b) => b.addEventListener("click", () => setLanguage(b.dataset.lang)));

refresh().catch((e) => {
  $("startup-error").textContent = messageOf(e);
  show("screen-error");
});
