//! Files the tests send as a phone would: a photo straight from a camera,
//! a recording.

/// A JPEG photo, `width` × `height` pixels as the camera stored it, with
/// an EXIF block as phones write one: "turn it a quarter to the right"
/// (orientation 6) and a description holding a place (a stand-in for GPS
/// coordinates: the marker must not survive).
pub fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            120,
        ])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&picture)
        .unwrap();
    // TIFF, big-endian: IFD0 with ImageDescription (ASCII) and Orientation.
    let text = b"GPS-SECRET-MARK 51.0543N 3.7174E\0";
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(text.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&[0, 6, 0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(text);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// An Ogg Opus recording of `seconds` (its pages' headers as a recorder
/// writes them; the sound itself does not matter here).
pub fn ogg(seconds: u64) -> Vec<u8> {
    let page = |granule: u64, payload: &[u8]| {
        let mut p = b"OggS\0\x02".to_vec();
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, payload.len() as u8]);
        p.extend_from_slice(payload);
        p
    };
    let mut head = b"OpusHead\x01\x01".to_vec();
    head.extend_from_slice(&312u16.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    let mut out = page(0, &head);
    out.extend(page(48_000 * seconds + 312, b"OpusTags"));
    out
}
