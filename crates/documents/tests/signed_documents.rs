//! The office's signed documents — referral, queue notification with its
//! registration ticket, service result, reasoned refusal — end to end:
//! expected text (`tests/expected/`), page snapshots (`tests/snapshots/`),
//! embedded fonts, determinism, text kept inside the margins under long
//! input, the QR read back from the page, page numbers, and the stamp
//! image (drawn when given, refused when not a sane PNG).
//!
//! `KENSE_UPDATE_SNAPSHOTS=1` rewrites the expected files (see
//! `tests/common/mod.rs`).

mod common;

use common::*;
use kense_documents::{check_stamp, DocumentError, StampImage, Verification};

/// A4 with the signed documents' margins: left, top, right, bottom (mm).
const A4: (f32, f32) = (210.0, 297.0);
const MARGINS: (f32, f32, f32, f32) = (30.0, 15.0, 12.0, 15.0);

const QR_TEXT: &str = "KENSE1|Ж-2026-00001|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0Od2Fg4H|9f3a1c7e2b4d";

fn verification() -> Option<Verification> {
    Some(Verification {
        qr_text: QR_TEXT.into(), caption: "Тексеру / Проверка: kense Ж-2026-00001".into()
    })
}

/// The longest service name of the catalogue, in both languages.
fn longest_service() -> kense_documents::Bilingual {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../../assets/catalog/services.json")).expect("catalog");
    let services = json["services"].as_array().expect("services");
    let name = services
        .iter()
        .map(|s| &s["name"])
        .max_by_key(|n| n["kk"].as_str().unwrap_or("").chars().count() + n["ru"].as_str().unwrap_or("").chars().count())
        .expect("a service");
    bi(name["kk"].as_str().expect("kk"), name["ru"].as_str().expect("ru"))
}

fn long_name(seed: &str) -> String {
    let mut s = String::new();
    while s.chars().count() < 200 {
        s.push_str(seed);
        s.push(' ');
    }
    s.chars().take(200).collect::<String>().trim().to_string()
}

#[test]
fn referral_text_snapshot_and_fonts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().referral(&referral_sample()).expect("pdf");
    let path = check_document(&dir, "referral", &bytes);
    assert_eq!(pages(&path), 1, "both versions on one sheet");
    let flat = normalise(&text(&path));
    for needle in [
        "Мектепке дейінгі ұйымға жолдама",
        "Направление в дошкольную организацию",
        "Жолдама 19.03.2026 дейін (осы күнді қоса алғанда) жарамды.",
        "Направление действительно по 19.03.2026 включительно.",
        "предъявить в дошкольную организацию",
        "Әбілқасымов Нұрсұлтан Ерланұлы",
        "ЖСН: 220315500456",
        "М.О.",
        "М.П.",
        "Kense · 9f3a1c7e2b4d",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
    assert!(!flat.contains("Бет 1"), "a one-page document has no page number");
}

#[test]
fn queue_notification_with_ticket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().queue_notification(&notification_sample()).expect("pdf");
    let path = check_document(&dir, "queue_notification", &bytes);
    assert_eq!(pages(&path), 1, "notification and ticket on one sheet");
    let flat = normalise(&text(&path));
    for needle in [
        "Тіркеу талоны / Талон о регистрации",
        "Тіркеу нөмірі / Номер регистрации: 01-2026-00001",
        "Туған жылы / Год рождения: 2022",
        "Кезектегі нөмірі / Номер в очереди: 57",
        "egov.kz",
        "Уведомление о постановке в очередь",
        "1) «Балдәурен» бөбекжай-бақшасы",
        "2) детский сад № 3 «Акбота»",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
    // The ticket is the last thing on the sheet, below both versions.
    let words = word_boxes(&path);
    let ticket = words.iter().find(|w| w.word == "талоны").expect("ticket title");
    let last_sign = words.iter().filter(|w| w.word == "М.П.").map(|w| w.y_max).fold(0.0, f32::max);
    assert!(ticket.y_min > last_sign, "ticket above the Russian version");
}

#[test]
fn queue_notification_without_preferences_and_overflowing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = notification_sample();
    n.preferences.clear();
    n.desired_start = None;
    let bytes = typesetter().queue_notification(&n).expect("pdf");
    let path = write_tmp(&dir, "empty.pdf", &bytes);
    let flat = normalise(&text(&path));
    assert!(flat.contains("Таңдалған мектепке дейінгі ұйымдар: таңдалмаған"));
    assert!(flat.contains("Выбранные дошкольные организации: не выбраны"));

    // Long names and many choices: each version on its own page(s), the
    // ticket still at the foot of the last page, every page numbered.
    let mut n = notification_sample();
    n.child_name = long_name("Әбілқасымов Нұрсұлтан");
    n.applicant_name = long_name("Жұмабекова Әсел");
    n.preferences = (1..=12).map(|i| bi(&format!("№ {i} {}", long_name("Балдәурен")), &format!("№ {i} сад"))).collect();
    n.copy_number = 2;
    n.verification = verification();
    let bytes = typesetter().queue_notification(&n).expect("pdf");
    let path = write_tmp(&dir, "long.pdf", &bytes);
    let total = pages(&path);
    assert!(total >= 2, "expected an overflow, got {total} page(s)");
    for p in 1..=total {
        let t = page_text(&path, p);
        assert!(t.contains(&format!("Бет {p} / {total} · Стр. {p} / {total}")), "page {p}: {t}");
        assert!(t.contains("КӨШІРМЕ / КОПИЯ № 2"), "page {p}");
    }
    assert!(page_text(&path, total).contains("Тіркеу талоны / Талон о регистрации"));
    assert_words_inside(&path, A4, MARGINS);
}

#[test]
fn service_result_text_and_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().service_result(&result_sample()).expect("pdf");
    let path = check_document(&dir, "service_result", &bytes);
    assert_eq!(pages(&path), 1);
    let flat = normalise(&text(&path));
    for needle in [
        "Анықтама",
        "Справка",
        "Өтініш: 16.03.2026 № 01-2026-00031",
        "Заявление: от 16.03.2026 № 01-2026-00031",
        "Қорғаншы: Жұмабекова Әсел Серікқызы",
        "Опекун: Жұмабекова Әсел Серікқызы",
        "Настоящая справка выдана",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
}

/// Service 11's order with the contract and the decision issued together:
/// each a document of its own after the order, its own title and facts,
/// the same number, parties and signer.
#[test]
fn documents_issued_together_follow_the_result_each_on_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut order = result_sample();
    order.title = bi("Бұйрық", "Приказ");
    let part = |kk: &str, ru: &str, label: (&str, &str), value: &str| kense_documents::IssuedTogether {
        title: bi(kk, ru),
        text: None,
        fields: vec![kense_documents::ResultField { label: bi(label.0, label.1), value: value.into() }],
    };
    order.together = vec![
        part("Шарт", "Договор", ("Шарттың нөмірі", "Номер договора"), "42"),
        part("Шешім", "Решение", ("Ай сайынғы төлем сомасы, теңге", "Ежемесячная сумма выплаты, тенге"), "61 000,00"),
    ];
    let bytes = typesetter().service_result(&order).expect("pdf");
    let path = write_tmp(&dir, "together.pdf", &bytes);
    assert_eq!(pages(&path), 3, "one sheet each");
    let on = |page: usize| normalise(&page_text(&path, page));
    assert!(on(1).contains("Бұйрық") && !on(1).contains("Номер договора"), "{}", on(1));
    assert!(
        on(2).contains("Шарт") && on(2).contains("Номер договора: 42") && on(2).contains("Жұмабекова Әсел"),
        "{}",
        on(2)
    );
    assert!(on(3).contains("Решение") && on(3).contains("61 000,00"), "{}", on(3));
    assert_fonts_embedded(&path);
}

#[test]
fn reasoned_refusal_text_and_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = typesetter().reasoned_refusal(&reasoned_sample()).expect("pdf");
    let path = check_document(&dir, "reasoned_refusal", &bytes);
    let flat = normalise(&text(&path));
    for needle in [
        "Мемлекеттік қызмет көрсетуден дәлелді бас тарту",
        "Мотивированный отказ в оказании государственной услуги",
        "Бас тарту негізі: Бала мектепке дейінгі ұйымға жолдама алу кезегінде бұрыннан тұр",
        "Основание отказа: Ребёнок уже состоит в очереди",
        "статьей 25 Закона Республики Казахстан «О государственных услугах»",
        "Заңының 25-бабына сәйкес",
        "в суд",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in {flat}");
    }
}

#[test]
fn long_input_stays_inside_the_margins_and_pages_are_numbered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = typesetter();
    let service = longest_service();

    let mut r = reasoned_sample();
    r.service_name = service.clone();
    r.applicant_name = long_name("Әбілқасымова Ғалия Қайратқызы");
    r.explanation = (0..40)
        .map(|i| {
            format!(
                "{i}. Түсіндірме мәтіні, орындаушы жазған, ұзын сөйлем жалғасады; Пояснение исполнителя продолжается."
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    r.copy_number = 2;
    r.verification = verification();
    let mut res = result_sample();
    res.service_name = service.clone();
    res.subject_name = Some(long_name("Жұмабеков Арман"));
    let mut refl = referral_sample();
    refl.kindergarten = bi(&long_name("Балдәурен бөбекжай-бақшасы"), &long_name("ясли-сад"));
    refl.child_name = long_name("Әбілқасымов Нұрсұлтан Ерланұлы");
    refl.signer.name = long_name("Сейітқалиева Гүлнар");

    for (name, bytes, multi) in [
        ("reasoned", t.reasoned_refusal(&r).expect("pdf"), true),
        ("result", t.service_result(&res).expect("pdf"), false),
        ("referral", t.referral(&refl).expect("pdf"), false),
    ] {
        let path = write_tmp(&dir, &format!("{name}.pdf"), &bytes);
        assert_words_inside(&path, A4, MARGINS);
        let total = pages(&path);
        if multi {
            assert!(total >= 3, "{name}: {total} pages");
        }
        if total > 1 {
            for p in 1..=total {
                assert!(
                    page_text(&path, p).contains(&format!("Бет {p} / {total} · Стр. {p} / {total}")),
                    "{name}: page {p} has no number"
                );
            }
        }
        std::fs::copy(&path, documents_artifact_dir().join(format!("{name}_long.pdf"))).expect("artifact");
    }
}

#[test]
fn documents_are_deterministic() {
    let t = typesetter();
    let mut r = referral_sample();
    r.verification = verification();
    r.stamp = Some(StampImage { png: stamp_png(120) });
    assert!(t.referral(&r).expect("a") == t.referral(&r).expect("b"));
    let n = notification_sample();
    assert!(t.queue_notification(&n).expect("a") == t.queue_notification(&n).expect("b"));
    let s = result_sample();
    assert!(t.service_result(&s).expect("a") == t.service_result(&s).expect("b"));
    let x = reasoned_sample();
    assert!(t.reasoned_refusal(&x).expect("a") == t.reasoned_refusal(&x).expect("b"));
    let mut later = referral_sample();
    later.issued_at = at("2026-03-12 10:15:43");
    assert!(t.referral(&referral_sample()).expect("a") != t.referral(&later).expect("b"));
}

#[test]
fn referral_qr_reads_back_the_verification_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = referral_sample();
    r.verification = verification();
    r.copy_number = 2;
    let path = write_tmp(&dir, "qr.pdf", &typesetter().referral(&r).expect("pdf"));
    assert_eq!(pages(&path), 1);
    let png = render_page(&path, 1, 150, &dir.path().join("qr"));
    let (top, bottom) = decode_qr_halves(&png);
    assert_eq!(top, vec![QR_TEXT.to_string()], "Kazakh half");
    assert_eq!(bottom, vec![QR_TEXT.to_string()], "Russian half");
    std::fs::copy(&png, documents_artifact_dir().join("referral_copy_qr.png")).expect("artifact");
}

#[test]
fn invalid_input_is_refused() {
    let t = typesetter();
    let mut r = referral_sample();
    r.valid_until = crate::common::day(2026, 3, 11);
    assert!(matches!(t.referral(&r), Err(DocumentError::Input(_))));
    let mut r = referral_sample();
    r.copy_number = 0;
    assert!(matches!(t.referral(&r), Err(DocumentError::Input(_))));
    let mut x = reasoned_sample();
    x.reason = bi("", "");
    assert!(matches!(t.reasoned_refusal(&x), Err(DocumentError::Input(_))));
    let mut s = result_sample();
    s.title = bi("Анықтама", " ");
    assert!(matches!(t.service_result(&s), Err(DocumentError::Input(_))));
}

// ---------------------------------------------------------------------------
// Stamp image
// ---------------------------------------------------------------------------

fn has_image_xobject(pdf: &[u8]) -> bool {
    let doc = lopdf::Document::load_mem(pdf).expect("parse pdf");
    doc.objects.values().any(|o| {
        o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).is_ok_and(|n| n == b"Image"))
    })
}

#[test]
fn stamp_is_drawn_over_the_seal_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = typesetter();
    let plain = t.referral(&referral_sample()).expect("pdf");
    let mut r = referral_sample();
    r.stamp = Some(StampImage { png: stamp_png(160) });
    let stamped = t.referral(&r).expect("pdf");
    assert!(!has_image_xobject(&plain));
    assert!(has_image_xobject(&stamped));

    let a = write_tmp(&dir, "plain.pdf", &plain);
    let b = write_tmp(&dir, "stamped.pdf", &stamped);
    assert_eq!(pages(&b), 1);
    check_snapshot("referral_stamp", &b);
    // The stamp is the only colour on the page: the page without it has no
    // blue pixel, the one with it has blue pixels only around the two seal
    // places.
    let blue_a = blue_pixels(&render_page(&a, 1, 50, &dir.path().join("plain")));
    let blue_b = blue_pixels(&render_page(&b, 1, 50, &dir.path().join("stamped")));
    assert!(blue_a.is_empty());
    assert!(blue_b.len() > 200, "the stamp left almost no ink");
    let px_per_pt = 50.0 / 72.0;
    let seals: Vec<WordBox> = word_boxes(&b).into_iter().filter(|w| w.word == "М.О." || w.word == "М.П.").collect();
    assert_eq!(seals.len(), 2);
    let mut per_seal = [0usize; 2];
    for (x, y) in blue_b {
        let near = seals.iter().position(|s| {
            let cx = (s.x_min + s.x_max) / 2.0 * px_per_pt;
            let cy = (s.y_min + s.y_max) / 2.0 * px_per_pt;
            // A 40 mm stamp: 20 mm (57 pt) around its centre, which sits
            // at most a little below the seal place's centre.
            (x as f32 - cx).abs() < 60.0 * px_per_pt && (y as f32 - cy).abs() < 75.0 * px_per_pt
        });
        match near {
            Some(i) => per_seal[i] += 1,
            None => panic!("blue pixel ({x}, {y}) away from the seal places"),
        }
    }
    assert!(per_seal.iter().all(|n| *n > 100), "{per_seal:?}");
}

/// Pixels clearly blue (the stamp's colour), as (x, y).
fn blue_pixels(png_path: &std::path::Path) -> Vec<(usize, usize)> {
    let bytes = std::fs::read(png_path).expect("png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let mut out = Vec::new();
    for y in 0..info.height as usize {
        for x in 0..info.width as usize {
            let p = &buf[y * info.line_size + x * 3..];
            if i16::from(p[2]) - i16::from(p[0]) > 80 {
                out.push((x, y));
            }
        }
    }
    out
}

#[test]
fn stamp_on_every_signed_document() {
    let t = typesetter();
    let stamp = Some(StampImage { png: stamp_png(100) });
    let mut n = notification_sample();
    n.stamp = stamp.clone();
    let mut s = result_sample();
    s.stamp = stamp.clone();
    let mut x = reasoned_sample();
    x.stamp = stamp;
    for bytes in [
        t.queue_notification(&n).expect("pdf"),
        t.service_result(&s).expect("pdf"),
        t.reasoned_refusal(&x).expect("pdf"),
    ] {
        assert!(has_image_xobject(&bytes));
    }
}

#[test]
fn bad_stamps_are_refused() {
    assert_eq!(check_stamp(&stamp_png(64)).expect("good stamp"), (64, 64));
    // Opaque grey, and a wide one: both fine.
    let grey_png = encode_png(30, 10, png::ColorType::Grayscale, &[128; 300]);
    assert_eq!(check_stamp(&grey_png).expect("grey"), (30, 10));

    let mut truncated = stamp_png(64);
    truncated.truncate(truncated.len() / 2);
    let too_wide = encode_png(2001, 1, png::ColorType::Grayscale, &[0; 2001]);
    let mut too_big = stamp_png(8);
    too_big.resize(2 * 1024 * 1024 + 1, 0);
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("not a png", b"GIF89a not a png at all".to_vec()),
        ("truncated", truncated),
        ("2001 px wide", too_wide),
        ("over 2 MB", too_big),
    ] {
        assert!(matches!(check_stamp(&bytes), Err(DocumentError::Input(_))), "{what} accepted");
        let mut r = referral_sample();
        r.stamp = Some(StampImage { png: bytes });
        assert!(matches!(typesetter().referral(&r), Err(DocumentError::Input(_))), "{what} accepted by the referral");
    }
}

#[test]
fn write_artifacts_for_eyes() {
    let dir = documents_artifact_dir();
    let t = typesetter();
    let mut n = notification_sample();
    n.copy_number = 2;
    n.verification = verification();
    n.stamp = Some(StampImage { png: stamp_png(160) });
    let pdf = dir.join("queue_notification_copy_qr_stamp.pdf");
    std::fs::write(&pdf, t.queue_notification(&n).expect("pdf")).expect("write");
    render_page(&pdf, 1, 80, &dir.join("queue_notification_copy_qr_stamp"));
}

/// The SVG pages' visible text: what `<text>` elements hold.
fn svg_text(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let body = &rest[start..];
        let (Some(open), Some(close)) = (body.find('>'), body.find("</text>")) else {
            break;
        };
        out.push_str(&body[open + 1..close]);
        out.push(' ');
        rest = &body[close..];
    }
    out.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
}

#[test]
fn drafts_show_the_pages_as_printed_marked_and_unvouched() {
    let mut r = result_sample();
    r.verification = None;
    r.stamp = None;
    let pages = typesetter().service_result_draft(&r).expect("draft");
    assert_eq!(pages.len(), 1);
    let svg = &pages[0];
    assert!(svg.starts_with("<svg") || svg.contains("<svg"), "not an SVG");
    assert!(svg.contains("@font-face"), "the font travels inside the SVG");
    let words = normalise(&svg_text(svg));
    for needle in ["ЖОБА", "ПРОЕКТ", "не подписано", "Жұмабекова Әсел Серікқызы", "Анықтама", "Справка"]
    {
        assert!(words.contains(needle), "missing {needle:?} in {words}");
    }
    std::fs::write(artifact_dir().join("service_result_draft.svg"), svg).expect("artifact");

    let mut refusal = reasoned_sample();
    refusal.verification = None;
    refusal.stamp = None;
    let pages = typesetter().reasoned_refusal_draft(&refusal).expect("draft");
    assert!(normalise(&svg_text(&pages[0])).contains("ЖОБА"));

    // What vouches for a signed paper is refused on a draft.
    let mut vouched = result_sample();
    vouched.verification = verification();
    assert!(matches!(typesetter().service_result_draft(&vouched), Err(DocumentError::Input(_))));
    let mut stamped = reasoned_sample();
    stamped.verification = None;
    stamped.stamp = Some(StampImage { png: stamp_png(200) });
    assert!(matches!(typesetter().reasoned_refusal_draft(&stamped), Err(DocumentError::Input(_))));
}
