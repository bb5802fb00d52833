//! Accounts and log-in: Argon2id password hashes, lock-out with back-off,
//! and an audit event for every log-in, failure and log-out.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, FixedOffset};
use kense_domain::access::{Action, Actor, Role};
use kense_domain::user::{check_new_password, login_name, NewUser};
use kense_domain::Error;
use password_hash::rand_core::OsRng;

use crate::audit::Event;
use crate::sql::{args, Db, FromRow, Row, Tx};
use crate::{timestamp, Registry};

/// Failures allowed before the account locks; each further failure doubles
/// the lock, up to an hour.
const FREE_ATTEMPTS: i64 = 5;
const MAX_LOCK_MINUTES: i64 = 60;

fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    // Argon2::default() is Argon2id v19, m = 19 MiB, t = 2, p = 1: OWASP's minimum.
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("password hashing failed: {e}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A real hash to verify against when the login does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such account").unwrap_or_default())
}

fn lock_minutes(failed_attempts: i64) -> Option<i64> {
    let over = failed_attempts - FREE_ATTEMPTS;
    (over >= 0).then(|| (1i64 << over.min(6)).min(MAX_LOCK_MINUTES))
}

/// Inserts an account inside the caller's transaction; its id and the
/// audit event that records it come back. `actor_id` is `None` for the
/// first account, which is its own actor.
fn insert_user(
    tx: &Tx<'_>,
    user: &NewUser,
    hash: &str,
    at: &str,
    actor_id: Option<i64>,
    role: &'static str,
    reason: Option<&str>,
) -> Result<(i64, Event), Error> {
    let id: i64 = tx.value(
        "INSERT INTO users (login, full_name, password_hash, roles, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         RETURNING id",
        args![user.login, user.full_name, hash, roles_text(&user.roles), at],
    )?;
    let after = serde_json::json!({"login": user.login, "full_name": user.full_name, "roles": roles_text(&user.roles)});
    let event = Event::new("create_user", "user")
        .by(actor_id.unwrap_or(id), Some(role))
        .id(id)
        .after(after.to_string())
        .reason_opt(reason.map(str::to_owned));
    Ok((id, event))
}

fn parse_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(Role::parse).collect()
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// An account as the administrator and the head see it (never its hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserSummary {
    pub id: i64,
    pub login: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    /// The IIN a certificate must name to sign as this person.
    pub iin: Option<String>,
}

/// Checks that `login` and `password` belong to an active administrator of
/// the registry in `db` (a staged backup, opened read-only): restoring
/// without a working registry is authorized by the file being restored.
/// Nothing can be written there, so failures are not counted; the caller
/// limits the attempts.
pub(crate) fn administrator_of(db: &Db, login: &str, password: &str) -> Result<Actor, Error> {
    let login = login_name(login).map_err(|_| Error::BadCredentials)?;
    if password.is_empty() {
        return Err(Error::BadCredentials);
    }
    let Some(account) = account(db, &login)? else {
        let _ = password_matches(password, dummy_hash());
        return Err(Error::BadCredentials);
    };
    if !account.active || !password_matches(password, &account.hash) {
        return Err(Error::BadCredentials);
    }
    if !account.roles.contains(&Role::Administrator) {
        return Err(Error::Forbidden);
    }
    Ok(Actor { user_id: account.id, login, full_name: account.full_name, roles: account.roles })
}

/// An account as log-in reads it.
struct Account {
    id: i64,
    full_name: String,
    hash: String,
    roles: Vec<Role>,
    failed_attempts: i64,
    locked_until: Option<String>,
    active: bool,
}

fn account(db: &Db, login: &str) -> Result<Option<Account>, Error> {
    let row = db.query_opt(
        "SELECT id, full_name, password_hash, roles, failed_attempts, locked_until, active FROM users WHERE login = ?1",
        args![login],
    )?;
    row.map(|r| {
        Ok(Account {
            id: r.get("id")?,
            full_name: r.get("full_name")?,
            hash: r.get("password_hash")?,
            roles: parse_roles(&r.get::<String>("roles")?),
            failed_attempts: r.get("failed_attempts")?,
            locked_until: r.get("locked_until")?,
            active: r.get("active")?,
        })
    })
    .transpose()
}

impl FromRow for UserSummary {
    fn from_row(r: &Row) -> Result<UserSummary, Error> {
        Ok(UserSummary {
            id: r.get("id")?,
            login: r.get("login")?,
            full_name: r.get("full_name")?,
            roles: parse_roles(&r.get::<String>("roles")?),
            active: r.get("active")?,
            iin: r.get("iin")?,
        })
    }
}

impl Registry {
    /// A new account, created by an administrator.
    pub fn create_user(
        &mut self,
        actor: &Actor,
        user: &NewUser,
        password: &str,
        repeat: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<UserSummary, Error> {
        let at = timestamp(now);
        let role = self.authorize_plain(actor, Action::ManageUsers, "create_user", &at)?;
        if user.roles.is_empty() {
            return Err(Error::Required(kense_domain::Field::Roles));
        }
        check_new_password(password, repeat)?;
        let hash = hash_password(password)?;
        let id = self.db.audited(&at, |tx| {
            let taken: bool =
                tx.value("SELECT EXISTS (SELECT 1 FROM users WHERE login = ?1) AS taken", args![user.login])?;
            if taken {
                return Err(Error::LoginTaken);
            }
            insert_user(tx, user, &hash, &at, Some(actor.user_id), role, None)
        })?;
        Ok(UserSummary {
            id,
            login: user.login.clone(),
            full_name: user.full_name.clone(),
            roles: user.roles.clone(),
            active: true,
            iin: None,
        })
    }

    /// Every account, for the administrator.
    pub fn users(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<UserSummary>, Error> {
        self.authorize_plain(actor, Action::ManageUsers, "users", &timestamp(now))?;
        self.user_rows(None)
    }

    /// Active executors, for the head who assigns work.
    pub fn executors(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<Vec<UserSummary>, Error> {
        self.authorize_plain(actor, Action::ViewApplications, "executors", &timestamp(now))?;
        Ok(self.user_rows(Some(Role::Executor))?.into_iter().filter(|u| u.active).collect())
    }

    fn user_rows(&self, role: Option<Role>) -> Result<Vec<UserSummary>, Error> {
        let rows: Vec<UserSummary> = self
            .db
            .query_as("SELECT id, login, full_name, roles, active, iin FROM users ORDER BY full_name", args![])?;
        Ok(rows.into_iter().filter(|u| role.is_none_or(|r| u.roles.contains(&r))).collect())
    }

    pub fn has_users(&self) -> Result<bool, Error> {
        self.db.value("SELECT EXISTS (SELECT 1 FROM users) AS any", args![])
    }

    /// The first-run account. Refused once any account exists, so the
    /// first-run screen cannot be replayed to take over an office.
    pub fn create_first_administrator(
        &mut self,
        user: &NewUser,
        password: &str,
        repeat: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Actor, Error> {
        if !user.roles.contains(&Role::Administrator) {
            return Err(Error::Forbidden);
        }
        check_new_password(password, repeat)?;
        if self.has_users()? {
            return Err(Error::AlreadyInitialised);
        }
        let hash = hash_password(password)?;
        let at = timestamp(now);
        let id = self.db.audited(&at, |tx| {
            // Checked again inside the write lock: two windows racing through
            // first run must not both succeed.
            let exists: bool = tx.value("SELECT EXISTS (SELECT 1 FROM users) AS any", args![])?;
            if exists {
                return Err(Error::AlreadyInitialised);
            }
            // The first account records itself as the actor: nobody else exists.
            insert_user(tx, user, &hash, &at, None, Role::Administrator.code(), Some("first run"))
        })?;
        Ok(Actor {
            user_id: id,
            login: user.login.clone(),
            full_name: user.full_name.clone(),
            roles: user.roles.clone(),
        })
    }

    /// Checks a log-in. Wrong passwords count towards a lock; a locked
    /// account is refused without looking at the password.
    pub fn log_in(&mut self, login: &str, password: &str, now: DateTime<FixedOffset>) -> Result<Actor, Error> {
        let login = login_name(login).map_err(|_| Error::BadCredentials)?;
        if password.is_empty() {
            return Err(Error::BadCredentials);
        }
        let at = timestamp(now);
        let Some(account) = account(&self.db, &login)? else {
            // Spend the same time as a real check so that timing does not
            // tell which logins exist.
            let _ = password_matches(password, dummy_hash());
            self.db.record(&at, Event::new("login_failed", "user"))?;
            return Err(Error::BadCredentials);
        };
        let id = account.id;
        if let Some(until) = account.locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok()) {
            if until > now {
                let minutes = (until - now).num_minutes() + 1;
                self.db.record(&at, Event::new("login_refused_locked", "user").by(id, None).id(id))?;
                return Err(Error::AccountLocked { minutes });
            }
        }
        if !account.active || !password_matches(password, &account.hash) {
            let failed = account.failed_attempts + 1;
            let lock = lock_minutes(failed);
            let until = lock.map(|m| timestamp(now + Duration::minutes(m)));
            self.db.audited(&at, |tx| {
                tx.execute(
                    "UPDATE users SET failed_attempts = ?1, locked_until = ?2 WHERE id = ?3",
                    args![failed, until, id],
                )?;
                let after = serde_json::json!({"failed_attempts": failed, "locked_until": until});
                Ok(((), Event::new("login_failed", "user").by(id, None).id(id).after(after.to_string())))
            })?;
            return Err(match lock {
                Some(minutes) => Error::AccountLocked { minutes },
                None => Error::BadCredentials,
            });
        }
        self.db.audited(&at, |tx| {
            tx.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", args![id])?;
            Ok(((), Event::new("login", "user").by(id, None).id(id)))
        })?;
        Ok(Actor { user_id: id, login, full_name: account.full_name, roles: account.roles })
    }

    pub fn log_out(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<(), Error> {
        self.db.record(&timestamp(now), Event::new("logout", "user").by(actor.user_id, None).id(actor.user_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_backs_off_and_caps() {
        assert_eq!(lock_minutes(4), None);
        assert_eq!(lock_minutes(5), Some(1));
        assert_eq!(lock_minutes(6), Some(2));
        assert_eq!(lock_minutes(8), Some(8));
        assert_eq!(lock_minutes(50), Some(MAX_LOCK_MINUTES));
    }
}
