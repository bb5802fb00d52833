//! Accounts and log-in: Argon2id password hashes, lock-out with back-off,
//! and an audit event for every log-in, failure and log-out.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, FixedOffset};
use kense_domain::access::{Action, Actor, Role};
use kense_domain::user::{check_new_password, login_name, NewUser};
use kense_domain::Error;
use password_hash::rand_core::OsRng;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::audit::{append, Entry};
use crate::{db_err, timestamp, Registry};

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

/// Inserts an account and its audit event inside the caller's transaction.
/// `actor_id` is `None` for the first account, which is its own actor.
fn insert_user(
    tx: &rusqlite::Transaction<'_>,
    user: &NewUser,
    hash: &str,
    at: &str,
    actor_id: Option<i64>,
    role: &str,
    reason: Option<&str>,
) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO users (login, full_name, password_hash, roles, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![user.login, user.full_name, hash, roles_text(&user.roles), at],
    )
    .map_err(db_err)?;
    let id = tx.last_insert_rowid();
    append(
        tx,
        Entry {
            at,
            actor_id: Some(actor_id.unwrap_or(id)),
            actor_role: Some(role),
            action: "create_user",
            entity: "user",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(
                serde_json::json!({"login": user.login, "full_name": user.full_name, "roles": roles_text(&user.roles)})
                    .to_string(),
            ),
            reason: reason.map(str::to_owned),
        },
    )?;
    Ok(id)
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
}

/// Checks that `login` and `password` belong to an active administrator of
/// the registry on `conn` (a staged backup, opened read-only): restoring
/// without a working registry is authorized by the file being restored.
/// Nothing can be written there, so failures are not counted; the caller
/// limits the attempts.
pub(crate) fn administrator_of(conn: &Connection, login: &str, password: &str) -> Result<Actor, Error> {
    let login = login_name(login).map_err(|_| Error::BadCredentials)?;
    if password.is_empty() {
        return Err(Error::BadCredentials);
    }
    let row: Option<(i64, String, String, String, bool)> = conn
        .query_row("SELECT id, full_name, password_hash, roles, active FROM users WHERE login = ?1", [&login], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .map_err(db_err)?;
    let Some((id, full_name, hash, roles, active)) = row else {
        let _ = password_matches(password, dummy_hash());
        return Err(Error::BadCredentials);
    };
    if !active || !password_matches(password, &hash) {
        return Err(Error::BadCredentials);
    }
    let roles = parse_roles(&roles);
    if !roles.contains(&Role::Administrator) {
        return Err(Error::Forbidden);
    }
    Ok(Actor { user_id: id, login, full_name, roles })
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
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let taken: bool = tx
            .query_row("SELECT EXISTS (SELECT 1 FROM users WHERE login = ?1)", [&user.login], |r| r.get(0))
            .map_err(db_err)?;
        if taken {
            return Err(Error::LoginTaken);
        }
        let id = insert_user(&tx, user, &hash, &at, Some(actor.user_id), role, None)?;
        tx.commit().map_err(db_err)?;
        Ok(UserSummary {
            id,
            login: user.login.clone(),
            full_name: user.full_name.clone(),
            roles: user.roles.clone(),
            active: true,
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
        let mut stmt = self
            .conn
            .prepare("SELECT id, login, full_name, roles, active FROM users ORDER BY full_name")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(UserSummary {
                    id: r.get(0)?,
                    login: r.get(1)?,
                    full_name: r.get(2)?,
                    roles: parse_roles(&r.get::<_, String>(3)?),
                    active: r.get(4)?,
                })
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(rows.into_iter().filter(|u| role.is_none_or(|r| u.roles.contains(&r))).collect())
    }

    pub fn has_users(&self) -> Result<bool, Error> {
        self.conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0)).map_err(db_err)
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
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        // Checked again inside the write lock: two windows racing through
        // first run must not both succeed.
        let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0)).map_err(db_err)?;
        if exists {
            return Err(Error::AlreadyInitialised);
        }
        // The first account records itself as the actor: nobody else exists.
        let id = insert_user(&tx, user, &hash, &at, None, Role::Administrator.code(), Some("first run"))?;
        tx.commit().map_err(db_err)?;
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
        type Row = (i64, String, String, String, i64, Option<String>, bool);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT id, full_name, password_hash, roles, failed_attempts, locked_until, active FROM users WHERE login = ?1",
                [&login],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()
            .map_err(db_err)?;
        let at = timestamp(now);
        let Some((id, full_name, hash, roles, failed, locked_until, active)) = row else {
            // Spend the same time as a real check so that timing does not
            // tell which logins exist.
            let _ = password_matches(password, dummy_hash());
            self.audit_only("login_failed", None, "user", None, &at)?;
            return Err(Error::BadCredentials);
        };
        if let Some(until) = locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok()) {
            if until > now {
                let minutes = (until - now).num_minutes() + 1;
                self.audit_only("login_refused_locked", Some(id), "user", Some(id.to_string()), &at)?;
                return Err(Error::AccountLocked { minutes });
            }
        }
        if !active || !password_matches(password, &hash) {
            let failed = failed + 1;
            let lock = lock_minutes(failed);
            let until = lock.map(|m| timestamp(now + Duration::minutes(m)));
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
            tx.execute(
                "UPDATE users SET failed_attempts = ?1, locked_until = ?2 WHERE id = ?3",
                params![failed, until, id],
            )
            .map_err(db_err)?;
            append(
                &tx,
                Entry {
                    at: &at,
                    actor_id: Some(id),
                    actor_role: None,
                    action: "login_failed",
                    entity: "user",
                    entity_id: Some(id.to_string()),
                    before: None,
                    after: Some(serde_json::json!({"failed_attempts": failed, "locked_until": until}).to_string()),
                    reason: None,
                },
            )?;
            tx.commit().map_err(db_err)?;
            return Err(match lock {
                Some(minutes) => Error::AccountLocked { minutes },
                None => Error::BadCredentials,
            });
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        tx.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", [id]).map_err(db_err)?;
        append(
            &tx,
            Entry {
                at: &at,
                actor_id: Some(id),
                actor_role: None,
                action: "login",
                entity: "user",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)?;
        Ok(Actor { user_id: id, login, full_name, roles: parse_roles(&roles) })
    }

    pub fn log_out(&mut self, actor: &Actor, now: DateTime<FixedOffset>) -> Result<(), Error> {
        self.audit_only("logout", Some(actor.user_id), "user", Some(actor.user_id.to_string()), &timestamp(now))
    }

    /// An event that changes nothing else: a failed or refused log-in, a
    /// log-out, a denied action, a view of personal data.
    pub(crate) fn audit_only(
        &mut self,
        action: &str,
        actor_id: Option<i64>,
        entity: &str,
        entity_id: Option<String>,
        at: &str,
    ) -> Result<(), Error> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        append(
            &tx,
            Entry {
                at,
                actor_id,
                actor_role: None,
                action,
                entity,
                entity_id,
                before: None,
                after: None,
                reason: None,
            },
        )?;
        tx.commit().map_err(db_err)
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
