//! The store: one SQL text for SQLite and PostgreSQL through sqlx's `Any`
//! driver (ids are text, times are integers). SQLite runs with WAL, foreign
//! keys on and `synchronous=FULL`, so an acknowledged consent change survives
//! a power cut.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The group writer of read-log entries, started on first use (see
    /// `log::record_read`).
    reads: std::sync::Arc<std::sync::OnceLock<super::log::ReadSender>>,
    /// How many batches the group writer had to write again one entry at
    /// a time (a failed batch; 0 in a healthy store).
    log_retries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`) and runs the
    /// numbered migrations.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl);
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; \
                                 PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        MIGRATOR.run(&pool).await?;
        install_append_only_guards(&pool, backend).await?;
        allow_coordinators(&pool, backend).await?;
        Ok(Db {
            pool,
            backend,
            reads: Default::default(),
            log_retries: Default::default(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`, waiting up to the busy timeout for
    /// another writer): a transaction that read first and then wrote
    /// would fail at once ("database is locked") whenever another writer
    /// committed in between, instead of waiting its turn. On PostgreSQL
    /// a plain `BEGIN`.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where reads are sent to be logged: one writer task per store, which
    /// commits the entries of concurrent requests together.
    pub(crate) fn read_log(&self) -> &super::log::ReadSender {
        self.reads.get_or_init(|| {
            super::log::start_group_writer(self.pool.clone(), self.log_retries.clone())
        })
    }

    /// How many batches of read-log entries were written again one by one
    /// because writing them together failed.
    pub fn log_batches_retried(&self) -> u64 {
        self.log_retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// True when the store answers a trivial query.
    pub async fn is_healthy(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// The number of migrations applied, for the health check.
    pub async fn applied_migrations(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await
    }

    /// The number of migrations this build carries.
    pub fn expected_migrations() -> i64 {
        MIGRATOR.iter().count() as i64
    }
}

/// The tables that are only ever appended to: the access log and the
/// history of mandate answers. The store itself refuses an UPDATE or DELETE
/// on them, whatever code asks (trigger syntax differs per engine, so this
/// runs after the portable migrations).
const APPEND_ONLY: [&str; 2] = ["access_log", "mandate_answers"];

async fn install_append_only_guards(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => {
            for table in APPEND_ONLY {
                for op in ["UPDATE", "DELETE"] {
                    pool.execute(
                        format!(
                            "CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                        )
                        .as_str(),
                    )
                    .await?;
                }
            }
        }
        Backend::Postgres => {
            // Several instances may start at once on one database: one at a
            // time checks and creates the guards (a session advisory lock,
            // held on this one connection).
            let mut conn = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock(7262001)")
                .execute(&mut *conn)
                .await?;
            let result = async {
                for table in APPEND_ONLY {
                    let exists: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM pg_trigger WHERE tgname = $1")
                            .bind(format!("{table}_append_only"))
                            .fetch_one(&mut *conn)
                            .await?;
                    if exists > 0 {
                        continue;
                    }
                    conn.execute(
                        "CREATE OR REPLACE FUNCTION onsplan_append_only() RETURNS trigger AS $$
                         BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql",
                    )
                    .await?;
                    conn.execute(
                        format!(
                            "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                             FOR EACH ROW EXECUTE FUNCTION onsplan_append_only()"
                        )
                        .as_str(),
                    )
                    .await?;
                }
                Ok::<(), sqlx::Error>(())
            }
            .await;
            sqlx::query("SELECT pg_advisory_unlock(7262001)")
                .execute(&mut *conn)
                .await?;
            result?;
        }
    }
    Ok(())
}

/// The role check of the first schema, and the one that also allows
/// coordinators (who lead a team of coaches and see no family content).
const ROLES_BEFORE: &str = "CHECK (role IN ('coach', 'volunteer', 'partner'))";
const ROLES: &str = "CHECK (role IN ('coach', 'volunteer', 'partner', 'coordinator'))";

/// Widens the staff table's role check to coordinators, once. A CHECK
/// cannot be changed by portable SQL: PostgreSQL replaces the constraint;
/// SQLite rebuilds the table in one transaction, its documented way
/// (foreign keys off on this connection, a new table from the same
/// definition, copy, drop, rename, indexes again, then a foreign key
/// check before the commit). Either way nothing else changes.
async fn allow_coordinators(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    match backend {
        Backend::Sqlite => {
            let table_sql = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'staff'";
            let sql: String = sqlx::query_scalar(table_sql).fetch_one(&mut *conn).await?;
            if sql.contains(ROLES) {
                return Ok(());
            }
            conn.execute("PRAGMA foreign_keys=OFF").await?;
            let result = async {
                conn.execute("BEGIN IMMEDIATE").await?;
                // Another instance may have done it meanwhile.
                let sql: String = sqlx::query_scalar(table_sql).fetch_one(&mut *conn).await?;
                if sql.contains(ROLES) {
                    return Ok(());
                }
                if !sql.contains(ROLES_BEFORE) {
                    return Err(sqlx::Error::Protocol(
                        "the staff table's role check is not the one this build knows".into(),
                    ));
                }
                let indexes: Vec<String> = sqlx::query_scalar(
                    "SELECT sql FROM sqlite_schema WHERE tbl_name = 'staff'
                       AND type IN ('index', 'trigger') AND sql IS NOT NULL",
                )
                .fetch_all(&mut *conn)
                .await?;
                let new_table = sql
                    .replacen("CREATE TABLE staff", "CREATE TABLE staff_new", 1)
                    .replace(ROLES_BEFORE, ROLES);
                conn.execute(new_table.as_str()).await?;
                conn.execute("INSERT INTO staff_new SELECT * FROM staff")
                    .await?;
                conn.execute("DROP TABLE staff").await?;
                conn.execute("ALTER TABLE staff_new RENAME TO staff")
                    .await?;
                for index in indexes {
                    conn.execute(index.as_str()).await?;
                }
                let broken = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
                if !broken.is_empty() {
                    return Err(sqlx::Error::Protocol(
                        "rebuilding the staff table broke a reference".into(),
                    ));
                }
                Ok(())
            }
            .await;
            // A failed commit is a failure (the check stays narrow); after a
            // failure the rollback may have nothing to end (BEGIN failed).
            let ended = match &result {
                Ok(()) => conn.execute("COMMIT").await.map(|_| ()),
                Err(_) => {
                    let _ = conn.execute("ROLLBACK").await;
                    Ok(())
                }
            };
            conn.execute("PRAGMA foreign_keys=ON").await?;
            result.and(ended)
        }
        Backend::Postgres => {
            if pg_allows_coordinators(&mut conn).await? {
                return Ok(());
            }
            // One instance at a time; the check is asked again under the lock.
            conn.execute("BEGIN").await?;
            let result = async {
                conn.execute("LOCK TABLE staff IN ACCESS EXCLUSIVE MODE")
                    .await?;
                if pg_allows_coordinators(&mut conn).await? {
                    return Ok(());
                }
                conn.execute(
                    format!(
                        "ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_role_check, \
                         ADD CONSTRAINT staff_role_check {ROLES}"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            }
            .await;
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            conn.execute(end).await?;
            result
        }
    }
}

/// Whether PostgreSQL's role check on staff already allows coordinators.
async fn pg_allows_coordinators(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    let def: Option<String> = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = 'staff'::regclass AND conname = 'staff_role_check'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(def.is_some_and(|d| d.contains("coordinator")))
}

/// Runs an INSERT that numbers its row `MAX(seq) + 1` (the access log, the
/// answer history). Two writers may pick the same number (PostgreSQL runs
/// them at once); the unique index refuses the second, which tries again.
/// Each try is a savepoint, so a refused one leaves the caller's
/// transaction usable.
pub(crate) async fn insert_numbered<'q, F>(
    conn: &mut sqlx::AnyConnection,
    mut query: F,
) -> Result<(), sqlx::Error>
where
    F: FnMut() -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
{
    use sqlx::Connection;
    let mut attempt = 0;
    loop {
        let mut try_ = conn.begin().await?;
        match query().execute(&mut *try_).await {
            Ok(_) => return try_.commit().await,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempt < 5 => {
                try_.rollback().await?;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Takes the family's row for the rest of the transaction (a write that
/// changes nothing): two changes to one family that must not interleave
/// (members removing each other, two answers to one question) are decided
/// one after the other, on both engines.
pub(crate) async fn lock_family(
    tx: &mut sqlx::AnyConnection,
    family_id: &str,
) -> Result<(), crate::error::AppError> {
    sqlx::query("UPDATE families SET display_name = display_name WHERE id = $1")
        .bind(family_id)
        .execute(&mut *tx)
        .await
        .map_err(super::access::internal)?;
    Ok(())
}
