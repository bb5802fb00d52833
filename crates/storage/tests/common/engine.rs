//! Which engine the engine-neutral tests run on: SQLite by default, the
//! office server when `KENSE_TEST_ENGINE=postgres` (the README's test
//! command runs those tests once more so, against the throwaway cluster
//! `scripts/pg-cluster` starts). One suite, two engines: no copied tests.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use kense_storage::{Registry, ServerSettings};

pub fn on_server() -> bool {
    std::env::var("KENSE_TEST_ENGINE").as_deref() == Ok("postgres")
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: start the test cluster (scripts/pg-cluster)"))
}

/// The test cluster's owner, on `database`.
pub fn owner(database: &str) -> ServerSettings {
    ServerSettings {
        host: var("KENSE_TEST_PG_HOST"),
        port: var("KENSE_TEST_PG_PORT").parse().expect("port"),
        database: database.to_owned(),
        user: var("KENSE_TEST_PG_OWNER"),
        password: var("KENSE_TEST_PG_OWNER_PASSWORD"),
        certificate_pem: std::fs::read_to_string(var("KENSE_TEST_PG_CERT")).expect("the cluster's certificate"),
    }
}

/// Runs SQL as the owner with `psql` (an outside hand: creating databases,
/// editing rows behind Kense's back).
pub fn psql(database: &str, sql: &str) -> String {
    try_psql(database, sql).unwrap_or_else(|e| panic!("psql {sql}: {e}"))
}

/// As [`psql`], the refusal as an error.
pub fn try_psql(database: &str, sql: &str) -> Result<String, String> {
    try_psql_with(database, sql, &[])
}

fn try_psql_with(database: &str, sql: &str, options: &[&str]) -> Result<String, String> {
    let o = owner(database);
    let out = Command::new("psql")
        .args([
            &format!("host={} port={} user={} dbname={} sslmode=require", o.host, o.port, o.user, o.database),
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
        ])
        .args(options)
        .args(["-c", sql])
        .env("PGPASSWORD", &o.password)
        .output()
        .expect("psql");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A new empty database on the test cluster, set up by its owner, and the
/// workstations' settings for it (each database its own account, so tests
/// running side by side never share one).
pub fn fresh_database() -> ServerSettings {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let name = format!("kense_t{}_{n}", std::process::id());
    psql("postgres", &format!("CREATE DATABASE {name}"));
    let user = format!("desk_{name}");
    let password = "сынақ құпия сөзі 2026".to_owned();
    Registry::set_up_server(&owner(&name), &user, &password).expect("server set-up");
    ServerSettings { user, password, ..owner(&name) }
}

/// Where an engine-neutral test keeps its registry: a file, or a fresh
/// database on the server.
#[derive(Debug, Clone)]
pub enum Place {
    File(std::path::PathBuf),
    Server(ServerSettings),
}

impl Place {
    /// A new place in `dir` (a file) or on the test cluster.
    pub fn new(dir: &Path) -> Place {
        if on_server() {
            Place::Server(fresh_database())
        } else {
            Place::File(dir.join("r.sqlite"))
        }
    }

    /// Opens (again) the registry there, as a workstation does.
    pub fn open(&self) -> Registry {
        match self {
            Place::File(path) => Registry::open(path).expect("open the file"),
            Place::Server(settings) => Registry::open_server(settings).expect("open on the server"),
        }
    }
}

impl Place {
    /// The first value of `query`'s first row, as text, read by an outside
    /// hand (the `sqlite3` tool, or `psql` as the server's owner).
    pub fn read(&self, query: &str) -> String {
        match self {
            Place::File(path) => {
                let conn = rusqlite::Connection::open(path).expect("the file");
                conn.query_row(query, [], |r| r.get::<_, rusqlite::types::Value>(0))
                    .map(|v| match v {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        other => format!("{other:?}"),
                    })
                    .expect(query)
            }
            Place::Server(s) => psql(&s.database, query),
        }
    }

    /// Every row of `query`, each value as text (NULL as `None`).
    pub fn rows(&self, query: &str) -> Vec<Vec<Option<String>>> {
        match self {
            Place::File(path) => {
                let conn = rusqlite::Connection::open(path).expect("the file");
                let mut stmt = conn.prepare(query).expect(query);
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                                rusqlite::types::Value::Null => None,
                                rusqlite::types::Value::Text(t) => Some(t),
                                rusqlite::types::Value::Integer(i) => Some(i.to_string()),
                                other => Some(format!("{other:?}")),
                            })
                        })
                        .collect()
                })
                .expect(query)
                .collect::<Result<_, _>>()
                .expect(query)
            }
            Place::Server(s) => {
                // Fields and rows split by the ASCII separators, NULL marked.
                let out = try_psql_with(&s.database, query, &["-F", "\x1f", "-R", "\x1e", "-P", "null=\x01"])
                    .unwrap_or_else(|e| panic!("{query}: {e}"));
                out.split('\x1e')
                    .filter(|r| !r.is_empty())
                    .map(|r| r.split('\x1f').map(|v| (v != "\x01").then(|| v.to_owned())).collect())
                    .collect()
            }
        }
    }

    /// Whether an outside hand's `statement` is refused.
    pub fn refuses(&self, statement: &str) -> bool {
        match self {
            Place::File(path) => rusqlite::Connection::open(path).expect("the file").execute(statement, []).is_err(),
            Place::Server(s) => try_psql(&s.database, statement).is_err(),
        }
    }
}

/// A registry for an engine-neutral test in `dir` (see [`Place`]).
pub fn open_registry(dir: &Path) -> Registry {
    Place::new(dir).open()
}
