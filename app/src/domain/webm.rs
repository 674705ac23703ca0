//! Voice messages as Onsplan keeps them: the Opus sound of a recording,
//! written again into a WebM file of our own. Nothing of the phone's
//! container is kept (no tags, titles, attachments, muxer names or
//! anything else a file can carry beside the sound), and the file says
//! its length, so a player shows it and can seek (MediaRecorder's files
//! say neither).
//!
//! Read from Chromium's WebM (MediaRecorder) or Firefox's Ogg; written as
//! WebM, which every browser plays (Safari since 15).

use std::io::Cursor;

/// One Opus track, as read from a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opus {
    /// The `OpusHead` packet (WebM's `CodecPrivate` for Opus), as long as
    /// its fields and no longer.
    pub head: Vec<u8>,
    pub channels: u8,
    /// The decoder's pre-skip, in nanoseconds (WebM's `CodecDelay`).
    pub delay_ns: u64,
    /// The sound, packet by packet, each with its start in nanoseconds.
    pub packets: Vec<(u64, Vec<u8>)>,
    /// The length of the sound in 48 kHz samples.
    pub samples: u64,
}

/// Why a recording was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not one Opus track in a WebM or Ogg file.
    NotOpus,
    /// Longer than the caller allows.
    TooLong,
}

impl Opus {
    /// The length of the sound in milliseconds.
    pub fn end_ms(&self) -> i64 {
        i64::try_from(self.samples / 48).unwrap_or(i64::MAX)
    }

    /// The sound from its head and packets, timed by each packet's own
    /// length (never by what the file says: times that go backwards, laced
    /// frames sharing one time or a time near the end of the numbers would
    /// otherwise pass for a short recording). Stops at `max_samples`.
    fn timed(
        head: &[u8],
        codec_delay_ns: Option<u64>,
        packets: impl Iterator<Item = Vec<u8>>,
        max_samples: u64,
    ) -> Result<Opus, Refused> {
        let (channels, pre_skip, head_len) = opus_head(head).ok_or(Refused::NotOpus)?;
        let mut at = 0u64;
        let mut sound = Vec::new();
        for packet in packets {
            // Every Opus packet holds sound (RFC 6716, 3.2.5: no empty
            // frames): one that says none is not Opus.
            let samples = opus_samples(&packet)
                .filter(|n| *n > 0)
                .ok_or(Refused::NotOpus)?;
            sound.push((at * 1_000_000_000 / 48_000, packet));
            at += samples;
            if at > max_samples {
                return Err(Refused::TooLong);
            }
        }
        Ok(Opus {
            head: head[..head_len].to_vec(),
            channels,
            delay_ns: codec_delay_ns.unwrap_or(pre_skip * 1_000_000_000 / 48_000),
            packets: sound,
            samples: at,
        })
    }
}

/// The `OpusHead` packet's channels, pre-skip (in 48 kHz samples) and
/// length (RFC 7845, 5.1: 19 bytes, or 21 and a byte a channel with a
/// channel mapping), if it is one.
fn opus_head(head: &[u8]) -> Option<(u8, u64, usize)> {
    if head.len() < 19 || !head.starts_with(b"OpusHead") {
        return None;
    }
    let channels = head[9];
    let pre_skip = u64::from(u16::from_le_bytes([head[10], head[11]]));
    let len = if head[18] == 0 {
        19
    } else {
        21 + usize::from(channels)
    };
    ((1..=8).contains(&channels) && head.len() >= len).then_some((channels, pre_skip, len))
}

/// How many 48 kHz samples an Opus packet holds (RFC 6716, 3.1: its
/// configuration and frame count).
pub fn opus_samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = usize::from(toc >> 3);
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][config % 4],
        12..=15 => [480, 960][config % 2],
        _ => [120, 240, 480, 960][config % 4],
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(packet.get(1)? & 0x3F),
    };
    Some(frame * frames)
}

/// The Opus track of a WebM file with one Opus track and nothing else, of
/// at most `max_samples`.
pub fn from_webm(upload: &[u8], max_samples: u64) -> Result<Opus, Refused> {
    use matroska_demuxer::{Frame, MatroskaFile, TrackType};
    let mut file = MatroskaFile::open(Cursor::new(upload)).map_err(|_| Refused::NotOpus)?;
    let [track] = file.tracks() else {
        return Err(Refused::NotOpus);
    };
    if track.track_type() != TrackType::Audio || track.codec_id() != "A_OPUS" {
        return Err(Refused::NotOpus);
    }
    let number = track.track_number().get();
    let head = track.codec_private().ok_or(Refused::NotOpus)?.to_vec();
    let delay = track.codec_delay();
    let mut packets = Vec::new();
    let mut frame = Frame::default();
    // At most one packet a 2.5 ms: a file claiming more is cut short here
    // and found too long below.
    let most = usize::try_from(max_samples / 120 + 2).unwrap_or(usize::MAX);
    while file.next_frame(&mut frame).map_err(|_| Refused::NotOpus)? {
        if frame.track == number && packets.len() < most {
            packets.push(std::mem::take(&mut frame.data));
        }
    }
    Opus::timed(&head, delay, packets.into_iter(), max_samples)
}

/// The Opus stream of an Ogg file with one logical stream, of at most
/// `max_samples`: its head, its tags (dropped) and its sound.
pub fn from_ogg(upload: &[u8], max_samples: u64) -> Result<Opus, Refused> {
    let mut packets = ogg_packets(upload).ok_or(Refused::NotOpus)?.into_iter();
    let head = packets.next().ok_or(Refused::NotOpus)?;
    if !packets
        .next()
        .is_some_and(|tags| tags.starts_with(b"OpusTags"))
    {
        return Err(Refused::NotOpus);
    }
    Opus::timed(&head, None, packets, max_samples)
}

/// An Ogg file's packets, in order (RFC 3533): one logical stream only.
fn ogg_packets(data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut packets = Vec::new();
    let mut current = Vec::new();
    let mut serial = None;
    let mut at = 0usize;
    while at < data.len() {
        let page = data.get(at..)?;
        if !page.starts_with(b"OggS") {
            return None;
        }
        let this_serial = page.get(14..18)?;
        if *serial.get_or_insert(this_serial) != this_serial {
            return None;
        }
        let count = usize::from(*page.get(26)?);
        let lacing = page.get(27..27 + count)?;
        let mut body = 27 + count;
        for &len in lacing {
            let len = usize::from(len);
            current.extend_from_slice(page.get(body..body + len)?);
            body += len;
            if len < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        at += body;
    }
    Some(packets)
}

/// The WebM file Onsplan keeps: the EBML header, then a segment with its
/// information (length), the one track, the cues (where each cluster
/// begins, for seeking) and the clusters of five seconds each.
pub fn write(opus: &Opus, duration_ms: i64) -> Vec<u8> {
    const CLUSTER_MS: u64 = 5_000;
    let header = element(
        0x1A45_DFA3,
        &[
            uint(0x4286, 1),
            uint(0x42F7, 1),
            uint(0x42F2, 4),
            uint(0x42F3, 8),
            element(0x4282, b"webm"),
            uint(0x4287, 4),
            uint(0x4285, 2),
        ]
        .concat(),
    );
    let info = element(
        0x1549_A966,
        &[
            uint(0x2A_D7B1, 1_000_000),
            element(0x4D80, b"Onsplan"),
            element(0x5741, b"Onsplan"),
            float(0x4489, duration_ms as f64),
        ]
        .concat(),
    );
    let audio = element(
        0xE1,
        &[float(0xB5, 48_000.0), uint(0x9F, u64::from(opus.channels))].concat(),
    );
    let tracks = element(
        0x1654_AE6B,
        &element(
            0xAE,
            &[
                uint(0xD7, 1),
                uint(0x73C5, 1),
                uint(0x83, 2),
                element(0x86, b"A_OPUS"),
                element(0x63A2, &opus.head),
                uint(0x56AA, opus.delay_ns),
                uint(0x56BB, 80_000_000),
                audio,
            ]
            .concat(),
        ),
    );
    // The clusters, each starting at its first packet's millisecond.
    let mut clusters: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut blocks = Vec::new();
    let mut start = None;
    for (at, packet) in &opus.packets {
        let ms = at / 1_000_000;
        let begun = *start.get_or_insert(ms);
        if ms.saturating_sub(begun) >= CLUSTER_MS {
            clusters.push((begun, cluster(begun, &blocks)));
            blocks.clear();
            start = Some(ms);
        }
        let relative = i16::try_from(ms - start.unwrap_or(ms)).unwrap_or(i16::MAX);
        let mut block = vec![0x81];
        block.extend_from_slice(&relative.to_be_bytes());
        block.push(0x80);
        block.extend_from_slice(packet);
        blocks.push(element(0xA3, &block));
    }
    if let Some(begun) = start {
        clusters.push((begun, cluster(begun, &blocks)));
    }
    // Cue positions are written in eight bytes, so the cues' own size is
    // known before the positions are.
    let cues = |positions: &[u64]| {
        let points: Vec<u8> = clusters
            .iter()
            .zip(positions)
            .flat_map(|((ms, _), position)| {
                element(
                    0xBB,
                    &[
                        uint(0xB3, *ms),
                        element(0xB7, &[uint(0xF7, 1), uint8(0xF1, *position)].concat()),
                    ]
                    .concat(),
                )
            })
            .collect();
        element(0x1C53_BB6B, &points)
    };
    let before = (info.len() + tracks.len() + cues(&vec![0; clusters.len()]).len()) as u64;
    let positions: Vec<u64> = clusters
        .iter()
        .scan(before, |at, (_, bytes)| {
            let here = *at;
            *at += bytes.len() as u64;
            Some(here)
        })
        .collect();
    let mut segment = [info, tracks, cues(&positions)].concat();
    for (_, bytes) in &clusters {
        segment.extend_from_slice(bytes);
    }
    [header, element(0x1853_8067, &segment)].concat()
}

fn cluster(start_ms: u64, blocks: &[Vec<u8>]) -> Vec<u8> {
    element(
        0x1F43_B675,
        &[uint(0xE7, start_ms), blocks.concat()].concat(),
    )
}

/// An EBML element: its id (which carries its own length marker), its
/// size as a variable-length number, its body.
fn element(id: u32, body: &[u8]) -> Vec<u8> {
    let id = id.to_be_bytes();
    let skip = id.iter().take_while(|b| **b == 0).count();
    let mut out = id[skip..].to_vec();
    out.extend_from_slice(&size(body.len() as u64));
    out.extend_from_slice(body);
    out
}

/// A size in the fewest bytes (all ones is reserved for "unknown").
fn size(n: u64) -> Vec<u8> {
    for len in 1..8u32 {
        if n < (1u64 << (7 * len)) - 1 {
            let v = n | (1u64 << (7 * len));
            return v.to_be_bytes()[(8 - len as usize)..].to_vec();
        }
    }
    let mut out = vec![0x01];
    out.extend_from_slice(&n.to_be_bytes()[1..]);
    out
}

fn uint(id: u32, v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    element(id, &bytes[skip..])
}

fn uint8(id: u32, v: u64) -> Vec<u8> {
    element(id, &v.to_be_bytes())
}

fn float(id: u32, v: f64) -> Vec<u8> {
    element(id, &v.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Vec<u8> {
        let mut head = b"OpusHead\x01\x01".to_vec();
        head.extend_from_slice(&312u16.to_le_bytes());
        head.extend_from_slice(&48_000u32.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0]);
        head
    }

    #[test]
    fn what_a_file_says_of_its_times_does_not_count() {
        // Packets stamped backwards, all at zero: their own lengths count.
        let mut sound = Opus {
            head: head(),
            channels: 1,
            delay_ns: 0,
            packets: (0..100u64).map(|_| (0, vec![0xF8, 1, 2])).collect(),
            samples: 100 * 960,
        };
        let file = write(&sound, 2_000);
        assert_eq!(from_webm(&file, u64::MAX).map(|o| o.end_ms()), Ok(2_000));
        // A packet saying it holds no sound, or a head with something
        // after its fields (kept out).
        sound.packets[50].1 = vec![0xFB, 0x00];
        assert_eq!(
            from_webm(&write(&sound, 2_000), u64::MAX),
            Err(Refused::NotOpus)
        );
        sound.packets[50].1 = vec![0xF8, 1, 2];
        sound.head.extend_from_slice(b"PHONE-SECRET");
        let read = from_webm(&write(&sound, 2_000), u64::MAX).unwrap();
        assert_eq!(read.head, head());
        // Many packets each claiming 63 frames of 60 ms: refused as too
        // long as soon as they pass the limit, whatever their number.
        let long: Vec<Vec<u8>> = (0..100_000).map(|_| vec![0x1B, 0x3F]).collect();
        assert_eq!(
            Opus::timed(&head(), None, long.into_iter(), 121 * 48_000),
            Err(Refused::TooLong)
        );
    }

    #[test]
    fn sizes_and_packet_lengths() {
        assert_eq!(size(0), vec![0x80]);
        assert_eq!(size(126), vec![0xFE]);
        assert_eq!(size(127), vec![0x40, 0x7F]);
        assert_eq!(size(5_000), vec![0x53, 0x88]);
        // 20 ms CELT, one frame; 60 ms SILK; 2 × 10 ms; 3 × 20 ms.
        assert_eq!(opus_samples(&[0xF8]), Some(960));
        assert_eq!(opus_samples(&[0x18]), Some(2880));
        assert_eq!(opus_samples(&[0x71]), Some(960));
        assert_eq!(opus_samples(&[0xFB, 0x03]), Some(2880));
        assert_eq!(opus_samples(&[]), None);
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let sound = Opus {
            head: head(),
            channels: 1,
            delay_ns: 6_500_000,
            // Twelve seconds of 20 ms packets.
            packets: (0..600u64)
                .map(|i| (i * 20_000_000, vec![0xF8, (i % 256) as u8, 7, 7]))
                .collect(),
            samples: 600 * 960,
        };
        assert_eq!(sound.end_ms(), 12_000);
        let file = write(&sound, sound.end_ms());
        let back = from_webm(&file, u64::MAX).expect("our own file reads");
        assert_eq!(back, sound);
        assert_eq!(from_webm(&file, 11 * 48_000), Err(Refused::TooLong));
        let read = matroska_demuxer::MatroskaFile::open(Cursor::new(&file)).unwrap();
        assert_eq!(read.info().duration(), Some(12_000.0));
        assert_eq!(read.info().muxing_app(), "Onsplan");
        // Three clusters of five seconds, each found where its cue says.
        let find = |needle: &[u8]| file.windows(needle.len()).position(|w| w == needle);
        let segment_data = find(&[0x15, 0x49, 0xA9, 0x66]).expect("the information first");
        let cues = find(&[0x1C, 0x53, 0xBB, 0x6B]).expect("cues");
        let positions: Vec<usize> = file[cues..]
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xF1, 0x88])
            .map(|(i, _)| {
                let at = cues + i + 2;
                u64::from_be_bytes(file[at..at + 8].try_into().unwrap()) as usize
            })
            .take(3)
            .collect();
        assert_eq!(positions.len(), 3);
        for position in positions {
            let at = segment_data + position;
            assert_eq!(
                file[at..at + 4],
                [0x1F, 0x43, 0xB6, 0x75],
                "a cluster at {at}"
            );
        }
    }
}
