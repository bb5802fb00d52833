//! How a property runs: CI-sized case counts that `KENSE_FUZZ_CASES`
//! replaces, no regression files, bounded shrinking, and a runner for the
//! targets that replay their corpus before they generate.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// No regression files in the source tree; bounded shrinking so that a
/// failure on the 230 KB catalog is reported in reasonable time.
pub(crate) fn config(cases: u32) -> Config {
    Config { cases: fuzz_cases(cases), failure_persistence: None, max_shrink_iters: 512, ..Config::default() }
}

/// `KENSE_FUZZ_CASES` replaces every property's CI-sized case count.
fn fuzz_cases(ci: u32) -> u32 {
    match std::env::var("KENSE_FUZZ_CASES") {
        Ok(n) => n.trim().parse().unwrap_or_else(|_| panic!("KENSE_FUZZ_CASES={n:?} is not a number")),
        Err(_) => ci,
    }
}

/// Runs a property outside the `proptest!` macro, so that a target can
/// replay its corpus first.
pub(crate) fn run<S: Strategy>(ci_cases: u32, strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(config(ci_cases));
    if let Err(e) = runner.run(&strategy, property) {
        panic!("{e}");
    }
}
