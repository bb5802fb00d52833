//! The office's own data: its names and address in both languages (they head
//! every document), its phone, and the journal's series and first number.

use serde::{Deserialize, Serialize};

use crate::application::{optional_text, required_text};
use crate::error::{Error, Field};
use crate::iin::Iin;
use crate::lang::Bilingual;

/// What the administrator typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeDraft {
    pub name_kk: String,
    pub name_ru: String,
    pub address_kk: String,
    pub address_ru: String,
    pub phone: String,
    pub series: String,
    pub start_number: i64,
    /// The office's business identification number (БСН / БИН): a head's
    /// certificate names it. Empty when not known yet.
    #[serde(default)]
    pub bin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficeData {
    pub name: Bilingual,
    pub address: Bilingual,
    pub phone: String,
    pub series: String,
    pub start_number: i64,
    pub bin: Option<Iin>,
}

impl OfficeData {
    pub fn validate(d: &OfficeDraft) -> Result<OfficeData, Error> {
        let series = d.series.trim();
        // The series is part of every registration number and file name.
        if series.is_empty() {
            return Err(Error::Required(Field::Series));
        }
        if series.chars().count() > 10 || !series.chars().all(|c| c.is_alphanumeric() || c == '/') {
            return Err(Error::SeriesFormat);
        }
        if !(1..=9_999_999).contains(&d.start_number) {
            return Err(Error::StartNumber);
        }
        Ok(OfficeData {
            name: Bilingual::new(
                required_text(Field::OfficeNameKk, &d.name_kk, 300)?,
                required_text(Field::OfficeNameRu, &d.name_ru, 300)?,
            ),
            address: Bilingual::new(
                required_text(Field::OfficeAddressKk, &d.address_kk, 300)?,
                required_text(Field::OfficeAddressRu, &d.address_ru, 300)?,
            ),
            phone: optional_text(Field::OfficePhone, &d.phone, 100)?,
            series: series.replace('/', "-"),
            start_number: d.start_number,
            // A BIN has an IIN's shape and check digit (the same weights).
            bin: match d.bin.trim() {
                "" => None,
                bin => Some(Iin::parse(Field::OfficeBin, bin)?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OfficeDraft {
        OfficeDraft {
            name_kk: "Шиелі ауданының білім бөлімі".into(),
            name_ru: "Отдел образования Шиелийского района".into(),
            address_kk: "Шиелі к., Әйтеке би к-сі, 1".into(),
            address_ru: "пос. Шиели, ул. Айтеке би, 1".into(),
            phone: "8 (72432) 4-12-34".into(),
            series: "ШБ".into(),
            start_number: 1250,
            bin: String::new(),
        }
    }

    #[test]
    fn office_data_is_checked() {
        assert!(OfficeData::validate(&draft()).is_ok());
        let mut d = draft();
        d.series = "a b".into();
        assert_eq!(OfficeData::validate(&d), Err(Error::SeriesFormat));
        let mut d = draft();
        d.start_number = 0;
        assert_eq!(OfficeData::validate(&d), Err(Error::StartNumber));
        let mut d = draft();
        d.name_ru = " ".into();
        assert_eq!(OfficeData::validate(&d), Err(Error::Required(Field::OfficeNameRu)));
        let mut d = draft();
        d.bin = "123456789012".into();
        assert_eq!(OfficeData::validate(&d), Err(Error::IinCheckDigit(Field::OfficeBin)), "a BIN's check digit");
        d.bin = " 123456789013 ".into();
        assert_eq!(OfficeData::validate(&d).unwrap().bin.map(String::from).as_deref(), Some("123456789013"));
    }
}
