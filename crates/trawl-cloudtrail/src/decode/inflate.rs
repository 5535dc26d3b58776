//! Stage one: skips objects that hold no events, gunzips, and checks the rest is text.

use std::borrow::Cow;
use std::io::Read;

use super::Decoded;
use super::reject::make_reject;
use crate::batch::SharedText;
use crate::key::{ObjectKind, classify_key};

/// Where one object stands between the phases of [`decode_many`](super::decode_many).
pub(super) enum Stage<'d> {
    /// Settled without parsing records (skipped, binary, ...).
    Done(Decoded),
    /// Would take its group past the budget: decode it alone, later.
    Deferred,
    Text {
        text: Text<'d>,
        gzip_error: Option<String>,
        /// Invalid UTF-8 replaced by U+FFFD so the text around it can be read; the
        /// records holding a replacement are rejected, never stored altered.
        repairs: Vec<Repair>,
    },
}

/// An object's text: the caller's bytes, or inflated (or repaired) into a buffer the
/// batches' `eventjson` can point into.
pub(super) enum Text<'d> {
    Borrowed(&'d str),
    Shared(SharedText),
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(t) => t,
            Text::Shared(t) => t.as_str(),
        }
    }
}

/// One run of invalid UTF-8 bytes, replaced by one U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Repair {
    /// Where the U+FFFD is in the repaired text.
    pub(super) at: usize,
    /// Where the bytes were in the (inflated) object.
    pub(super) original_at: usize,
    pub(super) bytes: Vec<u8>,
}

impl Repair {
    /// For a reject's reason: the bytes in hex and where they were.
    pub(super) fn describe(&self) -> String {
        let hex: Vec<String> = self
            .bytes
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!(
            "invalid UTF-8 (bytes {}) at byte {} of the object",
            hex.join(" "),
            self.original_at
        )
    }
}

/// `bytes` as text with each run of invalid UTF-8 replaced by U+FFFD, and where.
fn repair_utf8(bytes: &[u8]) -> (String, Vec<Repair>) {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut repairs = Vec::new();
    let mut original_at = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        original_at += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            repairs.push(Repair {
                at: text.len(),
                original_at,
                bytes: chunk.invalid().to_vec(),
            });
            text.push(char::REPLACEMENT_CHARACTER);
            original_at += chunk.invalid().len();
        }
    }
    (text, repairs)
}

/// Decompresses an object (up to `max_inflated` bytes) and checks it is text. `room` is
/// what the object's group has left: an object that inflates past it but not past the
/// cap is [`Stage::Deferred`].
pub(super) fn inflate<'d>(source: &str, data: &'d [u8], max_inflated: u64, room: u64) -> Stage<'d> {
    let mut out = Decoded::default();
    match classify_key(source) {
        ObjectKind::Digest => {
            out.skipped = Some("CloudTrail digest file (integrity data, not events)");
            return Stage::Done(out);
        }
        ObjectKind::CloudWatchWriteTest => {
            out.skipped = Some("CloudWatch Logs export permission-check object");
            return Stage::Done(out);
        }
        _ => {}
    }
    let (bytes, gzip_error) = match gunzip_capped(data, room.min(max_inflated)) {
        Gunzipped::TooLarge(_) if room < max_inflated => return Stage::Deferred,
        Gunzipped::Data(bytes, error) => (bytes, error),
        Gunzipped::Binary(head) => {
            out.rejects.push(make_reject(
                source,
                None,
                None,
                "not CloudTrail: binary data, not JSON text (NUL bytes at the start; \
                 the rest was not inflated)"
                    .to_string(),
                &String::from_utf8_lossy(&head[..head.len().min(256)]),
            ));
            out.records = 1;
            out.text_bytes = head.len() as u64;
            return Stage::Done(out);
        }
        Gunzipped::TooLarge(head) => {
            out.rejects.push(make_reject(
                source,
                None,
                None,
                format!(
                    "not read: inflates to more than {max_inflated} bytes, the cap on one \
                     object (a decompression bomb, or raise --max-object-size)"
                ),
                &String::from_utf8_lossy(&head),
            ));
            out.records = 1;
            out.text_bytes = max_inflated;
            return Stage::Done(out);
        }
    };
    let text_bytes = bytes.len() as u64;
    let invalid = match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(t) => {
                return Stage::Text {
                    text: Text::Borrowed(t),
                    gzip_error,
                    repairs: Vec::new(),
                };
            }
            Err(_) => b.to_vec(),
        },
        Cow::Owned(v) => match String::from_utf8(v) {
            Ok(t) => {
                return Stage::Text {
                    text: Text::Shared(SharedText::new(t)),
                    gzip_error,
                    repairs: Vec::new(),
                };
            }
            Err(e) => e.into_bytes(),
        },
    };
    if !looks_binary(&invalid) {
        // Keep the records around a stray invalid byte readable; the ones it is in are
        // rejected with the bytes named.
        let (text, repairs) = repair_utf8(&invalid);
        return Stage::Text {
            text: Text::Shared(SharedText::new(text)),
            gzip_error,
            repairs,
        };
    }
    let reason = match &gzip_error {
        Some(e) => format!("not CloudTrail: unreadable gzip data ({e})"),
        None => "not CloudTrail: binary data, not JSON text".to_string(),
    };
    out.rejects.push(make_reject(
        source,
        None,
        None,
        reason,
        &String::from_utf8_lossy(&invalid[..invalid.len().min(256)]),
    ));
    out.records = 1;
    out.text_bytes = text_bytes;
    Stage::Done(out)
}

/// NUL bytes do not occur in JSON text; invalid UTF-8 alone may be a stray byte.
fn looks_binary(b: &[u8]) -> bool {
    b[..b.len().min(1024)].contains(&0)
}

/// Inflated before deciding whether a gzip object holds text at all.
const PROBE_BYTES: u64 = 64 * 1024;

/// What [`gunzip_capped`] made of an object.
enum Gunzipped<'d> {
    /// The text (or the data as it was, when not gzip), and the gzip error if cut off.
    Data(Cow<'d, [u8]>, Option<String>),
    /// NUL bytes in the first bytes inflated: not JSON; these bytes only.
    Binary(Vec<u8>),
    /// More than the cap; its first bytes, for the reject.
    TooLarge(Vec<u8>),
}

/// Bytes asked of the gzip reader at a time.
const READ_BYTES: usize = 64 * 1024;

/// [`gunzip`] that never holds more than `cap` inflated bytes (plus one read), and stops
/// after the first [`PROBE_BYTES`] when they are binary (zeros are the classic bomb).
///
/// It reads fixed 64 KiB pieces and grows the buffer itself: `read_to_end` over a
/// `take` sizes its reads from what it has, and the trailer's size (which the object's
/// author chooses) must not decide an allocation beyond the cap.
fn gunzip_capped(data: &[u8], cap: u64) -> Gunzipped<'_> {
    if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
        return Gunzipped::Data(Cow::Borrowed(data), None);
    }
    let limit = usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX);
    let hint = inflated_size_hint(data).min(limit);
    let mut decoder = flate2::read::MultiGzDecoder::new(data);
    let mut out: Vec<u8> = Vec::with_capacity(hint.min(PROBE_BYTES as usize));
    let mut piece = vec![0u8; READ_BYTES];
    let mut probed = false;
    loop {
        if !probed && out.len() as u64 >= PROBE_BYTES.min(cap.saturating_add(1)) {
            probed = true;
            if looks_binary(&out) {
                return Gunzipped::Binary(out);
            }
        }
        if out.len() >= limit {
            out.truncate(256);
            out.shrink_to_fit();
            return Gunzipped::TooLarge(out);
        }
        let want = READ_BYTES.min(limit - out.len());
        let n = match decoder.read(&mut piece[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Gunzipped::Data(Cow::Owned(out), Some(e.to_string())),
        };
        if out.capacity() - out.len() < n {
            // Doubling, but never past the cap or the trailer's (bounded) claim.
            let grown = (out.capacity().saturating_mul(2))
                .max(hint)
                .max(out.len() + n)
                .min(limit.max(out.len() + n));
            out.reserve_exact(grown - out.len());
        }
        out.extend_from_slice(&piece[..n]);
    }
    if !probed && looks_binary(&out) {
        return Gunzipped::Binary(out);
    }
    Gunzipped::Data(Cow::Owned(out), None)
}

/// Decompresses gzip (all members) when the data starts with the gzip magic.
/// On a corrupt or cut-off stream, returns what was inflated and the error.
pub fn gunzip(data: &[u8]) -> (Cow<'_, [u8]>, Option<String>) {
    if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
        return (Cow::Borrowed(data), None);
    }
    let mut out = Vec::with_capacity(inflated_size_hint(data));
    // read_to_end keeps what was inflated before an error, which is what a cut-off
    // stream needs.
    match flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out) {
        Ok(_) => (Cow::Owned(out), None),
        Err(e) => (Cow::Owned(out), Some(e.to_string())),
    }
}

/// Capacity for the inflated text: the gzip trailer's ISIZE (the size modulo 2^32 of
/// a single-member stream) when plausible, else a typical JSON ratio.
fn inflated_size_hint(data: &[u8]) -> usize {
    let guess = data.len().saturating_mul(8);
    let Some(tail) = data.len().checked_sub(4).map(|at| &data[at..]) else {
        return guess;
    };
    let isize = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as usize;
    if isize >= data.len() && isize <= data.len().saturating_mul(64) {
        isize
    } else {
        guess
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("in memory");
        e.finish().expect("in memory")
    }

    #[test]
    fn the_cap_holds_at_every_boundary_and_the_buffer_never_outgrows_it() {
        // Three reads and a bit: caps around the size and around one read.
        let text: Vec<u8> = (0..3 * READ_BYTES + 5)
            .map(|i| b'a' + (i % 26) as u8)
            .collect();
        let n = text.len() as u64;
        let mut data = gz(&text);
        let honest = data.clone();
        // A trailer claiming 64 times the object's size (the most the hint believes).
        let claim = (data.len() as u32).saturating_mul(64).to_le_bytes();
        let at = data.len() - 4;
        data[at..].copy_from_slice(&claim);
        for data in [&honest, &data] {
            for cap in [
                1,
                255,
                64 * 1024 - 1,
                64 * 1024,
                64 * 1024 + 1,
                n - 1,
                n,
                n + 1,
                1 << 30,
            ] {
                match gunzip_capped(data, cap) {
                    Gunzipped::Data(out, error) => {
                        assert!(cap >= n, "cap {cap}: read past the cap");
                        assert_eq!(&out[..], &text[..], "cap {cap}");
                        let claimed = data != &honest;
                        // The forged trailer is wrong, not the data: the CRC still holds,
                        // the size check fails, and nothing is lost.
                        assert_eq!(error.is_some(), claimed, "cap {cap}: {error:?}");
                        let Cow::Owned(v) = out else {
                            panic!("inflated")
                        };
                        assert!(
                            v.capacity() as u64 <= cap + 1,
                            "cap {cap}: {}",
                            v.capacity()
                        );
                        assert!(
                            v.capacity() <= 2 * text.len() + READ_BYTES,
                            "{}",
                            v.capacity()
                        );
                    }
                    Gunzipped::TooLarge(head) => {
                        assert!(cap < n, "cap {cap}");
                        assert!(head.capacity() <= 256, "{}", head.capacity());
                        assert_eq!(&head[..], &text[..head.len()]);
                    }
                    Gunzipped::Binary(_) => panic!("cap {cap}: text taken for binary"),
                }
            }
        }
    }

    #[test]
    fn zeros_stop_after_the_probe_and_cut_streams_keep_their_text() {
        let zeros = gz(&vec![0u8; 16 * READ_BYTES]);
        match gunzip_capped(&zeros, 1 << 30) {
            Gunzipped::Binary(head) => {
                assert!(head.len() as u64 <= PROBE_BYTES + READ_BYTES as u64)
            }
            _ => panic!("zeros are binary"),
        }
        let text = vec![b'x'; 4 * READ_BYTES];
        let whole = gz(&text);
        // Two members, the second cut short.
        let mut two = whole.clone();
        two.extend_from_slice(&whole[..whole.len() / 2]);
        match gunzip_capped(&two, 1 << 30) {
            Gunzipped::Data(out, Some(_)) => {
                assert!(out.len() >= text.len() && out.len() < 2 * text.len());
                assert!(out.iter().all(|&b| b == b'x'));
            }
            _ => panic!("a cut stream keeps what it inflated, with the error"),
        }
    }
}
