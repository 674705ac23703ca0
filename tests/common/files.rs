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

/// An Ogg Opus recording of `seconds` as a recorder writes one: the head,
/// the tags (a vendor, and a comment carrying `OGG-SECRET-MARK`, standing
/// for anything a phone may write there), then 20 ms packets, fifty to a
/// page. The sound itself does not matter here; the checksums are not
/// computed (Onsplan does not read them).
pub fn ogg(seconds: u64) -> Vec<u8> {
    let page = |granule: u64, sequence: u32, packets: &[Vec<u8>]| {
        let mut p = b"OggS\0".to_vec();
        p.push(if sequence == 0 { 2 } else { 0 });
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&[1, 0, 0, 0]);
        p.extend_from_slice(&sequence.to_le_bytes());
        p.extend_from_slice(&[0, 0, 0, 0]);
        let mut lacing = Vec::new();
        for packet in packets {
            let mut left = packet.len();
            while left >= 255 {
                lacing.push(255);
                left -= 255;
            }
            lacing.push(left as u8);
        }
        p.push(lacing.len() as u8);
        p.extend_from_slice(&lacing);
        for packet in packets {
            p.extend_from_slice(packet);
        }
        p
    };
    let mut head = b"OpusHead\x01\x01".to_vec();
    head.extend_from_slice(&312u16.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    let mut tags = b"OpusTags".to_vec();
    let vendor = b"phone recorder 1.0";
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    let comment = b"LOCATION=OGG-SECRET-MARK";
    tags.extend_from_slice(&1u32.to_le_bytes());
    tags.extend_from_slice(&(comment.len() as u32).to_le_bytes());
    tags.extend_from_slice(comment);
    let mut out = page(0, 0, &[head]);
    out.extend(page(0, 1, &[tags]));
    // One 20 ms CELT frame a packet (the first byte says so).
    let packets: Vec<Vec<u8>> = (0..seconds * 50)
        .map(|i| vec![0xF8, (i % 251) as u8, 0x5A, 0xA5])
        .collect();
    for (n, chunk) in packets.chunks(50).enumerate() {
        let granule = 312 + (n as u64 + 1) * 50 * 960;
        out.extend(page(granule, n as u32 + 2, chunk));
    }
    out
}
