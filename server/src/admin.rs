//! `onsplan admin …`: the operator's commands, run by the same binary
//! against the same store as the server (also while it runs). Each prints
//! what it did in plain words, in the operator's language (`ONSPLAN_LANG`,
//! else `LANG`), and refuses bad input with a clear message and a non-zero
//! exit. Nothing here prints family content: families are listed by id
//! with who works with them.

use std::path::{Path, PathBuf};

use onsplan_app::domain::access::StaffRole;
use onsplan_app::domain::accounts::{self, NewStaff, PASSWORD_LINK_SECONDS};
use onsplan_app::domain::clock::Clock;
use onsplan_app::domain::db::{Backend, Db};
use onsplan_app::error::AppError;
use onsplan_app::i18n::{tr, tr_admin};
use onsplan_app::lang::Lang;

use crate::config::Config;

/// Why a command did not do its work: the message in the operator's
/// language, and whether the usage should follow it.
#[derive(Debug)]
pub struct AdminError {
    pub message: String,
    pub usage: bool,
}

/// The operator's language: `ONSPLAN_LANG`, else the locale (`LC_ALL`,
/// `LC_MESSAGES`, `LANG`, e.g. `nl_BE.UTF-8`), else Dutch.
pub fn operator_lang(get: impl Fn(&str) -> Option<String>) -> Lang {
    ["ONSPLAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(get)
        .map(|value| {
            value
                .split(['.', '@'])
                .next()
                .unwrap_or("")
                .replace('_', "-")
        })
        .find(|tag| !tag.is_empty() && tag != "C" && tag != "POSIX")
        .map(|tag| Lang::negotiate(&tag))
        .unwrap_or(Lang::NlBe)
}

pub fn usage(lang: Lang) -> String {
    tr_admin(lang, "admin-usage", &[])
}

struct Say {
    lang: Lang,
}

impl Say {
    fn text(&self, id: &str, args: &[(&str, String)]) -> String {
        tr_admin(self.lang, id, args)
    }

    fn fail(&self, id: &str, args: &[(&str, String)]) -> AdminError {
        AdminError {
            message: self.text(id, args),
            usage: false,
        }
    }

    fn usage(&self) -> AdminError {
        AdminError {
            message: self.text("admin-error-usage", &[]),
            usage: true,
        }
    }

    /// A refusal from the domain, in the same words the pages use.
    fn app(&self, e: AppError) -> AdminError {
        match e {
            AppError::BadInput(id) | AppError::Conflict(id) => AdminError {
                message: tr(self.lang, &id),
                usage: false,
            },
            // The store's own words went to the log (never family
            // content); the operator is told plainly that nothing changed.
            AppError::Internal => self.fail("admin-error-internal", &[]),
            AppError::NotFound => self.fail("admin-error-not-found", &[]),
            other => self.fail("admin-error-failed", &[("error", format!("{other:?}"))]),
        }
    }
}

/// `--key value` pairs after the command.
fn flags(args: &[String]) -> Option<Vec<(&str, &str)>> {
    if !args.len().is_multiple_of(2) {
        return None;
    }
    args.chunks(2)
        .map(|pair| Some((pair[0].strip_prefix("--")?, pair[1].as_str())))
        .collect()
}

fn flag<'a>(flags: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    flags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Runs one admin command; the text to print when it worked.
pub async fn run(args: &[String], config: &Config, lang: Lang) -> Result<String, AdminError> {
    let say = Say { lang };
    let Some((command, rest)) = args.split_first() else {
        return Err(say.usage());
    };
    // A restore writes the store: it must not open (and so create) it first.
    if command == "restore" {
        let [file] = rest else {
            return Err(say.usage());
        };
        return restore(&say, config, Path::new(file)).await;
    }
    let db = crate::open_store(config)
        .await
        .map_err(|e| say.fail("admin-error-store", &[("error", e.to_string())]))?;
    let now = Clock::System.now();
    let link = |token: &str| format!("{}/set-password/{token}", config.public_url);
    let days = (PASSWORD_LINK_SECONDS / 86_400).to_string();
    match (command.as_str(), rest) {
        ("create-org", name) if !name.is_empty() => {
            let name = name.join(" ");
            let name = name.trim();
            if name.chars().count() > 120 {
                return Err(say.app(AppError::bad("error-text-too-long")));
            }
            let id = accounts::create_organisation(&db, name, now)
                .await
                .map_err(|e| say.app(e))?;
            Ok(say.text("admin-org-made", &[("name", name.to_string()), ("id", id)]))
        }
        ("create-staff", rest) => {
            let flags = flags(rest).ok_or_else(|| say.usage())?;
            let (Some(org), Some(role), Some(email), Some(name)) = (
                flag(&flags, "org"),
                flag(&flags, "role"),
                flag(&flags, "email"),
                flag(&flags, "name"),
            ) else {
                return Err(say.usage());
            };
            if flags
                .iter()
                .any(|(k, _)| !["org", "role", "email", "name", "lang"].contains(k))
            {
                return Err(say.usage());
            }
            let role = StaffRole::parse(role).ok_or_else(|| say.fail("admin-error-role", &[]))?;
            let staff_lang = match flag(&flags, "lang") {
                None => Lang::NlBe,
                Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
                    let langs: Vec<&str> = Lang::ALL.iter().map(|l| l.tag()).collect();
                    say.fail("admin-error-lang", &[("langs", langs.join(", "))])
                })?,
            };
            let staff = NewStaff {
                org_id: org,
                role,
                email,
                display_name: name,
                lang: staff_lang,
            };
            let id = accounts::create_staff_account(&db, &staff, now)
                .await
                .map_err(|e| say.app(e))?;
            let token = accounts::new_password_link(&db, &id, now)
                .await
                .map_err(|e| say.app(e))?;
            let account = accounts::staff_by_email(&db, email)
                .await
                .map_err(|e| say.app(e))?
                .ok_or_else(|| say.app(AppError::NotFound))?;
            Ok(format!(
                "{}\n{}",
                say.text(
                    "admin-staff-made",
                    &[
                        ("name", account.display_name),
                        ("role", account.role),
                        ("org", account.org_name),
                        ("days", days),
                    ],
                ),
                link(&token)
            ))
        }
        ("new-link", [email]) => {
            let account = active(&say, &db, email).await?;
            let token = accounts::new_password_link(&db, &account.id, now)
                .await
                .map_err(|e| say.app(e))?;
            Ok(format!(
                "{}\n{}",
                say.text(
                    "admin-link-made",
                    &[("email", account.email), ("days", days)]
                ),
                link(&token)
            ))
        }
        ("disable", [email]) => {
            let account = active(&say, &db, email).await?;
            accounts::disable_staff(&db, &account.id, now)
                .await
                .map_err(|e| say.app(e))?;
            Ok(say.text("admin-disabled", &[("email", account.email)]))
        }
        ("move", [email, org]) => {
            let account = active(&say, &db, email).await?;
            if &account.org_id == org {
                return Err(say.fail("admin-error-same-org", &[("email", account.email)]));
            }
            accounts::move_staff(&db, &account.id, org, now)
                .await
                .map_err(|e| match e {
                    AppError::BadInput(_) => say.fail("admin-error-no-org", &[("id", org.clone())]),
                    other => say.app(other),
                })?;
            let moved = active(&say, &db, email).await?;
            Ok(say.text(
                "admin-moved",
                &[("email", moved.email), ("org", moved.org_name)],
            ))
        }
        ("assign-volunteer", [family, who]) => {
            let volunteer = if who == "none" {
                None
            } else {
                Some(active(&say, &db, who).await?)
            };
            accounts::assign_volunteer(&db, family, volunteer.as_ref().map(|v| v.id.as_str()), now)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => {
                        say.fail("admin-error-no-family", &[("id", family.clone())])
                    }
                    other => say.app(other),
                })?;
            Ok(match volunteer {
                Some(v) => say.text(
                    "admin-volunteer-set",
                    &[("family", family.clone()), ("email", v.email)],
                ),
                None => say.text("admin-volunteer-cleared", &[("family", family.clone())]),
            })
        }
        ("list", []) => list(&say, &db).await,
        ("verify-log", []) => {
            let (families, entries, broken) = onsplan_app::domain::log::verify_all(&db)
                .await
                .map_err(|e| say.app(e))?;
            if broken.is_empty() {
                Ok(say.text(
                    "admin-log-verified",
                    &[
                        ("families", families.to_string()),
                        ("entries", entries.to_string()),
                    ],
                ))
            } else {
                Err(AdminError {
                    message: broken
                        .into_iter()
                        .map(|(family, entry)| {
                            say.text(
                                "admin-log-broken",
                                &[("family", family), ("entry", entry.to_string())],
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                    usage: false,
                })
            }
        }
        ("backup", [file]) => backup(&say, &db, Path::new(file)).await,
        _ => Err(say.usage()),
    }
}

/// The live account with this email, or a clear refusal.
async fn active(say: &Say, db: &Db, email: &str) -> Result<accounts::StaffAccount, AdminError> {
    accounts::staff_by_email(db, email)
        .await
        .map_err(|e| say.app(e))?
        .filter(|a| a.state != "disabled")
        .ok_or_else(|| say.fail("admin-error-no-account", &[("email", email.to_string())]))
}

async fn list(say: &Say, db: &Db) -> Result<String, AdminError> {
    let (orgs, staff, families) = accounts::operator_list(db).await.map_err(|e| say.app(e))?;
    let nobody = say.text("admin-nobody", &[]);
    let mut out = vec![say.text("admin-list-orgs", &[])];
    for (id, name, count) in orgs {
        out.push(format!("  {id}  {name}  {count}"));
    }
    out.push(String::new());
    out.push(say.text("admin-list-staff", &[]));
    for a in staff {
        let state = say.text(&format!("admin-state-{}", a.state), &[]);
        out.push(format!(
            "  {}  {}  {}  {}  {state}",
            a.email, a.display_name, a.role, a.org_name
        ));
    }
    out.push(String::new());
    out.push(say.text("admin-list-families", &[]));
    for f in families {
        out.push(format!(
            "  {}  {}  {}  {}",
            f.id,
            f.org_name,
            f.coach_email.as_deref().unwrap_or(&nobody),
            f.volunteer_email.as_deref().unwrap_or(&nobody)
        ));
    }
    Ok(out.join("\n"))
}

/// SQLite: `VACUUM INTO` writes a consistent copy while the server runs.
/// PostgreSQL: the operator runs pg_dump (said plainly, and not a success).
async fn backup(say: &Say, db: &Db, file: &Path) -> Result<String, AdminError> {
    let shown = file.display().to_string();
    if db.backend() == Backend::Postgres {
        return Err(AdminError {
            message: format!(
                "{}\n  pg_dump --format=custom --file={} \"$DATABASE_URL\"",
                say.text("admin-backup-postgres", &[]),
                shell_word(&shown)
            ),
            usage: false,
        });
    }
    if file.exists() {
        return Err(say.fail("admin-error-file-exists", &[("file", shown)]));
    }
    sqlx::query("VACUUM INTO $1")
        .bind(&shown)
        .execute(db.pool())
        .await
        .map_err(|e| say.fail("admin-error-failed", &[("error", e.to_string())]))?;
    let size = std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| say.fail("admin-error-failed", &[("error", e.to_string())]))?;
    Ok(say.text(
        "admin-backup-made",
        &[("file", shown), ("size", size.to_string())],
    ))
}

/// A backup goes back into an empty data directory (SQLite); the server's
/// keys come with it (they are in the store).
async fn restore(say: &Say, config: &Config, file: &Path) -> Result<String, AdminError> {
    let shown = file.display().to_string();
    let Some(target) = sqlite_path(&config.database_url) else {
        return Err(AdminError {
            message: format!(
                "{}\n  pg_restore --dbname=\"$DATABASE_URL\" {}",
                say.text("admin-restore-postgres", &[]),
                shell_word(&shown)
            ),
            usage: false,
        });
    };
    let dir = &config.data_dir;
    let empty = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(say.fail("admin-error-failed", &[("error", e.to_string())])),
    };
    if !empty || target.exists() {
        return Err(say.fail(
            "admin-error-not-empty",
            &[("dir", dir.display().to_string())],
        ));
    }
    if !is_backup(file).await {
        return Err(say.fail("admin-error-not-backup", &[("file", shown)]));
    }
    let failed = |e: std::io::Error| say.fail("admin-error-failed", &[("error", e.to_string())]);
    std::fs::create_dir_all(dir).map_err(failed)?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::copy(file, &target).map_err(failed)?;
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .map_err(failed)?;
    // Opening it runs any newer migrations; the counts show what came back.
    let db = crate::open_store(config)
        .await
        .map_err(|e| say.fail("admin-error-store", &[("error", e.to_string())]))?;
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(db.pool())
                .await
                .unwrap_or(0)
                .to_string()
        }
    };
    Ok(say.text(
        "admin-restored",
        &[
            ("file", shown),
            ("target", target.display().to_string()),
            ("orgs", count("organisations").await),
            ("staff", count("staff").await),
            ("families", count("families").await),
        ],
    ))
}

/// Whether `file` is an SQLite store of Onsplan (opened read-only).
async fn is_backup(file: &Path) -> bool {
    use sqlx::ConnectOptions;
    let Ok(options) = format!("sqlite://{}?mode=ro", file.display())
        .parse::<sqlx::sqlite::SqliteConnectOptions>()
    else {
        return false;
    };
    let Ok(mut conn) = options.connect().await else {
        return false;
    };
    let migrations: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await;
    let families: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM families")
        .fetch_one(&mut conn)
        .await;
    matches!(migrations, Ok(n) if n > 0) && families.is_ok()
}

/// The file of an `sqlite://…` URL; `None` for another database.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// A file name as one shell word, for a command the operator copies.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operators_language_comes_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(operator_lang(env(&[])), Lang::NlBe);
        assert_eq!(operator_lang(env(&[("LANG", "fr_BE.UTF-8")])), Lang::Fr);
        assert_eq!(operator_lang(env(&[("LANG", "C.UTF-8")])), Lang::NlBe);
        assert_eq!(
            operator_lang(env(&[("ONSPLAN_LANG", "en"), ("LANG", "fr_BE.UTF-8")])),
            Lang::En
        );
    }

    #[test]
    fn a_store_failure_is_told_plainly_in_every_language() {
        for lang in Lang::ALL {
            let say = Say { lang };
            let internal = say.app(AppError::Internal).message;
            assert_eq!(internal, tr_admin(lang, "admin-error-internal", &[]));
            assert!(!internal.contains("Internal"), "{lang:?}: {internal}");
            let missing = say.app(AppError::NotFound).message;
            assert_eq!(missing, tr_admin(lang, "admin-error-not-found", &[]));
            assert_ne!(internal, missing);
        }
    }

    #[test]
    fn urls_name_their_sqlite_file() {
        assert_eq!(
            sqlite_path("sqlite://data/onsplan.db?mode=rwc"),
            Some(PathBuf::from("data/onsplan.db"))
        );
        assert_eq!(sqlite_path("postgres://x@y/z"), None);
        assert_eq!(shell_word("/tmp/a b.dump"), "'/tmp/a b.dump'");
    }
}
