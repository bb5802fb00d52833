//! Accounts: the rules for logins, names and passwords. Hashing lives in
//! storage (it needs the OS random source); the policy lives here.

use crate::access::Role;
use crate::application::required_text;
use crate::error::{Error, Field};

/// NIST SP 800-63B and OWASP ask for at least 8; an office shared by several
/// clerks gets a little more, still typeable at a counter.
pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub full_name: String,
    pub roles: Vec<Role>,
}

impl NewUser {
    pub fn validate(login: &str, full_name: &str, roles: Vec<Role>) -> Result<NewUser, Error> {
        Ok(NewUser { login: login_name(login)?, full_name: required_text(Field::FullName, full_name, 200)?, roles })
    }
}

/// Logins are compared without case, so they are stored lower-case.
pub fn login_name(raw: &str) -> Result<String, Error> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(Error::Required(Field::Login));
    }
    let ok = (3..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !ok {
        return Err(Error::LoginFormat);
    }
    Ok(s)
}

/// Checks a new password and its repetition. Length is counted in characters
/// so that a Kazakh passphrase is not penalised for its UTF-8 size.
pub fn check_new_password(password: &str, repeat: &str) -> Result<(), Error> {
    if password.is_empty() {
        return Err(Error::Required(Field::Password));
    }
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(Error::PasswordTooShort { min: MIN_PASSWORD });
    }
    if n > MAX_PASSWORD {
        return Err(Error::TooLong { field: Field::Password, max: MAX_PASSWORD });
    }
    if password != repeat {
        return Err(Error::PasswordsDiffer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert_eq!(login_name(" Admin ").unwrap(), "admin");
        assert_eq!(login_name("ab"), Err(Error::LoginFormat));
        assert_eq!(login_name("әкімші"), Err(Error::LoginFormat));
        assert_eq!(login_name(""), Err(Error::Required(Field::Login)));
    }

    #[test]
    fn passwords() {
        assert_eq!(check_new_password("short", "short"), Err(Error::PasswordTooShort { min: MIN_PASSWORD }));
        assert_eq!(check_new_password("long enough 1", "long enough 2"), Err(Error::PasswordsDiffer));
        assert!(check_new_password("құпия сөз 2026", "құпия сөз 2026").is_ok());
    }
}
