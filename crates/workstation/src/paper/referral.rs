//! The referral to a kindergarten as the parent takes it there, signed by
//! the head who committed the distribution.

use chrono::Datelike;
use kense_documents::Referral;
use kense_domain::access::{Action, Actor};
use kense_domain::audit::short;
use kense_domain::Error;

use super::{date, file_and_record, office_stamp, requisites, signer, text, Printed};
use crate::verification::{referral_content, referral_print_kind, vouch, REFERRAL};
use crate::{clock, Workstation};

fn age_group(year: i32) -> kense_documents::Bilingual {
    kense_documents::Bilingual {
        kk: format!("{year} жылы туған балалар"), ru: format!("дети {year} года рождения")
    }
}

/// The referral as the parent takes it to the kindergarten.
pub fn print(station: &Workstation, actor: &Actor, referral_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (r, office, head, stamp) = station.with_registry(|reg| {
        Ok((reg.referral(actor, referral_id, now)?, reg.office()?, reg.audit_head()?, office_stamp(reg)?))
    })?;
    let stored_kind = referral_print_kind(&r.number);
    let copy = station.with_registry(|reg| reg.next_copy_number(r.application_id, &stored_kind))?;
    let verification = vouch(station, &r.number, REFERRAL, copy, &head, &referral_content(&r))?;
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
    let bytes = station.typesetter()?.referral(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_and_record(
        station,
        actor,
        Action::ViewQueue,
        (r.application_id, &stored_kind, copy),
        (issued_at.year(), &r.number),
        qr_text,
        bytes,
        REFERRAL,
    )
}
