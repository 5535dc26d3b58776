//! Where deliveries are read from: listing keys, streaming objects, and the digest signature
//! that S3 keeps in object metadata (`x-amz-meta-signature`) rather than in the file.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Extension of the sidecar file holding a digest's signature in a local copy.
pub const SIGNATURE_SIDECAR_EXT: &str = "sig";

#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{key}: not found")]
    NotFound { key: String },
    /// Keys come from digest contents too, so they are checked before touching a path.
    #[error("{key}: not a usable object key")]
    InvalidKey { key: String },
    #[error("{key}: {source}")]
    Io {
        key: String,
        #[source]
        source: io::Error,
    },
    #[error("{key}: {message}")]
    Other { key: String, message: String },
}

/// One listed object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEntry {
    /// `/`-separated key relative to the source root, like an S3 key in a bucket.
    pub key: String,
    pub size: u64,
}

/// A place holding CloudTrail deliveries, keyed like an S3 bucket. Implementations are
/// called from several worker threads at once. An async store can implement this by
/// blocking on its runtime handle: verification runs on its own (non-runtime) threads.
pub trait Source: Sync {
    /// Every object whose key starts with `prefix` (`""` = all), in any order.
    fn list(&self, prefix: &str) -> Result<Vec<ObjectEntry>, SourceError>;
    /// Streams an object's bytes. A missing object is [`SourceError::NotFound`].
    fn open(&self, key: &str) -> Result<Box<dyn Read + Send + '_>, SourceError>;
    /// The hex signature S3 keeps as `x-amz-meta-signature` for a digest, if known.
    fn signature(&self, key: &str) -> Result<Option<String>, SourceError>;
    /// How to name this source in messages (a directory, `s3://bucket/prefix`).
    fn describe(&self) -> String;
}

/// A local copy of a bucket (or of the part of it from some prefix down). Digest signatures
/// come from sidecar files: `<digest file>.sig` holding the hex signature, as written by
/// `aws s3api head-object --bucket B --key K --query Metadata.signature --output text > K.sig`.
#[derive(Clone, Debug)]
pub struct LocalSource {
    root: PathBuf,
}

impl LocalSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path for `key`, refusing anything that could leave the root.
    pub fn path(&self, key: &str) -> Result<PathBuf, SourceError> {
        let invalid = || SourceError::InvalidKey {
            key: key.to_string(),
        };
        if key.is_empty() || key.starts_with('/') || key.contains('\\') || key.contains('\0') {
            return Err(invalid());
        }
        let mut path = self.root.clone();
        for part in key.split('/') {
            if part.is_empty() || part == "." || part == ".." {
                return Err(invalid());
            }
            path.push(part);
        }
        Ok(path)
    }
}

fn io_error(key: &str, source: io::Error) -> SourceError {
    if source.kind() == io::ErrorKind::NotFound {
        SourceError::NotFound {
            key: key.to_string(),
        }
    } else {
        SourceError::Io {
            key: key.to_string(),
            source,
        }
    }
}

impl Source for LocalSource {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectEntry>, SourceError> {
        let sidecar = format!(".{SIGNATURE_SIDECAR_EXT}");
        let mut out = Vec::new();
        // Iterative walk; symlinked directories are not followed so a link loop cannot hang us.
        let mut stack = vec![(self.root.clone(), String::new())];
        while let Some((dir, key_prefix)) = stack.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| io_error(&key_prefix, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io_error(&key_prefix, e))?;
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue; // not valid UTF-8: cannot be a CloudTrail key
                };
                let key = format!("{key_prefix}{name}");
                let file_type = entry.file_type().map_err(|e| io_error(&key, e))?;
                if file_type.is_dir() {
                    // Only descend where the prefix can still match.
                    let dir_key = format!("{key}/");
                    if dir_key.starts_with(prefix) || prefix.starts_with(&dir_key) {
                        stack.push((entry.path(), dir_key));
                    }
                } else if key.starts_with(prefix) && !name.ends_with(&sidecar) {
                    let meta = fs::metadata(entry.path()).map_err(|e| io_error(&key, e))?;
                    if meta.is_file() {
                        out.push(ObjectEntry {
                            key,
                            size: meta.len(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    fn open(&self, key: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let file = fs::File::open(self.path(key)?).map_err(|e| io_error(key, e))?;
        Ok(Box::new(file))
    }

    fn signature(&self, key: &str) -> Result<Option<String>, SourceError> {
        let mut path = self.path(key)?.into_os_string();
        path.push(format!(".{SIGNATURE_SIDECAR_EXT}"));
        match fs::read_to_string(&path) {
            // Tolerate `--output json` quoting and a trailing newline; the CLI prints `None`
            // (text) or `null` (json) when the object has no such metadata.
            Ok(text) => {
                let sig = text.trim().trim_matches('"');
                Ok((!matches!(sig, "" | "None" | "null")).then(|| sig.to_string()))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(key, e)),
        }
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_reads_and_refuses_escapes() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("a/b")).expect("mkdir");
        fs::write(dir.path().join("a/b/x.json.gz"), b"x").expect("write");
        fs::write(dir.path().join("a/b/x.json.gz.sig"), b"\"abcd\"\n").expect("write");
        fs::write(dir.path().join("c.txt"), b"c").expect("write");
        let s = LocalSource::new(dir.path());
        let mut keys: Vec<_> = s
            .list("")
            .expect("list")
            .into_iter()
            .map(|e| e.key)
            .collect();
        keys.sort();
        assert_eq!(keys, vec!["a/b/x.json.gz", "c.txt"]);
        assert_eq!(s.list("a/").expect("list").len(), 1);
        assert_eq!(
            s.signature("a/b/x.json.gz").expect("sig").as_deref(),
            Some("abcd")
        );
        assert_eq!(s.signature("c.txt").expect("no sig"), None);
        fs::write(dir.path().join("c.txt.sig"), b"None\n").expect("write");
        assert_eq!(s.signature("c.txt").expect("aws cli's empty answer"), None);
        assert!(matches!(
            s.open("a/../c.txt"),
            Err(SourceError::InvalidKey { .. })
        ));
        assert!(matches!(
            s.open("/etc/passwd"),
            Err(SourceError::InvalidKey { .. })
        ));
        assert!(matches!(
            s.open("a/none"),
            Err(SourceError::NotFound { .. })
        ));
    }
}
