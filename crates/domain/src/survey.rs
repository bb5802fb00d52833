//! The quality and accessibility questionnaire (seed 002, regulation
//! appendix 3): two questions, each answered "not satisfied", "partly
//! satisfied" or "satisfied", given to an applicant on paper or on screen
//! at the counter and recorded by the clerk for a service. The regulation
//! gives no scoring, so the period report counts the answers as they are.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Field};
use crate::lang::Bilingual;

/// An answer, numbered as the questionnaire numbers it (1–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    NotSatisfied,
    Partly,
    Satisfied,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::NotSatisfied, Rating::Partly, Rating::Satisfied];

    pub fn number(self) -> i64 {
        match self {
            Rating::NotSatisfied => 1,
            Rating::Partly => 2,
            Rating::Satisfied => 3,
        }
    }

    pub fn from_number(n: i64) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.number() == n)
    }

    /// The answer's words in the questionnaire (the Kazakh verbatim, its
    /// "канағаттанамын" typo corrected; in the second question the seed's
    /// "ақпараттық сапасына" is read as "ақпараттың сапасына").
    pub fn name(self) -> Bilingual {
        let (kk, ru) = match self {
            Rating::NotSatisfied => ("қанағаттанған жоқпын", "не удовлетворён"),
            Rating::Partly => ("ішінара қанағаттанамын", "частично удовлетворён"),
            Rating::Satisfied => ("қанағаттанамын", "удовлетворён"),
        };
        Bilingual::new(kk, ru)
    }
}

/// The two questions, in the questionnaire's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Satisfied with the quality of the process and its result?
    Quality,
    /// Satisfied with the information about how the service is provided?
    Information,
}

impl Question {
    pub const ALL: [Question; 2] = [Question::Quality, Question::Information];

    pub fn code(self) -> &'static str {
        match self {
            Question::Quality => "quality",
            Question::Information => "information",
        }
    }

    pub fn text(self) -> Bilingual {
        let (kk, ru) = match self {
            Question::Quality => (
                "Электрондық мемлекеттік қызметті көрсету үдерісінің сапасына және нәтижесіне қанағаттанасыз ба?",
                "Удовлетворены ли вы качеством процесса оказания электронной государственной услуги и её результатом?",
            ),
            Question::Information => (
                "Электрондық мемлекеттік қызметті көрсету тәртібі туралы ақпараттың сапасына қанағаттанасыз ба?",
                "Удовлетворены ли вы качеством информации о порядке оказания электронной государственной услуги?",
            ),
        };
        Bilingual::new(kk, ru)
    }
}

/// How the questionnaire was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    Paper,
    Screen,
}

impl Medium {
    pub fn code(self) -> &'static str {
        match self {
            Medium::Paper => "paper",
            Medium::Screen => "screen",
        }
    }
}

/// The questionnaire as the window sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyDraft {
    pub service_code: String,
    /// "paper" or "screen".
    pub medium: String,
    /// 1–3 for each question.
    pub quality: i64,
    pub information: i64,
}

/// A checked questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub service_code: String,
    pub medium: Medium,
    pub quality: Rating,
    pub information: Rating,
}

impl Survey {
    pub fn validate(d: &SurveyDraft, catalog: &Catalog) -> Result<Survey, Error> {
        let service = catalog
            .service(d.service_code.trim())
            .ok_or_else(|| Error::UnknownService(d.service_code.chars().take(40).collect()))?;
        let medium = match d.medium.trim() {
            "paper" => Medium::Paper,
            "screen" => Medium::Screen,
            other => {
                return Err(Error::MalformedRequest(format!("medium {:?}", other.chars().take(20).collect::<String>())))
            }
        };
        let rating =
            |n: i64| Rating::from_number(n).ok_or(Error::OutOfRange { field: Field::SurveyAnswer, min: 1, max: 3 });
        Ok(Survey {
            service_code: service.code.clone(),
            medium,
            quality: rating(d.quality)?,
            information: rating(d.information)?,
        })
    }

    pub fn answer(&self, q: Question) -> Rating {
        match q {
            Question::Quality => self.quality,
            Question::Information => self.information,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_questionnaire_is_checked() {
        let catalog = Catalog::parse(include_str!("../../../assets/catalog/services.json")).unwrap();
        let d =
            SurveyDraft { service_code: "preschool_queue".into(), medium: "paper".into(), quality: 3, information: 2 };
        let s = Survey::validate(&d, &catalog).unwrap();
        assert_eq!((s.quality, s.information, s.medium), (Rating::Satisfied, Rating::Partly, Medium::Paper));
        for bad in [0, 4, -1, i64::MAX] {
            let d = SurveyDraft { quality: bad, ..d.clone() };
            assert_eq!(
                Survey::validate(&d, &catalog),
                Err(Error::OutOfRange { field: Field::SurveyAnswer, min: 1, max: 3 })
            );
        }
        let d = SurveyDraft { service_code: "nope".into(), ..d };
        assert!(matches!(Survey::validate(&d, &catalog), Err(Error::UnknownService(_))));
        assert!(Question::ALL.iter().all(|q| q.text().kk.ends_with('?') && q.text().ru.ends_with('?')));
    }
}
