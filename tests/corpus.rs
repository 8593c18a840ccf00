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
    let mut refused: Vec<String> = Vec::new();
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
                // Every loaded object either converts into the runtime model or is refused
                // with a located message (as `kubesim validate` reports it).
                let mut interner = kubesim::model::Interner::new();
                for o in &set.objects {
                    if let Err(d) = kubesim::sim::apply::convert_check(o, &mut interner) {
                        assert!(
                            d.file.is_some() && d.line.is_some(),
                            "{rel}: unlocated: {d}"
                        );
                        refused.push(d.to_string());
                    }
                }
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
    for r in &refused {
        println!("REFUSED {r}");
    }
    for (f, e) in &rejected {
        println!("REJECTED {f}:\n{e}\n");
    }
    println!(
        "{loaded_files} files loaded ({objects} objects, {warnings} warnings), {} rejected",
        rejected.len()
    );
    // Exactly the files that are not valid Kubernetes manifests are rejected: the kind-less
    // templates of kube-scheduler-simulator, two vitess templates with {{placeholders}}, the
    // website's schema-invalid node affinity example. Anything else rejected is a loader bug.
    let mut got: Vec<&str> = rejected.iter().map(|(f, _)| f.as_str()).collect();
    got.sort();
    let mut want = vec![
        "kube-scheduler-simulator/web/components/lib/templates/namespace.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/node.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/pod.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/priorityclass.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/pv.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/pvc.yaml",
        "kube-scheduler-simulator/web/components/lib/templates/storageclass.yaml",
        "kubernetes-examples/_archived/storage/vitess/etcd-controller-template.yaml",
        "kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml",
        "kubernetes-website/content/en/examples/pods/pod-with-node-affinity.yaml",
    ];
    want.sort();
    assert_eq!(got, want, "the set of rejected corpus files changed");
    // The well-formed simulated kinds load: over 300 objects from the 384 accepted files.
    assert!(objects >= 300, "only {objects} objects loaded");
}
