//! Hostile input (the "Hardening" issue): whatever reaches the domain — a
//! broken data file, a forged IPC payload, a pasted IIN — gives a clear
//! error and never a panic, and nothing over the documented limits is ever
//! accepted.
//!
//! cargo-fuzz needs a nightly toolchain, so this is proptest-based fuzzing
//! with bounded case counts: data files are mutated byte by byte and value
//! by value, IPC payloads are random JSON trees and mutated valid ones.
//! Failures are not persisted by proptest; a failing case is printed in full,
//! and an interesting one is kept by hand as a seed in `tests/corpus/<target>/`
//! (see its README), which each target replays before it mutates the seeds.
//!
//! Case counts are sized for CI (a few seconds per target in a debug build);
//! `KENSE_FUZZ_CASES=100000 cargo test -p kense-domain --release --test
//! hostile_input` runs every property that many times.
//!
//! One test binary, so that it links once, with one module per fuzz target;
//! a target with seeds replays `tests/corpus/<target>/` first. The modules
//! listed first are what the targets share: how a property runs (`runner`),
//! the seeds (`corpus`), hostile text (`text`), random JSON in the IPC's
//! vocabulary (`json`) and the mutations of a file (`mutation`).

#[path = "../shipped/mod.rs"]
mod shipped;

mod corpus;
mod json;
mod mutation;
mod runner;
mod text;

mod calendar;
mod catalog;
mod data_files;
mod iin;
mod ipc;
mod queue_rules;
mod reasons;
mod verification;

use kense_domain::{Error, Field, Lang};
use proptest::prelude::*;

/// Every error must read as a message in both languages.
pub(crate) fn check_error(e: &Error) -> Result<(), TestCaseError> {
    prop_assert!(!e.code().is_empty());
    for lang in [Lang::Kk, Lang::Ru] {
        prop_assert!(!e.message(lang).trim().is_empty(), "{e}: empty message");
    }
    let _ = e.field().map(Field::key);
    let _ = e.to_string();
    Ok(())
}

/// A data file's parser refuses with `Error::Catalog`, and that error
/// reads well too.
pub(crate) fn catalog_error<T>(what: &str, r: &Result<T, Error>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(matches!(e, Error::Catalog(_)), "{what}: expected Error::Catalog, got {e:?}");
        check_error(e)?;
    }
    Ok(())
}
