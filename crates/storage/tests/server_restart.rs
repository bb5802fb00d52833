//! The office server stops and comes back in the middle of the day: the
//! desk's next write is refused with a clear error (nothing half-written),
//! the desk reconnects by itself once the server is back, and a
//! registration whose answer was lost with the connection, sent again, is
//! found rather than made twice. A binary of its own: the cluster is shared
//! and every other test must not see it stop.

#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use kense_domain::access::Role;
use kense_domain::user::NewUser;
use kense_domain::{Error, Lang};
use kense_storage::{Due, Registry};

mod common;

use common::engine::{fresh_database, psql};
use common::{application, now, CATALOG, PASSWORD};

fn pg_ctl(action: &str) {
    let bin = std::env::var("KENSE_TEST_PG_BIN").expect("KENSE_TEST_PG_BIN");
    let data = std::env::var("KENSE_TEST_PG_DATA").expect("KENSE_TEST_PG_DATA");
    let log = format!("{data}/../server.log");
    let pg_ctl = format!("{bin}/pg_ctl");
    let mut args = vec![pg_ctl.as_str(), "-D", &data, "-w", "-t", "60", "-l", &log, action];
    if action == "stop" {
        args.extend(["-m", "fast"]);
    }
    // The cluster runs as `postgres` when the tests run as root.
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    let status = if root {
        Command::new("runuser").args(["-u", "postgres", "--"]).args(&args).status()
    } else {
        Command::new(args[0]).args(&args[1..]).status()
    }
    .expect("pg_ctl");
    assert!(status.success(), "pg_ctl {action}");
}

#[test]
fn a_server_restart_is_a_clear_error_and_then_work_goes_on_without_loss() {
    let settings = fresh_database();
    let mut r = Registry::open_server(&settings).unwrap();
    r.seal_after_upgrade(now()).unwrap();
    r.install_catalog(CATALOG, now()).unwrap();
    let user = NewUser::validate("clerk", "Тіркеуші", vec![Role::Administrator, Role::Clerk]).unwrap();
    let clerk = r.create_first_administrator(&user, PASSWORD, PASSWORD, now()).unwrap();
    let mut first = application(0);
    first.request_id = Some("before-the-restart".into());
    let before = r.register_application(&clerk, &first, Due::default(), now()).unwrap();

    pg_ctl("stop");
    let refused = r.register_application(&clerk, &application(1), Due::default(), now());
    let server_back = std::panic::catch_unwind(|| pg_ctl("start"));
    assert!(server_back.is_ok(), "the cluster must come back for the other tests");
    let e = refused.expect_err("nothing can be written while the server is away");
    assert_eq!(e, Error::ServerUnreachable);
    assert!(e.message(Lang::Kk).contains("Кеңсе серверіне қосылу жоқ"), "{}", e.message(Lang::Kk));
    assert!(e.message(Lang::Ru).contains("Нет связи с сервером"), "{}", e.message(Lang::Ru));

    // The same desk goes on by itself once the server answers again.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut second = application(1);
    second.request_id = Some("after-the-restart".into());
    let after = loop {
        match r.register_application(&clerk, &second, Due::default(), now()) {
            Ok(reg) => break reg,
            Err(Error::ServerUnreachable) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(300))
            }
            Err(e) => panic!("after the restart: {e:?}"),
        }
    };
    assert_eq!(after.number, "01-2026-00002", "the refused attempt took no number");
    assert!(!after.repeated);

    // The answer to a registration lost with the connection: sending the
    // same request again finds the one that committed.
    let again = r.register_application(&clerk, &first, Due::default(), now()).unwrap();
    assert_eq!((again.id, again.number.as_str(), again.repeated), (before.id, before.number.as_str(), true));
    assert_eq!(psql(&settings.database, "SELECT COUNT(*) FROM applications"), "2");
    let evidence = r.verify_evidence(&mut |_| true).unwrap();
    assert!(evidence.holds(), "{evidence:?}");
}
