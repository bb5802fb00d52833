//! Helpers shared by the end-to-end document tests: sample inputs, poppler
//! runs, word boxes and QR decoding of rendered pages.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDateTime;
use kense_documents::{Bilingual, OfficeRequisites, RefusalReceipt, Typesetter};

pub const SERVICE_KK: &str = "Мектепке дейінгі балалар ұйымдарына жіберу үшін мектепке дейінгі жастағы (7 жасқа дейін) балаларды кезекке қою";
pub const SERVICE_RU: &str = "Постановка на очередь детей дошкольного возраста (до 7 лет) для направления в детские дошкольные организации";

pub fn typesetter() -> &'static Typesetter {
    static T: OnceLock<Typesetter> = OnceLock::new();
    T.get_or_init(|| Typesetter::new().expect("typesetter"))
}

pub fn bi(kk: &str, ru: &str) -> Bilingual {
    Bilingual {
        kk: kk.into(),
        ru: ru.into(),
    }
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
    let out = Command::new(bin).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{bin}` ({e}); install poppler-utils (apt-get install poppler-utils)")
    });
    assert!(
        out.status.success(),
        "{bin} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    poppler(
        "pdftotext",
        &["-enc", "UTF-8", path.to_str().expect("path"), "-"],
    )
}

/// Text of one page, whitespace collapsed.
pub fn page_text(path: &Path, page: usize) -> String {
    let n = page.to_string();
    normalise(&poppler(
        "pdftotext",
        &[
            "-enc",
            "UTF-8",
            "-f",
            &n,
            "-l",
            &n,
            path.to_str().expect("path"),
            "-",
        ],
    ))
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
            rest[..rest.find('"').expect("quote")]
                .parse()
                .expect("number")
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
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "expected regular + bold:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "odd pdffonts row {row:?}");
        assert_eq!(
            (cols[n - 5], cols[n - 4], cols[n - 3]),
            ("yes", "yes", "yes"),
            "row {row:?}\n{fonts}"
        );
        assert!(cols[0].contains("LiberationSerif"), "row {row:?}");
    }
}

/// `target/` of this build, found from the test binary (target/<profile>/deps/…).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("test binary lives in target/<profile>/deps")
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
    scan_qr(png_path)
        .into_iter()
        .filter_map(|(t, _)| t)
        .collect()
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

/// The refusal receipt every document test starts from.
pub fn refusal_sample() -> RefusalReceipt {
    RefusalReceipt {
        registration_number: "01-2026-00007".into(),
        registered_at: at("2026-03-12 11:02:05"),
        office: office(),
        service_name: bi(SERVICE_KK, SERVICE_RU),
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
    }
}
