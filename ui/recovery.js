// The recovery screen: restoring a backup when nobody can log in — the
// registry cannot be opened, is missing, or is still empty on a new
// computer. Rust decides whether recovery is open and checks the
// administrator against the backup itself; this lists what it offers.

import { $, call, clearErrors, megabytes, moment, notice, showError, t } from "./api.js";
import * as job from "./job.js";

let onDone = () => {};

function choice(b, first) {
  const label = document.createElement("label");
  label.className = "check";
  const input = document.createElement("input");
  input.type = "radio";
  input.name = "recovery-source";
  input.value = b.name;
  input.checked = first;
  const text = document.createElement("span");
  text.textContent = `${moment(b.taken_at)} · ${b.name} · ${megabytes(b.size)}`;
  label.append(input, " ", text);
  return label;
}

/// Shows the screen. `reason` is why the registry cannot be used (none on
/// the first-run screen's way in); `back` returns to where the person was.
export async function open(reason, dataDir, done, back) {
  onDone = done;
  const form = $("recovery-form");
  form.reset();
  clearErrors(form, $("recovery-error"));
  $("recovery-reason").textContent = reason ?? "";
  $("recovery-reason").hidden = !reason;
  $("recovery-data-dir").textContent = dataDir ?? "—";
  $("recovery-back").hidden = !back;
  $("recovery-back").onclick = back ?? null;
  let list = [];
  try {
    list = await call("recovery_backups");
  } catch (e) {
    showError($("recovery-error"), e);
  }
  $("recovery-backups").replaceChildren(...list.map((b, i) => choice(b, i === 0)));
  $("recovery-empty").hidden = list.length > 0;
  $("recovery-other").checked = list.length === 0;
  $("recovery-login").focus();
}

$("recovery-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("recovery-error"));
  const chosen = form.querySelector('input[name="recovery-source"]:checked');
  if (!chosen) {
    showError($("recovery-error"), { message: t("recovery_pick_file") });
    return;
  }
  const submit = $("recovery-submit");
  submit.disabled = true;
  try {
    const payload = { backup: chosen.value || null, login: $("recovery-login").value, password: $("recovery-password").value };
    const rec = await job.withProgress(() => call("recover_registry", { payload }), {
      line: $("recovery-progress"),
      bar: $("recovery-bar"),
      running: $("recovery-running"),
      cancel: $("recovery-cancel"),
    });
    if (!rec) return;
    form.reset();
    await onDone();
    notice(`${t("recovery_done")} ${rec.kept_as ? `${t("recovery_kept")} ${rec.kept_as}` : ""}`.trim());
  } catch (e) {
    $("recovery-password").value = "";
    showError($("recovery-error"), e, form);
  } finally {
    submit.disabled = false;
  }
});
