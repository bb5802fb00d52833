//! The office server: the registry in a PostgreSQL database that every
//! workstation of the office connects to.
//!
//! The client is the synchronous `postgres` crate, which runs its own small
//! runtime and blocks on it. Blocking on a runtime from inside another one
//! panics, and Tauri runs command bodies inside its tokio runtime, so the
//! connection lives on a thread of its own: callers send a statement with
//! owned values over a channel and wait for the owned rows on a plain
//! channel, which never touches a runtime. The same holds for tests, the
//! backup schedule's thread and anything else that calls the registry.
//!
//! TLS is required (`sslmode=require`, rustls): the server is accepted when
//! its certificate is the one the office configured (a self-signed server
//! certificate is the usual case in an office), or when it chains to that
//! certificate as a CA and names the host.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::{Row, SqlError, Value};
use crate::watch::Signal;

/// Where the office server is and how this workstation logs in to it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: String,
    /// The server's certificate (or the CA that signed it), PEM.
    pub certificate_pem: String,
}

impl std::fmt::Debug for ServerSettings {
    // The password never reaches a log line, not even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// How long a connection attempt may take before the server counts as
/// unreachable: a desk must say so quickly rather than hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

enum Request {
    Execute(String, Vec<Value>),
    Query(String, Vec<Value>),
    Script(String),
}

enum Reply {
    Changed(usize),
    Rows(Vec<Row>),
    Done,
}

/// A request and where its answer goes.
type Asked = (Request, mpsc::Sender<Result<Reply, SqlError>>);

/// A connection to the office server, held by a thread of its own.
pub(crate) struct PgDb {
    requests: Mutex<mpsc::Sender<Asked>>,
    /// Set when the server refused a statement as a collision (a
    /// serialization failure or a deadlock): the transaction is worth
    /// running again. Taken by [`super::Db::transaction`].
    collided: AtomicBool,
}

impl PgDb {
    /// Connects (checking the server's certificate and the password) and
    /// starts the connection's thread.
    pub(crate) fn connect(settings: &ServerSettings) -> Result<PgDb, SqlError> {
        let (tx, rx) = mpsc::channel::<Asked>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), SqlError>>();
        let settings = settings.clone();
        std::thread::Builder::new()
            .name("kense-registry".into())
            .spawn(move || {
                // The first connection is made here too, not on the caller's
                // thread: the synchronous client starts a runtime of its own,
                // which panics on a thread of Tauri's async runtime (a command
                // joining the office server, or opening it again).
                match connect(&settings) {
                    Ok(client) => {
                        let _ = ready_tx.send(Ok(()));
                        serve(client, settings, rx)
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| SqlError::Io(format!("registry thread: {e}")))?;
        ready_rx.recv().map_err(|_| SqlError::Lost("registry thread stopped".into()))??;
        Ok(PgDb { requests: Mutex::new(tx), collided: AtomicBool::new(false) })
    }

    fn ask(&self, request: Request) -> Result<Reply, SqlError> {
        let (reply_tx, reply_rx) = mpsc::channel();
        self.requests
            .lock()
            .map_err(|_| SqlError::Lost("registry thread stopped".into()))?
            .send((request, reply_tx))
            .map_err(|_| SqlError::Lost("registry thread stopped".into()))?;
        let reply = reply_rx.recv().map_err(|_| SqlError::Lost("registry thread stopped".into()))?;
        if let Err(SqlError::Retry(_)) = &reply {
            self.collided.store(true, Ordering::SeqCst);
        }
        reply
    }

    /// Whether a statement collided since the last call.
    pub(crate) fn take_collision(&self) -> bool {
        self.collided.swap(false, Ordering::SeqCst)
    }

    pub(crate) fn execute(&self, sql: &str, args: Vec<Value>) -> Result<usize, SqlError> {
        match self.ask(Request::Execute(placeholders(sql), args))? {
            Reply::Changed(n) => Ok(n),
            _ => Ok(0),
        }
    }

    pub(crate) fn execute_script(&self, sql: &str) -> Result<(), SqlError> {
        self.ask(Request::Script(sql.to_owned())).map(|_| ())
    }

    pub(crate) fn query(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, SqlError> {
        match self.ask(Request::Query(placeholders(sql), args))? {
            Reply::Rows(rows) => Ok(rows),
            _ => Ok(Vec::new()),
        }
    }
}

/// The connection's thread: answers requests in order. A lost connection
/// is reported for the request that found it, and the next request tries to
/// connect again, so a desk comes back by itself once the server does.
fn serve(client: postgres::Client, settings: ServerSettings, requests: mpsc::Receiver<Asked>) {
    let mut client = Some(client);
    let mut statements: HashMap<String, postgres::Statement> = HashMap::new();
    for (request, reply) in requests {
        if client.as_ref().is_none_or(postgres::Client::is_closed) {
            statements.clear();
            client = match connect(&settings) {
                Ok(c) => Some(c),
                Err(e) => {
                    let _ = reply.send(Err(e));
                    continue;
                }
            };
        }
        let Some(c) = client.as_mut() else { continue };
        let answer = run(c, &mut statements, request);
        if let Err(SqlError::Lost(_)) = &answer {
            client = None;
        }
        let _ = reply.send(answer);
    }
}

fn run(
    client: &mut postgres::Client,
    statements: &mut HashMap<String, postgres::Statement>,
    request: Request,
) -> Result<Reply, SqlError> {
    match request {
        Request::Script(sql) => client.batch_execute(&sql).map(|()| Reply::Done).map_err(pg_error),
        Request::Execute(sql, args) if args.is_empty() && is_control(&sql) => {
            client.batch_execute(&sql).map(|()| Reply::Changed(0)).map_err(pg_error)
        }
        Request::Execute(sql, args) => {
            let stmt = prepared(client, statements, &sql)?;
            let binds: Vec<Bind<'_>> = args.iter().map(Bind).collect();
            let params: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
            let n = client.execute(&stmt, &params).map_err(pg_error)?;
            Ok(Reply::Changed(usize::try_from(n).unwrap_or(usize::MAX)))
        }
        Request::Query(sql, args) => {
            let stmt = prepared(client, statements, &sql)?;
            let binds: Vec<Bind<'_>> = args.iter().map(Bind).collect();
            let params: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
            let rows = client.query(&stmt, &params).map_err(pg_error)?;
            let columns: Arc<[String]> = stmt.columns().iter().map(|c| c.name().to_owned()).collect();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let mut values = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    values.push(r.try_get::<_, Cell>(i).map_err(pg_error)?.0);
                }
                out.push(Row::new(columns.clone(), values));
            }
            Ok(Reply::Rows(out))
        }
    }
}

/// Transaction control goes through the simple protocol: nothing to prepare.
fn is_control(sql: &str) -> bool {
    let head = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    matches!(head.as_str(), "BEGIN" | "COMMIT" | "ROLLBACK" | "SET" | "LISTEN")
}

fn prepared(
    client: &mut postgres::Client,
    statements: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement, SqlError> {
    if let Some(s) = statements.get(sql) {
        return Ok(s.clone());
    }
    let stmt = client.prepare(sql).map_err(pg_error)?;
    statements.insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

fn connect(settings: &ServerSettings) -> Result<postgres::Client, SqlError> {
    connect_with(settings, |_| {})
}

/// Connects with the office's TLS and password settings; `tune` may adjust
/// the connection's options (the watcher's quicker keepalives).
fn connect_with(
    settings: &ServerSettings,
    tune: impl FnOnce(&mut postgres::Config),
) -> Result<postgres::Client, SqlError> {
    let verifier = Arc::new(ServerCertificate::from_pem(&settings.certificate_pem)?);
    let config = rustls::ClientConfig::builder_with_provider(verifier.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SqlError::Io(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
    let mut cfg = postgres::Config::new();
    cfg.host(&settings.host)
        .port(settings.port)
        .dbname(&settings.database)
        .user(&settings.user)
        .password(&settings.password)
        .application_name("kense")
        .ssl_mode(postgres::config::SslMode::Require)
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30));
    tune(&mut cfg);
    cfg.connect(tls).map_err(pg_error)
}

/// How often the watcher looks up when nothing was heard: the longest a
/// desk waits for a change when notifications are unavailable (polling),
/// and how soon it notices a stop.
const WATCH_TICK: Duration = Duration::from_secs(2);

/// Watches the office server for other desks' writes, on a connection of
/// its own, until `stop` is set: `LISTEN kense` (every audited write
/// notifies on commit), or, where the server refuses to listen (a pooler
/// in transaction mode), the chain head's number every [`WATCH_TICK`]. Tells
/// `on` of every change heard (several at once as one) and of every change
/// of reachability; after the server comes back it tells of a change too,
/// since others may have written meanwhile. Gives up on nothing: an
/// unreachable server is tried again every tick.
pub(crate) fn watch(settings: &ServerSettings, stop: &AtomicBool, on: &mut dyn FnMut(Signal)) {
    let mut reachable: Option<bool> = None;
    let tell = |reachable: &mut Option<bool>, now: bool, on: &mut dyn FnMut(Signal)| {
        if *reachable != Some(now) {
            let came_back = *reachable == Some(false);
            *reachable = Some(now);
            on(Signal::Reachable(now));
            if came_back {
                on(Signal::Changed);
            }
        }
    };
    while !stop.load(Ordering::SeqCst) {
        let mut client = match connect_with(settings, quick_keepalives) {
            Ok(c) => c,
            Err(e) => {
                if reachable != Some(false) {
                    log::warn!("office server not reachable for the watcher: {e}");
                }
                tell(&mut reachable, false, on);
                pause(stop);
                continue;
            }
        };
        tell(&mut reachable, true, on);
        let listening = match client.batch_execute("LISTEN kense") {
            Ok(()) => true,
            Err(e) if e.is_closed() || e.as_db_error().is_none() => {
                tell(&mut reachable, false, on);
                pause(stop);
                continue;
            }
            Err(e) => {
                log::warn!("the office server refused LISTEN ({e}); polling the chain head instead");
                false
            }
        };
        let mut head = None;
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let heard = if listening { notified(&mut client) } else { head_moved(&mut client, &mut head, stop) };
            match heard {
                Ok(true) => on(Signal::Changed),
                Ok(false) => {}
                Err(e) => {
                    log::warn!("the watcher lost the office server: {e}");
                    break;
                }
            }
        }
        tell(&mut reachable, false, on);
    }
}

/// A dead connection is found within seconds, not the system's minutes.
fn quick_keepalives(cfg: &mut postgres::Config) {
    cfg.keepalives_idle(Duration::from_secs(5))
        .keepalives_interval(Duration::from_secs(2))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(10));
}

/// Sleeps a tick, waking early for a stop.
fn pause(stop: &AtomicBool) {
    let until = std::time::Instant::now() + WATCH_TICK;
    while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits up to a tick for notifications; `true` when one (or more) came.
fn notified(client: &mut postgres::Client) -> Result<bool, String> {
    let heard = {
        let mut notes = client.notifications();
        let first = notes.timeout_iter(WATCH_TICK).next().map_err(|e| e.to_string())?;
        if first.is_some() {
            // Others that arrived with it are the same news.
            while let Ok(Some(_)) = notes.iter().next() {}
        }
        first.is_some()
    };
    if !heard && client.is_closed() {
        return Err("connection closed".into());
    }
    Ok(heard)
}

/// The polling fallback: `true` when the chain head moved since the last
/// look past an event that changed something (one that sealed records; a
/// log-in or a view is not news, as for the notifications).
fn head_moved(client: &mut postgres::Client, last: &mut Option<i64>, stop: &AtomicBool) -> Result<bool, String> {
    pause(stop);
    let row = client.query_one("SELECT seq FROM chain_head WHERE id = 1", &[]).map_err(|e| e.to_string())?;
    let seq: i64 = row.try_get(0).map_err(|e| e.to_string())?;
    let moved = match *last {
        Some(l) if l != seq => client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM audit_events WHERE seq > $1 AND seq <= $2 AND records IS NOT NULL)",
                &[&l, &seq],
            )
            .and_then(|r| r.try_get::<_, bool>(0))
            .map_err(|e| e.to_string())?,
        _ => false,
    };
    *last = Some(seq);
    Ok(moved)
}

/// The office's server certificate: accepted as the server's own
/// certificate (pinned), or as the CA that signed the server's certificate
/// for this host name.
#[derive(Debug)]
struct ServerCertificate {
    pinned: CertificateDer<'static>,
    chain: Arc<dyn ServerCertVerifier>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertificate {
    fn from_pem(pem: &str) -> Result<ServerCertificate, SqlError> {
        let bad = |e: String| SqlError::Io(format!("the server's certificate: {e}"));
        let pinned = CertificateDer::pem_slice_iter(pem.as_bytes())
            .next()
            .ok_or_else(|| bad("no certificate in the PEM text".into()))?
            .map_err(|e| bad(e.to_string()))?;
        let provider = Arc::new(ring_provider());
        let mut roots = rustls::RootCertStore::empty();
        // A self-signed end-entity certificate is not a usable root; the pin
        // alone accepts it then.
        let _ = roots.add(pinned.clone());
        let chain: Arc<dyn ServerCertVerifier> = if roots.is_empty() {
            Arc::new(Refuse)
        } else {
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| bad(e.to_string()))?
        };
        Ok(ServerCertificate { pinned, chain, provider })
    }
}

#[allow(deprecated)] // the ring provider without post-quantum key exchange: what every office server offers today
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

impl ServerCertVerifier for ServerCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            return Ok(ServerCertVerified::assertion());
        }
        self.chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// Accepts no chain: only the pinned certificate is trusted.
#[derive(Debug)]
struct Refuse;

impl ServerCertVerifier for Refuse {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("no chain is trusted".into()))
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("no chain is trusted".into()))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        Vec::new()
    }
}

/// `?1`, `?2` … as PostgreSQL writes them (`$1`, `$2` …), outside string
/// literals, quoted names and comments.
pub(crate) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' if chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// A value bound to a parameter, written as the type the server expects
/// there: the schema's integers are `bigint`, but an expression's parameter
/// may be typed otherwise.
#[derive(Debug)]
struct Bind<'a>(&'a Value);

impl ToSql for Bind<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    i.to_string().as_str().to_sql(ty, out)
                }
                _ => Err(format!("an integer cannot be written as {ty}").into()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => Err(format!("a number cannot be written as {ty}").into()),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A value read from a result, whatever the column's type: integers of any
/// width and booleans as integers (as SQLite gives them), text, bytes.
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Cell, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Value::Int(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
            Type::NUMERIC => Value::Int(numeric_integer(raw)?),
            _ => Value::Text(String::from_sql(&Type::TEXT, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Cell, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A `numeric` that holds a whole number (what `SUM` of `bigint` gives), in
/// PostgreSQL's binary form: digit count, weight, sign, scale, then base-10000
/// digits.
fn numeric_integer(raw: &[u8]) -> Result<i64, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn std::error::Error + Sync + Send>> {
        Ok(i16::from_be_bytes([*raw.get(i).ok_or("short numeric")?, *raw.get(i + 1).ok_or("short numeric")?]))
    };
    let (ndigits, weight, sign) = (word(0)?, word(2)?, word(4)? as u16);
    let mut value: i64 = 0;
    for k in 0..ndigits.max(0) as usize {
        let digit = i64::from(word(8 + 2 * k)?);
        let power = i32::from(weight) - k as i32;
        if power < 0 {
            if digit != 0 {
                return Err("a fraction where a whole number was expected".into());
            }
            continue;
        }
        value = value
            .checked_add(
                digit
                    .checked_mul(10_000i64.checked_pow(power as u32).ok_or("numeric too large")?)
                    .ok_or("numeric too large")?,
            )
            .ok_or("numeric too large")?;
    }
    match sign {
        0x0000 => Ok(value),
        0x4000 => Ok(-value),
        _ => Err("not a number".into()),
    }
}

/// Whether the TLS handshake failed on the server's certificate (a person's
/// choice of certificate or host to correct, not a network to wait for).
fn certificate_rejected(e: &postgres::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        let tls = c.downcast_ref::<rustls::Error>().or_else(|| {
            c.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()?.downcast_ref::<rustls::Error>())
        });
        if matches!(tls, Some(rustls::Error::InvalidCertificate(_))) {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Maps the server's answers onto what storage can act on.
fn pg_error(e: postgres::Error) -> SqlError {
    let text = e.to_string();
    if e.is_closed() {
        return SqlError::Lost(text);
    }
    if certificate_rejected(&e) {
        return SqlError::Certificate(text);
    }
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the network, TLS, or a timeout.
        return SqlError::Lost(match std::error::Error::source(&e) {
            Some(cause) => format!("{text}: {cause}"),
            None => text,
        });
    };
    let detail = format!("{}: {}", db.code().code(), db.message());
    match db.code() {
        c if *c == SqlState::UNIQUE_VIOLATION => SqlError::Unique(detail),
        c if c.code().starts_with("23") => SqlError::Constraint(detail),
        c if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            SqlError::Retry(detail)
        }
        c if *c == SqlState::DISK_FULL => SqlError::DiskFull(detail),
        c if *c == SqlState::READ_ONLY_SQL_TRANSACTION => SqlError::ReadOnly(detail),
        c if *c == SqlState::DATA_CORRUPTED || *c == SqlState::INDEX_CORRUPTED => SqlError::Corrupt(detail),
        c if *c == SqlState::INVALID_PASSWORD || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            SqlError::Refused(detail)
        }
        c if c.code().starts_with("08") || c.code().starts_with("57") => SqlError::Lost(detail),
        _ => SqlError::Other(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_dollars_outside_literals() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT a FROM t WHERE a = $1 AND b = $12"
        );
        assert_eq!(placeholders("SELECT '?1', \"?2\" -- ?3\n, ?4"), "SELECT '?1', \"?2\" -- ?3\n, $4");
        assert_eq!(placeholders("SELECT x ? y"), "SELECT x ? y");
    }

    #[test]
    fn whole_numerics_are_read() {
        // 12345678 = 1234·10000 + 5678: two digits, weight 1.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xd2, 0x16, 0x2e];
        assert_eq!(numeric_integer(&raw).unwrap(), 12_345_678);
        let negative = [0, 1, 0, 0, 0x40, 0, 0, 0, 0, 7];
        assert_eq!(numeric_integer(&negative).unwrap(), -7);
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        let s = ServerSettings {
            host: "h".into(),
            port: 5432,
            database: "d".into(),
            user: "u".into(),
            password: "құпия-secret".into(),
            certificate_pem: String::new(),
        };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
