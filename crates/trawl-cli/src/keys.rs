//! What `trawl verify` and `trawl convert --verify` share: the public keys (a file, or
//! CloudTrail's ListPublicKeys) and the `--since`/`--until` times.

use anyhow::{Context, Result};
use trawl_verify::{KeyRing, Timestamp, VerifyOptions};

/// The keys to verify `sources` with: from `files` (ListPublicKeys output) when given,
/// else from CloudTrail's ListPublicKeys for each region whose digests the sources hold.
pub(crate) async fn load_keys(
    files: &[std::path::PathBuf],
    sources: &[String],
    options: &VerifyOptions,
    quiet: bool,
) -> Result<KeyRing> {
    let (keys, fetched) = trawl_convert::integrity::load_public_keys(files, sources, options)
        .await
        .with_context(|| {
            if files.is_empty() {
                "cannot get the public keys from CloudTrail (or pass --public-keys FILE)"
                    .to_string()
            } else {
                "cannot read the public keys".to_string()
            }
        })?;
    if !quiet {
        for (src, f) in &fetched {
            for r in &f.regions {
                stderr_line!(
                    "{src}: {} public key(s) from ListPublicKeys in {} for {} digest(s)",
                    r.keys,
                    r.region,
                    r.digests
                );
            }
        }
    }
    Ok(keys)
}

/// `--since` and `--until` as a verification window (a day given to `--until` is all of it).
pub(crate) fn time_window(
    since: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    Ok((
        since.map(|t| parse_time(t, false)).transpose()?,
        until.map(|t| parse_time(t, true)).transpose()?,
    ))
}

/// A day (`2026-03-01`) or a timestamp; a day given to `--until` means its last second.
pub(crate) fn parse_time(text: &str, end_of_day: bool) -> Result<Timestamp> {
    let t = text.trim();
    let ms = match trawl_cloudtrail::parse_event_time(t) {
        Some(ms) => ms,
        None => {
            let day = trawl_cloudtrail::parse_event_time(&format!("{t}T00:00:00Z"))
                .with_context(|| format!("`{text}` is not a day (YYYY-MM-DD) or a timestamp"))?;
            if end_of_day { day + 86_399_000 } else { day }
        }
    };
    chrono::DateTime::from_timestamp_millis(ms)
        .map(Timestamp)
        .with_context(|| format!("`{text}` is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let day = parse_time("2026-03-01", false).unwrap();
        assert_eq!(day.to_string(), "2026-03-01T00:00:00Z");
        let end = parse_time("2026-03-01", true).unwrap();
        assert_eq!(end.to_string(), "2026-03-01T23:59:59Z");
        let exact = parse_time("2026-03-01T10:20:30Z", true).unwrap();
        assert_eq!(exact.to_string(), "2026-03-01T10:20:30Z");
        assert!(parse_time("yesterday", false).is_err());
    }
}
