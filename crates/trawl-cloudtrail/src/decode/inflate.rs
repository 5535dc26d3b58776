//! Stage one: skips objects that hold no events, gunzips, and checks the rest is text.

use std::borrow::Cow;
use std::io::Read;

use super::Decoded;
use super::reject::make_reject;
use crate::key::{ObjectKind, classify_key};

/// Where one object stands between the phases of [`decode_many`](super::decode_many).
pub(super) enum Stage<'d> {
    /// Settled without parsing records (skipped, binary, ...).
    Done(Decoded),
    Text {
        text: Cow<'d, str>,
        gzip_error: Option<String>,
    },
}

/// Decompresses an object and checks it is text.
pub(super) fn inflate<'d>(source: &str, data: &'d [u8]) -> Stage<'d> {
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
    let (bytes, gzip_error) = gunzip(data);
    let text_bytes = bytes.len() as u64;
    let invalid = match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(t) => {
                return Stage::Text {
                    text: Cow::Borrowed(t),
                    gzip_error,
                };
            }
            Err(_) => b.to_vec(),
        },
        Cow::Owned(v) => match String::from_utf8(v) {
            Ok(t) => {
                return Stage::Text {
                    text: Cow::Owned(t),
                    gzip_error,
                };
            }
            Err(e) => e.into_bytes(),
        },
    };
    if !looks_binary(&invalid) {
        // Keep the records around a stray invalid byte: it becomes U+FFFD.
        let text = String::from_utf8_lossy(&invalid).into_owned();
        return Stage::Text {
            text: Cow::Owned(text),
            gzip_error,
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
