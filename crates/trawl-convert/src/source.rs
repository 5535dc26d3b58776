//! Resolving SOURCE arguments (files, directories, globs) into source objects, read
//! through `object_store` so S3 sources plug in beside local ones.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;

use crate::error::{Error, Result};
use crate::s3::{KeyFilter, ListStats, S3Url};

/// One object to convert.
#[derive(Debug, Clone)]
pub struct SourceObject {
    /// Absolute path or `s3://bucket/key`: the identity kept in the ledger and the rows.
    pub uri: String,
    pub location: ObjectPath,
    pub size: u64,
    pub mtime: Option<String>,
    pub etag: Option<String>,
    pub store: Arc<dyn ObjectStore>,
    /// The file itself, for local sources: read directly by the decoder, since
    /// `object_store` hands each local read to the blocking pool twice.
    pub local: Option<PathBuf>,
}

fn is_hidden(path: &Path) -> bool {
    path.components().any(|c| {
        c.as_os_str().to_string_lossy().starts_with('.')
            && c.as_os_str() != "."
            && c.as_os_str() != ".."
    })
}

/// A local file as a source object. The path is the identity, not `object_store`'s
/// parse of it: that refuses names with control characters (a tab), and its listing
/// stopped at the first such name, losing every file of the run.
fn local_object(
    store: &Arc<dyn ObjectStore>,
    path: PathBuf,
    meta: &std::fs::Metadata,
) -> SourceObject {
    let uri = path.to_string_lossy().into_owned();
    // Percent-encodes what the path syntax refuses, so it never fails.
    let location: ObjectPath = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .map(object_store::path::PathPart::from)
        .collect();
    // As `object_store`'s local store gives it, so a lake's ledger keeps matching.
    let mtime = meta
        .modified()
        .ok()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339());
    SourceObject {
        uri,
        location,
        size: meta.len(),
        mtime,
        etag: None,
        store: store.clone(),
        local: Some(path),
    }
}

/// Every file under `dir` (symbolic links followed, each directory once), skipping
/// hidden names below `root` and anything under `exclude`.
fn walk(
    root: &Path,
    dir: &Path,
    exclude: Option<&Path>,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<(PathBuf, std::fs::Metadata)>,
) -> Result<()> {
    let canonical = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if !seen.insert(canonical) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if is_hidden(rel) || exclude.is_some_and(|x| path.starts_with(x)) {
            continue;
        }
        // Follows a link; a dangling one is skipped, as a listing would.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(root, &path, exclude, seen, out)?;
        } else if meta.is_file() {
            out.push((path, meta));
        }
    }
    Ok(())
}

async fn add_path(
    store: &Arc<dyn ObjectStore>,
    path: &Path,
    exclude: Option<&Path>,
    out: &mut Vec<SourceObject>,
) -> Result<()> {
    let abs = path.canonicalize().map_err(|e| Error::io(path, e))?;
    let mut files = Vec::new();
    if abs.is_dir() {
        let (root, exclude) = (abs.clone(), exclude.map(Path::to_path_buf));
        files = tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            walk(
                &root,
                &root,
                exclude.as_deref(),
                &mut Default::default(),
                &mut files,
            )
            .map(|()| files)
        })
        .await
        .map_err(|e| Error::Path(abs.display().to_string(), e.to_string()))??;
    } else if !exclude.is_some_and(|x| abs.starts_with(x)) {
        let meta = std::fs::metadata(&abs).map_err(|e| Error::io(&abs, e))?;
        files.push((abs, meta));
    }
    for (file, meta) in files {
        out.push(local_object(store, file, &meta));
    }
    Ok(())
}

/// What a resolution listed, for summaries and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ListingCounts {
    /// LIST requests sent to S3.
    pub list_requests: u64,
    /// Objects those listings returned (before the key filter).
    pub objects_listed: u64,
}

async fn add_s3(
    arg: &str,
    filter: &KeyFilter,
    out: &mut Vec<SourceObject>,
    counts: &mut ListingCounts,
) -> Result<()> {
    let url = S3Url::parse(arg)?;
    let store = crate::s3::store(&url.bucket).await?;
    let stats = ListStats::default();
    let objects = crate::s3::list(store.as_ref(), &url, filter, &stats).await?;
    counts.list_requests += stats.requests.load(std::sync::atomic::Ordering::Relaxed);
    counts.objects_listed += stats.objects.load(std::sync::atomic::Ordering::Relaxed);
    let before = out.len();
    for meta in objects {
        let key = meta.location.to_string();
        if key.ends_with('/') {
            continue;
        }
        out.push(SourceObject {
            uri: S3Url::object_url(&url.bucket, &key),
            location: meta.location,
            size: meta.size,
            mtime: Some(meta.last_modified.to_rfc3339()),
            etag: meta.e_tag,
            store: store.clone(),
            local: None,
        });
    }
    if out.len() == before && filter.is_empty() {
        return Err(Error::NoInput(arg.to_string()));
    }
    Ok(())
}

/// Expands SOURCE arguments. `exclude` (the lake itself) is never read as input.
pub async fn resolve(args: &[String], exclude: Option<&Path>) -> Result<Vec<SourceObject>> {
    Ok(resolve_filtered(args, exclude, &KeyFilter::default())
        .await?
        .0)
}

/// [`resolve`], keeping only CloudTrail deliveries `filter` accepts (on S3 only
/// the matching prefixes are listed).
pub async fn resolve_filtered(
    args: &[String],
    exclude: Option<&Path>,
    filter: &KeyFilter,
) -> Result<(Vec<SourceObject>, ListingCounts)> {
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new());
    let mut out = Vec::new();
    let mut counts = ListingCounts::default();
    for arg in args {
        if S3Url::is_s3(arg) {
            add_s3(arg, filter, &mut out, &mut counts).await?;
            continue;
        }
        if arg.contains(['*', '?', '[']) {
            let paths = glob::glob(arg).map_err(|e| Error::Path(arg.clone(), e.to_string()))?;
            let before = out.len();
            for p in paths {
                let p = p.map_err(|e| Error::io(e.path().to_path_buf(), e.into()))?;
                add_path(&store, &p, exclude, &mut out).await?;
            }
            if out.len() == before {
                return Err(Error::NoInput(arg.clone()));
            }
        } else {
            let p = Path::new(arg);
            if !p.exists() {
                return Err(Error::NoInput(arg.clone()));
            }
            add_path(&store, p, exclude, &mut out).await?;
        }
    }
    if !filter.is_empty() {
        out.retain(|o| o.uri.starts_with("s3://") || filter.accepts(&o.uri));
    }
    out.sort_by(|a, b| a.uri.cmp(&b.uri));
    out.dedup_by(|a, b| a.uri == b.uri);
    Ok((out, counts))
}
