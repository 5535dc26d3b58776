//! Streaming a delivered `.json.gz` through gunzip into SHA-256, the way CloudTrail hashes
//! log files and digests (over the uncompressed bytes).

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

/// Why an object's content could not be hashed.
#[derive(Debug, Error)]
pub enum ContentError {
    #[error("not a valid gzip stream: {0}")]
    Gzip(io::Error),
    /// CloudTrail writes exactly one gzip member; anything after it was added later.
    #[error("data after the end of the gzip member")]
    TrailingData,
    #[error("larger than {limit} bytes uncompressed")]
    TooLarge { limit: usize },
    #[error("read failed: {0}")]
    Read(io::Error),
}

/// The SHA-256 (lower-case hex) of the uncompressed content, and the content itself when kept.
pub struct Hashed {
    pub sha256: String,
    pub bytes: Option<Vec<u8>>,
}

/// Gunzips exactly one member from `reader` into SHA-256. With `keep_up_to`, also returns the
/// uncompressed bytes (for digests, which are parsed afterwards), failing beyond that size.
pub fn hash_gunzipped(
    reader: impl Read,
    keep_up_to: Option<usize>,
) -> Result<Hashed, ContentError> {
    // bufread::GzDecoder consumes only the member's bytes from our BufReader, so what is
    // left in it afterwards is exactly the trailing data (read::GzDecoder hides its buffer).
    let mut decoder = GzDecoder::new(BufReader::with_capacity(64 * 1024, reader));
    let mut hasher = Sha256::new();
    let mut kept = keep_up_to.map(|_| Vec::new());
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(classify(e)),
        };
        hasher.update(&buf[..n]);
        if let (Some(kept), Some(limit)) = (kept.as_mut(), keep_up_to) {
            if kept.len() + n > limit {
                return Err(ContentError::TooLarge { limit });
            }
            kept.extend_from_slice(&buf[..n]);
        }
    }
    let mut rest = decoder.into_inner();
    let at_eof = rest.fill_buf().map_err(ContentError::Read)?.is_empty();
    if !at_eof {
        return Err(ContentError::TrailingData);
    }
    Ok(Hashed {
        sha256: hex::encode(hasher.finalize()),
        bytes: kept,
    })
}

// flate2 reports corrupt data as InvalidInput/InvalidData/UnexpectedEof; anything else
// came from the underlying reader.
fn classify(e: io::Error) -> ContentError {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            ContentError::Gzip(e)
        }
        _ => ContentError::Read(e),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, write::GzEncoder};

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).expect("in-memory write");
        e.finish().expect("in-memory finish")
    }

    #[test]
    fn hashes_uncompressed_bytes() {
        let h = hash_gunzipped(&gz(b"abc")[..], Some(10)).expect("valid gzip");
        assert_eq!(
            h.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.bytes.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn rejects_trailing_data_second_member_and_garbage() {
        let mut two = gz(b"abc");
        two.extend(gz(b"def"));
        assert!(matches!(
            hash_gunzipped(&two[..], None),
            Err(ContentError::TrailingData)
        ));
        let mut junk = gz(b"abc");
        junk.push(0);
        assert!(matches!(
            hash_gunzipped(&junk[..], None),
            Err(ContentError::TrailingData)
        ));
        assert!(matches!(
            hash_gunzipped(&b"{\"plain\":1}"[..], None),
            Err(ContentError::Gzip(_))
        ));
        let whole = gz(b"abcdefgh");
        assert!(matches!(
            hash_gunzipped(&whole[..whole.len() - 3], None),
            Err(ContentError::Gzip(_))
        ));
        assert!(matches!(
            hash_gunzipped(&whole[..], Some(4)),
            Err(ContentError::TooLarge { .. })
        ));
    }
}
