//! Times the office's documents in-process: 1000 documents each after a
//! warm-up (50 of the 300-row journal), median and p90 per document, and the
//! output sizes; then a batch of 1 000 referrals (a distribution's print
//! run) with its total time.
//!
//! `cargo run --release -p kense-documents --example bench_documents`

use std::time::Instant;

use chrono::NaiveDate;
use kense_documents::{
    AcceptanceReceipt, Bilingual, DocumentError, Journal, JournalRow, OfficeRequisites, QueueNotification,
    ReasonedRefusal, Referral, RefusalReceipt, ResultField, ServiceResult, Signer, StampImage, Typesetter,
    Verification,
};

const WARM_UP: usize = 50;
const RUNS: usize = 1000;

fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual { kk: kk.into(), ru: ru.into() }
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
        qr_text: format!("KENSE1|{number}|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0Od2Fg4H|9f3a1c7e2b4d"),
        caption: format!("Тексеру / Проверка: kense {number} · 9f3a1c7e2b4d"),
    })
}

struct Stats {
    median_ms: f64,
    p90_ms: f64,
    /// CPU time of this thread per document (median), which a loaded
    /// machine inflates far less than wall time.
    cpu_ms: f64,
    min_bytes: usize,
    max_bytes: usize,
}

/// Renders `RUNS` documents (after `WARM_UP`), each with its own number so
/// that no two outputs are alike.
fn run(render: impl FnMut(usize) -> Result<Vec<u8>, DocumentError>) -> Result<Stats, DocumentError> {
    run_n(RUNS, render)
}

fn run_n(runs: usize, mut render: impl FnMut(usize) -> Result<Vec<u8>, DocumentError>) -> Result<Stats, DocumentError> {
    for i in 0..WARM_UP.min(runs) {
        std::hint::black_box(render(i)?);
    }
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let (mut min_bytes, mut max_bytes) = (usize::MAX, 0);
    for i in 0..runs {
        let cpu0 = thread_cpu_ms();
        let start = Instant::now();
        let bytes = render(WARM_UP + i)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        cpu.push(thread_cpu_ms() - cpu0);
        min_bytes = min_bytes.min(bytes.len());
        max_bytes = max_bytes.max(bytes.len());
        std::hint::black_box(bytes);
    }
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    Ok(Stats { median_ms: times[runs / 2], p90_ms: times[runs * 9 / 10], cpu_ms: cpu[runs / 2], min_bytes, max_bytes })
}

/// This thread's time on a CPU so far, in ms (Linux's schedstat, in ns;
/// 0 where it cannot be read).
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<f64>().ok()))
        .map_or(0.0, |ns| ns / 1e6)
}

fn report(name: &str, s: &Stats) {
    println!(
        "{name:<34} median {:>6.2} ms   p90 {:>6.2} ms   cpu {:>6.2} ms   size {}–{} B",
        s.median_ms, s.p90_ms, s.cpu_ms, s.min_bytes, s.max_bytes
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile = if cfg!(debug_assertions) { "dev" } else { "release" };
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
        channel: Some(bi("Кеңсе", "Отдел")),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        representative: None,
        consent_by: Some(bi("өтініш беруші", "заявитель")),
        subject_name: Some("Әбілқасымов Нұрсұлтан Ерланұлы".into()),
        subject_iin: Some("210315500456".into()),
        subject_birth_date: NaiveDate::from_ymd_opt(2021, 3, 15),
        documents: vec![
            bi("Өтініш", "Заявление"),
            bi("Баланың туу туралы куәлігі", "Свидетельство о рождении ребёнка"),
            bi("Өтініш берушінің жеке басын куәландыратын құжат", "Документ, удостоверяющий личность заявителя"),
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
        channel: None,
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        representative: None,
        applicant_address: Some("г. Кандыагаш, ул. Мира, 5, кв. 12".into()),
        missing_documents: vec![
            bi("Баланың туу туралы куәлігі", "Свидетельство о рождении ребёнка"),
            bi("Әскери қызметшінің жұмыс орнынан анықтама", "Справка с места работы военнослужащего"),
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

    let signer = Signer {
        name: "Сейітқалиева Гүлнар Маратқызы".into(),
        position: bi("Білім бөлімінің басшысы", "Руководитель отдела образования"),
    };
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).ok_or("date");
    let mut referral = Referral {
        number: String::new(),
        issued_at: at,
        valid_until: d(2026, 3, 19)?,
        office: office(),
        child_name: "Әбілқасымов Нұрсұлтан Ерланұлы".into(),
        child_iin: "220315500456".into(),
        child_birth_date: d(2022, 3, 15)?,
        age_group: bi("2022 жылы туған балалар", "дети 2022 года рождения"),
        kindergarten: bi("«Балдәурен» бөбекжай-бақшасы МКҚК", "ГККП ясли-сад «Балдаурен»"),
        kindergarten_address: bi("Қандыағаш қ., Мир к-сі, 14", "г. Кандыагаш, ул. Мира, 14"),
        group: Some(bi("«Ботақан» кіші тобы", "младшая группа «Ботакан»")),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        registration_number: "01-2026-00001".into(),
        signer: signer.clone(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    };
    let s = run(|i| {
        referral.number = format!("Ж-2026-{i:05}");
        referral.verification = verification(&referral.number);
        t.referral(&referral)
    })?;
    report("referral + 2 QR", &s);
    let stamp = stamp_png(400);
    let stamp_kb = stamp.len() as f64 / 1024.0;
    referral.stamp = Some(StampImage { png: stamp });
    let s = run(|i| {
        referral.number = format!("Ж-2026-{i:05}");
        t.referral(&referral)
    })?;
    report(&format!("referral + 2 QR + stamp ({stamp_kb:.0} KB PNG)"), &s);
    referral.stamp = None;

    let mut notification = QueueNotification {
        registration_number: String::new(),
        registered_at: at,
        office: office(),
        child_name: "Әбілқасымов Нұрсұлтан Ерланұлы".into(),
        child_iin: "220315500456".into(),
        child_birth_date: d(2022, 3, 15)?,
        birth_year: 2022,
        category: bi("жалпы кезек", "общая очередь"),
        position: 57,
        preferences: vec![
            bi("«Балдәурен» бөбекжай-бақшасы", "ясли-сад «Балдаурен»"),
            bi("№ 3 «Ақбота» балабақшасы", "детский сад № 3 «Акбота»"),
        ],
        desired_start: Some(d(2026, 9, 1)?),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        signer: signer.clone(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    };
    let s = run(|i| {
        notification.registration_number = format!("01-2026-{i:05}");
        notification.verification = verification(&notification.registration_number);
        t.queue_notification(&notification)
    })?;
    report("queue notification + ticket + 2 QR", &s);

    let mut refusal2 = ReasonedRefusal {
        number: String::new(),
        issued_at: at,
        office: office(),
        service_name: service(),
        registration_number: "01-2026-00009".into(),
        registered_on: date,
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_address: Some("г. Кандыагаш, ул. Мира, 5, кв. 12".into()),
        reason: bi(
            "Бала мектепке дейінгі ұйымға жолдама алу кезегінде бұрыннан тұр",
            "Ребёнок уже состоит в очереди на получение направления в дошкольную организацию",
        ),
        legal_basis: Some(bi("Заңның 19-1-бабы", "статья 19-1 Закона")),
        explanation: "Бала 2025 жылғы 2 ақпаннан бастап кезекте тұр.".into(),
        signer: signer.clone(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    };
    let s = run(|i| {
        refusal2.number = format!("БТ-2026-{i:05}");
        t.reasoned_refusal(&refusal2)
    })?;
    report("reasoned refusal", &s);

    let mut result = ServiceResult {
        number: String::new(),
        issued_at: at,
        office: office(),
        title: bi("Анықтама", "Справка"),
        service_name: bi(
            "Қорғаншылық және қамқоршылық жөнінде анықтама беру",
            "Выдача справок по опеке и попечительству",
        ),
        registration_number: "01-2026-00031".into(),
        registered_on: date,
        applicant_name: "Жұмабекова Әсел Серікқызы".into(),
        applicant_iin: "880512400321".into(),
        subject_name: Some("Жұмабеков Арман Нұрланұлы".into()),
        subject_iin: Some("150830500789".into()),
        fields: vec![ResultField {
            label: bi("Қорғаншы", "Опекун"), value: "Жұмабекова Әсел Серікқызы".into()
        }],
        text: Some(bi(
            "Осы анықтама талап етілген жерге ұсыну үшін берілді.",
            "Настоящая справка выдана для представления по месту требования.",
        )),
        signer: signer.clone(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        together: Vec::new(),
    };
    let s = run(|i| {
        result.number = format!("А-2026-{i:05}");
        t.service_result(&result)
    })?;
    report("service result", &s);
    // The draft the head sees before signing: the same page as SVG.
    let s = run_n(100, |i| {
        result.number = format!("А-2026-{i:05}");
        Ok(t.service_result_draft(&result)?.concat().into_bytes())
    })?;
    report("service result draft, SVG (100 runs)", &s);

    let statuses = [bi("Қабылданды", "Принято"), bi("Берілді", "Выдано")];
    let rows: Vec<JournalRow> = (0..300)
        .map(|i| JournalRow {
            number: format!("01-2026-{:05}", i + 1),
            registered_at: at + chrono::Duration::minutes(37 * i as i64),
            applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
            applicant_iin: "900101400123".into(),
            service: service(),
            channel: bi("Мемлекеттік корпорация", "Госкорпорация"),
            status: statuses[i % 2].clone(),
            outcome: (i % 2 == 1).then(|| bi("оң нәтиже", "положительный результат")),
            executor: Some("Жұмабеков Е. С.".into()),
            due: Some(date),
            closed_on: (i % 2 == 1).then_some(date),
        })
        .collect();
    let mut journal = Journal {
        office: office(),
        from: d(2026, 3, 1)?,
        to: d(2026, 3, 31)?,
        generated_at: at,
        rows,
        totals: vec![(statuses[0].clone(), 150), (statuses[1].clone(), 150)],
        signer: signer.clone(),
    };
    let s = run_n(50, |i| {
        journal.generated_at = at + chrono::Duration::seconds(i as i64);
        t.journal(&journal)
    })?;
    report("journal, 300 rows (50 runs)", &s);

    // A distribution's print run: 1 000 referrals one after another, as
    // the shell would print them, with the office's stamp.
    referral.stamp = Some(StampImage { png: stamp_png(400) });
    let cpu0 = thread_cpu_ms();
    let start = Instant::now();
    let mut times = Vec::with_capacity(1000);
    let mut bytes_total = 0usize;
    for i in 0..1000 {
        let one = Instant::now();
        referral.number = format!("Ж-2026-{:05}", 5000 + i);
        referral.verification = verification(&referral.number);
        bytes_total += t.referral(&referral)?.len();
        times.push(one.elapsed().as_secs_f64() * 1e3);
    }
    let total = start.elapsed().as_secs_f64();
    let cpu_total = (thread_cpu_ms() - cpu0) / 1e3;
    times.sort_by(f64::total_cmp);
    println!(
        "batch of 1000 referrals + 2 QR + stamp: {total:.2} s total ({cpu_total:.2} s CPU), median {:.2} ms, {:.1} MB in all",
        times[500],
        bytes_total as f64 / 1e6
    );
    Ok(())
}

/// A round seal on a transparent background, like an administrator's scan.
fn stamp_png(side: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity((side * side * 4) as usize);
    let c = side as f32 / 2.0;
    for y in 0..side {
        for x in 0..side {
            let r = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
            let ink = r < c - 1.0 && (r > c * 0.85 || (r > c * 0.6 && r < c * 0.65));
            data.extend_from_slice(if ink { &[20, 40, 200, 230] } else { &[0, 0, 0, 0] });
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        if let Ok(mut w) = enc.write_header() {
            let _ = w.write_image_data(&data);
        }
    }
    out
}
