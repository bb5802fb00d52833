//! The registers printed as A4 landscape tables: registration journal
//! (period and daily), queue extract, referral list. Expected text and page
//! snapshots, the header on every page, page numbers on every page, totals
//! at the end, and every word inside the margins for 30 and 300 rows and
//! for 200-character names.

mod common;

use common::*;
use kense_documents::DocumentError;

const LANDSCAPE: (f32, f32) = (297.0, 210.0);
const MARGINS: (f32, f32, f32, f32) = (20.0, 12.0, 10.0, 14.0);

fn long(seed: &str) -> String {
    seed.repeat(200 / seed.chars().count() + 1).chars().take(200).collect::<String>().trim().to_string()
}

/// Every page carries the column headers and its number; only a last page
/// that holds nothing but the totals after the table has no header.
fn assert_paged(path: &std::path::Path, header_word: &str) -> usize {
    let total = pages(path);
    for p in 1..=total {
        let t = page_text(path, p);
        let totals_only = p == total && p > 1 && t.starts_with("Барлығы / Всего");
        assert!(totals_only || t.contains(header_word), "page {p} lacks the header: {t}");
        assert!(t.contains(&format!("Бет {p} / {total} · Стр. {p} / {total}")), "page {p} lacks its number");
    }
    total
}

#[test]
fn journal_text_and_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().journal(&journal_sample(6)).expect("pdf");
    let path = check_document(&dir, "journal", &bytes);
    assert_eq!(assert_paged(&path, "Тіркеу нөмірі / Рег. номер"), 1);
    let flat = normalise(&text(&path));
    for needle in [
        "Өтініштерді тіркеу журналы",
        "Журнал регистрации заявлений",
        "01.03.2026 – 31.03.2026 кезеңі / за период с 01.03.2026 по 31.03.2026",
        "Барлығы / Всего: 6",
        "Қабылданды / Принято: 2",
        "Басып шығарған / Распечатал:",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
}

#[test]
fn daily_register_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = journal_sample(3);
    j.to = j.from;
    let path = write_tmp(&dir, "daily.pdf", &typesetter().journal(&j).expect("pdf"));
    let flat = normalise(&text(&path));
    assert!(flat.contains("Өтініштердің күнделікті тізілімі"), "{flat}");
    assert!(flat.contains("Ежедневный реестр заявлений"));
    assert!(flat.contains("01.03.2026 / за 01.03.2026"));
    assert!(!flat.contains("журналы"));
    let mut bad = journal_sample(1);
    bad.to = day(2026, 2, 1);
    assert!(matches!(typesetter().journal(&bad), Err(DocumentError::Input(_))));
}

#[test]
fn long_journals_repeat_the_header_and_stay_inside_the_margins() {
    let dir = tempfile::tempdir().expect("tempdir");
    for n in [30, 300] {
        let mut j = journal_sample(n);
        j.rows[1].applicant_name = long("Әбілқасымова Ғалия ");
        j.rows[2].service = bi(&long("Мектепке дейінгі "), &long("дошкольные "));
        j.rows[3].executor = Some(long("Жұмабеков"));
        let path = write_tmp(&dir, &format!("j{n}.pdf"), &typesetter().journal(&j).expect("pdf"));
        let total = assert_paged(&path, "Тіркеу нөмірі / Рег. номер");
        assert!(total >= if n == 30 { 2 } else { 20 }, "{n} rows on {total} pages");
        assert_words_inside(&path, LANDSCAPE, MARGINS);
        let last = page_text(&path, total);
        assert!(last.contains(&format!("Барлығы / Всего: {n}")), "{last}");
        // Every row is printed once, whole: its number appears exactly once.
        let flat = normalise(&text(&path));
        for i in [1, n / 2, n] {
            assert_eq!(flat.matches(&format!("01-2026-{i:05} ")).count(), 1, "row {i}");
        }
        std::fs::copy(&path, documents_artifact_dir().join(format!("journal_{n}.pdf"))).expect("artifact");
    }
}

#[test]
fn a_row_taller_than_a_page_is_split_not_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = journal_sample(3);
    j.rows[1].applicant_name = (0..400).map(|i| format!("сөз{i}")).collect::<Vec<_>>().join(" ");
    let path = write_tmp(&dir, "tall.pdf", &typesetter().journal(&j).expect("pdf"));
    let total = assert_paged(&path, "Тіркеу нөмірі / Рег. номер");
    assert!(total >= 2);
    assert_words_inside(&path, LANDSCAPE, MARGINS);
    let flat = normalise(&text(&path));
    assert!(flat.contains("сөз0") && flat.contains("сөз399"));
}

#[test]
fn queue_extract_text_and_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().queue_extract(&extract_sample(8)).expect("pdf");
    let path = check_document(&dir, "queue_extract", &bytes);
    assert_paged(&path, "Кезектегі нөмірі / Номер в очереди");
    let flat = normalise(&text(&path));
    for needle in [
        "Мектепке дейінгі ұйымға жолдама алу кезегінен үзінді",
        "2022 жылы туған балалар / дети 2022 года рождения",
        "в стоп-листе до 20.03.2026",
        "Барлығы / Всего: 8",
        "бірінші кезекте / в первую очередь: 2",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
    // No personal data: no IIN-like number on the page.
    assert!(!flat.split_whitespace().any(|w| w.len() == 12 && w.chars().all(|c| c.is_ascii_digit())));

    let path = write_tmp(&dir, "e300.pdf", &typesetter().queue_extract(&extract_sample(300)).expect("pdf"));
    assert!(assert_paged(&path, "Кезектегі нөмірі / Номер в очереди") >= 5);
    assert_words_inside(&path, LANDSCAPE, MARGINS);
}

#[test]
fn referral_list_text_and_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().referral_list(&list_sample(5)).expect("pdf");
    let path = check_document(&dir, "referral_list", &bytes);
    assert_paged(&path, "Жолдама нөмірі / Номер направления");
    let flat = normalise(&text(&path));
    for needle in [
        "Жолдамалар тізімі",
        "Бөлу № Б-2026-014 / распределение № Б-2026-014",
        "Барлығы / Всего: 5",
        "«Балдәурен» бөбекжай-бақшасы / ясли-сад «Балдаурен»: 3",
        "детский сад № 3 «Акбота»: 2",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
    let mut l = list_sample(60);
    l.rows[7].child_name = long("Әбілқасымов Нұрсұлтан ");
    let path = write_tmp(&dir, "l60.pdf", &typesetter().referral_list(&l).expect("pdf"));
    assert!(assert_paged(&path, "Жолдама нөмірі / Номер направления") >= 2);
    assert_words_inside(&path, LANDSCAPE, MARGINS);
}

#[test]
fn empty_registers_still_print() {
    let t = typesetter();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "e.pdf", &t.journal(&journal_sample(0)).expect("pdf"));
    assert!(normalise(&text(&path)).contains("Барлығы / Всего: 0"));
    t.queue_extract(&extract_sample(0)).expect("pdf");
    t.referral_list(&list_sample(0)).expect("pdf");
}

#[test]
fn tables_are_deterministic() {
    let t = typesetter();
    let j = journal_sample(40);
    assert!(t.journal(&j).expect("a") == t.journal(&j).expect("b"));
    let q = extract_sample(40);
    assert!(t.queue_extract(&q).expect("a") == t.queue_extract(&q).expect("b"));
}
