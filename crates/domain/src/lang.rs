//! Languages a person reads: Kazakh first, Russian second.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// The state language is the default everywhere.
    #[default]
    Kk,
    Ru,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "kk" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
        }
    }
}

/// A text that exists in both languages; neither may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub kk: String,
    pub ru: String,
}

impl Bilingual {
    pub fn new(kk: impl Into<String>, ru: impl Into<String>) -> Self {
        Bilingual { kk: kk.into(), ru: ru.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
        }
    }
}
