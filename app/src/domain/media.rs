//! Photos and voice messages: what the server keeps of what a phone sends.
//!
//! A photo is decoded (JPEG, PNG or WebP, within `Limits`), turned upright
//! by its EXIF orientation, scaled to at most `PHOTO_SIDE` pixels and
//! written again as a JPEG: the stored file carries no metadata at all (no
//! EXIF, no GPS, no camera, no time). A voice message is kept as recorded
//! after its container is read: WebM/Opus (Chromium), Ogg/Opus (Firefox) or
//! MP4 (Safari), audio only, at most `MAX_VOICE_MS` long. Both are served
//! only through the thread's own check (`messages::media`).
//!
//! These functions are CPU-bound: call them off the async runtime.

use std::io::Cursor;

use crate::error::AppError;

/// The largest photo a phone may send (a 48 MP camera's JPEG fits).
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;
/// The largest voice message (two minutes of Opus at 32 kbit/s is about
/// 0.5 MB; Safari's AAC is larger).
pub const MAX_VOICE_BYTES: usize = 3 * 1024 * 1024;
/// Two minutes, with a second of slack for the recorder's last chunk.
pub const MAX_VOICE_MS: i64 = 121_000;
/// The longer side of a stored photo, in pixels: a letter stays readable.
pub const PHOTO_SIDE: u32 = 1600;
/// The largest picture decoded, per side.
const MAX_SIDE: u32 = 10_000;
/// The most pixels decoded (a 48 MP camera): a small file can claim a
/// huge picture, and decoding takes 4 bytes a pixel.
const MAX_PIXELS: u64 = 48_000_000;

/// What is stored of a photo or a voice message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// A photo's size in pixels (so the page keeps its place while loading).
    pub width: u32,
    pub height: u32,
    /// A voice message's length in milliseconds.
    pub duration_ms: i64,
}

/// A photo as it is stored: upright, at most `PHOTO_SIDE` pixels, a JPEG
/// without any metadata. Anything that is not a JPEG, PNG or WebP picture,
/// or is too big, is refused.
pub fn photo(upload: &[u8]) -> Result<Media, AppError> {
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
    if upload.len() > MAX_PHOTO_BYTES {
        return Err(AppError::bad("error-photo-too-big"));
    }
    let not_a_photo = || AppError::bad("error-photo-kind");
    // A decoder that stops at our limits found a picture too big.
    let refused = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => AppError::bad("error-photo-too-big"),
        _ => not_a_photo(),
    };
    let mut reader = ImageReader::new(Cursor::new(upload))
        .with_guessed_format()
        .map_err(|_| not_a_photo())?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(not_a_photo());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    // What the file claims is checked before a pixel is decoded
    // (`into_decoder` does not check the allocation limit).
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || decoder.total_bytes() > MAX_PIXELS * 4 {
        return Err(AppError::bad("error-photo-too-big"));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    // Scaled first (the bound is square, so turning does not change it),
    // then turned: only the small picture is copied.
    if picture.width() > PHOTO_SIDE || picture.height() > PHOTO_SIDE {
        picture = picture.thumbnail(PHOTO_SIDE, PHOTO_SIDE);
    }
    picture.apply_orientation(orientation);
    let rgb = on_white(&picture);
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 82)
        .encode_image(&rgb)
        .map_err(|_| AppError::Internal)?;
    Ok(Media {
        content_type: "image/jpeg",
        width: rgb.width(),
        height: rgb.height(),
        bytes,
        duration_ms: 0,
    })
}

/// The picture in RGB, its transparent parts on white (a JPEG has no
/// transparency; black would hide dark writing).
fn on_white(picture: &image::DynamicImage) -> image::RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

/// A voice message as recorded, once its container shows audio only, of
/// at most two minutes.
pub fn voice(upload: &[u8]) -> Result<Media, AppError> {
    if upload.len() > MAX_VOICE_BYTES {
        return Err(AppError::bad("error-voice-too-long"));
    }
    let (content_type, duration_ms) = if upload.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        ("audio/webm", webm_duration(upload)?)
    } else if upload.starts_with(b"OggS") {
        ("audio/ogg", ogg_duration(upload)?)
    } else if upload.get(4..8) == Some(b"ftyp") {
        ("audio/mp4", mp4_duration(upload)?)
    } else {
        return Err(AppError::bad("error-voice-kind"));
    };
    if duration_ms <= 0 {
        return Err(AppError::bad("error-voice-kind"));
    }
    if duration_ms > MAX_VOICE_MS {
        return Err(AppError::bad("error-voice-too-long"));
    }
    Ok(Media {
        content_type,
        bytes: upload.to_vec(),
        width: 0,
        height: 0,
        duration_ms,
    })
}

/// A WebM's length: one Opus audio track and nothing else; the newest
/// frame's time (MediaRecorder writes no duration).
fn webm_duration(upload: &[u8]) -> Result<i64, AppError> {
    use matroska_demuxer::{Frame, MatroskaFile, TrackType};
    let bad = || AppError::bad("error-voice-kind");
    let mut file = MatroskaFile::open(Cursor::new(upload)).map_err(|_| bad())?;
    let tracks = file.tracks();
    let audio_only = !tracks.is_empty()
        && tracks
            .iter()
            .all(|t| t.track_type() == TrackType::Audio && t.codec_id() == "A_OPUS");
    if !audio_only {
        return Err(bad());
    }
    let scale = file.info().timestamp_scale().get();
    let mut frame = Frame::default();
    let mut last: u64 = 0;
    while file.next_frame(&mut frame).map_err(|_| bad())? {
        last = last.max(frame.timestamp);
        // Stop reading a file that claims more than the limit.
        if last.saturating_mul(scale) / 1_000_000 > MAX_VOICE_MS as u64 {
            break;
        }
    }
    Ok(i64::try_from(last.saturating_mul(scale) / 1_000_000).unwrap_or(i64::MAX))
}

/// An Ogg Opus file's length: the last page's granule position, less the
/// pre-skip, at 48 kHz.
fn ogg_duration(upload: &[u8]) -> Result<i64, AppError> {
    let bad = || AppError::bad("error-voice-kind");
    let head = find(upload, b"OpusHead").ok_or_else(bad)?;
    let pre_skip = upload
        .get(head + 10..head + 12)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(bad)?;
    let last = rfind(upload, b"OggS").ok_or_else(bad)?;
    let granule = upload
        .get(last + 6..last + 14)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(bad)?;
    Ok(granule.saturating_sub(u64::from(pre_skip)) as i64 / 48)
}

/// An MP4's length from its movie header (`mvhd`); audio only (a sound
/// handler, no video handler).
fn mp4_duration(upload: &[u8]) -> Result<i64, AppError> {
    let bad = || AppError::bad("error-voice-kind");
    if find(upload, b"soun").is_none() || find(upload, b"vide").is_some() {
        return Err(bad());
    }
    let at = find(upload, b"mvhd").ok_or_else(bad)? + 4;
    let field = |from: usize, len: usize| -> Option<u64> {
        let b = upload.get(at + from..at + from + len)?;
        Some(b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x)))
    };
    let (scale, duration) = match upload.get(at) {
        Some(0) => (field(12, 4), field(16, 4)),
        Some(1) => (field(20, 4), field(24, 8)),
        _ => (None, None),
    };
    match (scale, duration) {
        (Some(scale), Some(duration)) if scale > 0 => {
            Ok(i64::try_from(duration.saturating_mul(1000) / scale).unwrap_or(i64::MAX))
        }
        _ => Err(bad()),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&picture)
            .unwrap();
        out
    }

    #[test]
    fn a_big_photo_is_scaled_and_a_small_one_kept_at_its_size() {
        let big = photo(&jpeg(3200, 1000)).unwrap();
        assert_eq!((big.width, big.height), (1600, 500));
        let small = photo(&jpeg(300, 200)).unwrap();
        assert_eq!((small.width, small.height), (300, 200));
        assert_eq!(small.content_type, "image/jpeg");
    }

    /// A PNG of a few bytes that claims `width` × `height` pixels.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        fn crc(bytes: &[u8]) -> u32 {
            let mut c = 0xFFFF_FFFFu32;
            for b in bytes {
                c ^= u32::from(*b);
                for _ in 0..8 {
                    c = if c & 1 == 1 {
                        (c >> 1) ^ 0xEDB8_8320
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            png.extend_from_slice(&body);
            png.extend_from_slice(&crc(&body).to_be_bytes());
        };
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &header);
        // The start of the pixels: an empty deflate stream.
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        png
    }

    #[test]
    fn a_file_claiming_a_huge_picture_is_refused_before_decoding() {
        for (w, h) in [(8_000, 8_000), (10_000, 4_900), (20_000, 10), (10, 20_000)] {
            let claim = png_claiming(w, h);
            assert!(claim.len() < 100);
            assert!(photo(&claim).is_err(), "{w}×{h}");
        }
        assert_eq!(
            photo(&png_claiming(8_000, 8_000)),
            Err(AppError::bad("error-photo-too-big"))
        );
        // A claim within bounds goes on to decoding, which finds no pixels.
        assert_eq!(
            photo(&png_claiming(100, 100)),
            Err(AppError::bad("error-photo-kind"))
        );
    }

    #[test]
    fn anything_but_a_picture_or_a_recording_is_refused() {
        for junk in [
            &b"GIF89a...."[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"",
        ] {
            assert_eq!(photo(junk), Err(AppError::bad("error-photo-kind")));
            assert_eq!(voice(junk), Err(AppError::bad("error-voice-kind")));
        }
        // A JPEG cut short is not a photo.
        let cut = &jpeg(64, 64)[..300];
        assert!(photo(cut).is_err());
    }

    #[test]
    fn an_mp4_says_its_length_and_video_is_refused() {
        // ftyp, then a movie header (version 0): time scale 1000, 12.5 s.
        let mut mp4 = vec![0, 0, 0, 16];
        mp4.extend_from_slice(b"ftypM4A \0\0\0\0");
        mp4.extend_from_slice(&[0, 0, 0, 108]);
        mp4.extend_from_slice(b"mvhd");
        mp4.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        mp4.extend_from_slice(&1000u32.to_be_bytes());
        mp4.extend_from_slice(&12_500u32.to_be_bytes());
        mp4.extend_from_slice(b"hdlr....soun");
        assert_eq!(voice(&mp4).unwrap().duration_ms, 12_500);
        let mut film = mp4.clone();
        film.extend_from_slice(b"hdlr....vide");
        assert_eq!(voice(&film), Err(AppError::bad("error-voice-kind")));
        let mut long = mp4.clone();
        long[40..44].copy_from_slice(&600_000u32.to_be_bytes());
        assert_eq!(voice(&long), Err(AppError::bad("error-voice-too-long")));
    }
}
