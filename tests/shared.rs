//! Access to `../shared/` (material that exists in developer sessions and CI, not on users'
//! machines). A test that needs it calls [`shared_dir`]: with `CI=true` a missing directory is a
//! failure; elsewhere the test prints that it skipped and returns.

use std::path::PathBuf;

/// The shared directory, or `None` (after printing a clear skip notice) when it is absent
/// outside CI. Panics when it is absent and `CI=true`.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("KUBESIM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{what}: ../shared is missing but CI=true: the shared material must be present in CI ({})",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED {what}: {} not found (set KUBESIM_SHARED to run it)",
        dir.display()
    );
    None
}
