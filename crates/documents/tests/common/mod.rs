//! Helpers shared by the end-to-end document tests: sample inputs, poppler
//! runs, word boxes and QR decoding of rendered pages.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDateTime;
use kense_documents::{
    AcceptanceReceipt, Bilingual, Journal, JournalRow, OfficeRequisites, QueueExtract, QueueExtractRow,
    QueueNotification, ReasonedRefusal, Referral, ReferralList, ReferralListRow, RefusalReceipt, ResultField,
    ServiceResult, Signer, Typesetter,
};

pub const SERVICE_KK: &str =
    "Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою";
pub const SERVICE_RU: &str =
    "Постановка на очередь детей дошкольного возраста (до 7 лет) для направления в детские дошкольные организации";

pub fn typesetter() -> &'static Typesetter {
    static T: OnceLock<Typesetter> = OnceLock::new();
    T.get_or_init(|| Typesetter::new().expect("typesetter"))
}

pub fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual { kk: kk.into(), ru: ru.into() }
}

pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("datetime")
}

pub fn office() -> OfficeRequisites {
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

pub fn poppler(bin: &str, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{bin}` ({e}); install poppler-utils (apt-get install poppler-utils)"));
    assert!(out.status.success(), "{bin} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("poppler output is UTF-8")
}

pub fn write_tmp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write pdf");
    p
}

pub fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn text(path: &Path) -> String {
    poppler("pdftotext", &["-enc", "UTF-8", path.to_str().expect("path"), "-"])
}

/// Text of one page, whitespace collapsed.
pub fn page_text(path: &Path, page: usize) -> String {
    let n = page.to_string();
    normalise(&poppler("pdftotext", &["-enc", "UTF-8", "-f", &n, "-l", &n, path.to_str().expect("path"), "-"]))
}

pub fn pages(path: &Path) -> usize {
    let info = poppler("pdfinfo", &[path.to_str().expect("utf-8 path")]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Pages: line in pdfinfo output:\n{info}"))
}

/// A word from `pdftotext -bbox`, in points from the page's top-left.
#[derive(Debug, Clone)]
pub struct WordBox {
    pub page: usize,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
    pub word: String,
}

pub fn word_boxes(path: &Path) -> Vec<WordBox> {
    let html = poppler("pdftotext", &["-bbox", path.to_str().expect("path"), "-"]);
    let mut page = 0;
    let mut out = Vec::new();
    for line in html.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        if !line.contains("<word ") {
            continue;
        }
        let num = |key: &str| -> f32 {
            let start = line.find(&format!("{key}=\"")).expect("coordinate") + key.len() + 2;
            let rest = &line[start..];
            rest[..rest.find('"').expect("quote")].parse().expect("number")
        };
        let word = line
            .split_once('>')
            .and_then(|(_, r)| r.split_once("</word>"))
            .map(|(w, _)| w.to_string())
            .unwrap_or_default();
        out.push(WordBox {
            page,
            x_min: num("xMin"),
            y_min: num("yMin"),
            x_max: num("xMax"),
            y_max: num("yMax"),
            word,
        });
    }
    out
}

/// The embedded fonts are subset, embedded and have ToUnicode.
pub fn assert_fonts_embedded(path: &Path) {
    let fonts = poppler("pdffonts", &[path.to_str().expect("path")]);
    let rows: Vec<&str> = fonts.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(rows.len(), 2, "expected regular + bold:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "odd pdffonts row {row:?}");
        assert_eq!((cols[n - 5], cols[n - 4], cols[n - 3]), ("yes", "yes", "yes"), "row {row:?}\n{fonts}");
        assert!(cols[0].contains("LiberationSerif"), "row {row:?}");
    }
}

/// `target/` of this build, found from the test binary (target/<profile>/deps/…).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors().nth(3).map(Path::to_path_buf).expect("test binary lives in target/<profile>/deps")
}

pub fn artifact_dir() -> PathBuf {
    let dir = target_dir().join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// Renders page `page` of `pdf` to `<prefix>.png` with `pdftoppm -r dpi`;
/// returns the PNG's path.
pub fn render_page(pdf: &Path, page: usize, dpi: u32, prefix: &Path) -> PathBuf {
    let n = page.to_string();
    let r = dpi.to_string();
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            &r,
            "-f",
            &n,
            "-l",
            &n,
            "-singlefile",
            pdf.to_str().expect("path"),
            prefix.to_str().expect("path"),
        ],
    );
    prefix.with_extension("png")
}

/// A QR symbol found in a PNG: its text if it decodes, and its bounding
/// box `(x0, y0, x1, y1)` in pixels.
type Found = (Option<String>, (f32, f32, f32, f32));

/// Decodes every QR code found in a PNG; texts in detection order.
pub fn decode_qr(png_path: &Path) -> Vec<String> {
    scan_qr(png_path).into_iter().filter_map(|(t, _)| t).collect()
}

/// Bounding boxes `(x0, y0, x1, y1)` in pixels of the QR symbols in a PNG.
pub fn qr_grid_bounds(png_path: &Path) -> Vec<(f32, f32, f32, f32)> {
    let mut v: Vec<_> = scan_qr_rows(png_path, Some(true))
        .into_iter()
        .chain(scan_qr_rows(png_path, Some(false)))
        .map(|(_, b)| b)
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v
}

/// Decodes the QR codes of the top and of the bottom half of a PNG
/// separately (rqrr pairs finder patterns of two symbols stacked in one
/// column into a bogus third one and then misses one of the real two).
pub fn decode_qr_halves(png_path: &Path) -> (Vec<String>, Vec<String>) {
    let top = scan_qr_rows(png_path, Some(true));
    let bottom = scan_qr_rows(png_path, Some(false));
    let text = |v: Vec<Found>| v.into_iter().filter_map(|(t, _)| t).collect::<Vec<_>>();
    (text(top), text(bottom))
}

/// Every QR symbol found in a PNG: its text if it decodes, and its bounding
/// box in pixels.
fn scan_qr(png_path: &Path) -> Vec<Found> {
    scan_qr_rows(png_path, None)
}

/// Like [`scan_qr`], limited to the top half (`Some(true)`), the bottom half
/// (`Some(false)`) or the whole image; boxes are in whole-image pixels.
fn scan_qr_rows(png_path: &Path, half: Option<bool>) -> Vec<Found> {
    let bytes = std::fs::read(png_path).expect("read png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("png header");
    let size = reader.output_buffer_size().expect("png buffer size");
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let (w, full_h) = (info.width as usize, info.height as usize);
    let (y_off, h) = match half {
        None => (0, full_h),
        Some(true) => (0, full_h / 2),
        Some(false) => (full_h / 2, full_h - full_h / 2),
    };
    let stride = info.line_size;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let y = y + y_off;
        let px = &buf[y * stride + x * channels..];
        if channels >= 3 {
            ((u16::from(px[0]) + u16::from(px[1]) + u16::from(px[2])) / 3) as u8
        } else {
            px[0]
        }
    });
    img.detect_grids()
        .into_iter()
        .map(|g| {
            let xs = g.bounds.iter().map(|p| p.x as f32);
            let ys = g.bounds.iter().map(|p| p.y as f32);
            let bounds = (
                xs.clone().fold(f32::MAX, f32::min),
                ys.clone().fold(f32::MAX, f32::min) + y_off as f32,
                xs.fold(f32::MIN, f32::max),
                ys.fold(f32::MIN, f32::max) + y_off as f32,
            );
            (g.decode().ok().map(|(_, text)| text), bounds)
        })
        .collect()
}

/// The acceptance receipt every document test starts from.
pub fn acceptance_sample() -> AcceptanceReceipt {
    AcceptanceReceipt {
        registration_number: "01-2026-00001".into(),
        registered_at: at("2026-03-12 10:15:42"),
        office: office(),
        service_name: bi(SERVICE_KK, SERVICE_RU),
        channel: Some(bi("Кеңсе", "Отдел")),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        representative: Some(kense_documents::RepresentativeLine {
            name: "Әбілқасымов Ерлан Серікұлы".into(),
            iin: "880202300123".into(),
            poa_number: "125".into(),
            poa_date: "01.03.2026".into(),
        }),
        consent_by: Some(bi("өкіл Әбілқасымов Ерлан Серікұлы", "представитель Әбілқасымов Ерлан Серікұлы")),
        subject_name: Some("Әбілқасымов Нұрсұлтан Ерланұлы".into()),
        subject_iin: Some("210315500456".into()),
        subject_birth_date: Some(day(2021, 3, 15)),
        documents: vec![
            bi("Өтініш", "Заявление"),
            bi("Баланың туу туралы куәлігі", "Свидетельство о рождении ребёнка"),
            bi("Өтініш берушінің жеке басын куәландыратын құжат", "Документ, удостоверяющий личность заявителя"),
        ],
        expected_result_date: Some(day(2026, 3, 13)),
        accepted_by: "Сейітқалиева Гүлнар Маратқызы".into(),
        executor: Some("Жұмабеков Ерлан Серікұлы".into()),
        executor_phone: Some("+7 (71333) 3-12-46".into()),
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        copy_number: 1,
        verification: None,
    }
}

/// The refusal receipt every document test starts from.
pub fn refusal_sample() -> RefusalReceipt {
    RefusalReceipt {
        registration_number: "01-2026-00007".into(),
        registered_at: at("2026-03-12 11:02:05"),
        office: office(),
        service_name: bi(SERVICE_KK, SERVICE_RU),
        channel: Some(bi("Кеңсе", "Отдел")),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        representative: Some(kense_documents::RepresentativeLine {
            name: "Сейітов Марат Болатұлы".into(),
            iin: "850412300145".into(),
            poa_number: "2026-0142".into(),
            poa_date: "02.03.2026".into(),
        }),
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
    }
}

// ---------------------------------------------------------------------------
// Expected text and page snapshots of the office's documents.
//
// `KENSE_UPDATE_SNAPSHOTS=1 cargo test -p kense-documents` rewrites
// `tests/expected/*.txt` and `tests/snapshots/*.png` from the current output
// instead of comparing; review the diff (and the PNGs) before committing.
// Every run also writes the rendered PNGs and PDFs to
// `<target dir>/test-artifacts/documents/` for a person to look at.
// ---------------------------------------------------------------------------

pub fn updating_snapshots() -> bool {
    std::env::var("KENSE_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
}

fn manifest_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `<target dir>/test-artifacts/documents/`.
pub fn documents_artifact_dir() -> PathBuf {
    let dir = target_dir().join("test-artifacts").join("documents");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// `pdftotext -layout` with trailing white space and blank lines at the
/// end removed (poppler pads lines differently between runs of a page).
pub fn layout_text(pdf: &Path) -> String {
    let raw = poppler("pdftotext", &["-layout", "-enc", "UTF-8", pdf.to_str().expect("path"), "-"]);
    let mut lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// Compares the PDF's layout text with `tests/expected/<name>.txt`.
pub fn check_expected_text(name: &str, pdf: &Path) {
    let actual = layout_text(pdf);
    let path = manifest_path(&format!("tests/expected/{name}.txt"));
    if updating_snapshots() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &actual).expect("write expected text");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with KENSE_UPDATE_SNAPSHOTS=1 to create it", path.display()));
    let expected = expected.replace("\r\n", "\n");
    if actual != expected {
        let got = documents_artifact_dir().join(format!("{name}.actual.txt"));
        std::fs::write(&got, &actual).expect("write actual");
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(actual.lines().count().min(expected.lines().count()));
        panic!(
            "{name}: text differs from {} from line {} on (actual in {})\n  expected: {:?}\n  actual:   {:?}",
            path.display(),
            first + 1,
            got.display(),
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

/// A PNG as grey levels: width, height, one byte per pixel.
pub fn grey(png_path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(png_path).expect("read png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let px = &buf[y * info.line_size + x * channels..];
            out.push(if channels >= 3 {
                ((u16::from(px[0]) + u16::from(px[1]) + u16::from(px[2])) / 3) as u8
            } else {
                px[0]
            });
        }
    }
    (w, h, out)
}

/// Share of pixels whose grey levels differ by more than 64.
pub fn differing_share(a: &(usize, usize, Vec<u8>), b: &(usize, usize, Vec<u8>)) -> f64 {
    assert_eq!((a.0, a.1), (b.0, b.1), "page renders differ in size");
    let n = a.2.iter().zip(&b.2).filter(|(x, y)| x.abs_diff(**y) > 64).count();
    n as f64 / a.2.len() as f64
}

/// Renders page 1 at 50 dpi into the artifact dir and compares it with
/// `tests/snapshots/<name>.png`: at most 0.5 % of the pixels may differ by
/// more than 64 grey levels (font rasterisation changes between poppler
/// versions move edges by a pixel, not whole words).
pub fn check_snapshot(name: &str, pdf: &Path) -> PathBuf {
    let dir = documents_artifact_dir();
    std::fs::copy(pdf, dir.join(format!("{name}.pdf"))).expect("copy pdf");
    let png = render_page(pdf, 1, 50, &dir.join(name));
    let path = manifest_path(&format!("tests/snapshots/{name}.png"));
    if updating_snapshots() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&png, &path).expect("write snapshot");
        return png;
    }
    assert!(path.exists(), "{}: missing; run with KENSE_UPDATE_SNAPSHOTS=1 to create it", path.display());
    let share = differing_share(&grey(&png), &grey(&path));
    assert!(
        share <= 0.005,
        "{name}: {:.2} % of the pixels differ from {} (render in {})",
        share * 100.0,
        path.display(),
        png.display()
    );
    png
}

/// Writes a PDF to a temp dir, checks fonts, expected text and snapshot;
/// returns the PDF path.
pub fn check_document(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = write_tmp(dir, &format!("{name}.pdf"), bytes);
    assert_fonts_embedded(&path);
    check_expected_text(name, &path);
    check_snapshot(name, &path);
    path
}

/// Every word of every page lies inside the page's margins (`margins` in mm:
/// left, top, right, bottom), with half a point of slack for glyph overhang;
/// the outer halves of the top and bottom margins are left to the marks
/// (copy mark above, audit footer and page number below).
pub fn assert_words_inside(path: &Path, page_mm: (f32, f32), margins: (f32, f32, f32, f32)) {
    let pt = |mm: f32| mm * 72.0 / 25.4;
    let (w, h) = (pt(page_mm.0), pt(page_mm.1));
    let (l, t, r, b) = (pt(margins.0), pt(margins.1), pt(margins.2), pt(margins.3));
    let words = word_boxes(path);
    assert!(!words.is_empty(), "no words in {}", path.display());
    for word in words {
        assert!(
            word.x_min >= l - 0.5
                && word.x_max <= w - r + 0.5
                && word.y_min >= t / 2.0
                && word.y_max <= h - b / 2.0 + 4.0,
            "{word:?} outside the margins of {}",
            path.display()
        );
    }
}

/// A PNG of a round blue seal on a transparent background, `side` px.
pub fn stamp_png(side: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity((side * side * 4) as usize);
    let c = side as f32 / 2.0;
    for y in 0..side {
        for x in 0..side {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
            let ring = d < c - 1.0 && (d > c * 0.8 || d < c * 0.35);
            data.extend_from_slice(if ring { &[20, 40, 200, 255] } else { &[0, 0, 0, 0] });
        }
    }
    encode_png(side, side, png::ColorType::Rgba, &data)
}

pub fn encode_png(w: u32, h: u32, colour: png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(colour);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("png header");
        writer.write_image_data(data).expect("png data");
    }
    out
}

// ---------------------------------------------------------------------------
// Fixture records of the office's signed documents and registers.
// ---------------------------------------------------------------------------

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn head() -> Signer {
    Signer {
        name: "Сейітқалиева Гүлнар Маратқызы".into(),
        position: bi("Білім бөлімінің басшысы", "Руководитель отдела образования"),
    }
}

pub fn referral_sample() -> Referral {
    Referral {
        number: "Ж-2026-00001".into(),
        issued_at: at("2026-03-12 10:15:42"),
        valid_until: day(2026, 3, 19),
        office: office(),
        child_name: "Әбілқасымов Нұрсұлтан Ерланұлы".into(),
        child_iin: "220315500456".into(),
        child_birth_date: day(2022, 3, 15),
        age_group: bi("2022 жылы туған балалар", "дети 2022 года рождения"),
        kindergarten: bi("«Балдәурен» бөбекжай-бақшасы МКҚК", "ГККП ясли-сад «Балдаурен»"),
        kindergarten_address: bi("Қандыағаш қ., Мир к-сі, 14", "г. Кандыагаш, ул. Мира, 14"),
        group: Some(bi(
            "«Ботақан» кіші тобы, оқыту тілі – қазақ",
            "младшая группа «Ботакан», язык обучения – казахский",
        )),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        registration_number: "01-2026-00001".into(),
        signer: head(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    }
}

pub fn notification_sample() -> QueueNotification {
    QueueNotification {
        registration_number: "01-2026-00001".into(),
        registered_at: at("2026-03-12 10:15:42"),
        office: office(),
        child_name: "Әбілқасымов Нұрсұлтан Ерланұлы".into(),
        child_iin: "220315500456".into(),
        child_birth_date: day(2022, 3, 15),
        birth_year: 2022,
        category: bi("жалпы кезек", "общая очередь"),
        position: 57,
        preferences: vec![
            bi("«Балдәурен» бөбекжай-бақшасы", "ясли-сад «Балдаурен»"),
            bi("№ 3 «Ақбота» балабақшасы", "детский сад № 3 «Акбота»"),
        ],
        desired_start: Some(day(2026, 9, 1)),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_phone: "+7 701 123 45 67".into(),
        signer: head(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    }
}

pub fn result_sample() -> ServiceResult {
    ServiceResult {
        number: "А-2026-00012".into(),
        issued_at: at("2026-03-20 15:40:00"),
        office: office(),
        title: bi("Анықтама", "Справка"),
        service_name: bi(
            "Қорғаншылық және қамқоршылық жөнінде анықтама беру",
            "Выдача справок по опеке и попечительству",
        ),
        registration_number: "01-2026-00031".into(),
        registered_on: day(2026, 3, 16),
        applicant_name: "Жұмабекова Әсел Серікқызы".into(),
        applicant_iin: "880512400321".into(),
        subject_name: Some("Жұмабеков Арман Нұрланұлы".into()),
        subject_iin: Some("150830500789".into()),
        fields: vec![
            ResultField {
                label: bi("Қорғаншы", "Опекун"), value: "Жұмабекова Әсел Серікқызы".into()
            },
            ResultField {
                label: bi("Шешім", "Решение"),
                value: "Мұғалжар ауданы әкімдігінің 2026 жылғы 10 наурыздағы № 45 қаулысы".into(),
            },
        ],
        text: Some(bi(
            "Осы анықтама талап етілген жерге ұсыну үшін берілді.",
            "Настоящая справка выдана для представления по месту требования.",
        )),
        signer: head(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
        together: Vec::new(),
    }
}

pub fn reasoned_sample() -> ReasonedRefusal {
    ReasonedRefusal {
        number: "БТ-2026-00003".into(),
        issued_at: at("2026-03-13 09:30:00"),
        office: office(),
        service_name: bi(SERVICE_KK, SERVICE_RU),
        registration_number: "01-2026-00009".into(),
        registered_on: day(2026, 3, 12),
        applicant_name: "Әбілқасымова Ғалия Қайратқызы".into(),
        applicant_iin: "900101400123".into(),
        applicant_address: Some("г. Кандыагаш, ул. Мира, 5, кв. 12".into()),
        reason: bi(
            "Бала мектепке дейінгі ұйымға жолдама алу кезегінде бұрыннан тұр",
            "Ребёнок уже состоит в очереди на получение направления в дошкольную организацию",
        ),
        legal_basis: Some(bi(
            "«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 19-1-бабы",
            "статья 19-1 Закона «О государственных услугах»",
        )),
        explanation: "Бала 2025 жылғы 2 ақпаннан бастап № 01-2025-00412 өтініш бойынша кезекте тұр.\nРебёнок состоит в очереди с 02.02.2025 по заявлению № 01-2025-00412.".into(),
        signer: head(),
        stamp: None,
        copy_number: 1,
        verification: None,
        audit_chain_head: Some("9f3a1c7e2b4d".into()),
    }
}

const STATUSES: [(&str, &str); 3] = [("Қабылданды", "Принято"), ("Орындалуда", "На исполнении"), ("Берілді", "Выдано")];

pub fn journal_sample(rows: usize) -> Journal {
    let names =
        ["Әбілқасымова Ғалия Қайратқызы", "Жұмабеков Ерлан Серікұлы", "Иванова Мария Петровна", "Нұрғалиев Дәулет"];
    let services = [
        bi(SERVICE_KK, SERVICE_RU),
        bi("Қорғаншылық және қамқоршылық жөнінде анықтама беру", "Выдача справок по опеке и попечительству"),
    ];
    let rows: Vec<JournalRow> = (0..rows)
        .map(|i| {
            let (kk, ru) = STATUSES[i % 3];
            JournalRow {
                number: format!("01-2026-{:05}", i + 1),
                registered_at: at("2026-03-02 09:00:00") + chrono::Duration::minutes(37 * i as i64),
                applicant_name: names[i % names.len()].into(),
                applicant_iin: format!("9001014{:05}", i),
                service: services[i % 2].clone(),
                channel: if i % 2 == 0 {
                    bi("Кеңсе", "Отдел")
                } else {
                    bi("Мемлекеттік корпорация", "Госкорпорация")
                },
                status: bi(kk, ru),
                outcome: (i % 3 == 2).then(|| bi("оң нәтиже", "положительный результат")),
                executor: (i % 3 != 0).then(|| "Жұмабеков Е. С.".to_string()),
                due: Some(day(2026, 3, 13)),
                closed_on: (i % 3 == 2).then(|| day(2026, 3, 12)),
            }
        })
        .collect();
    let totals = STATUSES
        .iter()
        .enumerate()
        .map(|(k, (kk, ru))| (bi(kk, ru), rows.iter().skip(k).step_by(3).count() as u32))
        .collect();
    Journal {
        office: office(),
        from: day(2026, 3, 1),
        to: day(2026, 3, 31),
        generated_at: at("2026-04-01 08:30:00"),
        rows,
        totals,
        signer: head(),
    }
}

pub fn extract_sample(rows: usize) -> QueueExtract {
    let cats = [bi("жалпы кезек", "общая очередь"), bi("бірінші кезекте", "в первую очередь")];
    let rows: Vec<QueueExtractRow> = (0..rows)
        .map(|i| QueueExtractRow {
            position: i as u32 + 1,
            registration_number: format!("01-2025-{:05}", 100 + i),
            registered_at: at("2025-01-10 10:00:00") + chrono::Duration::hours(7 * i as i64),
            category: cats[usize::from(i % 4 == 0)].clone(),
            note: (i % 5 == 3).then(|| bi("20.03.2026 дейін тоқтату тізімінде", "в стоп-листе до 20.03.2026")),
        })
        .collect();
    let first = rows.iter().filter(|r| r.category == cats[1]).count() as u32;
    QueueExtract {
        office: office(),
        birth_year: 2022,
        generated_at: at("2026-03-12 09:00:00"),
        totals: vec![(cats[0].clone(), rows.len() as u32 - first), (cats[1].clone(), first)],
        rows,
    }
}

pub fn list_sample(rows: usize) -> ReferralList {
    let gardens = [
        bi("«Балдәурен» бөбекжай-бақшасы", "ясли-сад «Балдаурен»"),
        bi("№ 3 «Ақбота» балабақшасы", "детский сад № 3 «Акбота»"),
    ];
    ReferralList {
        office: office(),
        distribution_number: "Б-2026-014".into(),
        generated_at: at("2026-03-12 11:00:00"),
        rows: (0..rows)
            .map(|i| ReferralListRow {
                referral_number: format!("Ж-2026-{:05}", i + 1),
                child_name: ["Әбілқасымов Нұрсұлтан Ерланұлы", "Иванова Анна"][i % 2].into(),
                child_birth_date: day(2022, 1 + (i % 12) as u32, 15),
                kindergarten: gardens[i % 2].clone(),
                group: (i % 2 == 0).then(|| bi("кіші топ", "младшая группа")),
                valid_until: day(2026, 3, 19),
            })
            .collect(),
        signer: head(),
    }
}
