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

/// One loader per language, built once from compiled-in files (constant data,
/// not shared mutable state).
static LOADERS: LazyLock<HashMap<Lang, FluentLanguageLoader>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let loader = FluentLanguageLoader::new(DOMAIN, language_id(Lang::NlBe));
            loader
                .load_languages(&Locales, &[language_id(lang)])
                .expect("the embedded Fluent files parse");
            (lang, loader)
        })
        .collect()
});

fn loader(lang: Lang) -> &'static FluentLanguageLoader {
    &LOADERS[&lang]
}

/// The message `id` in `lang`.
pub fn tr(lang: Lang, id: &str) -> String {
    loader(lang).get(id)
}

/// The message `id` in `lang` with named arguments.
pub fn tr_args(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let map: HashMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    loader(lang).get_args(id, map)
}

/// Whether `lang` itself (not the Dutch fallback) defines `id`.
pub fn has_own_message(lang: Lang, id: &str) -> bool {
    let file = format!("{}/{DOMAIN}.ftl", lang.tag());
    Locales::get(&file)
        .map(|f| message_ids(&String::from_utf8_lossy(&f.data)).contains(&id.to_string()))
        .unwrap_or(false)
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
    Locales::get(&format!("{}/{DOMAIN}.ftl", lang.tag()))
        .map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of the source language exists in every language, and no
    /// language has a message the source lacks.
    #[test]
    fn every_message_exists_in_every_language() {
        let source_ids = message_ids(&source(Lang::NlBe).expect("nl-BE exists"));
        assert!(source_ids.len() > 5);
        for lang in Lang::ALL {
            let ids = message_ids(&source(lang).unwrap_or_else(|| panic!("{lang:?} has a file")));
            let missing: Vec<_> = source_ids.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !source_ids.contains(id)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
            assert!(extra.is_empty(), "{} has unknown {extra:?}", lang.tag());
        }
    }

    #[test]
    fn messages_render_in_their_own_language() {
        assert_eq!(tr(Lang::En, "read-aloud"), "Read aloud");
        assert_eq!(tr(Lang::Ar, "read-aloud"), "اقرأ بصوت عالٍ");
        assert!(has_own_message(Lang::Uk, "read-aloud"));
    }
}
