//! Walks every manifest in `../shared/corpus/`: each file must load or be rejected with a
//! located message, never panic; and the well-formed simulated kinds must load.

mod shared;

use kubesim::load::Loader;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_loads_or_is_rejected_with_location() {
    let Some(shared) = shared::shared_dir("corpus walk") else {
        return;
    };
    let corpus = shared.join("corpus");
    let mut all = Vec::new();
    files(&corpus, &mut all);
    assert!(
        all.len() >= 390,
        "expected the 394-file corpus, found {}",
        all.len()
    );
    let mut loaded_files = 0;
    let mut rejected = Vec::new();
    let mut objects = 0;
    let mut warnings = 0;
    for f in &all {
        let rel = f
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let mut l = Loader::new();
        l.load_file(f, &rel);
        match l.finish() {
            Ok(set) => {
                loaded_files += 1;
                objects += set.objects.len();
                warnings += set.warnings.len();
                if std::env::var("KUBESIM_CORPUS_VERBOSE").is_ok() {
                    for w in &set.warnings {
                        println!("{w}");
                    }
                }
            }
            Err(errs) => {
                for e in errs.errors() {
                    assert!(e.file.is_some(), "{rel}: error without a file: {e}");
                    assert!(e.line.is_some(), "{rel}: error without a line: {e}");
                }
                rejected.push((rel, errs.to_string()));
            }
        }
    }
    for (f, e) in &rejected {
        println!("REJECTED {f}:\n{e}\n");
    }
    println!(
        "{loaded_files} files loaded ({objects} objects, {warnings} warnings), {} rejected",
        rejected.len()
    );
    // The known-bad files: kind-less templates (7), a template that is not YAML-valid Kubernetes,
    // an invalid nodeAffinity, a `$ITEM` name. Anything beyond a handful means the loader is
    // rejecting real, valid manifests.
    assert!(
        rejected.len() <= 12,
        "too many rejected files: {}",
        rejected.len()
    );
}
