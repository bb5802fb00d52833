//! The list of the referrals one distribution issued, for the head's file.

use kense_documents::{ReferralList, ReferralListRow};
use kense_domain::access::Actor;
use kense_domain::Error;

use super::{date, file_report, requisites, signer, text, Printed};
use crate::{clock, Workstation};

/// The list of referrals one distribution issued, for the head's file.
pub fn print(station: &Workstation, actor: &Actor, distribution_id: i64) -> Result<Printed, Error> {
    let now = clock::now();
    let (referrals, office) =
        station.with_registry(|reg| Ok((reg.referrals(actor, Some(distribution_id), 10_000, now)?, reg.office()?)))?;
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
    let bytes = station.typesetter()?.referral_list(&doc).map_err(|e| Error::Document(e.to_string()))?;
    file_report(station, actor, "referral-list", &format!("distribution-{distribution_id}"), bytes)
}
