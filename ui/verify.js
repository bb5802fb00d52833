// The "verify a document" screen: a scanned QR code (a scanner types it and
// presses Enter) checked against this office's registry by the backend. The
// backend decides the paper's standing; this screen only words it, with
// every date as dd.mm.yyyy.

import { $, call, clearErrors, currentLang, day, moment, showError, t } from "./api.js";

export function open() {
  $("verify-text").focus();
}

export function reset() {
  $("verify-form").reset();
  $("lookup-form").reset();
  $("verify-result").hidden = true;
  $("verify-error").hidden = true;
}

// The headline of a standing for a paper of `kind`: the dictionary's words
// with the standing's dates and names put in.
function headline(s, kind) {
  let key = s.code;
  if (s.code === "superseded") key += kind === "referral" ? "_referral" : kind === "result" ? "_result" : "_queue";
  if (s.code === "used" || s.code === "cancelled") key += "_" + s.how;
  return t("standing_" + key)
    .replace("{on}", day(s.on))
    .replace("{until}", day(s.until))
    .replace("{by}", s.by ?? "")
    .replace("{newer}", s.newer ?? "");
}

// Green is for a paper that holds, amber for one that holds but has a newer
// one beside it; everything else is red.
function tone(s, kind) {
  if (s.code === "valid") return "result";
  if (s.code === "superseded" && kind !== "referral") return "result warn";
  return "result bad";
}

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

function referralFacts(referral) {
  return [
    ["child", referral.child_name],
    ["kindergarten", referral.kindergarten[currentLang()]],
    ["valid_until", day(referral.valid_until)],
    ["referral_status", t("referral_" + referral.status)],
  ];
}

$("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("verify-error"));
  $("verify-result").hidden = true;
  try {
    const r = await call("verify_document", { payload: { text: $("verify-text").value } });
    $("verify-verdict").textContent = headline(r.standing, r.kind);
    $("verify-result").className = tone(r.standing, r.kind);
    const facts = [["col_number", `${r.number} (${t("copy")} ${r.copy})`]];
    if (r.record) {
      facts.push(
        ["col_status", t("status_" + r.record.status)],
        ["service", r.record.service_name[currentLang()]],
        ["applicant", r.record.applicant_name],
        ["col_time", moment(r.record.registered_at)],
      );
    }
    facts.push(["printed_at", r.printed_at ? moment(r.printed_at) : "—"]);
    if (r.referral) facts.push(...referralFacts(r.referral));
    showFacts(facts);
  } catch (e) {
    showError($("verify-error"), e, form);
  }
});

// Without a QR code: the paper's number and an IIN printed on it. The
// registry's record and what was printed are shown for the person to compare;
// what the registry holds against the record heads them.
$("lookup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form, $("verify-error"));
  $("verify-result").hidden = true;
  try {
    const r = await call("look_up_document", { payload: { number: $("lookup-number").value, iin: $("lookup-iin").value } });
    const kind = r.referral ? "referral" : "";
    $("verify-verdict").textContent = r.standing ? headline(r.standing, kind) : t("lookup_found");
    $("verify-result").className = r.standing ? tone(r.standing, kind) : "result";
    const facts = [
      ["col_number", r.number],
      ["col_status", t("status_" + r.status)],
      ["service", r.service_name[currentLang()]],
      ["applicant", r.applicant_name],
      ["col_time", moment(r.registered_at)],
      ["lookup_printed", r.printed.map(([kind, copy, at]) => `${kind} № ${copy} — ${moment(at)}`).join("; ") || "—"],
    ];
    if (r.referral) facts.push(...referralFacts(r.referral));
    showFacts(facts);
  } catch (e) {
    showError($("verify-error"), e, form);
  }
});

// A signed PDF chosen from disk (the dialog is the backend's): the
// signature's verdict, the signer, the chain to the roots the office
// imported, and what the imported revocation lists say.
$("verify-file").addEventListener("click", async () => {
  $("verify-error").hidden = true;
  $("verify-result").hidden = true;
  const button = $("verify-file");
  button.disabled = true;
  try {
    const v = await call("verify_signed_file");
    if (!v) return;
    const lang = currentLang();
    $("verify-verdict").textContent = v.headline[lang];
    $("verify-result").className = v.status === "valid" && v.trusted && !v.revoked ? "result" : v.status === "valid" ? "result warn" : "result bad";
    showFacts([
      ["signer", v.signer_name],
      ["iin", v.signer_iin ?? "—"],
      ["signer_bin", v.signer_bin ?? "—"],
      ["cert_serial", v.cert_serial],
      ["cert_issuer", v.cert_issuer],
      ["cert_valid", v.cert_valid ? `${v.cert_valid[0]} — ${v.cert_valid[1]}` : "—"],
      ["signed_at_claimed", v.signed_at ?? "—"],
      ["cert_chain", v.chain[lang]],
      ["cert_revocation", v.revocation[lang]],
      ["signed_bytes", `${v.signed_len} / ${v.file_len}`],
      ["registry_match", v.registry ? `${t("registry_match_yes")} ${v.registry}` : t("registry_match_no")],
    ].filter(([, value]) => value));
  } catch (e) {
    showError($("verify-error"), e);
  } finally {
    button.disabled = false;
  }
});
