//! The office's stamp (seal and signature) as uploaded by the administrator:
//! checking the PNG and decoding it into the raw pixels printpdf embeds as an
//! image XObject. Only `png` is used: no other format is accepted, so there
//! is one decoder to trust with untrusted bytes.

use std::io::Cursor;

use printpdf::{RawImage, RawImageData, RawImageFormat};

use crate::DocumentError;

/// Largest accepted upload; a scanned seal at 600 dpi is far below it.
pub const MAX_STAMP_BYTES: usize = 2 * 1024 * 1024;
/// Largest accepted side: 40 mm at 1270 dpi, more than any printer needs.
pub const MAX_STAMP_SIDE_PX: u32 = 2000;

/// Resource name of the stamp image in the PDF; fixed so that the output
/// does not depend on printpdf's random ids.
pub(crate) const STAMP_ID: &str = "KNSTMP";

/// A decoded stamp ready for the PDF.
pub(crate) struct Stamp {
    pub image: RawImage,
}

impl Stamp {
    pub fn px(&self) -> (usize, usize) {
        (self.image.width, self.image.height)
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

/// Decodes the first frame into 8-bit RGB, or RGBA when any pixel is not
/// fully opaque (printpdf then writes the alpha as a soft mask, so a seal on
/// a transparent background does not hide the text under it).
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
    let out_channels = if opaque { 3 } else { 4 };
    let mut pixels = Vec::with_capacity(w * h * out_channels);
    for y in 0..h {
        for px in buf[y * stride..y * stride + w * channels].chunks_exact(channels) {
            let (rgb, a) = match channels {
                1 => ([px[0]; 3], 255),
                2 => ([px[0]; 3], px[1]),
                3 => ([px[0], px[1], px[2]], 255),
                _ => ([px[0], px[1], px[2]], px[3]),
            };
            pixels.extend_from_slice(&rgb);
            if !opaque {
                pixels.push(a);
            }
        }
    }
    Ok(Stamp {
        image: RawImage {
            pixels: RawImageData::U8(pixels),
            width: w,
            height: h,
            data_format: if opaque { RawImageFormat::RGB8 } else { RawImageFormat::RGBA8 },
            tag: Vec::new(),
        },
    })
}
