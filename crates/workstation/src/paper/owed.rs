//! The papers a registration owes the applicant — the receipt, and for a
//! queued child the notification of its number — filed by the backend as
//! part of the registering call, before it answers: a log-out, a closed
//! window or a crash right after the number appears cannot lose them. What
//! could not be filed stays owed in the registry (the row offers to print it
//! now) and is filed when someone who may print logs in next.

use kense_domain::access::{authorize, Action, Actor};
use kense_domain::Error;
use serde::Serialize;

use super::{queue_notification, receipt, Printed};
use crate::verification::{ACCEPTANCE, QUEUE_NOTIFICATION, REFUSAL};
use crate::{paths, Workstation};

/// A paper owed and not filed, and why.
#[derive(Debug, Serialize)]
pub struct Owed {
    pub kind: String,
    /// What stopped it, in the person's language.
    pub problem: String,
}

/// What filing the owed papers of an application came to.
#[derive(Debug, Default, Serialize)]
pub struct Filed {
    pub papers: Vec<Printed>,
    pub owed: Vec<Owed>,
}

/// The right printing a kind of owed paper needs.
fn right(kind: &str) -> Action {
    if kind == QUEUE_NOTIFICATION {
        Action::ViewQueue
    } else {
        Action::PrintDocument
    }
}

/// Files one owed paper (which strikes it off).
pub fn issue(station: &Workstation, actor: &Actor, application_id: i64, kind: &str) -> Result<Printed, Error> {
    match kind {
        ACCEPTANCE | REFUSAL => receipt::issue(station, actor, application_id),
        QUEUE_NOTIFICATION => queue_notification::print(station, actor, application_id),
        _ => Err(Error::NotFound),
    }
}

/// Files the papers `kinds` of one application; each that fails stays owed,
/// with its reason.
pub fn file(station: &Workstation, actor: &Actor, application_id: i64, kinds: &[String]) -> Filed {
    let mut filed = Filed::default();
    for kind in kinds {
        match issue(station, actor, application_id, kind) {
            Ok(p) => filed.papers.push(p),
            Err(e) => {
                log::error!("paper {kind} of application {application_id} not filed, still owed: {e}");
                filed.owed.push(Owed { kind: kind.clone(), problem: e.message(station.lang()) });
            }
        }
    }
    filed
}

/// Files every paper still owed that `actor` may print (at log-in).
pub fn file_all(station: &Workstation, actor: &Actor) -> Result<Filed, Error> {
    let owed = station.with_registry(|reg| reg.owed_papers())?;
    let mut filed = Filed::default();
    for (application_id, kind) in owed {
        if authorize(actor, right(&kind), None).is_ok() {
            let one = file(station, actor, application_id, std::slice::from_ref(&kind));
            filed.papers.extend(one.papers);
            filed.owed.extend(one.owed);
        }
    }
    Ok(filed)
}

/// A copy already filed, to hand to the viewer or a printer: the file as
/// it was filed (its hash checked), never made again.
pub fn filed(
    station: &Workstation,
    actor: &Actor,
    application_id: i64,
    kind: &str,
    copy: u32,
) -> Result<Printed, Error> {
    let kind: &'static str = match kind {
        ACCEPTANCE => ACCEPTANCE,
        REFUSAL => REFUSAL,
        QUEUE_NOTIFICATION => QUEUE_NOTIFICATION,
        _ => return Err(Error::NotFound),
    };
    authorize(actor, right(kind), None)?;
    let found = station.with_registry(|reg| reg.printed_file(application_id, kind, copy))?.ok_or(Error::NotFound)?;
    let path = paths::documents_dir(station.data_dir()?).join(found.year.to_string()).join(&found.file_name);
    let bytes = std::fs::read(&path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let sha256 = kense_domain::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    if sha256 != found.sha256 {
        return Err(Error::Io(format!("{} is not the file that was filed", path.display())));
    }
    Ok(Printed {
        path: path.display().to_string(),
        kind,
        copy,
        sha256,
        verification: found.verification,
        opened: false,
        printer: None,
    })
}
