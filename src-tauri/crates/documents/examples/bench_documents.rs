//! Times both receipts in-process: 1000 documents each after a warm-up,
//! median and p90 per document, and the output sizes.
//!
//! `cargo run --release -p kense-documents --example bench_documents`

use std::time::Instant;

use chrono::NaiveDate;
use kense_documents::{
    AcceptanceReceipt, Bilingual, DocumentError, OfficeRequisites, RefusalReceipt, Typesetter,
    Verification,
};

const WARM_UP: usize = 50;
const RUNS: usize = 1000;

fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual {
        kk: kk.into(),
        ru: ru.into(),
    }
}

fn office() -> OfficeRequisites {
    OfficeRequisites {
        name: bi(
            "Ақтөбе облысы білім басқармасының Мұғалжар ауданы бойынша білім бөлімі",
            "Отдел образования по Мугалжарскому району управления образования Актюбинской области",
        ),
        address: bi(
            "Мұғалжар ауданы, Қандыағаш қ., Жастар к-сі, 12",
            "Мугалжарский район, г. Кандыагаш, ул. Жастар, 12",
        ),
        phone: "+7 (71333) 3-12-45".into(),
    }
}

fn service() -> Bilingual {
    bi(
        "Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою",
        "Постановка на очередь детей дошкольного возраста (до 7 лет) для направления в детские дошкольные организации",
    )
}

fn verification(number: &str) -> Option<Verification> {
    Some(Verification {
        qr_text: format!(
            "KENSE1|{number}|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0Od2Fg4H|9f3a1c7e2b4d"
        ),
        caption: format!("Тексеру / Проверка: kense {number} · 9f3a1c7e2b4d"),
    })
}

struct Stats {
    median_ms: f64,
    p90_ms: f64,
    min_bytes: usize,
    max_bytes: usize,
}

/// Renders `RUNS` documents (after `WARM_UP`), each with its own number so
/// that no two outputs are alike.
fn run(
    mut render: impl FnMut(usize) -> Result<Vec<u8>, DocumentError>,
) -> Result<Stats, DocumentError> {
    for i in 0..WARM_UP {
        std::hint::black_box(render(i)?);
    }
    let mut times = Vec::with_capacity(RUNS);
    let (mut min_bytes, mut max_bytes) = (usize::MAX, 0);
    for i in 0..RUNS {
        let start = Instant::now();
        let bytes = render(WARM_UP + i)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        min_bytes = min_bytes.min(bytes.len());
        max_bytes = max_bytes.max(bytes.len());
        std::hint::black_box(bytes);
    }
    times.sort_by(f64::total_cmp);
    Ok(Stats {
        median_ms: times[RUNS / 2],
        p90_ms: times[RUNS * 9 / 10],
        min_bytes,
        max_bytes,
    })
}

fn report(name: &str, s: &Stats) {
    println!(
        "{name:<34} median {:>6.2} ms   p90 {:>6.2} ms   size {}–{} B",
        s.median_ms, s.p90_ms, s.min_bytes, s.max_bytes
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    let t0 = Instant::now();
    let t = Typesetter::new()?;
    println!(
        "profile {profile}; Typesetter::new {:.1} ms; {RUNS} documents each after {WARM_UP} warm-up",
        t0.elapsed().as_secs_f64() * 1e3
    );

    let date = NaiveDate::from_ymd_opt(2026, 3, 12).ok_or("date")?;
    let at = date.and_hms_opt(10, 15, 42).ok_or("time")?;
    let mut acceptance = AcceptanceReceipt {
        registration_number: String::new(),
        registered_at: at,
        office: office(),
        service_name: service(),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        subject_name: Some("Әбілқасымов Нұрсұлтан Ерланұлы".into()),
        subject_iin: Some("210315500456".into()),
        subject_birth_date: NaiveDate::from_ymd_opt(2021, 3, 15),
        documents: vec![
            bi("Өтініш", "Заявление"),
            bi(
                "Баланың туу туралы куәлігі",
                "Свидетельство о рождении ребёнка",
            ),
            bi(
                "Өтініш берушінің жеке басын куәландыратын құжат",
                "Документ, удостоверяющий личность заявителя",
            ),
        ],
        expected_result_date: NaiveDate::from_ymd_opt(2026, 3, 13),
        accepted_by: "Сейітқалиева Гүлнар Маратқызы".into(),
        executor: Some("Жұмабеков Ерлан Серікұлы".into()),
        executor_phone: Some("+7 (71333) 3-12-46".into()),
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        copy_number: 1,
        verification: None,
    };
    let mut refusal = RefusalReceipt {
        registration_number: String::new(),
        registered_at: at,
        office: office(),
        service_name: service(),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_address: Some("г. Кандыагаш, ул. Мира, 5, кв. 12".into()),
        missing_documents: vec![
            bi(
                "Баланың туу туралы куәлігі",
                "Свидетельство о рождении ребёнка",
            ),
            bi(
                "Әскери қызметшінің жұмыс орнынан анықтама",
                "Справка с места работы военнослужащего",
            ),
        ],
        refused_by: "Сейітқалиева Гүлнар Маратқызы".into(),
        executor: Some("Жұмабеков Ерлан Серікұлы".into()),
        executor_phone: Some("+7 (71333) 3-12-46".into()),
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        copy_number: 1,
        verification: None,
    };

    for with_qr in [false, true] {
        let suffix = if with_qr { " + copy 2 + QR" } else { "" };
        let s = run(|i| {
            acceptance.registration_number = format!("01-2026-{i:05}");
            if with_qr {
                acceptance.copy_number = 2;
                acceptance.verification = verification(&acceptance.registration_number);
            }
            t.acceptance_receipt(&acceptance)
        })?;
        report(&format!("acceptance receipt{suffix}"), &s);
        let s = run(|i| {
            refusal.registration_number = format!("01-2026-{i:05}");
            if with_qr {
                refusal.copy_number = 2;
                refusal.verification = verification(&refusal.registration_number);
            }
            t.refusal_receipt(&refusal)
        })?;
        report(&format!("refusal receipt{suffix}"), &s);
    }
    Ok(())
}
