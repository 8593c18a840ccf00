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

/// What each scheduler configuration in the corpus gives: profiles built, or the start of
/// the message that refuses it.
#[test]
fn corpus_scheduler_configs_load_or_name_what_is_missing() {
    let Some(shared) = shared::shared_dir("corpus scheduler configurations") else {
        return;
    };
    let corpus = shared.join("corpus");
    let mut all = Vec::new();
    files(&corpus, &mut all);
    let mut seen = Vec::new();
    for f in &all {
        let text = std::fs::read_to_string(f).unwrap();
        if !text.contains("KubeSchedulerConfiguration") {
            continue;
        }
        let rel = f
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let docs = match kubesim::scheduler::config::load_file(f, &rel) {
            Ok(d) => d,
            Err(d) => {
                seen.push(format!("{rel}: no config: {}", d.message));
                continue;
            }
        };
        for doc in docs {
            let outcome = match kubesim::scheduler::config::parse(&doc) {
                Err(d) => {
                    assert!(d.file.is_some() && d.line.is_some(), "{rel}: unlocated {d}");
                    format!("refused: {}", d.message)
                }
                Ok((cfg, _)) => {
                    let mut i = kubesim::model::Interner::new();
                    match kubesim::scheduler::config::build_profiles(
                        &cfg,
                        &kubesim::scheduler::registry::Registry::in_tree(),
                        &mut i,
                    ) {
                        Ok(p) => format!("ok: {} profile(s)", p.len()),
                        Err(d) => {
                            assert!(
                                d.file.is_some() && d.line.is_some() && d.path.is_some(),
                                "{rel}: unlocated {d}"
                            );
                            format!("refused: {}", d.message)
                        }
                    }
                }
            };
            seen.push(format!("{rel}:{}: {outcome}", doc.origin.line));
        }
    }
    // Pinned: the one in-tree configuration builds; the others name the out-of-tree plugin
    // they need (as kube-scheduler itself would refuse them) or the removed API version.
    let expected = [
        "kwok/test/kwokctl/podgroup-scheduler-config.yaml:1: refused: plugin \"Coscheduling\" is an out-of-tree",
        "kwok/test/kwokctl/scheduler-config.yaml:1: ok: 1 profile(s)",
        "scheduler-plugins/manifests/appgroup/scheduler-config.yaml:1: refused: plugin \"NetworkOverhead\" is an out-of-tree",
        "scheduler-plugins/manifests/appgroup/scheduler-configmap-v1beta3.yaml:7: refused: plugin \"NetworkOverhead\" is an out-of-tree",
        "scheduler-plugins/manifests/capacityscheduling/scheduler-config.yaml:1: refused: plugin \"CapacityScheduling\" is an out-of-tree",
        "scheduler-plugins/manifests/coscheduling/scheduler-config.yaml:1: refused: plugin \"Coscheduling\" is an out-of-tree",
        "scheduler-plugins/manifests/networktopology/scheduler-config.yaml:1: refused: plugin \"NetworkOverhead\" is an out-of-tree",
        "scheduler-plugins/manifests/networktopology/scheduler-configmap-v1beta3.yaml:7: refused: plugin \"NetworkOverhead\" is an out-of-tree",
        "scheduler-plugins/manifests/nodemetadata/scheduler-config.yaml:1: refused: plugin \"NodeMetadata\" is an out-of-tree",
        "scheduler-plugins/manifests/nodemetadata/scheduler-config.yaml:19: refused: plugin \"NodeMetadata\" is an out-of-tree",
        "scheduler-plugins/manifests/nodemetadata/scheduler-config.yaml:38: refused: plugin \"NodeMetadata\" is an out-of-tree",
        "scheduler-plugins/manifests/nodemetadata/scheduler-config.yaml:58: refused: plugin \"NodeMetadata\" is an out-of-tree",
        "scheduler-plugins/manifests/noderesources/scheduler-config.yaml:1: refused: plugin \"NodeResourcesAllocatable\" is an out-of-tree",
        "scheduler-plugins/manifests/noderesourcetopology/scheduler-config-v1beta1.yaml:1: refused: kubescheduler.config.k8s.io/v1beta1 is no longer served",
        "scheduler-plugins/manifests/noderesourcetopology/scheduler-config.yaml:1: refused: plugin \"NodeResourceTopologyMatch\" is an out-of-tree",
        "scheduler-plugins/manifests/noderesourcetopology/scheduler-configmap-v1beta1.yaml:7: refused: kubescheduler.config.k8s.io/v1beta1 is no longer served",
        "scheduler-plugins/manifests/noderesourcetopology/scheduler-configmap.yaml:7: refused: plugin \"NodeResourceTopologyMatch\" is an out-of-tree",
        "scheduler-plugins/manifests/podstate/scheduler-config.yaml:1: refused: plugin \"PodState\" is an out-of-tree",
        "scheduler-plugins/manifests/qos/scheduler-config.yaml:1: refused: plugin \"QOSSort\" is an out-of-tree",
        "scheduler-plugins/manifests/sysched/scheduler-config.yaml:1: refused: plugin \"SySched\" is an out-of-tree",
        "scheduler-plugins/manifests/trimaran/scheduler-config.yaml:1: refused: plugin \"TargetLoadPacking\" is an out-of-tree",
        "scheduler-plugins/pkg/trimaran/peaks/deployment/scheduler-config.yaml:1: refused: plugin \"Peaks\" is an out-of-tree",
    ];
    let shorten = |s: &String| -> String {
        for cut in ["is an out-of-tree", "is no longer served"] {
            if let Some(i) = s.find(cut) {
                return s[..i + cut.len()].to_string();
            }
        }
        s.clone()
    };
    let got: Vec<String> = seen.iter().map(shorten).collect();
    assert_eq!(
        got, expected,
        "corpus scheduler configuration outcomes changed"
    );
}
