//! Embeds the query library (`sql/` at the repository root) into the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Has cargo watch `path` (under `root`) by two names. Relative to this package, which
/// cargo resolves against the clone it is building now: clones share a target
/// directory (CI's clean clone, a demo checkout) and cargo reuses the script's output
/// between them, so with absolute names only, the binary kept embedding the queries of
/// the clone that ran the script last while that clone's files stood unchanged. And
/// absolute, the files the embedded code names: when that clone is deleted, the script
/// runs again instead of the build failing on files that are gone.
fn watch(root: &Path, path: &Path) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    println!(
        "cargo:rerun-if-changed={}",
        Path::new("../../sql").join(rel).display()
    );
    println!("cargo:rerun-if-changed={}", path.display());
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            watch(root, &p);
            walk(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "sql") {
            out.push(p);
        }
    }
}

fn main() {
    // Read when the script runs, not baked in when it is compiled: a shared target
    // directory reuses the compiled script for a clone elsewhere (CI's clean clone).
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let root = manifest_dir.join("../../sql");
    let root = root.canonicalize().unwrap_or(root);
    watch(&root, &root);
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    // A binary without its library would run and find nothing: refuse to build one.
    assert!(
        !files.is_empty(),
        "no query files under {}: the query library is part of the build",
        root.display()
    );
    let mut code = String::from(
        "/// (path relative to `sql/`, contents)\npub static BUILTIN_QUERIES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        watch(&root, f);
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.canonicalize().unwrap_or(f.clone()).display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
        .join("builtin_queries.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
