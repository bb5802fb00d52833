//! The seeds kept in `tests/corpus/<target>/` (see its README): what a
//! seed's file name promises, and the replay that holds it to that.

use std::path::Path;

use proptest::prelude::*;

/// What a seed's file name promises about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// `accept-*`: the loader accepts it.
    Accept,
    /// `refuse-*`: the loader refuses it with its own error.
    Refuse,
    /// `valid-*`: a QR text that verifies as valid against [`CORPUS_KEY`].
    Valid,
    /// `forged-*`: a QR text that reads as ours but does not verify.
    Forged,
}

#[derive(Debug, Clone)]
pub(crate) struct Seed {
    name: String,
    pub(crate) text: String,
    pub(crate) expect: Expect,
}

pub(crate) fn corpus(target: &str) -> Vec<Seed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(target);
    let mut seeds: Vec<Seed> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let expect = match name.split('-').next() {
                Some("accept") => Expect::Accept,
                Some("refuse") => Expect::Refuse,
                Some("valid") => Expect::Valid,
                Some("forged") => Expect::Forged,
                _ => panic!("{}: a seed's name starts with accept-, refuse-, valid- or forged-", path.display()),
            };
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Seed { name, text, expect }
        })
        .collect();
    assert!(!seeds.is_empty(), "{}: empty corpus", dir.display());
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    seeds
}

/// Checks every seed of a target: it keeps its promise and passes the
/// target's property.
pub(crate) fn replay(target: &str, check: impl Fn(&Seed) -> Result<(), TestCaseError>) {
    for seed in corpus(target) {
        if let Err(e) = check(&seed) {
            panic!("tests/corpus/{target}/{}: {e}", seed.name);
        }
    }
}

pub(crate) fn promised(seed: &Seed, accepted: bool) -> Result<(), TestCaseError> {
    match seed.expect {
        Expect::Accept | Expect::Valid | Expect::Forged => prop_assert!(accepted, "refused, but named as accepted"),
        Expect::Refuse => prop_assert!(!accepted, "accepted, but named as refused"),
    }
    Ok(())
}
