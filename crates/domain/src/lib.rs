//! The Kense domain: the rules of a district education office's registry.
//!
//! This crate owns what is true regardless of where data is kept or how it is
//! shown: identification numbers, the service catalog's shape, what makes an
//! application complete, who may do what, the audit chain's hashing, and the
//! vocabulary of errors a person reads (in Kazakh and Russian).
//!
//! Invariant: no I/O, no clock, no tauri, no SQL. Time comes in as an argument;
//! bytes come in as `&str`. `cargo test -p kense-domain` needs nothing but Rust.

pub mod access;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod catalog_edit;
pub mod deadline;
pub mod error;
pub mod iin;
pub mod import;
pub mod lang;
pub mod office;
pub mod queue;
pub mod reasons;
pub mod result_fields;
pub mod survey;
pub mod user;
pub mod verification;
pub mod workflow;

pub use error::{BackupFault, Error, Field};
pub use lang::{Bilingual, Lang};
