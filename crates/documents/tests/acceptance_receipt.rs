//! End-to-end checks of the acceptance receipt through poppler-utils: what a
//! reader copies out of the PDF, page count, embedded subset fonts, byte-level
//! determinism and missing-glyph handling.

mod common;

use common::{
    acceptance_sample, artifact_dir, at, bi, normalise, pages, poppler, typesetter, write_tmp, SERVICE_KK, SERVICE_RU,
};
use kense_documents::{AcceptanceReceipt, DocumentError, Typesetter};

const APPLICANT: &str = "Әбілқасымова Ғалия Қайратқызы Ңөұүһі";

/// The shared sample with a name that uses every Kazakh-only letter and a
/// fourth document.
fn sample() -> AcceptanceReceipt {
    let mut r = acceptance_sample();
    r.applicant_name = APPLICANT.into();
    r.documents.push(bi("Денсаулық жағдайы туралы анықтама", "Справка о состоянии здоровья"));
    r
}

fn stress() -> AcceptanceReceipt {
    let mut r = sample();
    r.registration_number = "01-2026-99999".into();
    let mut name = String::new();
    while name.chars().count() < 200 {
        name.push_str("Қасымжомарттегінұлықызы Әбдірахманова ");
    }
    r.applicant_name = name.chars().take(200).collect::<String>().trim().to_string();
    r.documents = (1..=12)
        .map(|i| {
            bi(
                &format!("{i}-құжат: ата-анасының (заңды өкілдерінің) біреуінің жеке басын куәландыратын құжаттың, тұрғылықты жері бойынша тіркелгенін растайтын анықтаманың көшірмесі"),
                &format!("Документ {i}: копия документа, удостоверяющего личность одного из родителей (законных представителей), и справки о регистрации по месту жительства"),
            )
        })
        .collect();
    r
}

#[test]
fn text_is_extractable_in_both_languages() {
    let bytes = typesetter().acceptance_receipt(&sample()).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    let text = poppler("pdftotext", &["-enc", "UTF-8", path.to_str().expect("path"), "-"]);
    let flat = normalise(&text);
    for needle in [
        "Құжаттарды қабылдау туралы қолхат",
        "Ақтөбе облысы білім басқармасының Мұғалжар ауданы бойынша білім бөлімі",
        SERVICE_KK,
        APPLICANT,
        "01-2026-00001",
        "12.03.2026 10:15:42",
        "Өтініш беруші:",
        "ЖСН: 900101400123",
        "Қабылданған құжаттар:",
        "Нәтиже берілетін күн: 13.03.2026",
        "Қабылдаған: Сейітқалиева Гүлнар Маратқызы",
        "Алдым:",
        "М.О.",
        "Расписка о приеме документов",
        SERVICE_RU,
        "Заявитель:",
        "ИИН: 900101400123",
        "Принятые документы:",
        "Дата выдачи результата: 13.03.2026",
        "Принял: Сейітқалиева Гүлнар Маратқызы",
        "Получил:",
        "М.П.",
        "Kense · 9f3a1c7e2b4d",
        // Where it was lodged, by whom for the applicant, and who consented.
        "Өтініш беру арнасы: Кеңсе",
        "Өкіл: Әбілқасымов Ерлан Серікұлы",
        "сенімхат № 125 01.03.2026",
        "Дербес деректерді жинауға және өңдеуге келісім берген: өкіл Әбілқасымов Ерлан Серікұлы",
        "Канал подачи: Отдел",
        "Представитель: Әбілқасымов Ерлан Серікұлы",
        "доверенность № 125 01.03.2026",
        "Согласие на сбор и обработку персональных данных дал: представитель",
    ] {
        assert!(flat.contains(needle), "pdftotext output lacks {needle:?}:\n{text}");
    }
    // Both halves carry the same number and date.
    assert_eq!(flat.matches("01-2026-00001 12.03.2026 10:15:42").count(), 2, "{flat}");
    // Kazakh first.
    let kk = flat.find("Құжаттарды қабылдау туралы қолхат").expect("kk title");
    let ru = flat.find("Расписка о приеме документов").expect("ru title");
    assert!(kk < ru);
}

#[test]
fn one_page_with_embedded_subset_fonts() {
    let bytes = typesetter().acceptance_receipt(&sample()).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    let p = path.to_str().expect("path");
    assert_eq!(pages(&path), 1);

    let info = poppler("pdfinfo", &[p]);
    assert!(!info.contains("PDF subtype"), "PDF/X marker left in:\n{info}");
    assert!(info.contains("Author:"), "{info}");
    assert!(info.contains("Ақтөбе облысы"), "author/title missing:\n{info}");
    assert!(info.contains("01-2026-00001"), "title lacks the number:\n{info}");

    common::assert_fonts_embedded(std::path::Path::new(p));
}

#[test]
fn same_input_same_bytes_different_input_different_bytes() {
    let t = typesetter();
    let a = t.acceptance_receipt(&sample()).expect("pdf");
    let b = t.acceptance_receipt(&sample()).expect("pdf");
    assert!(a == b, "two renderings of one receipt differ");
    // A second Typesetter in the same process must agree too.
    let c = Typesetter::new().expect("typesetter").acceptance_receipt(&sample()).expect("pdf");
    assert!(a == c, "a fresh Typesetter renders different bytes");

    let mut other = sample();
    other.registration_number = "01-2026-00002".into();
    let d = t.acceptance_receipt(&other).expect("pdf");
    assert!(a != d);
    let mut later = sample();
    later.registered_at = at("2026-03-12 10:15:43");
    assert!(a != t.acceptance_receipt(&later).expect("pdf"));
}

#[test]
fn missing_glyph_is_reported() {
    let t = typesetter();
    let mut r = sample();
    r.applicant_name = "Айгүл 😀".into();
    assert_eq!(t.acceptance_receipt(&r), Err(DocumentError::MissingGlyph { ch: '😀' }));
    let mut r = sample();
    r.documents.push(bi("Құжат", "文件"));
    assert_eq!(t.acceptance_receipt(&r), Err(DocumentError::MissingGlyph { ch: '文' }));
    let mut r = sample();
    r.audit_chain_head = Some("ab\u{0007}cd".into());
    assert!(matches!(t.acceptance_receipt(&r), Err(DocumentError::MissingGlyph { .. })));
}

#[test]
fn minimal_receipt_without_optional_fields() {
    let mut r = sample();
    r.subject_name = None;
    r.subject_iin = None;
    r.subject_birth_date = None;
    r.expected_result_date = None;
    r.executor = None;
    r.executor_phone = None;
    r.audit_chain_head = None;
    r.channel = None;
    r.representative = None;
    r.consent_by = None;
    r.documents.clear();
    let bytes = typesetter().acceptance_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    assert_eq!(pages(&path), 1);
    let flat = normalise(&poppler("pdftotext", &["-enc", "UTF-8", path.to_str().expect("path"), "-"]));
    assert!(!flat.contains("Бала:"), "{flat}");
    assert!(!flat.contains("Өкіл:") && !flat.contains("арнасы"), "{flat}");
    assert!(!flat.contains("Kense ·"), "{flat}");
    assert!(flat.contains("Қабылданған құжаттар: жоқ"), "{flat}");
    assert!(flat.contains("Принятые документы: нет"), "{flat}");
}

#[test]
fn stress_receipt_keeps_every_word() {
    let r = stress();
    let bytes = typesetter().acceptance_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "stress.pdf", &bytes);
    let n = pages(&path);
    let text = poppler("pdftotext", &["-enc", "UTF-8", path.to_str().expect("path"), "-"]);
    let flat = normalise(&text);
    // Too much for two halves: each language gets its own page(s).
    assert!(n >= 2, "expected the overflow layout, got {n} page(s)");
    let kk = flat.find("Құжаттарды қабылдау туралы қолхат").expect("kk title");
    let ru = flat.find("Расписка о приеме документов").expect("ru title");
    assert!(kk < ru);
    assert!(flat.contains(&normalise(&r.applicant_name)), "applicant name lost");
    for d in &r.documents {
        assert!(flat.contains(&d.kk), "lost {:?}", d.kk);
        assert!(flat.contains(&d.ru), "lost {:?}", d.ru);
    }
    assert!(flat.contains("12) "), "numbering lost");
    assert!(flat.contains(SERVICE_KK));
    // Every word stays inside the text column and on the page.
    let bbox = poppler("pdftotext", &["-bbox", path.to_str().expect("path"), "-"]);
    let words: Vec<&str> = bbox.lines().filter(|l| l.contains("<word ")).collect();
    assert!(words.len() > 300, "pdftotext -bbox found only {} words", words.len());
    for line in words {
        let num = |key: &str| -> f32 {
            let start = line.find(&format!("{key}=\"")).expect("coordinate") + key.len() + 2;
            let rest = &line[start..];
            rest[..rest.find('"').expect("quote")].parse().expect("number")
        };
        let (x_min, x_max, y_min, y_max) = (num("xMin"), num("xMax"), num("yMin"), num("yMax"));
        // A4 = 595.3 x 841.9 pt; the left margin is 30 mm = 85 pt, the right 12 mm.
        assert!(x_min >= 84.0 && x_max <= 595.3 - 33.0, "word off the text column: {line}");
        assert!(y_min >= 0.0 && y_max <= 841.9, "word off the page: {line}");
    }
}

/// Writes the sample and the stress receipt to target/test-artifacts and
/// renders them to PNG so that a person can look at them.
#[test]
fn write_artifacts_for_eyes() {
    let dir = artifact_dir();
    for (name, r) in [("acceptance_receipt", sample()), ("acceptance_receipt_stress", stress())] {
        let pdf = dir.join(format!("{name}.pdf"));
        std::fs::write(&pdf, typesetter().acceptance_receipt(&r).expect("pdf")).expect("write");
        let prefix = dir.join(name);
        poppler("pdftoppm", &["-png", "-r", "60", pdf.to_str().expect("path"), prefix.to_str().expect("path")]);
    }
}

#[test]
fn shared_typesetter_renders_identically_from_many_threads() {
    let t = typesetter();
    let expected = t.acceptance_receipt(&sample()).expect("pdf");
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| t.acceptance_receipt(&sample()).expect("pdf"))).collect();
        for h in handles {
            assert!(h.join().expect("thread") == expected, "thread output differs");
        }
    });
}

#[test]
fn hard_breaks_an_unbreakable_name() {
    let mut r = sample();
    r.applicant_name = "Ә".repeat(200);
    let bytes = typesetter().acceptance_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    assert_eq!(pages(&path), 1);
    let flat: String = poppler("pdftotext", &["-enc", "UTF-8", path.to_str().expect("path"), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(flat.contains(&"Ә".repeat(200)), "the long name lost letters");
}
