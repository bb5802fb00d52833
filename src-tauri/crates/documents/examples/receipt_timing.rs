//! Times receipt generation in-process and writes one receipt to the path
//! given as the first argument (default: acceptance_receipt.pdf).
//!
//! `cargo run -p kense-documents --example receipt_timing [--release] -- out.pdf`

use std::time::Instant;

use chrono::NaiveDate;
use kense_documents::{AcceptanceReceipt, Bilingual, OfficeRequisites, Typesetter};

fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual {
        kk: kk.into(),
        ru: ru.into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "acceptance_receipt.pdf".into());
    let t0 = Instant::now();
    let t = Typesetter::new()?;
    println!(
        "Typesetter::new: {:.1} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );

    let date = NaiveDate::from_ymd_opt(2026, 3, 12).ok_or("date")?;
    let mut r = AcceptanceReceipt {
        registration_number: "01-2026-00001".into(),
        registered_at: date.and_hms_opt(10, 15, 42).ok_or("time")?,
        office: OfficeRequisites {
            name: bi(
                "Мұғалжар ауданы бойынша білім бөлімі",
                "Отдел образования по Мугалжарскому району",
            ),
            address: bi("Қандыағаш қ., Жастар к-сі, 12", "г. Кандыагаш, ул. Жастар, 12"),
            phone: "+7 (71333) 3-12-45".into(),
        },
        service_name: bi(
            "Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою",
            "Постановка на очередь детей дошкольного возраста (до 7 лет) для направления в детские дошкольные организации",
        ),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        subject_name: Some("Әбілқасымов Нұрсұлтан Ерланұлы".into()),
        subject_iin: Some("210315500456".into()),
        subject_birth_date: NaiveDate::from_ymd_opt(2021, 3, 15),
        documents: vec![
            bi("Өтініш", "Заявление"),
            bi("Баланың туу туралы куәлігі", "Свидетельство о рождении ребёнка"),
        ],
        expected_result_date: NaiveDate::from_ymd_opt(2026, 3, 13),
        accepted_by: "Сейітқалиева Гүлнар Маратқызы".into(),
        executor: None,
        executor_phone: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        copy_number: 1,
        verification: None,
    };
    std::fs::write(&out, t.acceptance_receipt(&r)?)?;
    println!("wrote {out}");

    let mut times = Vec::new();
    for i in 0..220 {
        r.registration_number = format!("01-2026-{i:05}");
        let s = Instant::now();
        let bytes = t.acceptance_receipt(&r)?;
        if i >= 20 {
            times.push(s.elapsed().as_secs_f64() * 1e3);
        }
        std::hint::black_box(bytes);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} receipts: median {:.2} ms, p90 {:.2} ms",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 9 / 10]
    );
    Ok(())
}
