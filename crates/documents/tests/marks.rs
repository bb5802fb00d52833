//! The per-document marks on both receipts: the copy mark (visible, top
//! right, clear of text, deterministic) and the verification QR code (read
//! back from a 150 dpi rendering with rqrr, clear of text, with its caption).

mod common;

use common::*;
use kense_documents::{AcceptanceReceipt, DocumentError, RefusalReceipt, Verification};

/// A compact verification text: document number, time, a base64url
/// HMAC-SHA-256 and the audit chain head (98 bytes, a version 7 symbol, about
/// 3.2 px per module at 150 dpi).
const QR_TEXT: &str =
    "KENSE1|01-2026-00001|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0Od2Fg4H|9f3a1c7e2b4d";

/// With a full base64 Ed25519 signature (164 bytes, version 9): 0.45 mm
/// modules, fine for a 300 dpi print or a phone, but only 2.7 px per module
/// at 150 dpi, where rqrr's success depends on the pixel phase.
const LONG_QR_TEXT: &str = "KENSE1|01-2026-00001|2026-03-12T10:15:42|Jx2v9mS0QpXc4Lk1bT7yHn3Wq8Ue5Rz6Ai0Od2Fg4Hj7Kl9Mn1Pq3Rs5Tu7Vw9Xy0Za2Bc4De6Fg8Hi0Jk2Lm4No6Pq8Rs0Tu2Vw4Xy6Za8==|9f3a1c7e2b4d";

fn verification(text: &str) -> Option<Verification> {
    Some(Verification {
        qr_text: text.into(),
        caption: "Тексеру / Проверка: kense 01-2026-00001 · 9f3a1c7e2b4d".into(),
    })
}

fn acceptance() -> AcceptanceReceipt {
    acceptance_sample()
}

fn refusal() -> RefusalReceipt {
    common::refusal_sample()
}

/// Both documents, with the given copy number and QR text.
/// Sheets an original takes: the refusal receipt is two originals, one for
/// each party, on a sheet each.
fn originals(name: &str) -> usize {
    if name == "refusal" {
        2
    } else {
        1
    }
}

fn both(copy: u32, qr: Option<&str>) -> Vec<(&'static str, Vec<u8>)> {
    let t = typesetter();
    let mut a = acceptance();
    a.copy_number = copy;
    a.verification = qr.and_then(verification);
    let mut r = refusal();
    r.copy_number = copy;
    r.verification = qr.and_then(verification);
    vec![
        ("acceptance", t.acceptance_receipt(&a).expect("acceptance pdf")),
        ("refusal", t.refusal_receipt(&r).expect("refusal pdf")),
    ]
}

fn overlaps(a: &WordBox, b: &WordBox) -> bool {
    a.page == b.page && a.x_min < b.x_max && b.x_min < a.x_max && a.y_min < b.y_max && b.y_min < a.y_max
}

#[test]
fn copies_carry_a_visible_mark_clear_of_the_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let originals = both(1, None);
    for ((name, bytes), (_, original)) in both(3, None).into_iter().zip(originals) {
        assert!(bytes != original, "{name}: a copy must differ from the original");
        let path = write_tmp(&dir, &format!("{name}.pdf"), &bytes);
        assert_eq!(pages(&path), 1, "{name}");
        let flat = normalise(&text(&path));
        // One mark per language half, since the halves are cut apart.
        assert_eq!(flat.matches("КӨШІРМЕ / КОПИЯ № 3").count(), 2, "{name}: {flat}");

        let words = word_boxes(&path);
        let marks: Vec<&WordBox> = words.iter().filter(|w| w.word == "КӨШІРМЕ").collect();
        assert_eq!(marks.len(), 2, "{name}");
        let mark_words: Vec<&WordBox> = words
            .iter()
            .filter(|w| marks.iter().any(|m| (m.y_min - w.y_min).abs() < 0.5 && w.x_min >= m.x_min))
            .collect();
        for m in &marks {
            // Top right: in the right half of the page, above everything else
            // of its half.
            assert!(m.x_min > 595.3 / 2.0, "{name}: mark not on the right: {m:?}");
        }
        for w in words.iter().filter(|w| !mark_words.iter().any(|m| std::ptr::eq(*m, *w))) {
            for m in &mark_words {
                assert!(!overlaps(w, m), "{name}: mark {m:?} overlaps {w:?}");
            }
        }
        // The mark ends at the right margin (12 mm = 34 pt).
        let right = mark_words.iter().map(|w| w.x_max).fold(0.0, f32::max);
        assert!(right <= 595.3 - 33.5 && right > 595.3 - 40.0, "{name}: right edge {right}");
    }
}

#[test]
fn copies_are_deterministic_and_numbered() {
    let a = both(2, Some(QR_TEXT));
    let b = both(2, Some(QR_TEXT));
    let c = both(3, Some(QR_TEXT));
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert!(x.1 == y.1, "{}: same copy, different bytes", x.0);
        assert!(x.1 != z.1, "{}: copy 2 and copy 3 are identical", x.0);
    }
}

#[test]
fn copy_number_zero_is_rejected() {
    let mut a = acceptance();
    a.copy_number = 0;
    assert!(matches!(typesetter().acceptance_receipt(&a), Err(DocumentError::Input(_))));
}

#[test]
fn overflowing_copy_has_the_mark_on_every_page() {
    let mut r = refusal();
    r.copy_number = 2;
    r.missing_documents = (1..=30).map(|i| bi(&format!("{i}-құжат"), &format!("Документ {i}"))).collect();
    let bytes = typesetter().refusal_receipt(&r).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_tmp(&dir, "r.pdf", &bytes);
    let n = pages(&path);
    assert!(n >= 2);
    for p in 1..=n {
        assert!(page_text(&path, p).contains("КӨШІРМЕ / КОПИЯ № 2"), "page {p} has no copy mark");
    }
}

#[test]
fn qr_decodes_to_the_verification_text_in_both_parts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let other_text = "KENSE1|01-2026-00002|2026-03-12T10:20:00|Qm9uam91ciBsZSBtb25kZSwgS2Vuc2UgdGVzdA|0a1b2c3d4e5f";
    for ((name, bytes), (_, other)) in both(1, Some(QR_TEXT)).into_iter().zip(both(1, Some(other_text))) {
        let path = write_tmp(&dir, &format!("{name}.pdf"), &bytes);
        assert_eq!(pages(&path), originals(name), "{name}: the QR must not push an original onto two pages");
        let png = render_page(&path, 1, 150, &dir.path().join(name));
        let (top, bottom) = decode_qr_halves(&png);
        assert_eq!(top, vec![QR_TEXT.to_string()], "{name}: Kazakh half");
        assert_eq!(bottom, vec![QR_TEXT.to_string()], "{name}: Russian half");

        let other_path = write_tmp(&dir, &format!("{name}-other.pdf"), &other);
        let other_png = render_page(&other_path, 1, 150, &dir.path().join(format!("{name}-other")));
        let (top, bottom) = decode_qr_halves(&other_png);
        assert_eq!(top, vec![other_text.to_string()], "{name}");
        assert_eq!(bottom, vec![other_text.to_string()], "{name}");

        let flat = normalise(&text(&path));
        assert_eq!(
            flat.matches("Тексеру / Проверка: kense 01-2026-00001 · 9f3a1c7e2b4d").count(),
            2 * originals(name),
            "{name}: caption missing: {flat}"
        );
        assert_fonts_embedded(&path);
    }
}

#[test]
fn signature_length_qr_text_decodes_at_print_resolution() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in both(1, Some(LONG_QR_TEXT)) {
        let path = write_tmp(&dir, &format!("{name}.pdf"), &bytes);
        assert_eq!(pages(&path), originals(name), "{name}");
        let png = render_page(&path, 1, 300, &dir.path().join(name));
        let (top, bottom) = decode_qr_halves(&png);
        assert_eq!(top, vec![LONG_QR_TEXT.to_string()], "{name}: Kazakh half");
        assert_eq!(bottom, vec![LONG_QR_TEXT.to_string()], "{name}: Russian half");
    }
}

#[test]
fn qr_sits_bottom_right_clear_of_every_word() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in both(2, Some(QR_TEXT)) {
        let path = write_tmp(&dir, &format!("{name}.pdf"), &bytes);
        let png = render_page(&path, 1, 150, &dir.path().join(name));
        let bytes_png = std::fs::read(&png).expect("png");
        let img = png::Decoder::new(std::io::Cursor::new(bytes_png)).read_info().expect("png");
        let h = img.info().height as f32;
        let grids = qr_grid_bounds(&png);
        assert_eq!(grids.len(), 2, "{name}");
        let px_to_pt = 72.0 / 150.0;
        for (i, (x0, y0, x1, y1)) in grids.into_iter().enumerate() {
            let qr = WordBox {
                page: 1,
                x_min: x0 * px_to_pt,
                y_min: y0 * px_to_pt,
                x_max: x1 * px_to_pt,
                y_max: y1 * px_to_pt,
                word: "QR".into(),
            };
            // Right-aligned to the 12 mm margin, about 24 mm square.
            assert!((qr.x_max - (595.3 - 34.0)).abs() < 3.0, "{name}: {qr:?}");
            let side_mm = (qr.x_max - qr.x_min) / 72.0 * 25.4;
            assert!((22.0..=26.0).contains(&side_mm), "{name}: side {side_mm} mm");
            // In the lower part of its half: the top half for the first
            // symbol, the bottom half for the second.
            let half_bottom = if i == 0 { h / 2.0 } else { h } * px_to_pt;
            assert!(qr.y_max < half_bottom && qr.y_max > half_bottom - 60.0 * 72.0 / 25.4, "{name}: {qr:?}");
            for word in word_boxes(&path) {
                assert!(!overlaps(&word, &qr), "{name}: {word:?} overlaps the QR {qr:?}");
            }
        }
    }
}

#[test]
fn write_artifacts_for_eyes() {
    let dir = artifact_dir();
    for (name, bytes) in both(2, Some(QR_TEXT)) {
        let pdf = dir.join(format!("{name}_copy_qr.pdf"));
        std::fs::write(&pdf, bytes).expect("write");
        render_page(&pdf, 1, 150, &dir.join(format!("{name}_copy_qr")));
    }
}
