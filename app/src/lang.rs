//! The languages Onsplan speaks. nl-BE is the source language; every message
//! exists in every language (a test checks it).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    NlBe,
    Fr,
    En,
    Ar,
    Tr,
    Pl,
    Ro,
    Uk,
}

impl Lang {
    pub const ALL: [Lang; 8] = [
        Lang::NlBe,
        Lang::Fr,
        Lang::En,
        Lang::Ar,
        Lang::Tr,
        Lang::Pl,
        Lang::Ro,
        Lang::Uk,
    ];

    /// The BCP 47 tag, as used in `lang` and in locales/.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::NlBe => "nl-BE",
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::Ar => "ar",
            Lang::Tr => "tr",
            Lang::Pl => "pl",
            Lang::Ro => "ro",
            Lang::Uk => "uk",
        }
    }

    /// The language's own name, in its own script (for the language chooser).
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::NlBe => "Nederlands",
            Lang::Fr => "Français",
            Lang::En => "English",
            Lang::Ar => "العربية",
            Lang::Tr => "Türkçe",
            Lang::Pl => "Polski",
            Lang::Ro => "Română",
            Lang::Uk => "Українська",
        }
    }

    pub fn is_rtl(self) -> bool {
        matches!(self, Lang::Ar)
    }

    pub fn dir(self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language a free text is in, where its script alone tells it
    /// among ours: mostly Arabic letters is Arabic, mostly Cyrillic is
    /// Ukrainian. Latin letters could be any of six, and give `None` (the
    /// writer's own language is then the best guess). So a coach who
    /// writes to a family in Arabic from a Dutch screen is read with an
    /// Arabic voice, under an "العربية" label.
    pub fn by_script(text: &str) -> Option<Lang> {
        let (mut arabic, mut cyrillic, mut latin) = (0usize, 0usize, 0usize);
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            match u32::from(c) {
                0x0600..=0x06FF
                | 0x0750..=0x077F
                | 0x08A0..=0x08FF
                | 0xFB50..=0xFDFF
                | 0xFE70..=0xFEFF => arabic += 1,
                0x0400..=0x052F => cyrillic += 1,
                _ => latin += 1,
            }
        }
        let letters = arabic + cyrillic + latin;
        if arabic * 2 > letters {
            Some(Lang::Ar)
        } else if cyrillic * 2 > letters {
            Some(Lang::Uk)
        } else {
            None
        }
    }

    /// Parses a stored or submitted tag; unknown tags give `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag.trim()))
    }

    /// Picks the best language from an `Accept-Language` header, falling back
    /// to Dutch (the source language) when nothing matches.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let found = Lang::ALL
                .into_iter()
                .find(|l| l.tag().to_ascii_lowercase() == tag)
                .or_else(|| {
                    Lang::ALL
                        .into_iter()
                        .find(|l| l.tag().split('-').next() == Some(primary))
                });
            if let Some(lang) = found {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::NlBe)
    }
}

/// The message `id` in the current request's language. Rendering happens on
/// the server; islands receive finished strings, so on the client this is
/// never called for display.
#[cfg(feature = "ssr")]
pub fn t(id: &str) -> String {
    crate::i18n::tr(crate::request::current().lang, id)
}

#[cfg(not(feature = "ssr"))]
pub fn t(_id: &str) -> String {
    String::new()
}

/// Like [`t`], with named arguments.
#[cfg(feature = "ssr")]
pub fn t_args(id: &str, args: &[(&str, String)]) -> String {
    crate::i18n::tr_args(crate::request::current().lang, id, args)
}

#[cfg(not(feature = "ssr"))]
pub fn t_args(_id: &str, _args: &[(&str, String)]) -> String {
    String::new()
}

/// The current request's language.
#[cfg(feature = "ssr")]
pub fn current_lang() -> Lang {
    crate::request::current().lang
}

#[cfg(not(feature = "ssr"))]
pub fn current_lang() -> Lang {
    Lang::NlBe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_tells_arabic_and_ukrainian_and_nothing_else() {
        assert_eq!(
            Lang::by_script("مرحبا، هل يمكنك الاتصال بي غدا؟"),
            Some(Lang::Ar)
        );
        assert_eq!(
            Lang::by_script("Доброго дня! Я прийду о 10:00."),
            Some(Lang::Uk)
        );
        // A Dutch name in an Arabic sentence is still Arabic.
        assert_eq!(Lang::by_script("سأتصل بـ Woonhaven غدا"), Some(Lang::Ar));
        for latin in [
            "Kan u mij bellen?",
            "Dziękuję bardzo",
            "Teşekkürler",
            "12:00",
            "",
        ] {
            assert_eq!(Lang::by_script(latin), None, "{latin}");
        }
    }

    #[test]
    fn negotiates_by_quality_and_primary_tag() {
        assert_eq!(Lang::negotiate("ar-MA,ar;q=0.9,fr;q=0.8"), Lang::Ar);
        assert_eq!(Lang::negotiate("de-DE, fr;q=0.5, en;q=0.7"), Lang::En);
        assert_eq!(Lang::negotiate("nl-NL"), Lang::NlBe);
        assert_eq!(Lang::negotiate("de"), Lang::NlBe);
        assert_eq!(Lang::negotiate(""), Lang::NlBe);
        assert_eq!(Lang::negotiate("uk;q=0, pl"), Lang::Pl);
    }

    #[test]
    fn tags_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_tag(l.tag()), Some(l));
        }
        assert_eq!(Lang::from_tag("xx"), None);
    }
}
