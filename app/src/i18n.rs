//! Fluent messages for every language, embedded in the binary. Rendering
//! happens on the server only: islands receive finished strings, so no
//! Fluent bundle is shipped in the WASM.

use std::collections::HashMap;
use std::sync::LazyLock;

use i18n_embed::fluent::FluentLanguageLoader;
use i18n_embed::unic_langid::LanguageIdentifier;
use i18n_embed::LanguageLoader;
use rust_embed::RustEmbed;

use crate::lang::Lang;

#[derive(RustEmbed)]
#[folder = "../locales/"]
struct Locales;

/// The Fluent domain: each language folder holds `onsplan.ftl`.
pub const DOMAIN: &str = "onsplan";

fn language_id(lang: Lang) -> LanguageIdentifier {
    lang.tag()
        .parse()
        .expect("language tags in Lang::tag are valid")
}

/// The operator's command line (`onsplan admin`): `admin.ftl` beside each
/// `onsplan.ftl`, kept apart from the pages' messages.
pub const ADMIN_DOMAIN: &str = "admin";

/// One loader per language and domain, built once from compiled-in files
/// (constant data, not shared mutable state).
fn loaders(domain: &str) -> HashMap<Lang, FluentLanguageLoader> {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let loader = FluentLanguageLoader::new(domain, language_id(Lang::NlBe));
            loader
                .load_languages(&Locales, &[language_id(lang)])
                .expect("the embedded Fluent files parse");
            (lang, loader)
        })
        .collect()
}

static LOADERS: LazyLock<HashMap<Lang, FluentLanguageLoader>> = LazyLock::new(|| loaders(DOMAIN));
static ADMIN_LOADERS: LazyLock<HashMap<Lang, FluentLanguageLoader>> = LazyLock::new(|| {
    let loaders = loaders(ADMIN_DOMAIN);
    // A terminal shows Unicode isolation marks as noise.
    for loader in loaders.values() {
        loader.set_use_isolating(false);
    }
    loaders
});

fn loader(lang: Lang) -> &'static FluentLanguageLoader {
    &LOADERS[&lang]
}

/// The message `id` in `lang`.
pub fn tr(lang: Lang, id: &str) -> String {
    loader(lang).get(id)
}

/// The message `id` in `lang` with named arguments.
/// A whole number is passed as a number, so messages can choose their
/// plural forms (`{ $count -> [one] … *[other] … }`) in every language.
pub fn tr_args(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    loader(lang).get_args(id, fluent_args(args))
}

/// An operator message (`admin.ftl`) in `lang`, with named arguments.
pub fn tr_admin(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    ADMIN_LOADERS[&lang].get_args(id, fluent_args(args))
}

fn fluent_args(args: &[(&str, String)]) -> HashMap<String, fluent::FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| {
            let value = match v.parse::<i64>() {
                Ok(n) if !v.starts_with('+') && !v.starts_with('0') || v == "0" => {
                    fluent::FluentValue::from(n)
                }
                _ => fluent::FluentValue::from(v.clone()),
            };
            (k.to_string(), value)
        })
        .collect()
}

/// A day (`2026-12-03`) in `lang`'s own words and order ("woensdag 3
/// december 2026", "الأربعاء 3 ديسمبر 2026"); anything else as it is.
pub fn long_date(lang: Lang, day: &str) -> String {
    let Some(date) = crate::domain::clock::parse_date(day) else {
        return day.to_string();
    };
    let weekday = tr(
        lang,
        &format!("weekday-{}", date.weekday().number_from_monday()),
    );
    let month = tr(lang, &format!("month-{}", date.month() as u8));
    let year = date.year().to_string();
    // Its parts are ours, in one language: not isolated from each other
    // (a message that shows the date isolates it as a whole).
    plain(tr_args(
        lang,
        "date-long",
        &[
            ("weekday", weekday),
            ("day", date.day().to_string()),
            ("month", month),
            ("year", year),
        ],
    ))
}

/// Without Fluent's isolation marks.
fn plain(text: String) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// A moment (seconds since 1970) in Belgian time, as `lang` writes it:
/// "woensdag 2 december 2026 om 9:30".
pub fn date_time(lang: Lang, at: i64) -> String {
    let moment = crate::domain::clock::belgian_datetime(at);
    match moment.split_once(' ') {
        Some((day, time)) => plain(tr_args(
            lang,
            "date-time",
            &[
                ("date", long_date(lang, day)),
                ("time", time_of_day(lang, time)),
            ],
        )),
        None => moment,
    }
}

/// A moment's hour of the day in Belgian time, as `lang` writes it.
pub fn time_at(lang: Lang, at: i64) -> String {
    let moment = crate::domain::clock::belgian_datetime(at);
    time_of_day(lang, moment.split_once(' ').map_or("", |(_, t)| t))
}

/// An hour of the day (`10:05`) as `lang` writes it. Its numbers are not
/// isolated from each other: isolated, an Arabic page would show 10:05 as
/// 05:10; together they read left to right as one number in every
/// direction.
pub fn time_of_day(lang: Lang, time: &str) -> String {
    plain(time_parts(lang, time))
}

fn time_parts(lang: Lang, time: &str) -> String {
    match time.split_once(':') {
        Some((h, m)) if h.len() == 2 && m.len() == 2 => tr_args(
            lang,
            "time-of-day",
            &[
                // 9:05, not 09:05; midnight is 0.
                (
                    "hour",
                    match h.trim_start_matches('0') {
                        "" => "0".to_string(),
                        hour => hour.to_string(),
                    },
                ),
                ("minute", m.to_string()),
            ],
        ),
        _ => time.to_string(),
    }
}

/// Whether `id` is one of our messages (in the source language).
pub fn exists(id: &str) -> bool {
    loader(Lang::NlBe).has(id)
}

/// The message ids defined in one Fluent file's text.
pub fn message_ids(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// The raw Fluent file of one language, for the completeness test.
pub fn source(lang: Lang) -> Option<String> {
    source_of(DOMAIN, lang)
}

/// The raw Fluent file of one language and domain.
pub fn source_of(domain: &str, lang: Lang) -> Option<String> {
    Locales::get(&format!("{}/{domain}.ftl", lang.tag()))
        .map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of the source language exists in every language, and no
    /// language has a message the source lacks.
    #[test]
    fn every_message_exists_in_every_language() {
        for domain in [DOMAIN, ADMIN_DOMAIN] {
            let source_ids = message_ids(&source_of(domain, Lang::NlBe).expect("nl-BE exists"));
            assert!(source_ids.len() > 5);
            for lang in Lang::ALL {
                let ids = message_ids(
                    &source_of(domain, lang).unwrap_or_else(|| panic!("{lang:?} has {domain}.ftl")),
                );
                let missing: Vec<_> = source_ids.iter().filter(|id| !ids.contains(id)).collect();
                let extra: Vec<_> = ids.iter().filter(|id| !source_ids.contains(id)).collect();
                assert!(
                    missing.is_empty(),
                    "{} {domain} lacks {missing:?}",
                    lang.tag()
                );
                assert!(
                    extra.is_empty(),
                    "{} {domain} has unknown {extra:?}",
                    lang.tag()
                );
            }
        }
    }

    /// Every Fluent id the code can show (every `"error-…"` literal and
    /// every `t("…")`) exists in the source language; the test above
    /// then carries it to every language.
    #[test]
    fn every_message_id_in_the_code_exists() {
        let source_ids = message_ids(&source(Lang::NlBe).expect("nl-BE exists"));
        let mut used = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("src is readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("readable");
                    for marker in ["{t(\"", "=t(\"", "(t(\"", " t(\"", "t_args(\"", "\"error-"] {
                        for piece in text.split(marker).skip(1) {
                            if let Some(rest) = piece
                                .split('"')
                                .next()
                                .filter(|r| r.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                                .filter(|r| !r.is_empty())
                            {
                                let id = if marker.ends_with("error-") {
                                    format!("error-{rest}")
                                } else {
                                    rest.to_string()
                                };
                                if id.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                                    && !id.is_empty()
                                {
                                    used.push((path.display().to_string(), id));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            used.iter().any(|(_, id)| id == "error-date-past"),
            "the scan finds ids"
        );
        let missing: Vec<_> = used
            .iter()
            .filter(|(_, id)| !source_ids.contains(id))
            .collect();
        assert!(
            missing.is_empty(),
            "ids used in code but not in locales/nl-BE: {missing:?}"
        );
    }

    /// Ids the code builds from data (`domain-{name}`, `status-{s}`, …):
    /// every value the data can hold has its message.
    #[test]
    fn every_built_message_id_exists() {
        use crate::model::{ACTION_STATUS, DOMAINS, WHO};
        let ids = message_ids(&source(Lang::NlBe).expect("nl-BE exists"));
        let families: Vec<(&str, Vec<&str>)> = vec![
            ("domain", DOMAINS.to_vec()),
            ("who", WHO.to_vec()),
            ("status", ACTION_STATUS.to_vec()),
            (
                "mandate-state",
                vec!["open", "for_me", "together", "myself", "withdrawn", "ended"],
            ),
            (
                "mandate-staff",
                vec!["open", "for_me", "together", "myself", "withdrawn", "ended"],
            ),
            (
                "answer-history",
                vec!["for_me", "together", "myself", "withdrawn"],
            ),
            ("intensity", vec!["low", "intensive"]),
            ("plan-status", vec!["active", "on_hold", "ended"]),
            ("role", vec!["member", "coach", "volunteer", "partner"]),
            ("basis", vec!["base_mandate", "share", "family"]),
            (
                "event",
                vec![
                    "read",
                    "base_mandate_granted",
                    "base_mandate_withdrawn",
                    "item_hidden",
                    "item_unhidden",
                    "share_granted",
                    "share_withdrawn",
                    "mandate_asked",
                    "mandate_for_me",
                    "mandate_together",
                    "mandate_myself",
                    "mandate_withdrawn",
                    "thread_read",
                    "talk_granted",
                    "talk_withdrawn",
                    "talk_ended",
                ],
            ),
            ("thread-role", vec!["coach", "volunteer"]),
            ("phrase-group", crate::model::PHRASE_GROUPS.to_vec()),
            (
                "phrase",
                crate::model::PHRASES.iter().map(|p| p.0).collect(),
            ),
            ("place", crate::model::PLACES.to_vec()),
            ("appointment-state", vec!["open", "accepted", "replaced"]),
            ("help", crate::model::HELP_KINDS.to_vec()),
            ("party", crate::model::PARTY_KINDS.to_vec()),
            ("fact", crate::model::FACT_KINDS.to_vec()),
        ];
        for (prefix, values) in families {
            for v in values {
                let id = format!("{prefix}-{v}");
                assert!(ids.contains(&id), "locales/nl-BE lacks {id}");
            }
        }
    }

    /// The arguments (`{ $name }`) a message's text uses.
    fn variables(text: &str) -> std::collections::BTreeSet<String> {
        text.split("{ $")
            .skip(1)
            .filter_map(|rest| rest.split([' ', '}']).next())
            .map(str::to_string)
            .collect()
    }

    /// Every phrase of the book is in every language, with the same
    /// arguments as the book says (a reader never sees a blank or a
    /// missing day); no language has a phrase the book does not.
    #[test]
    fn every_phrase_exists_in_every_language_with_the_same_arguments() {
        use crate::model::PHRASES;
        assert!(PHRASES.len() >= 40, "{} phrases", PHRASES.len());
        for lang in Lang::ALL {
            let source = source(lang).expect("a locale");
            let mut found = Vec::new();
            for line in source.lines() {
                let Some((id, text)) = line.split_once(" = ") else {
                    continue;
                };
                let Some(phrase) = id.trim().strip_prefix("phrase-") else {
                    continue;
                };
                if phrase.starts_with("group-") {
                    continue;
                }
                let book = PHRASES
                    .iter()
                    .find(|p| p.0 == phrase)
                    .unwrap_or_else(|| panic!("{phrase} in {} is not in the book", lang.tag()));
                let want: std::collections::BTreeSet<String> =
                    book.2.iter().map(|a| a.to_string()).collect();
                assert_eq!(variables(text), want, "phrase {phrase} in {}", lang.tag());
                assert!(!text.trim().is_empty());
                found.push(phrase.to_string());
            }
            for p in PHRASES {
                assert!(
                    found.iter().any(|f| f == p.0),
                    "phrase {} missing in {}",
                    p.0,
                    lang.tag()
                );
            }
            // Rendered with its arguments, nothing is left blank.
            for (id, _, args, _) in PHRASES {
                let args: Vec<(&str, String)> =
                    args.iter().map(|a| (*a, format!("<{a}>"))).collect();
                let text = tr_args(lang, &format!("phrase-{id}"), &args);
                for (a, v) in &args {
                    assert!(
                        text.contains(v.as_str()),
                        "{id} {a} in {}: {text}",
                        lang.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn dates_and_hours_are_written_the_readers_way() {
        let plain = |s: String| s.replace(['\u{2068}', '\u{2069}'], "");
        assert_eq!(
            plain(long_date(Lang::NlBe, "2026-12-02")),
            "woensdag 2 december 2026"
        );
        assert_eq!(
            plain(long_date(Lang::Ar, "2026-12-02")),
            "الأربعاء 2 ديسمبر 2026"
        );
        assert_eq!(
            plain(long_date(Lang::Pl, "2026-12-02")),
            "2 grudnia 2026 (środa)"
        );
        assert_eq!(
            plain(long_date(Lang::Tr, "2026-12-02")),
            "2 Aralık 2026 Çarşamba"
        );
        assert_eq!(plain(time_of_day(Lang::Fr, "09:05")), "9 h 05");
        assert_eq!(plain(time_of_day(Lang::En, "00:30")), "0:30");
        assert_eq!(plain(time_of_day(Lang::NlBe, "14:30")), "14:30");
        // One number, never two isolated ones (an Arabic page would swap them).
        assert_eq!(time_of_day(Lang::Ar, "12:06"), "12:06");
        assert_eq!(long_date(Lang::En, "not a day"), "not a day");
        for lang in Lang::ALL {
            for month in 1..=12 {
                assert!(!tr(lang, &format!("month-{month}")).starts_with("month-"));
            }
            for day in 1..=7 {
                assert!(!tr(lang, &format!("weekday-{day}")).starts_with("weekday-"));
            }
        }
    }

    #[test]
    fn messages_render_in_their_own_language() {
        assert_eq!(tr(Lang::En, "read-aloud"), "Read aloud");
        assert_eq!(tr(Lang::Ar, "read-aloud"), "اقرأ بصوت عالٍ");
    }
}
