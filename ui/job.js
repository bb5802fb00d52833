// A backup, copy or restore running in Rust: after the 300 ms a clerk may
// wait without a sign, the step and a progress bar, polled from
// `backup_progress`; the cancel button asks Rust to stop at its next step
// (it answers the command with `cancelled`, having changed nothing).

import { ask, t } from "./api.js";

/// Runs `work` (a promise-returning function) with `ui` = { line, bar, running, cancel } elements.
export async function withProgress(work, ui) {
  const show = (p) => {
    const part = p && p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : "";
    ui.line.textContent = p ? `${t("stage_" + p.stage)}…${part}` : t("backup_running");
    if (p && p.total > 0) {
      ui.bar.max = p.total;
      ui.bar.value = p.done;
    } else {
      ui.bar.removeAttribute("value");
    }
    ui.line.hidden = false;
    ui.running.hidden = false;
  };
  const timer = setTimeout(() => show(null), 300);
  const poll = setInterval(async () => {
    try {
      const p = await ask("backup_progress");
      if (p) show(p);
    } catch (_) {
      // Only decoration; the command's own reply counts.
    }
  }, 250);
  ui.cancel.disabled = false;
  ui.cancel.onclick = () => {
    ui.cancel.disabled = true;
    ask("cancel_backup").catch(() => {});
  };
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    ui.line.hidden = true;
    ui.running.hidden = true;
    ui.cancel.onclick = null;
  }
}
