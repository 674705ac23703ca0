//! Photos and voice messages: what the server keeps of what a phone sends.
//!
//! A photo is decoded (JPEG, PNG or WebP, within `Limits`), turned upright
//! by its EXIF orientation, scaled to at most `PHOTO_SIDE` pixels and
//! written again as a JPEG: the stored file carries no metadata at all (no
//! EXIF, no GPS, no camera, no time). A voice message, audio only and at
//! most `MAX_VOICE_MS` long, is written again as a WebM of our own when it
//! is Opus (WebM from Chromium, Ogg from Firefox; see `webm`), and kept as
//! recorded when it is Safari's MP4. Both are served only through the
//! thread's own check (`messages::media`).
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
/// The most pixels decoded (a "48 MP" phone camera writes 8064 × 6048,
/// a "50 MP" one 8160 × 6120): a small file can claim a huge picture, and
/// decoding takes up to 4 bytes a pixel.
const MAX_PIXELS: u64 = 64_000_000;

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

/// A voice message of at most two minutes, audio only. Its Opus sound
/// (WebM from Chromium, Ogg from Firefox) is written again into a WebM
/// file of our own (`webm`): nothing else the recording's container held
/// is kept. Safari's MP4 (AAC) is kept as recorded, once its boxes show
/// one sound track and its length.
pub fn voice(upload: &[u8]) -> Result<Media, AppError> {
    use super::webm;
    if upload.len() > MAX_VOICE_BYTES {
        return Err(AppError::bad("error-voice-too-long"));
    }
    let bad = || AppError::bad("error-voice-kind");
    let refused = |r: webm::Refused| match r {
        webm::Refused::NotOpus => bad(),
        webm::Refused::TooLong => AppError::bad("error-voice-too-long"),
    };
    let most = MAX_VOICE_MS as u64 * 48;
    let opus = if upload.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(webm::from_webm(upload, most).map_err(refused)?)
    } else if upload.starts_with(b"OggS") {
        Some(webm::from_ogg(upload, most).map_err(refused)?)
    } else if upload.get(4..8) == Some(b"ftyp") {
        None
    } else {
        return Err(bad());
    };
    let duration_ms = match &opus {
        Some(opus) => opus.end_ms(),
        None => mp4_duration(upload)?,
    };
    if duration_ms <= 0 {
        return Err(bad());
    }
    if duration_ms > MAX_VOICE_MS {
        return Err(AppError::bad("error-voice-too-long"));
    }
    let (content_type, bytes) = match &opus {
        Some(opus) => ("audio/webm", webm::write(opus, duration_ms)),
        None => ("audio/mp4", upload.to_vec()),
    };
    // Written again, a file of many tiny packets grows (each becomes a
    // block with a header): still no larger than a recording may be.
    if bytes.len() > MAX_VOICE_BYTES + MAX_VOICE_BYTES / 4 {
        return Err(AppError::bad("error-voice-too-long"));
    }
    Ok(Media {
        content_type,
        bytes,
        width: 0,
        height: 0,
        duration_ms,
    })
}

/// An MP4's length, audio only: every track's handler is `soun`. The
/// length is the movie header's (`mvhd`); a recording made in fragments
/// (Safari's MediaRecorder) has none there, and then it is the fragments'
/// (`mehd`, or the samples' durations in each `trun`).
fn mp4_duration(upload: &[u8]) -> Result<i64, AppError> {
    let bad = || AppError::bad("error-voice-kind");
    let mut movie = Mp4::default();
    movie.read(upload, 0).ok_or_else(bad)?;
    if movie.handlers.is_empty() || movie.handlers.iter().any(|h| h != b"soun") {
        return Err(bad());
    }
    let ms = |units: u64, scale: u64| {
        i64::try_from(units.saturating_mul(1000) / scale).unwrap_or(i64::MAX)
    };
    match movie {
        Mp4 {
            movie_scale: s,
            duration: d,
            ..
        } if s > 0 && d > 0 => Ok(ms(d, s)),
        Mp4 {
            movie_scale: s,
            fragments: d,
            ..
        } if s > 0 && d > 0 => Ok(ms(d, s)),
        Mp4 {
            media_scale: s,
            samples: d,
            ..
        } if s > 0 && d > 0 => Ok(ms(d, s)),
        _ => Err(bad()),
    }
}

/// What `mp4_duration` reads of an MP4's boxes.
#[derive(Default)]
struct Mp4 {
    handlers: Vec<[u8; 4]>,
    movie_scale: u64,
    duration: u64,
    /// `mehd`: the whole length of a fragmented movie, if written.
    fragments: u64,
    /// The (audio) track's time scale, for the samples' durations.
    media_scale: u64,
    /// `trex`: a sample's duration where a fragment names none.
    trex_sample: u64,
    /// The fragment being read: its own default, or `trex_sample`.
    default_sample: u64,
    /// The sum of every fragment's sample durations.
    samples: u64,
}

impl Mp4 {
    /// Reads the boxes in `data` (inside a box at `depth`); `None` when
    /// they are cut short or malformed.
    fn read(&mut self, data: &[u8], depth: u8) -> Option<()> {
        if depth > 8 {
            return None;
        }
        let mut at = 0usize;
        while at < data.len() {
            let size = be(data, at, 4)? as usize;
            let kind: [u8; 4] = data.get(at + 4..at + 8)?.try_into().ok()?;
            let (header, size) = match size {
                0 => (8, data.len() - at),
                1 => (16, usize::try_from(be(data, at + 8, 8)?).ok()?),
                n => (8, n),
            };
            if size < header {
                return None;
            }
            let body = data.get(at + header..at.checked_add(size)?)?;
            match &kind {
                b"moov" | b"trak" | b"mdia" | b"mvex" | b"moof" => self.read(body, depth + 1)?,
                b"traf" => {
                    // A fragment's default holds for that fragment only.
                    self.default_sample = self.trex_sample;
                    self.read(body, depth + 1)?
                }
                b"mvhd" | b"mdhd" => {
                    let (scale, duration) = match body.first()? {
                        0 => (be(body, 12, 4)?, be(body, 16, 4)?),
                        1 => (be(body, 20, 4)?, be(body, 24, 8)?),
                        _ => return None,
                    };
                    if &kind == b"mvhd" {
                        (self.movie_scale, self.duration) = (scale, duration);
                    } else {
                        self.media_scale = scale;
                    }
                }
                b"hdlr" => self.handlers.push(body.get(8..12)?.try_into().ok()?),
                b"mehd" => {
                    self.fragments = match body.first()? {
                        0 => be(body, 4, 4)?,
                        _ => be(body, 4, 8)?,
                    }
                }
                b"trex" => self.trex_sample = be(body, 12, 4)?,
                b"tfhd" => {
                    // A fragment's own default, after the optional fields
                    // before it (base data offset, sample description).
                    let flags = be(body, 1, 3)?;
                    let mut field = 8;
                    if flags & 0x01 != 0 {
                        field += 8;
                    }
                    if flags & 0x02 != 0 {
                        field += 4;
                    }
                    if flags & 0x08 != 0 {
                        self.default_sample = be(body, field, 4)?;
                    }
                }
                b"trun" => {
                    self.samples = self
                        .samples
                        .saturating_add(trun_duration(body, self.default_sample)?)
                }
                _ => {}
            }
            at += size;
        }
        Some(())
    }
}

/// The sum of a track run's sample durations (each its own, or the
/// default).
fn trun_duration(body: &[u8], default: u64) -> Option<u64> {
    let flags = be(body, 1, 3)?;
    let count = be(body, 4, 4)?;
    if flags & 0x100 == 0 {
        return Some(count.saturating_mul(default));
    }
    let mut at = 8;
    if flags & 0x01 != 0 {
        at += 4;
    }
    if flags & 0x04 != 0 {
        at += 4;
    }
    let per_sample = 4 * [0x100, 0x200, 0x400, 0x800]
        .iter()
        .filter(|f| flags & **f != 0)
        .count();
    let mut sum = 0u64;
    for _ in 0..count {
        // A count larger than the box holds is a malformed file.
        sum = sum.saturating_add(be(body, at, 4)?);
        at += per_sample;
    }
    Some(sum)
}

/// The big-endian number of `len` bytes at `at`.
fn be(data: &[u8], at: usize, len: usize) -> Option<u64> {
    let bytes = data.get(at..at.checked_add(len)?)?;
    Some(bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
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
        for (w, h) in [(9_000, 9_000), (10_000, 6_500), (20_000, 10), (10, 20_000)] {
            let claim = png_claiming(w, h);
            assert!(claim.len() < 100);
            assert_eq!(
                photo(&claim),
                Err(AppError::bad("error-photo-too-big")),
                "{w}×{h}"
            );
        }
        assert_eq!(
            photo(&png_claiming(9_000, 9_000)),
            Err(AppError::bad("error-photo-too-big"))
        );
        // A "50 MP" phone's photo is within bounds (it goes on to decoding).
        assert_eq!(
            photo(&png_claiming(8_160, 6_120)),
            Err(AppError::bad("error-photo-kind"))
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

    /// An MP4 box: size, kind, body.
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// A header (`mvhd` or `mdhd`, version 0) with a time scale and length.
    fn header(kind: &[u8; 4], scale: u32, duration: u32) -> Vec<u8> {
        let mut body = vec![0; 12];
        body.extend_from_slice(&scale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0; 80]);
        mp4_box(kind, &body)
    }

    fn handler(kind: &[u8; 4]) -> Vec<u8> {
        let mut body = vec![0; 8];
        body.extend_from_slice(kind);
        body.extend_from_slice(&[0; 13]);
        mp4_box(b"hdlr", &body)
    }

    /// A movie with one track of `handler`, `duration` at 1000 units a
    /// second, and `fragments` after it.
    fn mp4(handler_kind: &[u8; 4], duration: u32, extra: &[u8], fragments: &[u8]) -> Vec<u8> {
        let mut out = mp4_box(b"ftyp", b"M4A \0\0\0\0isom");
        let mdia = [header(b"mdhd", 48_000, 0), handler(handler_kind)].concat();
        let trak = mp4_box(b"trak", &mp4_box(b"mdia", &mdia));
        let moov = [header(b"mvhd", 1000, duration), trak, extra.to_vec()].concat();
        out.extend_from_slice(&mp4_box(b"moov", &moov));
        out.extend_from_slice(fragments);
        out.extend_from_slice(&mp4_box(b"mdat", &[0; 64]));
        out
    }

    /// A fragment: a run of `count` samples, each `each` units long (at the
    /// track's 48 kHz), written per sample or as the fragment's default.
    fn fragment(count: u32, each: u32, per_sample: bool) -> Vec<u8> {
        let (tfhd, trun) = if per_sample {
            let mut trun = vec![0, 0, 0x03, 0x01]; // durations and sizes, data offset
            trun.extend_from_slice(&count.to_be_bytes());
            trun.extend_from_slice(&0u32.to_be_bytes());
            for _ in 0..count {
                trun.extend_from_slice(&each.to_be_bytes());
                trun.extend_from_slice(&100u32.to_be_bytes());
            }
            (vec![0, 0, 0, 0, 0, 0, 0, 1], trun)
        } else {
            let mut tfhd = vec![0, 0, 0, 0x08, 0, 0, 0, 1];
            tfhd.extend_from_slice(&each.to_be_bytes());
            let mut trun = vec![0, 0, 0, 0];
            trun.extend_from_slice(&count.to_be_bytes());
            (tfhd, trun)
        };
        let traf = [mp4_box(b"tfhd", &tfhd), mp4_box(b"trun", &trun)].concat();
        mp4_box(b"moof", &mp4_box(b"traf", &traf))
    }

    #[test]
    fn an_mp4_says_its_length_and_video_is_refused() {
        // A whole movie: its header says 12.5 s.
        assert_eq!(
            voice(&mp4(b"soun", 12_500, &[], &[])).unwrap().duration_ms,
            12_500
        );
        assert_eq!(
            voice(&mp4(b"vide", 12_500, &[], &[])),
            Err(AppError::bad("error-voice-kind"))
        );
        assert_eq!(
            voice(&mp4(b"soun", 600_000, &[], &[])),
            Err(AppError::bad("error-voice-too-long"))
        );
        // Recorded in fragments (Safari): no length in the header; one
        // second of 1024-sample AAC frames at 48 kHz per fragment, the
        // durations written per sample or as the fragment's default.
        let seconds = |n: usize, per_sample: bool| {
            (0..n)
                .flat_map(|_| fragment(47, 1024, per_sample))
                .collect::<Vec<u8>>()
        };
        let took = voice(&mp4(b"soun", 0, &[], &seconds(5, true))).unwrap();
        assert_eq!(took.duration_ms, 5 * 47 * 1024 * 1000 / 48_000);
        let took = voice(&mp4(b"soun", 0, &[], &seconds(3, false))).unwrap();
        assert_eq!(took.duration_ms, 3 * 47 * 1024 * 1000 / 48_000);
        assert_eq!(
            voice(&mp4(b"soun", 0, &[], &seconds(130, false))),
            Err(AppError::bad("error-voice-too-long"))
        );
        // The fragments' own length, where written (`mehd`), in the
        // movie's units.
        let mehd = mp4_box(b"mvex", &mp4_box(b"mehd", &[0, 0, 0, 0, 0, 0, 0x1F, 0x40]));
        assert_eq!(
            voice(&mp4(b"soun", 0, &mehd, &[])).unwrap().duration_ms,
            8_000
        );
        // No length anywhere, a run claiming more samples than it holds, a
        // box longer than the file: not a recording.
        assert!(voice(&mp4(b"soun", 0, &[], &[])).is_err());
        let mut lying = fragment(2, 1024, true);
        // The count: before the data offset and the two samples.
        let at = lying.len() - 2 * 8 - 4 - 4;
        lying[at..at + 4].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert_eq!(
            voice(&mp4(b"soun", 0, &[], &lying)),
            Err(AppError::bad("error-voice-kind"))
        );
        let mut cut = mp4(b"soun", 12_500, &[], &[]);
        cut.truncate(cut.len() - 10);
        assert_eq!(voice(&cut), Err(AppError::bad("error-voice-kind")));
        // "vide" inside the sound itself is not a video track.
        let mut sound = mp4(b"soun", 12_500, &[], &[]);
        sound.extend_from_slice(&mp4_box(b"free", b"....vide...."));
        assert_eq!(voice(&sound).unwrap().duration_ms, 12_500);
    }
}
