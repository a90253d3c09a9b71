//! Employee profile pictures: an uploaded PNG or JPEG is decoded under
//! strict limits and encoded anew as a PNG, so that only a clean image of
//! known size is ever stored or served; scaled on request; and generated
//! for demo companies (a deterministic identicon per employee).
//!
//! Pure: bytes in, bytes out.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, Rgba, RgbaImage};

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// The largest width or height an upload may declare: a small file that
/// declares a huge image (a decompression bomb) is refused before its
/// pixels are allocated.
pub const MAX_SOURCE_SIDE: u32 = 8_000;

/// The side of the square a picture is stored at, at most: pictures are
/// shown small, and a bounded stored size bounds every later scaling.
pub const STORED_SIDE: u32 = 1_000;

/// The widths a picture may be asked for.
pub const WIDTHS: std::ops::RangeInclusive<u32> = 1..=2_000;

/// A picture ready to store: a PNG and its size.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The PNG file.
    pub png: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Picture({}x{}, {} bytes)",
            self.width,
            self.height,
            self.png.len()
        )
    }
}

/// Why a picture was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// The upload is larger than [`MAX_UPLOAD_BYTES`].
    #[error("the picture is {0} bytes; at most {MAX_UPLOAD_BYTES} are accepted")]
    TooLarge(usize),
    /// Not a PNG or JPEG file.
    #[error("the picture must be a PNG or JPEG file")]
    NotAnImage,
    /// The file could not be decoded, or declares a size over the limits.
    #[error(
        "the picture cannot be read ({0}); send a PNG or JPEG of at most {MAX_SOURCE_SIDE}×{MAX_SOURCE_SIDE} pixels"
    )]
    Unreadable(String),
    /// A width out of [`WIDTHS`].
    #[error("width must be between 1 and 2000 pixels, got {0}")]
    BadWidth(u64),
    /// Encoding failed (should not happen).
    #[error("the picture could not be encoded: {0}")]
    Encoding(String),
}

fn encode(image: &DynamicImage) -> Result<Picture, PictureError> {
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| PictureError::Encoding(e.to_string()))?;
    Ok(Picture {
        width: image.width(),
        height: image.height(),
        png,
    })
}

/// Decodes an uploaded PNG or JPEG under limits and encodes it anew as an
/// 8-bit RGBA PNG (no metadata, no other chunks), scaled down to fit
/// [`STORED_SIDE`].
///
/// # Errors
/// [`PictureError`] for a file too large, not PNG or JPEG, or unreadable.
pub fn clean_upload(bytes: &[u8]) -> Result<Picture, PictureError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PictureError::TooLarge(bytes.len()));
    }
    let format = image::guess_format(bytes).map_err(|_| PictureError::NotAnImage)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(PictureError::NotAnImage);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| PictureError::Unreadable(e.to_string()))?;
    let fitted = if decoded.width() > STORED_SIDE || decoded.height() > STORED_SIDE {
        decoded.resize(STORED_SIDE, STORED_SIDE, FilterType::Triangle)
    } else {
        decoded
    };
    encode(&DynamicImage::ImageRgba8(fitted.to_rgba8()))
}

/// `width` if it lies in [`WIDTHS`].
///
/// # Errors
/// [`PictureError::BadWidth`] otherwise.
pub fn check_width(width: u64) -> Result<u32, PictureError> {
    u32::try_from(width)
        .ok()
        .filter(|w| WIDTHS.contains(w))
        .ok_or(PictureError::BadWidth(width))
}

/// A stored picture at `width` pixels wide (the height keeps the aspect
/// ratio), as a PNG; the stored file itself when the width is its own or
/// larger (a picture is never enlarged: the stored one is at most 1000
/// pixels a side, so no request can make the server build a huge image).
///
/// # Errors
/// [`PictureError::BadWidth`] out of [`WIDTHS`]; [`PictureError::Unreadable`]
/// for a stored file that no longer decodes.
pub fn scaled(picture: &Picture, width: u64) -> Result<Vec<u8>, PictureError> {
    let width = check_width(width)?.min(picture.width);
    if width == picture.width {
        return Ok(picture.png.clone());
    }
    let image = image::load_from_memory_with_format(&picture.png, ImageFormat::Png)
        .map_err(|e| PictureError::Unreadable(e.to_string()))?;
    let height = (u64::from(picture.height) * u64::from(width) / u64::from(picture.width.max(1)))
        .clamp(1, u64::from(WIDTHS.end() * 4));
    let height = u32::try_from(height).unwrap_or(1);
    let filter = if width < picture.width {
        FilterType::Triangle
    } else {
        FilterType::Nearest
    };
    Ok(encode(&image.resize_exact(width, height, filter))?.png)
}

/// A deterministic identicon for `seed`: a 5×5 symmetric pattern in one
/// colour on a light background, 120 pixels square.
///
/// # Errors
/// [`PictureError::Encoding`] (should not happen).
pub fn identicon(seed: u64) -> Result<Picture, PictureError> {
    const CELLS: u32 = 5;
    const CELL: u32 = 20;
    const MARGIN: u32 = 10;
    const SIDE: u32 = CELLS * CELL + 2 * MARGIN;
    // SplitMix64: spreads consecutive seeds over the whole range.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let bits = z ^ (z >> 31);
    let channel = |shift: u32| 40 + ((bits >> shift) & 0x9F) as u8;
    let colour = Rgba([channel(40), channel(48), channel(56), 255]);
    let background = Rgba([240, 240, 240, 255]);
    let image = RgbaImage::from_fn(SIDE, SIDE, |x, y| {
        if x < MARGIN || y < MARGIN || x >= SIDE - MARGIN || y >= SIDE - MARGIN {
            return background;
        }
        let (column, row) = ((x - MARGIN) / CELL, (y - MARGIN) / CELL);
        // Mirrored around the middle column: three columns of five bits.
        let column = column.min(CELLS - 1 - column);
        if (bits >> (row * 3 + column)) & 1 == 1 {
            colour
        } else {
            background
        }
    });
    encode(&DynamicImage::ImageRgba8(image))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbaImage::from_pixel(width, height, Rgba([200, 10, 10, 255]));
        encode(&DynamicImage::ImageRgba8(image)).unwrap().png
    }

    #[test]
    fn an_upload_is_reencoded_and_scaled_on_request() {
        let picture = clean_upload(&png(400, 200)).unwrap();
        assert_eq!((picture.width, picture.height), (400, 200));
        assert!(picture.png.starts_with(b"\x89PNG"));
        let small = scaled(&picture, 100).unwrap();
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (100, 50));
        assert_eq!(scaled(&picture, 400).unwrap(), picture.png);
        // Never enlarged: a wider request gets the stored picture.
        assert_eq!(scaled(&picture, 2000).unwrap(), picture.png);
        assert_eq!(scaled(&picture, 0), Err(PictureError::BadWidth(0)));
        assert_eq!(scaled(&picture, 2001), Err(PictureError::BadWidth(2001)));
    }

    #[test]
    fn a_large_upload_is_stored_at_most_at_the_stored_side() {
        let picture = clean_upload(&png(2_000, 1_000)).unwrap();
        assert_eq!((picture.width, picture.height), (1_000, 500));
    }

    #[test]
    fn garbage_and_bombs_are_refused() {
        assert_eq!(clean_upload(b"hello"), Err(PictureError::NotAnImage));
        assert_eq!(
            clean_upload(b"GIF89a\x01\x00\x01\x00"),
            Err(PictureError::NotAnImage)
        );
        // A small file of many pixels: refused by its declared size.
        let wide = png(MAX_SOURCE_SIDE + 1, 1);
        assert!(wide.len() < 10_000);
        let refused = clean_upload(&wide).unwrap_err();
        assert!(refused.to_string().contains("limit"), "{refused}");
        // A header tampered to declare 100000 × 100000 pixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            clean_upload(&bomb),
            Err(PictureError::Unreadable(_))
        ));
        let truncated = &png(50, 50)[..60];
        assert!(matches!(
            clean_upload(truncated),
            Err(PictureError::Unreadable(_))
        ));
        assert!(matches!(
            clean_upload(&vec![0u8; MAX_UPLOAD_BYTES + 1]),
            Err(PictureError::TooLarge(_))
        ));
    }

    #[test]
    fn identicons_are_deterministic_and_differ() {
        let a = identicon(1).unwrap();
        assert_eq!(a, identicon(1).unwrap());
        assert_ne!(a.png, identicon(2).unwrap().png);
        assert_eq!((a.width, a.height), (120, 120));
    }
}
