//! The signature's place in the PDF: one incremental update appended to
//! Kense's deterministic PDF (so the base file's bytes, and so its SHA-256,
//! stay as they are) with a signature dictionary, an invisible signature
//! field on the first page, a new catalog revision with the `AcroForm`, and
//! a classic cross-reference section pointing back at the base file's.
//!
//! The dictionary's `/Contents` is a hex placeholder of [`RESERVED`] bytes;
//! `/ByteRange` names everything else, and is written with fixed-width
//! numbers so that filling it in moves no byte. Finding the signature again
//! for verification ([`located`]) reads the last `/ByteRange` textually,
//! which works on a file changed anywhere: whether the ranges really cover
//! the file is then checked against the bytes, not trusted.

use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId};

use crate::SignatureError;

/// Bytes reserved for the CMS: an RSA CMS with a two-certificate chain
/// takes 3–5 KB, a ГОСТ CMS from NCALayer with NCA's chain more; 32 KiB
/// leaves room for both.
pub const RESERVED: usize = 32 * 1024;

/// Width of each number in the `/ByteRange` placeholder (a file of up to
/// 10 GB).
const RANGE_WIDTH: usize = 10;

/// What the signature dictionary says besides the signature itself.
#[derive(Debug, Clone)]
pub struct SignatureFields {
    /// The signer's name, as the certificate gives it (`/Name`).
    pub name: Option<String>,
    /// Why (`/Reason`), e.g. the result's number.
    pub reason: Option<String>,
    /// The office's town (`/Location`).
    pub location: Option<String>,
    /// The office clock at signing (`/M`): PAdES baseline B keeps the
    /// claimed signing time here, not in the CMS.
    pub signed_at: chrono::DateTime<chrono::FixedOffset>,
}

/// A PDF with its placeholder, waiting for the CMS.
pub struct Prepared {
    bytes: Vec<u8>,
    /// Offsets of the placeholder's `<` and one past its `>`.
    gap: (usize, usize),
}

impl Prepared {
    /// The bytes the signature covers: everything but the placeholder.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() - (self.gap.1 - self.gap.0));
        out.extend_from_slice(&self.bytes[..self.gap.0]);
        out.extend_from_slice(&self.bytes[self.gap.1..]);
        out
    }

    /// The `/ByteRange` as written.
    pub fn byte_range(&self) -> [usize; 4] {
        [0, self.gap.0, self.gap.1, self.bytes.len() - self.gap.1]
    }

    /// The signed PDF: `cms` (DER) written into the placeholder as hex,
    /// zero-padded.
    pub fn embed(mut self, cms: &[u8]) -> Result<Vec<u8>, SignatureError> {
        if cms.len() > RESERVED {
            return Err(SignatureError::TooLarge { size: cms.len(), reserved: RESERVED });
        }
        let mut hex = String::with_capacity(cms.len() * 2);
        for b in cms {
            let _ = write!(hex, "{b:02X}");
        }
        let start = self.gap.0 + 1;
        self.bytes[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// Appends the signature's incremental update to `base`.
pub fn prepare(base: &[u8], fields: &SignatureFields) -> Result<Prepared, SignatureError> {
    let pdf_err = |m: String| SignatureError::Pdf(m);
    let doc = lopdf::Document::load_mem(base).map_err(|e| pdf_err(format!("cannot read the PDF: {e}")))?;
    let prev = last_startxref(base).ok_or_else(|| pdf_err("no startxref".into()))?;
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| pdf_err("the trailer names no catalog".into()))?;
    let mut catalog = doc.get_dictionary(root_id).map_err(|e| pdf_err(format!("no catalog: {e}")))?.clone();
    if catalog.has(b"AcroForm") {
        return Err(pdf_err("the PDF already has a form (signed before?)".into()));
    }
    let page_id = *doc.get_pages().get(&1).ok_or_else(|| pdf_err("the PDF has no page".into()))?;
    let mut page = doc.get_dictionary(page_id).map_err(|e| pdf_err(format!("no first page: {e}")))?.clone();
    let sig_id: ObjectId = (doc.max_id + 1, 0);
    let widget_id: ObjectId = (doc.max_id + 2, 0);

    let mut annots = match page.get(b"Annots") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => {
            doc.get_object(*r).and_then(Object::as_array).map_err(|e| pdf_err(e.to_string()))?.clone()
        }
        _ => Vec::new(),
    };
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));
    let mut acro = Dictionary::new();
    acro.set("Fields", Object::Array(vec![Object::Reference(widget_id)]));
    // SignaturesExist | AppendOnly: readers keep later changes incremental.
    acro.set("SigFlags", 3);
    catalog.set("AcroForm", acro);

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text("Kense signature"));
    widget.set("V", Object::Reference(sig_id));
    widget.set("P", Object::Reference(page_id));
    // Invisible (zero rectangle, print flag): the page the reader prints is
    // the page Kense made, QR code included.
    widget.set("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    widget.set("F", 132);

    let mut out = base.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    let mut gap = (0, 0);
    for (id, body) in
        [(root_id, serialize_dict(&catalog)), (page_id, serialize_dict(&page)), (widget_id, serialize_dict(&widget))]
    {
        offsets.push((id.0, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(body.as_bytes());
        out.extend_from_slice(b"\nendobj\n");
    }
    // The signature dictionary, written by hand: the placeholders must sit
    // at offsets known before the CMS exists.
    offsets.push((sig_id.0, out.len()));
    let mut head = format!("{} 0 obj\n<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached", sig_id.0);
    head.push_str(&format!("/M{}", serialize(&pdf_date(&fields.signed_at))));
    for (key, value) in [("Name", &fields.name), ("Reason", &fields.reason), ("Location", &fields.location)] {
        if let Some(v) = value {
            head.push_str(&format!("/{key}{}", serialize(&text(v))));
        }
    }
    head.push_str("/ByteRange[");
    out.extend_from_slice(head.as_bytes());
    let range_at = out.len();
    // Three fixed-width numbers after the leading 0, filled in below.
    out.extend_from_slice(format!("0 {0:w$} {0:w$} {0:w$}]", "", w = RANGE_WIDTH).as_bytes());
    out.extend_from_slice(b"/Contents");
    gap.0 = out.len();
    out.push(b'<');
    out.resize(out.len() + RESERVED * 2, b'0');
    out.push(b'>');
    gap.1 = out.len();
    out.extend_from_slice(b">>\nendobj\n");

    offsets.sort_unstable();
    let xref_at = out.len();
    let mut xref = String::from("xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 == offsets[j].0 + 1 {
            j += 1;
        }
        let _ = writeln!(xref, "{} {}", offsets[i].0, j - i + 1);
        for (_, at) in &offsets[i..=j] {
            // Each entry is exactly 20 bytes: "nnnnnnnnnn ggggg n\r\n".
            let _ = write!(xref, "{at:010} 00000 n\r\n");
        }
        i = j + 1;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", i64::from(sig_id.0.max(widget_id.0)) + 1);
    trailer.set("Root", Object::Reference(root_id));
    trailer.set("Prev", prev as i64);
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    xref.push_str("trailer\n");
    xref.push_str(&serialize_dict(&trailer));
    let _ = write!(xref, "\nstartxref\n{xref_at}\n%%EOF\n");
    out.extend_from_slice(xref.as_bytes());

    let range = [gap.0, gap.1, out.len() - gap.1];
    let numbers = format!("0 {:<w$} {:<w$} {:<w$}]", range[0], range[1], range[2], w = RANGE_WIDTH);
    out[range_at..range_at + numbers.len()].copy_from_slice(numbers.as_bytes());
    Ok(Prepared { bytes: out, gap })
}

/// The signature found in a PDF: its `/ByteRange` and the CMS bytes from
/// `/Contents` (trailing zero padding included).
pub struct Located {
    pub byte_range: [usize; 4],
    pub contents: Vec<u8>,
    /// `/M`, as written.
    pub signed_at: Option<String>,
}

/// The last signature of `pdf`, read textually (see the module's docs).
/// `None` when the file has no signature dictionary Kense can read.
pub fn located(pdf: &[u8]) -> Option<Located> {
    let at = rfind(pdf, b"/ByteRange")?;
    let rest = &pdf[at + b"/ByteRange".len()..];
    let open = rest.iter().position(|&b| b == b'[')?;
    let close = rest.iter().position(|&b| b == b']')?;
    let nums: Vec<usize> = std::str::from_utf8(rest.get(open + 1..close)?)
        .ok()?
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let byte_range: [usize; 4] = nums.try_into().ok()?;
    let (a, b) = (byte_range[0] + byte_range[1], byte_range[2]);
    if byte_range[0] != 0 || b <= a + 1 || b > pdf.len() || pdf[a] != b'<' || pdf[b - 1] != b'>' {
        return None;
    }
    let hex = &pdf[a + 1..b - 1];
    let contents = hex
        .chunks(2)
        .map(|p| std::str::from_utf8(p).ok().and_then(|s| u8::from_str_radix(s, 16).ok()))
        .collect::<Option<Vec<u8>>>()?;
    // `/M` of the same dictionary: after the last `<<` before `/ByteRange`.
    let dict_start = rfind(&pdf[..at], b"<<").unwrap_or(0);
    let signed_at = find(&pdf[dict_start..at], b"/M(").and_then(|m| {
        let s = &pdf[dict_start + m + 3..at];
        let end = s.iter().position(|&c| c == b')')?;
        String::from_utf8(s[..end].to_vec()).ok()
    });
    Some(Located { byte_range, contents, signed_at })
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The offset after the file's last `startxref`.
fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let at = rfind(pdf, b"startxref")?;
    std::str::from_utf8(&pdf[at + 9..]).ok()?.split_ascii_whitespace().next()?.parse().ok()
}

/// A PDF date with the office's UTC offset: `D:YYYYMMDDHHmmSS+05'00'`.
fn pdf_date(t: &chrono::DateTime<chrono::FixedOffset>) -> Object {
    let off = t.offset().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.abs();
    let s = format!("D:{}{sign}{:02}'{:02}'", t.format("%Y%m%d%H%M%S"), off / 3600, off % 3600 / 60);
    Object::String(s.into_bytes(), lopdf::StringFormat::Literal)
}

/// A text string: UTF-16BE with its byte-order mark, so Cyrillic and Kazakh
/// names read correctly in every reader.
fn text(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

fn serialize_dict(d: &Dictionary) -> String {
    let mut s = String::from("<<");
    for (k, v) in d.iter() {
        s.push_str(&name(k));
        let v = serialize(v);
        if !v.starts_with(['/', '<', '[', '(']) {
            s.push(' ');
        }
        s.push_str(&v);
    }
    s.push_str(">>");
    s
}

/// One object in PDF syntax. Literal strings are written as hex, which
/// needs no escaping; streams never occur here (the dictionaries rewritten
/// are the catalog, a page and new ones).
fn serialize(o: &Object) -> String {
    match o {
        Object::Null => "null".into(),
        Object::Boolean(b) => b.to_string(),
        Object::Integer(i) => i.to_string(),
        Object::Real(r) => {
            let s = format!("{r:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Object::Name(n) => name(n),
        Object::String(bytes, lopdf::StringFormat::Literal)
            if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') =>
        {
            let mut s = String::from("(");
            for &b in bytes {
                if matches!(b, b'(' | b')' | b'\\') {
                    s.push('\\');
                }
                s.push(b as char);
            }
            s.push(')');
            s
        }
        Object::String(bytes, _) => {
            let mut s = String::from("<");
            for b in bytes {
                let _ = write!(s, "{b:02X}");
            }
            s.push('>');
            s
        }
        Object::Array(items) => {
            let parts: Vec<String> = items.iter().map(serialize).collect();
            format!("[{}]", parts.join(" "))
        }
        Object::Dictionary(d) => serialize_dict(d),
        Object::Stream(s) => serialize_dict(&s.dict),
        Object::Reference((n, g)) => format!("{n} {g} R"),
    }
}

/// A name with every byte outside the regular characters written as `#xx`.
fn name(n: &[u8]) -> String {
    let mut s = String::from("/");
    for &b in n {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'+'
                    | b','
                    | b'*'
                    | b'@'
                    | b':'
                    | b';'
                    | b'='
                    | b'&'
                    | b'!'
                    | b'?'
                    | b'\''
                    | b'"'
                    | b'^'
                    | b'`'
                    | b'|'
                    | b'~'
                    | b'$'
            )
        {
            s.push(b as char);
        } else {
            let _ = write!(s, "#{b:02X}");
        }
    }
    s
}
