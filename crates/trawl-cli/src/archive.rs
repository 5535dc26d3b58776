//! Archives on disk: generated ones (`trawl generate`), the bundled sample archive
//! and the sample lake converted from it (what `demo` and a shell without a lake use).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use trawl_cloudtrail::generate::{GenOptions, GenSummary, generate};
use trawl_convert::{ConvertOptions, Lake, Progress};

/// The digest files a generated archive gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestFiles {
    /// One unsigned digest per account, region and delivery day: enough for `convert` to
    /// meet (and skip) digests, not verifiable.
    Placeholder,
    /// Hourly chained digests signed with the TEST-ONLY key, `.sig` sidecars and
    /// `public-keys.json`: what `trawl verify` checks.
    Signed,
}

/// The bucket the generated digests say they were delivered to.
const SAMPLE_BUCKET: &str = "trawl-sample-trail";

/// Writes a generated archive under `dir`, plus digest files (see [`DigestFiles`]).
pub fn write_archive(
    dir: &Path,
    opts: &GenOptions,
    gzip: bool,
    digest_files: DigestFiles,
) -> Result<GenSummary> {
    if digest_files == DigestFiles::Signed && !gzip {
        // CloudTrail only delivers gzip, and the digest hashes are over gunzipped content.
        anyhow::bail!("signed digests need gzipped log files");
    }
    let mut digests: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut error = None;
    let summary = generate(opts, |file| {
        if error.is_some() {
            return;
        }
        let key = if gzip {
            file.key.clone()
        } else {
            file.key.trim_end_matches(".gz").to_string()
        };
        let path = dir.join(&key);
        let result = (|| -> Result<()> {
            std::fs::create_dir_all(path.parent().context("key without a folder")?)?;
            let f = std::fs::File::create(&path).with_context(|| path.display().to_string())?;
            if gzip {
                let mut gz = GzEncoder::new(std::io::BufWriter::new(f), Compression::default());
                gz.write_all(file.json.as_bytes())?;
                gz.finish()?.flush()?;
            } else {
                std::io::BufWriter::new(f).write_all(file.json.as_bytes())?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            error = Some(e);
            return;
        }
        if let Some((folder, _)) = key.rsplit_once('/') {
            digests
                .entry(folder.replace("/CloudTrail/", "/CloudTrail-Digest/"))
                .or_default()
                .push(key);
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    if digest_files == DigestFiles::Signed {
        sign_archive(dir)?;
        return Ok(summary);
    }
    for (folder, logs) in digests {
        let parts: Vec<&str> = folder.split('/').collect();
        let (account, region) = (parts[1], parts[3]);
        let date = parts[4..7].join("");
        let name =
            format!("{account}_CloudTrail-Digest_{region}_main_us-east-1_{date}T235959Z.json.gz");
        let body = serde_json::json!({
            "awsAccountId": account,
            "digestStartTime": format!("{}-{}-{}T00:00:00Z", parts[4], parts[5], parts[6]),
            "digestEndTime": format!("{}-{}-{}T23:59:59Z", parts[4], parts[5], parts[6]),
            "digestS3Bucket": "trawl-sample-trail",
            "digestS3Object": format!("{folder}/{name}"),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "logFiles": logs.iter().map(|k| serde_json::json!({"s3Bucket": "trawl-sample-trail", "s3Object": k, "hashAlgorithm": "SHA-256"})).collect::<Vec<_>>(),
        });
        let path = dir.join(&folder).join(&name);
        std::fs::create_dir_all(path.parent().context("digest folder")?)?;
        let mut gz = GzEncoder::new(std::fs::File::create(&path)?, Compression::default());
        gz.write_all(body.to_string().as_bytes())?;
        gz.finish()?;
    }
    Ok(summary)
}

/// Signs hourly digests over the log files under `dir` with the TEST-ONLY key, and writes
/// the matching `public-keys.json` beside `AWSLogs/`.
fn sign_archive(dir: &Path) -> Result<trawl_verify::WrittenDigests> {
    let key = trawl_verify::SigningKey::test_only().context("the committed test key")?;
    let mut options = trawl_verify::WriteOptions::new(SAMPLE_BUCKET, "main");
    options.home_region = Some("us-east-1".into());
    let written = trawl_verify::write_digests(dir, &key, &options)
        .with_context(|| format!("cannot write digests under {}", dir.display()))?;
    let keys = dir.join("public-keys.json");
    std::fs::write(&keys, key.list_public_keys_json())
        .with_context(|| keys.display().to_string())?;
    Ok(written)
}

/// Options of the bundled sample archive. Changing them changes the sample: bump
/// the version in [`sample_dir`] too.
pub fn sample_options() -> GenOptions {
    GenOptions {
        events: 20_000,
        accounts: 3,
        days: 3,
        seed: 7,
        events_per_file: 150,
        ..GenOptions::default()
    }
}

fn sample_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("trawl").join("sample-v1")
}

/// The bundled sample archive: generated deterministically on first use.
pub fn sample_archive() -> Result<PathBuf> {
    let dir = sample_dir();
    let done = dir.join(".complete");
    if !done.exists() {
        let tmp = dir.with_extension("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        write_archive(&tmp, &sample_options(), true, DigestFiles::Placeholder)?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&tmp, &dir).with_context(|| dir.display().to_string())?;
        std::fs::write(&done, b"")?;
    }
    Ok(dir)
}

pub async fn convert_into(
    archive: &std::path::Path,
    lake: &Lake,
) -> Result<trawl_convert::Summary> {
    let summary = trawl_convert::convert(
        &[archive.to_string_lossy().to_string()],
        lake,
        &ConvertOptions::default(),
        Arc::new(Progress::default()),
    )
    .await?;
    // Best effort: a lake without them plans its queries as before, only slower to
    // start.
    if summary.files_written > 0 {
        let _ = trawl_engine::keep_file_statistics(lake.root()).await;
    }
    Ok(summary)
}

/// The bundled sample converted once into the cache directory.
pub async fn sample_lake() -> Result<PathBuf> {
    let archive = sample_archive()?;
    let dir = archive.with_file_name("sample-v1-lake");
    let lake = Lake::open(&dir.to_string_lossy())?;
    convert_into(&archive, &lake).await?;
    Ok(lake.root().to_path_buf())
}
