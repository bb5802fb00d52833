//! The office's stamp (seal and signature) as uploaded by the administrator:
//! checking the PNG, decoding it, and preparing the image XObject every
//! stamped document embeds — colour and alpha deflated once, here, and kept
//! by [`StampCache`], because decoding and deflating the same PNG again cost
//! every stamped document about 2.5 ms. Only `png` is used: no other format
//! is accepted, so there is one decoder to trust with untrusted bytes.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use printpdf::{DictItem, ExternalStream, ExternalXObject, Px, XObject};

use crate::DocumentError;

/// Largest accepted upload; a scanned seal at 600 dpi is far below it.
pub const MAX_STAMP_BYTES: usize = 2 * 1024 * 1024;
/// Largest accepted side: 40 mm at 1270 dpi, more than any printer needs.
pub const MAX_STAMP_SIDE_PX: u32 = 2000;

/// Resource name of the stamp image in the PDF; fixed so that the output
/// does not depend on printpdf's random ids.
pub(crate) const STAMP_ID: &str = "KNSTMP";

/// A decoded stamp ready for the PDF: its size and its image XObject with
/// the pixels already deflated (and, when it is not opaque, its alpha as a
/// deflated soft mask, so a seal on a transparent background does not hide
/// the text under it).
pub(crate) struct Stamp {
    width: usize,
    height: usize,
    xobject: XObject,
}

impl Stamp {
    pub fn px(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The image XObject to register under [`STAMP_ID`]; a clone shares
    /// nothing with the cache but costs only a copy of the deflated bytes.
    pub fn xobject(&self) -> XObject {
        self.xobject.clone()
    }
}

/// The last stamp prepared, keyed by its PNG bytes: an office has one stamp,
/// so one entry is enough, and a new upload simply replaces it. Shared by
/// every thread that typesets (the lock is held only to compare and clone
/// an `Arc`, never while decoding).
#[derive(Default)]
pub(crate) struct StampCache {
    last: Mutex<Option<(Vec<u8>, Arc<Stamp>)>>,
}

impl StampCache {
    /// The prepared stamp of `png`, decoded now only if it is not the one
    /// prepared last.
    pub fn prepare(&self, png: &[u8]) -> Result<Arc<Stamp>, DocumentError> {
        if let Some(hit) = self.lock().as_ref().filter(|(key, _)| key == png).map(|(_, s)| s.clone()) {
            return Ok(hit);
        }
        let stamp = Arc::new(decode(png)?);
        *self.lock() = Some((png.to_vec(), stamp.clone()));
        Ok(stamp)
    }

    /// A poisoned lock only means another thread panicked while holding it;
    /// the entry is either complete or absent, so it is still usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Vec<u8>, Arc<Stamp>)>> {
        self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn refuse(why: impl Into<String>) -> DocumentError {
    DocumentError::Input(format!("stamp image: {}", why.into()))
}

fn reader(png: &[u8]) -> Result<png::Reader<Cursor<&[u8]>>, DocumentError> {
    if png.len() > MAX_STAMP_BYTES {
        return Err(refuse(format!("{} bytes, more than the {} allowed", png.len(), MAX_STAMP_BYTES)));
    }
    let mut decoder = png::Decoder::new(Cursor::new(png));
    // Palette, low bit depths and 16-bit samples all become 8-bit grey or
    // RGB with or without alpha; tRNS becomes alpha.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let reader = decoder.read_info().map_err(|e| refuse(format!("not a readable PNG ({e})")))?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 || w > MAX_STAMP_SIDE_PX || h > MAX_STAMP_SIDE_PX {
        return Err(refuse(format!("{w}×{h} px; at most {MAX_STAMP_SIDE_PX}×{MAX_STAMP_SIDE_PX} is accepted")));
    }
    Ok(reader)
}

/// Checks an uploaded stamp PNG the way documents will use it (size, pixel
/// dimensions, a complete decode) and returns its width and height in
/// pixels, so that the shell can refuse a bad upload before storing it.
pub fn check_stamp(png: &[u8]) -> Result<(u32, u32), DocumentError> {
    let stamp = decode(png)?;
    let (w, h) = stamp.px();
    Ok((w as u32, h as u32))
}

/// Decodes the first frame into 8-bit RGB and, when any pixel is not fully
/// opaque, an 8-bit alpha plane, and deflates both into the image XObject.
pub(crate) fn decode(png: &[u8]) -> Result<Stamp, DocumentError> {
    let mut reader = reader(png)?;
    let size = reader.output_buffer_size().ok_or_else(|| refuse("image too large to decode"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| refuse(format!("the image data is damaged ({e})")))?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(refuse("palette was not expanded")),
    };
    let stride = info.line_size;
    let has_alpha = channels % 2 == 0;
    let opaque = !has_alpha
        || (0..h).all(|y| {
            buf[y * stride..y * stride + w * channels].chunks_exact(channels).all(|px| px[channels - 1] == 255)
        });
    let mut color = Vec::with_capacity(w * h * 3);
    let mut alpha = Vec::with_capacity(if opaque { 0 } else { w * h });
    for y in 0..h {
        for px in buf[y * stride..y * stride + w * channels].chunks_exact(channels) {
            let (rgb, a) = match channels {
                1 => ([px[0]; 3], 255),
                2 => ([px[0]; 3], px[1]),
                3 => ([px[0], px[1], px[2]], 255),
                _ => ([px[0], px[1], px[2]], px[3]),
            };
            color.extend_from_slice(&rgb);
            if !opaque {
                alpha.push(a);
            }
        }
    }
    let mut dict = image_dict(w, h, "DeviceRGB");
    if !opaque {
        let mask = ExternalStream { dict: image_dict(w, h, "DeviceGray"), content: deflate(&alpha)?, compress: false };
        dict.insert("SMask".into(), DictItem::Stream { stream: mask });
    }
    Ok(Stamp {
        width: w,
        height: h,
        xobject: XObject::External(ExternalXObject {
            stream: ExternalStream { dict, content: deflate(&color)?, compress: false },
            width: Some(Px(w)),
            height: Some(Px(h)),
            dpi: None,
        }),
    })
}

/// The dictionary of an 8-bit image stream already deflated.
fn image_dict(w: usize, h: usize, color_space: &str) -> BTreeMap<String, DictItem> {
    BTreeMap::from([
        ("Type".into(), DictItem::Name(b"XObject".to_vec())),
        ("Subtype".into(), DictItem::Name(b"Image".to_vec())),
        ("Width".into(), DictItem::Int(w as i64)),
        ("Height".into(), DictItem::Int(h as i64)),
        ("BitsPerComponent".into(), DictItem::Int(8)),
        ("ColorSpace".into(), DictItem::Name(color_space.as_bytes().to_vec())),
        ("Filter".into(), DictItem::Name(b"FlateDecode".to_vec())),
    ])
}

/// Deflates image samples (zlib, the default level: the best level gains
/// little on a seal and costs every new upload several times longer).
fn deflate(samples: &[u8]) -> Result<Vec<u8>, DocumentError> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(samples).and_then(|()| e.finish()).map_err(|err| refuse(format!("cannot deflate the image ({err})")))
}
