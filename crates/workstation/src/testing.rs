//! Test support: a desk with an office and one application of the property
//! certificate service (three result forms) assigned to an executor, as the
//! result and signing tests start from.

use kense_domain::access::{Actor, Role};
use kense_domain::application::{ApplicationDraft, NewApplication};
use kense_domain::catalog::Channel;
use kense_domain::user::NewUser;
use kense_domain::workflow::{Command, Status};
use kense_storage::Due;

use crate::{clock, Workstation};

pub const PW: &str = "құпия сөз 2026";

/// The people of the office the helper sets up.
pub struct Staff {
    /// The administrator, also the clerk.
    pub clerk: Actor,
    pub head: Actor,
    pub executor: Actor,
}

/// A fresh desk in `dir` with the application assigned (`WithExecutor`);
/// the head is named `head_name`.
pub fn assigned(dir: &std::path::Path, head_name: &str) -> (Workstation, Staff, i64) {
    let _ = std::fs::remove_dir_all(dir);
    let station = Workstation::start(Ok(dir.to_path_buf()), false);
    let now = clock::now();
    let (staff, id) = station
        .with_registry(|r| {
            let admin = NewUser::validate("admin", "Әкімші Бақыт", vec![Role::Administrator, Role::Clerk])?;
            let clerk = r.create_first_administrator(&admin, PW, PW, now)?;
            let mut add = |login: &str, name: &str, role: Role| {
                r.create_user(&clerk, &NewUser::validate(login, name, vec![role])?, PW, PW, now)?;
                r.log_in(login, PW, now)
            };
            let head = add("head", head_name, Role::Head)?;
            let executor = add("exec", "Орындаушы Гүлнар", Role::Executor)?;
            let draft = ApplicationDraft {
                service_code: "minors_property_certificate".into(),
                channel: Some(Channel::StateCorporation),
                applicant_iin: "900101300007".into(),
                applicant_name: "Мүлік Иесі".into(),
                applicant_phone: "+7 701 000 11 22".into(),
                child_iin: "150315500015".into(),
                child_name: "Бала Әлихан".into(),
                child_birth_date: "2015-03-15".into(),
                documents: vec!["application".into(), "identity_document".into()],
                consent: true,
                ..Default::default()
            };
            let app = NewApplication::validate(&draft, &r.catalog()?.1, now.date_naive())?;
            let id = r.register_application(&clerk, &app, Due::default(), now)?.id;
            r.take_step(&clerk, id, Status::Accepted, &Command::SendToHead, Due::default(), now)?;
            let assign = Command::AssignExecutor { executor_id: executor.user_id };
            r.take_step(&head, id, Status::WithHead, &assign, Due::default(), now)?;
            Ok((Staff { clerk, head, executor }, id))
        })
        .expect("an office with an assigned application");
    (station, staff, id)
}
