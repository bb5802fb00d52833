// The administrator's desk: accounts and roles, and the audit check.

import { $, call, cell, clearErrors, messageOf, notice, showError, t } from "./api.js";

let office = null;

let years = [];

async function loadCalendar() {
  years = await call("calendar_years");
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
    await call("set_calendar_year", { payload: { year, rules: { kurban_ait: $("cal-kurban").value, transfers } } });
    form.reset();
    await loadCalendar();
  } catch (e) {
    showError($("calendar-error"), e, form);
  }
});

export function reset() {
  $("users").replaceChildren();
  $("user-form").reset();
  $("office-form").reset();
}

export async function open() {
  try {
    await loadCalendar();
  } catch (e) {
    notice(messageOf(e));
  }
  try {
    office = (await call("app_status")).office;
  } catch (e) {
    notice(messageOf(e));
  }
  if (office) {
    $("office-name-kk").value = office.name.kk;
    $("office-name-ru").value = office.name.ru;
    $("office-address-kk").value = office.address.kk;
    $("office-address-ru").value = office.address.ru;
    $("office-phone").value = office.phone;
    $("office-series").value = office.series;
    $("office-start-number").value = String(office.start_number);
  }
  let users;
  try {
    users = await call("users");
  } catch (e) {
    notice(messageOf(e));
    return;
  }
  $("users").replaceChildren(
    ...users.map((u) => {
      const tr = document.createElement("tr");
      tr.append(cell(u.login), cell(u.full_name), cell(u.roles.map((r) => t("role_" + r)).join(", ")));
      return tr;
    }),
  );
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
    await open();
    $("user-full-name").focus();
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
      },
    });
    $("office-saved").hidden = false;
    window.dispatchEvent(new CustomEvent("kense:office", { detail: office }));
  } catch (e) {
    showError($("office-error"), e, form);
  }
});

$("audit-verify").addEventListener("click", async () => {
  try {
    const s = await call("verify_audit");
    $("audit-result").textContent =
      s.first_bad === null ? `${t("audit_ok")} (${s.events}; ${s.head.slice(0, 12)})` : `${t("audit_broken")} ${s.first_bad}`;
    $("audit-result").className = s.first_bad === null ? "hint ok" : "error-text";
  } catch (e) {
    $("audit-result").textContent = messageOf(e);
  }
});
