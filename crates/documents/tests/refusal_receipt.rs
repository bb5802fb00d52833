//! End-to-end checks of the refusal receipt through poppler-utils: the form's
//! sentences as a reader copies them out of the PDF, the numbered list of
//! missing documents, the channel and the representative, the two originals
//! (one for each party), page arrangement, embedded fonts, determinism,
//! long lists flowing over pages inside the margins, and input errors.

mod common;

use common::*;
use kense_documents::{Bilingual, DocumentError, RefusalReceipt};

const APPLICANT: &str = "Әбілқасымова Ғалия Қайратқызы";
const FIRST: &str = "1-ДАНА / ЭКЗЕМПЛЯР 1 · көрсетілетін қызметті алушыға / услугополучателю";
const SECOND: &str = "2-ДАНА / ЭКЗЕМПЛЯР 2 · көрсетілетін қызметті берушіге / услугодателю";

fn sample() -> RefusalReceipt {
    common::refusal_sample()
}

fn thirty() -> RefusalReceipt {
    let mut r = sample();
    r.missing_documents = (1..=30)
        .map(|i| {
            bi(
                &format!("{i}-құжат: заңды өкілдің өкілеттігін растайтын құжаттың көшірмесі"),
                &format!("Документ {i}: копия документа, подтверждающего полномочия законного представителя"),
            )
        })
        .collect();
    r
}

const LEGAL_RU: &str = "Руководствуясь пунктом 2 статьи 20 Закона Республики Казахстан от 15 апреля 2013 года «О государственных услугах», Отдел образования по Мугалжарскому району управления образования Актюбинской области (Мугалжарский район, г. Кандыагаш, ул. Жастар, 12) отказывает в приеме документов на оказание государственной услуги «Постановка на очередь детей дошкольного возраста (до 7 лет) для направления в детские дошкольные организации» ввиду представления Вами неполного пакета документов согласно перечню, предусмотренному стандартом государственной услуги, а именно:";

const LEGAL_KK: &str = "«Мемлекеттік көрсетілетін қызметтер туралы» 2013 жылғы 15 сәуірдегі Қазақстан Республикасы Заңының 20-бабының 2-тармағын басшылыққа ала отырып, Ақтөбе облысы білім басқармасының Мұғалжар ауданы бойынша білім бөлімі (Мұғалжар ауданы, Қандыағаш қ., Жастар к-сі, 12) Сіздің мемлекеттік көрсетілетін қызмет стандартында көзделген тізбеге сәйкес құжаттардың толық емес топтамасын ұсынуыңызға байланысты «Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою» мемлекеттік көрсетілетін қызметті көрсету үшін құжаттарды қабылдаудан бас тартады, атап айтқанда:";

#[test]
fn the_forms_text_is_extractable_in_both_languages() {
    let bytes = typesetter().refusal_receipt(&sample()).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    let raw = text(&path);
    let flat = normalise(&raw);
    for needle in [
        // Kazakh
        APPLICANT,
        "(көрсетілетін қызметті алушының тегі, аты, әкесінің аты (бар болса) (бұдан әрі – ТАӘ) не ұйымның атауы)",
        "г. Кандыагаш, ул. Мира, 5, кв. 12 (көрсетілетін қызметті алушының мекенжайы)",
        "Құжаттарды қабылдаудан бас тарту туралы қолхат",
        "№ 01-2026-00007 12.03.2026 11:02:05",
        "Өтініш беру арнасы: Кеңсе",
        "Өкіл: Сейітов Марат Болатұлы, ЖСН: 850412300145, сенімхат № 2026-0142 02.03.2026",
        LEGAL_KK,
        "Жоқ құжаттардың атауы: 1) Баланың туу туралы куәлігі; 2) Әскери қызметшінің жұмыс орнынан анықтама.",
        "Осы қолхат әр тарапқа бір-бірден, 2 данада жасалды.",
        "Сейітқалиева Гүлнар Маратқызы ______________ (қолы) (көрсетілетін қызметті беруші қызметкерінің ТАӘ)",
        "Орындаушы: Жұмабеков Ерлан Серікұлы Телефон: +7 (71333) 3-12-46",
        // The representative at the counter signs for the receipt.
        "Алдым: Сейітов Марат Болатұлы / ______________ (көрсетілетін қызметті алушының қолы)",
        "2026 жылғы «12» наурыз",
        // Russian
        "(фамилия, имя, отчество (при его наличии) (далее – ФИО), либо наименование организации услугополучателя)",
        "(адрес услугополучателя)",
        "Расписка об отказе в приеме документов",
        "Канал подачи: Отдел",
        "Представитель: Сейітов Марат Болатұлы, ИИН: 850412300145, доверенность № 2026-0142 02.03.2026",
        LEGAL_RU,
        "Наименование отсутствующих документов: 1) Свидетельство о рождении ребёнка; 2) Справка с места работы военнослужащего.",
        "Настоящая расписка составлена в 2 экземплярах, по одному для каждой стороны.",
        "Сейітқалиева Гүлнар Маратқызы ______________ (подпись) (ФИО работника услугодателя)",
        "Исполнитель: Жұмабеков Ерлан Серікұлы Телефон: +7 (71333) 3-12-46",
        "Получил: Сейітов Марат Болатұлы / ______________ (подпись услугополучателя)",
        "«12» марта 2026 г.",
        "Kense · 9f3a1c7e2b4d",
    ] {
        assert!(flat.contains(needle), "pdftotext output lacks {needle:?}:\n{raw}");
    }
    // Two originals, each in both languages, each marked whose it is.
    assert_eq!(flat.matches("№ 01-2026-00007 12.03.2026 11:02:05").count(), 4, "{flat}");
    assert_eq!((flat.matches(FIRST).count(), flat.matches(SECOND).count()), (2, 2), "{flat}");
    assert!(!flat.contains("КОПИЯ"), "an original carries no copy mark");
    let kk = flat.find("Құжаттарды қабылдаудан").expect("kk title");
    let ru = flat.find("Расписка об отказе").expect("ru title");
    assert!(kk < ru, "Kazakh must come first");
    let second = flat.find(SECOND).expect("the office's original");
    assert!(ru < second && flat.find(FIRST) < Some(kk), "the applicant's original comes first: {flat}");
}

#[test]
fn without_a_representative_the_applicant_signs_for_it() {
    let mut r = sample();
    r.representative = None;
    r.channel = None;
    let bytes = typesetter().refusal_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let flat = normalise(&text(&write_tmp(&dir, "r.pdf", &bytes)));
    assert!(flat.contains(&format!("Алдым: {APPLICANT} / ______________")), "{flat}");
    assert!(!flat.contains("Өкіл:") && !flat.contains("Канал подачи"), "{flat}");
}

#[test]
fn a_reprint_is_one_copy_marked_as_such() {
    let mut r = sample();
    r.copy_number = 2;
    let bytes = typesetter().refusal_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    assert_eq!(pages(&path), 1);
    let flat = normalise(&text(&path));
    assert!(flat.contains("КӨШІРМЕ / КОПИЯ № 2") && !flat.contains("ДАНА"), "{flat}");
}

#[test]
fn one_sheet_per_original_with_metadata_and_embedded_subset_fonts() {
    let bytes = typesetter().refusal_receipt(&sample()).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    assert_eq!(pages(&path), 2);
    assert!(page_text(&path, 1).contains(FIRST) && page_text(&path, 2).contains(SECOND));
    let info = poppler("pdfinfo", &[path.to_str().expect("path")]);
    assert!(!info.contains("PDF subtype"), "PDF/X marker left in:\n{info}");
    assert!(
        info.contains("Құжаттарды қабылдаудан бас тарту туралы қолхат № 01-2026-00007 / Расписка об отказе в приеме документов № 01-2026-00007"),
        "title:\n{info}"
    );
    assert_fonts_embedded(&path);
}

#[test]
fn same_input_same_bytes_different_input_different_bytes() {
    let t = typesetter();
    let a = t.refusal_receipt(&sample()).expect("pdf");
    assert!(a == t.refusal_receipt(&sample()).expect("pdf"));
    let fresh = kense_documents::Typesetter::new().expect("typesetter");
    assert!(a == fresh.refusal_receipt(&sample()).expect("pdf"));

    let mut other = sample();
    other.missing_documents.pop();
    assert!(a != t.refusal_receipt(&other).expect("pdf"));
    let mut later = sample();
    later.registered_at = at("2026-03-12 11:02:06");
    assert!(a != t.refusal_receipt(&later).expect("pdf"));
}

#[test]
fn optional_fields_leave_the_forms_blanks() {
    let mut r = sample();
    r.applicant_address = None;
    r.executor = None;
    r.executor_phone = None;
    r.audit_chain_head = None;
    let bytes = typesetter().refusal_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    assert_eq!(pages(&path), 2);
    let flat = normalise(&text(&path));
    assert!(flat.contains("________________________________ (адрес услугополучателя)"), "{flat}");
    assert!(flat.contains("Исполнитель: ______________ Телефон: ______________"), "{flat}");
    assert!(!flat.contains("Kense ·"), "{flat}");
}

#[test]
fn thirty_missing_documents_flow_over_pages_inside_the_margins() {
    let r = thirty();
    let bytes = typesetter().refusal_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "thirty.pdf", &bytes);
    let n = pages(&path);
    assert!(n >= 6, "30 items at 12 pt should need 2+ pages per language and original, got {n}");

    // In the first original, the Kazakh part starts on page 1 and the
    // Russian part on a page of its own, after the Kazakh part's last page;
    // the second original begins on a page of its own.
    let all: Vec<String> = (1..=n).map(|p| page_text(&path, p)).collect();
    let second = all.iter().position(|t| t.contains("2-ДАНА")).expect("the second original");
    assert!(all[second - 1].contains("«12» марта 2026 г."), "the first original ends before the second");
    let texts = &all[..second];
    assert!(texts[0].starts_with(APPLICANT) || texts[0].contains("Құжаттарды қабылдаудан"));
    let ru_page = texts.iter().position(|t| t.contains("Расписка об отказе в приеме документов")).expect("ru title");
    assert!(ru_page >= 1);
    assert!(!texts[ru_page].contains("Жоқ құжаттардың атауы"), "Russian part shares a page with Kazakh text");
    for t in &texts[ru_page..] {
        assert!(!t.contains("-құжат:"), "Kazakh list item after the Russian title");
    }

    // pdftotext puts the footer of a page where that page's text ends,
    // which may be inside a list item that continues on the next page.
    let flat = normalise(&text(&path)).replace(" Kense · 9f3a1c7e2b4d", "");
    for (i, d) in r.missing_documents.iter().enumerate() {
        let last = i + 1 == r.missing_documents.len();
        let end = if last { '.' } else { ';' };
        for item in [&d.kk, &d.ru] {
            let needle = format!("{}) {item}{end}", i + 1);
            assert!(flat.contains(&needle), "lost {needle:?}");
        }
    }
    assert!(flat.contains("«12» марта 2026 г."), "the Russian part lost its end");

    // A4 = 595.3 x 841.9 pt; margins 30 / 12 mm left / right, 15 mm top and
    // bottom. Footer words live in the bottom margin by design, and so do
    // the originals' marks in the top one.
    let words = word_boxes(&path);
    assert!(words.len() > 600, "only {} words", words.len());
    let marks: Vec<&str> = FIRST.split_whitespace().chain(SECOND.split_whitespace()).collect();
    let in_text =
        |w: &&WordBox| !w.word.starts_with("Kense") && w.word != "9f3a1c7e2b4d" && !marks.contains(&w.word.as_str());
    for w in words.iter().filter(in_text) {
        assert!(w.x_min >= 84.5 && w.x_max <= 595.3 - 33.5, "word off the text column: {w:?}");
        assert!(w.y_min >= 42.0 && w.y_max <= 841.9 - 42.0, "word in the top/bottom margin: {w:?}");
    }
}

#[test]
fn invalid_input_is_an_input_error() {
    let t = typesetter();
    let mut r = sample();
    r.missing_documents.clear();
    assert!(matches!(t.refusal_receipt(&r), Err(DocumentError::Input(_))));
    let mut r = sample();
    r.copy_number = 0;
    assert!(matches!(t.refusal_receipt(&r), Err(DocumentError::Input(_))));
    let mut r = sample();
    r.missing_documents.push(Bilingual { kk: "Құжат".into(), ru: "文件".into() });
    assert_eq!(t.refusal_receipt(&r), Err(DocumentError::MissingGlyph { ch: '文' }));
    let mut r = sample();
    r.applicant_address = Some("😀".into());
    assert_eq!(t.refusal_receipt(&r), Err(DocumentError::MissingGlyph { ch: '😀' }));
}

/// Writes the sample and the 30-item refusal to target/test-artifacts and
/// renders them to PNG so that a person can look at them.
#[test]
fn write_artifacts_for_eyes() {
    let dir = artifact_dir();
    for (name, r) in [("refusal_receipt", sample()), ("refusal_receipt_30", thirty())] {
        let pdf = dir.join(format!("{name}.pdf"));
        std::fs::write(&pdf, typesetter().refusal_receipt(&r).expect("pdf")).expect("write");
        let prefix = dir.join(name);
        poppler("pdftoppm", &["-png", "-r", "60", pdf.to_str().expect("path"), prefix.to_str().expect("path")]);
    }
}
