// The "verify a document" screen: a scanned QR code (a scanner types it and
// presses Enter) checked against this office's registry by the backend.

import { $, call, clearErrors, currentLang, moment, showError, t } from "./api.js";

export function open() {
  $("verify-text").focus();
}

export function reset() {
  $("verify-form").reset();
  $("lookup-form").reset();
  $("verify-result").hidden = true;
  $("verify-error").hidden = true;
}

$("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("verify-error"));
  $("verify-result").hidden = true;
  try {
    const r = await call("verify_document", { payload: { text: $("verify-text").value } });
    $("verify-verdict").textContent = t("verdict_" + r.verdict);
    $("verify-result").className = r.verdict === "valid" ? "result" : "result bad";
    const facts = [
      ["col_number", `${r.number} (${t("copy")} ${r.copy})`],
      ["col_status", t("status_" + r.status)],
      ["service", r.service_name[currentLang()]],
      ["applicant", r.applicant_name],
      ["col_time", moment(r.registered_at)],
      ["printed_at", r.printed_at ? moment(r.printed_at) : "—"],
    ];
    if (r.referral) {
      facts.push(
        ["child", r.referral.child_name],
        ["kindergarten", r.referral.kindergarten[currentLang()]],
        ["valid_until", r.referral.valid_until],
        ["referral_status", t("referral_" + r.referral.status)],
      );
    }
    $("verify-facts").replaceChildren(
      ...facts.flatMap(([k, v]) => {
        const dt = document.createElement("dt");
        dt.textContent = t(k);
        const dd = document.createElement("dd");
        dd.textContent = v;
        return [dt, dd];
      }),
    );
    $("verify-result").hidden = false;
  } catch (e) {
    showError($("verify-error"), e, form);
  }
});

function showFacts(facts) {
  $("verify-facts").replaceChildren(
    ...facts.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = t(k);
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  $("verify-result").hidden = false;
}

// Without a QR code: the paper's number and an IIN printed on it. The
// registry's record and what was printed are shown for the person to compare.
$("lookup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("verify-error"));
  $("verify-result").hidden = true;
  try {
    const r = await call("look_up_document", { payload: { number: $("lookup-number").value, iin: $("lookup-iin").value } });
    $("verify-verdict").textContent = t("lookup_found");
    $("verify-result").className = "result";
    const facts = [
      ["col_number", r.number],
      ["col_status", t("status_" + r.status)],
      ["service", r.service_name[currentLang()]],
      ["applicant", r.applicant_name],
      ["col_time", moment(r.registered_at)],
      ["lookup_printed", r.printed.map(([kind, copy, at]) => `${kind} № ${copy} — ${moment(at)}`).join("; ") || "—"],
    ];
    if (r.referral) {
      facts.push(
        ["child", r.referral.child_name],
        ["kindergarten", r.referral.kindergarten[currentLang()]],
        ["valid_until", r.referral.valid_until],
        ["referral_status", t("referral_" + r.referral.status)],
      );
    }
    showFacts(facts);
  } catch (e) {
    showError($("verify-error"), e, form);
  }
});
