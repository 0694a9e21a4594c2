//! Where the event database is (`--db`): a `postgres://` or `postgresql://` URL means
//! PostgreSQL, anything else a SQLite file. Opened behind [`EventStore`], alone
//! ([`connect`]) or as the server's [`Pool`]; every message names the location with its
//! password hidden ([`redact_url`]).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::{EventStore, PostgresPool, PostgresStore, SqliteStore, StoreError};

/// A store of either kind, as the callers hold it.
pub type DynStore = dyn EventStore + Send;

/// A `--db` value.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL URL, password and all; printed only through [`redact_url`].
    Postgres(String),
}

impl Location {
    /// Reads a `--db` value: `postgres://...` and `postgresql://...` (any case) are
    /// PostgreSQL, anything else is a SQLite path.
    pub fn parse(db: &str) -> Location {
        let lower = db.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(db.trim().to_owned())
        } else {
            Location::Sqlite(PathBuf::from(db))
        }
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }
}

/// The path, or the URL with its password hidden.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

/// Never shows the password, in `{:?}` either.
impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// A connection URL with the password replaced by `***`, in the user part
/// (`postgres://user:***@host/db`) and in a `password=` parameter.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{host}", &userinfo[..colon]),
                None => authority.to_owned(),
            }
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

/// Opens the store at `location`, bringing its schema up to date.
pub fn connect(location: &Location) -> Result<Box<DynStore>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Box::new(SqliteStore::open(path).map_err(|err| match err {
            StoreError::Sqlite(err) => {
                StoreError::Open { location: location.to_string(), message: err.to_string() }
            }
            other => other,
        })?),
        Location::Postgres(url) => Box::new(PostgresStore::connect(url)?),
    })
}

/// The server's connections: SQLite files are opened per thread and kept for reuse;
/// PostgreSQL connections come from a bounded, checked pool.
pub struct Pool {
    location: Location,
    kind: PoolKind,
}

enum PoolKind {
    Sqlite(Mutex<Vec<SqliteStore>>),
    Postgres(PostgresPool),
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pool({})", self.location)
    }
}

/// Idle SQLite connections kept.
const SQLITE_IDLE: usize = 8;

impl Pool {
    /// Opens the database (running its migrations); PostgreSQL keeps at most `size`
    /// connections open.
    pub fn open(location: &Location, size: u32) -> Result<Pool, StoreError> {
        let kind = match location {
            Location::Sqlite(path) => PoolKind::Sqlite(Mutex::new(vec![SqliteStore::open(path)?])),
            Location::Postgres(url) => PoolKind::Postgres(PostgresPool::open(url, size)?),
        };
        Ok(Pool { location: location.clone(), kind })
    }

    /// Where it is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// A store connection, returned to the pool when dropped.
    pub fn get(&self) -> Result<PooledStore<'_>, StoreError> {
        match &self.kind {
            PoolKind::Sqlite(idle) => {
                let pooled = idle.lock().ok().and_then(|mut idle| idle.pop());
                let store = match (pooled, &self.location) {
                    (Some(store), _) => store,
                    (None, Location::Sqlite(path)) => SqliteStore::open(path)?,
                    (None, Location::Postgres(_)) => {
                        return Err(StoreError::Refused("a SQLite pool at a URL".to_owned()));
                    }
                };
                Ok(PooledStore { inner: Inner::Sqlite(Some(store), idle) })
            }
            PoolKind::Postgres(pool) => {
                Ok(PooledStore { inner: Inner::Postgres(Box::new(pool.get()?)) })
            }
        }
    }
}

/// A connection lent by a [`Pool`]; use it as a `dyn EventStore`.
pub struct PooledStore<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Sqlite(Option<SqliteStore>, &'a Mutex<Vec<SqliteStore>>),
    Postgres(Box<PostgresStore>),
}

impl Deref for PooledStore<'_> {
    type Target = DynStore;

    fn deref(&self) -> &DynStore {
        match &self.inner {
            Inner::Sqlite(Some(store), _) => store,
            Inner::Sqlite(None, _) => unreachable!("a SQLite connection is only taken on drop"),
            Inner::Postgres(store) => &**store,
        }
    }
}

impl DerefMut for PooledStore<'_> {
    fn deref_mut(&mut self) -> &mut DynStore {
        match &mut self.inner {
            Inner::Sqlite(Some(store), _) => store,
            Inner::Sqlite(None, _) => unreachable!("a SQLite connection is only taken on drop"),
            Inner::Postgres(store) => &mut **store,
        }
    }
}

impl Drop for PooledStore<'_> {
    fn drop(&mut self) {
        if let Inner::Sqlite(store, idle) = &mut self.inner
            && let Some(store) = store.take()
            && let Ok(mut idle) = idle.lock()
            && idle.len() < SQLITE_IDLE
        {
            idle.push(store);
        }
    }
}
