//! The queue's paper: the notification with the child's number (and its
//! registration ticket), the referral to a kindergarten, the queue extract of
//! a birth year and the list of a distribution's referrals. Registry record →
//! PDF → file → hash recorded and audited, like the intake receipts in
//! `receipt.rs`, whose verification code and filing they share.

use chrono::{Datelike, NaiveDate};
use kense_documents::{
    QueueExtract, QueueExtractRow, QueueNotification, Referral, ReferralList, ReferralListRow, Signer,
};
use kense_domain::access::{Action, Actor, Role};
use kense_domain::audit::{hex, short};
use kense_domain::queue::QueueRules;
use kense_domain::{Bilingual, Error};
use kense_storage::ReferralRecord;
use sha2::{Digest, Sha256};

use crate::receipt::{canonical_content, file_and_record, requisites, text, vouch, Printed};
use kense_workstation::Workstation;
use kense_workstation::{clock, paths};

pub const QUEUE_NOTIFICATION: &str = "queue-notification";
pub const REFERRAL: &str = "referral";
pub const QUEUE_HISTORY: &str = "queue-history";

/// Who signs: the person printing, in the position their role holds. A
/// referral carries the head who committed the distribution instead.
pub(crate) fn signer(name: &str, head: bool) -> Signer {
    let position = if head {
        Bilingual::new("Бөлім басшысы", "Руководитель отдела")
    } else {
        Bilingual::new("Бөлім маманы", "Специалист отдела")
    };
    Signer { name: name.to_owned(), position: text(&position) }
}

fn category_name(rules: &QueueRules, code: &str) -> kense_documents::Bilingual {
    rules
        .category(code)
        .map_or_else(|| kense_documents::Bilingual { kk: code.into(), ru: code.into() }, |c| text(&c.name))
}

fn age_group(year: i32) -> kense_documents::Bilingual {
    kense_documents::Bilingual {
        kk: format!("{year} жылы туған балалар"), ru: format!("дети {year} года рождения")
    }
}

fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|e| Error::Storage(format!("date {s}: {e}")))
}

/// What a referral's verification code vouches for: the facts printed on it
/// that never change. Its status is left out and shown beside the verdict.
pub fn referral_content(r: &ReferralRecord) -> String {
    serde_json::json!({
        "kind": REFERRAL,
        "number": r.number,
        "application": r.application_number,
        "child": [r.child_iin, r.child_name, r.child_birth_date],
        "applicant": [r.applicant_iin, r.applicant_name],
        "kindergarten": [r.kindergarten.kk, r.group_name],
        "issued_at": r.issued_at,
        "valid_until": r.valid_until,
    })
    .to_string()
}

/// The notification of the child's place in the queue, with the number it
/// has now.
pub fn notification(state: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, entry, office, head, kindergartens, rules, copy, stamp) = state.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let entry = reg.queue_entry(actor, application_id, now)?.ok_or(Error::NotFound)?;
        let copy = reg.next_copy_number(application_id, QUEUE_NOTIFICATION)?;
        let stamp = crate::results::office_stamp(reg)?;
        Ok((
            rec,
            entry,
            reg.office()?,
            reg.audit_head()?,
            reg.kindergartens(actor, now)?,
            reg.queue_rules().clone(),
            copy,
            stamp,
        ))
    })?;
    // Only a waiting child has a number to state.
    let position = entry.position.ok_or(Error::InvalidState)?;
    let verification =
        vouch(state, &rec.number, QUEUE_NOTIFICATION, copy, &head, &canonical_content(&rec, QUEUE_NOTIFICATION))?;
    let qr_text = verification.qr_text.clone();
    let preferences = entry
        .preferences
        .iter()
        .filter_map(|id| kindergartens.iter().find(|k| k.id == *id))
        .map(|k| text(&k.name))
        .collect();
    let doc = QueueNotification {
        registration_number: rec.number.clone(),
        registered_at: rec.registered_at.naive_local(),
        office: requisites(&office),
        child_name: entry.child_name.clone(),
        child_iin: entry.child_iin.clone(),
        child_birth_date: rec.child_birth_date.ok_or(Error::InvalidState)?,
        birth_year: entry.birth_year,
        category: category_name(&rules, &entry.category),
        position,
        preferences,
        desired_start: None,
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        applicant_phone: rec.applicant_phone.clone(),
        signer: signer(&actor.full_name, actor.has(Role::Head)),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
    };
    let bytes = state.typesetter()?.queue_notification(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        state,
        actor,
        Action::ViewQueue,
        (application_id, QUEUE_NOTIFICATION, copy),
        (rec.registered_at.year(), &rec.number),
        qr_text,
        bytes,
        QUEUE_NOTIFICATION,
    )
}

/// The referral as the parent takes it to the kindergarten.
pub fn referral(state: &Workstation, actor: &Actor, referral_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (r, office, head, stamp) = state.with_registry(|reg| {
        Ok((
            reg.referral(actor, referral_id, now)?,
            reg.office()?,
            reg.audit_head()?,
            crate::results::office_stamp(reg)?,
        ))
    })?;
    let stored_kind = format!("{REFERRAL}:{}", r.number);
    let copy = state.with_registry(|reg| reg.next_copy_number(r.application_id, &stored_kind))?;
    let verification = vouch(state, &r.number, REFERRAL, copy, &head, &referral_content(&r))?;
    let qr_text = verification.qr_text.clone();
    let issued_at =
        chrono::NaiveDateTime::parse_from_str(r.issued_at.get(..19).unwrap_or(&r.issued_at), "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| Error::Storage(format!("issued_at: {e}")))?;
    let group_language = match r.group_language.as_str() {
        "kk" => ("қазақ тілінде", "на казахском языке"),
        "ru" => ("орыс тілінде", "на русском языке"),
        _ => ("аралас тілде", "смешанная"),
    };
    let doc = Referral {
        number: r.number.clone(),
        issued_at,
        valid_until: date(&r.valid_until)?,
        office: requisites(&office),
        child_name: r.child_name.clone(),
        child_iin: r.child_iin.clone(),
        child_birth_date: date(r.child_birth_date.as_deref().unwrap_or_default())?,
        age_group: age_group(r.birth_year),
        kindergarten: text(&r.kindergarten),
        kindergarten_address: text(&r.kindergarten_address),
        group: Some(kense_documents::Bilingual {
            kk: format!("«{}» тобы, {}", r.group_name, group_language.0),
            ru: format!("группа «{}», {}", r.group_name, group_language.1),
        }),
        applicant_name: r.applicant_name.clone(),
        applicant_iin: r.applicant_iin.clone(),
        registration_number: r.application_number.clone(),
        signer: signer(&r.issued_by, true),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
    };
    let bytes = state.typesetter()?.referral(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        state,
        actor,
        Action::ViewQueue,
        (r.application_id, &stored_kind, copy),
        (issued_at.year(), &r.number),
        qr_text,
        bytes,
        REFERRAL,
    )
}

/// Files a list that belongs to no one application and audits its print.
fn file_report(
    state: &Workstation,
    actor: &Actor,
    kind: &'static str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Printed, Error> {
    let now = clock::now();
    let sha256 = hex(&Sha256::digest(&bytes));
    let path = paths::document_file(state.data_dir()?, now.year(), name, kind);
    paths::write_atomically(&path, &bytes)?;
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    state.with_registry(|reg| reg.record_report(actor, kind, &sha256, &file_name, now))?;
    Ok(Printed { path: path.display().to_string(), kind, copy: 1, sha256, verification: String::new(), opened: false })
}

/// The queue of one birth year, by number and category only: the public
/// extract names no child (Law No. 94-V on personal data).
pub fn extract(state: &Workstation, actor: &Actor, birth_year: i32) -> Result<Printed, Error> {
    let now = clock::now();
    let (rows, office, rules) = state.with_registry(|reg| {
        Ok((reg.queue(actor, birth_year, u32::MAX, now)?, reg.office()?, reg.queue_rules().clone()))
    })?;
    let mut totals: Vec<(kense_documents::Bilingual, u32)> = Vec::new();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.position.is_some()) {
        let category = category_name(&rules, &r.category);
        match totals.iter_mut().find(|(c, _)| *c == category) {
            Some((_, n)) => *n += 1,
            None => totals.push((category.clone(), 1)),
        }
        out.push(QueueExtractRow {
            position: r.position.unwrap_or_default(),
            registration_number: r.number.clone(),
            registered_at: chrono::NaiveDateTime::parse_from_str(&r.queued_at, "%Y-%m-%dT%H:%M:%S")
                .map_err(|e| Error::Storage(format!("queued_at: {e}")))?,
            category,
            note: None,
        });
    }
    let doc =
        QueueExtract { office: requisites(&office), birth_year, generated_at: now.naive_local(), rows: out, totals };
    let bytes = state.typesetter()?.queue_extract(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_report(state, actor, "queue-extract", &format!("{birth_year}-{}", now.format("%Y%m%d-%H%M%S")), bytes)
}

/// The list of referrals one distribution issued, for the head's file.
pub fn referral_list(state: &Workstation, actor: &Actor, distribution_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (referrals, office) =
        state.with_registry(|reg| Ok((reg.referrals(actor, Some(distribution_id), 10_000, now)?, reg.office()?)))?;
    let first = referrals.first().ok_or(Error::NotFound)?;
    let rows = referrals
        .iter()
        .rev()
        .map(|r| {
            Ok(ReferralListRow {
                referral_number: r.number.clone(),
                child_name: r.child_name.clone(),
                child_birth_date: date(r.child_birth_date.as_deref().unwrap_or_default())?,
                kindergarten: text(&r.kindergarten),
                group: Some(kense_documents::Bilingual { kk: r.group_name.clone(), ru: r.group_name.clone() }),
                valid_until: date(&r.valid_until)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let doc = ReferralList {
        office: requisites(&office),
        distribution_number: distribution_id.to_string(),
        generated_at: now.naive_local(),
        rows,
        signer: signer(&first.issued_by, true),
    };
    let bytes = state.typesetter()?.referral_list(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_report(state, actor, "referral-list", &format!("distribution-{distribution_id}"), bytes)
}

/// The history of a child's number as a signed paper for the parent who asks
/// why it changed: every change with its date and cause, in the generic
/// layout of the office's results.
pub fn history(state: &Workstation, actor: &Actor, application_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (rec, entry, changes, office, head, stamp) = state.with_registry(|reg| {
        let rec = reg.application(actor, application_id, now)?;
        let entry = reg.queue_entry(actor, application_id, now)?.ok_or(Error::NotFound)?;
        let changes = reg.position_history(actor, application_id, now)?;
        Ok((rec, entry, changes, reg.office()?, reg.audit_head()?, crate::results::office_stamp(reg)?))
    })?;
    let number = |n: Option<u32>| n.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let mut fields: Vec<kense_documents::ResultField> = changes
        .iter()
        .map(|c| {
            let name = c.cause.name();
            let whose = match (&c.subject_number, c.own, c.distribution_id) {
                (_, true, _) => String::new(),
                (_, false, Some(d)) => format!(" (тарату / распределение № {d})"),
                (Some(n), false, None) => format!(" (өтініш / заявление № {n})"),
                (None, false, None) => String::new(),
            };
            kense_documents::ResultField {
                label: kense_documents::Bilingual {
                    kk: c.at.get(..10).unwrap_or(&c.at).to_owned(),
                    ru: c.at.get(..10).unwrap_or(&c.at).to_owned(),
                },
                value: format!("{} → {}: {} / {}{whose}", number(c.from), number(c.to), name.kk, name.ru),
            }
        })
        .collect();
    fields.insert(
        0,
        kense_documents::ResultField {
            label: kense_documents::Bilingual {
                kk: "Қазіргі нөмірі".into(), ru: "Текущий номер".into()
            },
            value: format!("{} ({} ж. / г.)", number(entry.position), entry.birth_year),
        },
    );
    let copy = state.with_registry(|reg| reg.next_copy_number(application_id, QUEUE_HISTORY))?;
    let verification = vouch(state, &rec.number, QUEUE_HISTORY, copy, &head, &canonical_content(&rec, QUEUE_HISTORY))?;
    let qr_text = verification.qr_text.clone();
    let doc = kense_documents::ServiceResult {
        number: rec.number.clone(),
        issued_at: now.naive_local(),
        office: requisites(&office),
        title: kense_documents::Bilingual {
            kk: "Кезек нөмірінің өзгеру тарихы".into(),
            ru: "История изменения номера в очереди".into(),
        },
        service_name: text(&rec.service_name),
        registration_number: rec.number.clone(),
        registered_on: rec.registered_at.date_naive(),
        applicant_name: rec.applicant_name.clone(),
        applicant_iin: rec.applicant_iin.clone(),
        subject_name: Some(entry.child_name.clone()),
        subject_iin: Some(entry.child_iin.clone()),
        fields,
        text: None,
        signer: signer(&actor.full_name, actor.has(Role::Head)),
        stamp,
        copy_number: copy,
        verification: Some(verification),
        audit_chain_head: Some(short(&head).to_owned()),
    };
    let bytes = state.typesetter()?.service_result(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        state,
        actor,
        Action::ViewQueue,
        (application_id, QUEUE_HISTORY, copy),
        (rec.registered_at.year(), &rec.number),
        qr_text,
        bytes,
        QUEUE_HISTORY,
    )
}
