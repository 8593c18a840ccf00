//! Storage scenario tests: claims binding to volumes, dynamic provisioning taking simulated
//! time, WaitForFirstConsumer topology, zonal volumes steering pods, ReadWriteOncePod
//! conflicts, reclaim policies, and the bundled teaching scenarios.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use kubesim::store::volumes::{ClaimPhase, VolumePhase};
use std::path::Path;
use std::sync::Arc;

fn sim_from(text: &str) -> Simulation {
    let s = load_scenario_str(text, "test.yaml", Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap()
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

/// A scenario with three Ready nodes (zone-a, zone-b, zone-a; nginx pre-pulled so a bound
/// pod runs 1 s later), extra top-level settings and inline manifests.
fn scenario(settings: &str, manifests: &str) -> String {
    let indented: String = manifests.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: storage-test}}
duration: 10m
nodePools:
  - name: n
    count: 3
    zones: [zone-a, zone-b]
    prepulledImages: [\"nginx:1.25\"]
    template:
      status:
        allocatable: {{cpu: \"4\", memory: 16Gi, pods: \"110\"}}
{settings}
manifests:
  - inline: |
{indented}"
    )
}

fn pod(name: &str, claim: &str, extra_spec: &str) -> String {
    format!(
        "---
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers:
    - name: c
      image: nginx:1.25
      resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
  volumes:
    - name: data
      persistentVolumeClaim: {{claimName: {claim}}}
{extra_spec}"
    )
}

fn claim_of(sim: &Simulation, name: &str) -> kubesim::store::volumes::Claim {
    let ns = sim.store.interner.lookup("default").unwrap();
    let id = sim.store.claim_by_name(ns, name).expect("claim exists");
    sim.store.claim(id).unwrap().clone()
}

fn volume_of(sim: &Simulation, name: &str) -> Option<kubesim::store::volumes::Volume> {
    sim.store
        .volume_by_name(name)
        .and_then(|v| sim.store.volume(v))
        .cloned()
}

fn pod_of(sim: &Simulation, name: &str) -> kubesim::model::Pod {
    let ns = sim.store.interner.lookup("default").unwrap();
    let id = sim.store.pod_by_name(ns, name).expect("pod exists");
    sim.store.pod(id).unwrap().clone()
}

fn node_name(sim: &Simulation, p: &kubesim::model::Pod) -> Option<String> {
    p.status
        .node
        .and_then(|n| sim.store.node(n))
        .map(|n| sim.store.interner.resolve(n.name).to_string())
}

fn zone_of_node(sim: &Simulation, node: &str) -> String {
    let s = sim.store.interner.lookup(node).unwrap();
    let n = sim.store.node(sim.store.node_by_name(s).unwrap()).unwrap();
    let k = sim
        .store
        .interner
        .lookup("topology.kubernetes.io/zone")
        .unwrap();
    sim.store
        .interner
        .resolve(n.labels.get(k).unwrap())
        .to_string()
}

fn events(sim: &Simulation, reason: &str, object: &str) -> Vec<(SimTime, String)> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| e.reason == reason && &*e.object.name == object)
        .map(|e| (e.time, e.message.clone()))
        .collect()
}

fn pv(name: &str, size: &str, modes: &str, class: &str, extra: &str) -> String {
    format!(
        "---
apiVersion: v1
kind: PersistentVolume
metadata: {{name: {name}}}
spec:
  capacity: {{storage: {size}}}
  accessModes: [{modes}]
  storageClassName: \"{class}\"
{extra}"
    )
}

fn pvc(name: &str, size: &str, modes: &str, class: Option<&str>) -> String {
    let class = class
        .map(|c| format!("  storageClassName: \"{c}\"\n"))
        .unwrap_or_default();
    format!(
        "---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}}}
spec:
  accessModes: [{modes}]
{class}  resources: {{requests: {{storage: {size}}}}}
"
    )
}

#[test]
fn immediate_claim_binds_the_smallest_matching_volume_and_its_pod_starts() {
    let m = [
        pv("big", "100Gi", "ReadWriteOnce", "", ""),
        pv("small", "10Gi", "ReadWriteOnce", "", ""),
        pv("too-small", "4Gi", "ReadWriteOnce", "", ""),
        pv("read-only", "8Gi", "ReadOnlyMany", "", ""),
        pv("other-class", "9Gi", "ReadWriteOnce", "fast", ""),
        pvc("data", "5Gi", "ReadWriteOnce", Some("")),
        pod("app", "data", ""),
    ]
    .concat();
    let mut sim = sim_from(&scenario("", &m));
    sim.run_until(secs(0));
    let c = claim_of(&sim, "data");
    assert_eq!(c.phase, ClaimPhase::Bound);
    assert_eq!(c.volume_name.as_deref(), Some("small"));
    let v = volume_of(&sim, "small").unwrap();
    assert_eq!(v.phase, VolumePhase::Bound);
    assert_eq!(
        volume_of(&sim, "big").unwrap().phase,
        VolumePhase::Available
    );
    // The claim was bound before the pod's first cycle: scheduled at once, running 1 s later.
    let p = pod_of(&sim, "app");
    assert_eq!(p.status.scheduled_at, Some(secs(0)));
    sim.run_until(secs(5));
    let p = pod_of(&sim, "app");
    assert_eq!(p.status.running_since, Some(secs(1)));
}

#[test]
fn pod_with_an_unbound_claim_starts_after_dynamic_provisioning() {
    let sc = "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}
provisioner: pd.csi.storage.gke.io
";
    let m = [
        sc.to_string(),
        pvc("data", "5Gi", "ReadWriteOnce", None),
        pod("app", "data", ""),
    ]
    .concat();
    let mut sim = sim_from(&scenario("storage: {provisioningDelay: 30s}", &m));
    sim.run_until(secs(29));
    let c = claim_of(&sim, "data");
    assert_eq!(
        c.class.as_deref(),
        Some("standard"),
        "the default class is applied"
    );
    assert_eq!(c.phase, ClaimPhase::Pending);
    let p = pod_of(&sim, "app");
    assert!(p.status.node.is_none());
    let failed = events(&sim, "FailedScheduling", "app");
    assert_eq!(failed[0].0, secs(0));
    assert!(
        failed[0].1.starts_with(
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
        ),
        "{}",
        failed[0].1
    );
    sim.run_until(secs(30));
    let c = claim_of(&sim, "data");
    assert_eq!(c.phase, ClaimPhase::Bound);
    let vname = c.volume_name.clone().unwrap();
    let v = volume_of(&sim, &vname).unwrap();
    assert_eq!(v.capacity, 5 << 30);
    assert_eq!(&*v.class, "standard");
    assert_eq!(
        events(&sim, "ProvisioningSucceeded", "data"),
        vec![(
            secs(30),
            format!("Successfully provisioned volume {vname} using pd.csi.storage.gke.io")
        )]
    );
    // The claim's update requeues the pod (VolumeBinding registered PVC events).
    let p = pod_of(&sim, "app");
    assert_eq!(p.status.scheduled_at, Some(secs(30)));
    sim.run_until(secs(40));
    assert_eq!(pod_of(&sim, "app").status.running_since, Some(secs(31)));
}

#[test]
fn wait_for_first_consumer_provisions_in_the_zone_of_the_chosen_node() {
    let sc = "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: wffc}
provisioner: ebs.csi.aws.com
volumeBindingMode: WaitForFirstConsumer
";
    // The pod can only go to zone-b (node n-1).
    let m = [
        sc.to_string(),
        pvc("data", "1Gi", "ReadWriteOnce", Some("wffc")),
        pod(
            "app",
            "data",
            "  nodeSelector: {topology.kubernetes.io/zone: zone-b}\n",
        ),
    ]
    .concat();
    let mut sim = sim_from(&scenario("storage: {provisioningDelay: 4s}", &m));
    sim.run_until(secs(0));
    let c = claim_of(&sim, "data");
    assert_eq!(c.phase, ClaimPhase::Pending);
    assert_eq!(c.selected_node.as_deref(), Some("n-1"));
    assert_eq!(
        events(&sim, "WaitForFirstConsumer", "data"),
        vec![(
            secs(0),
            "waiting for first consumer to be created before binding".to_string()
        )]
    );
    // The pod waits in PreBind: not bound while the volume is provisioned.
    sim.run_until(secs(3));
    assert!(pod_of(&sim, "app").status.node.is_none());
    sim.run_until(secs(4));
    let c = claim_of(&sim, "data");
    assert_eq!(c.phase, ClaimPhase::Bound);
    let v = volume_of(&sim, c.volume_name.as_deref().unwrap()).unwrap();
    let terms = v.node_affinity.expect("zonal volume");
    let zone_b = kubesim::model::LabelSet::from_pairs(vec![(
        sim.store
            .interner
            .lookup("topology.kubernetes.io/zone")
            .unwrap(),
        sim.store.interner.lookup("zone-b").unwrap(),
    )]);
    assert!(terms[0].labels.matches(&zone_b, &sim.store.interner));
    let p = pod_of(&sim, "app");
    assert_eq!(p.status.scheduled_at, Some(secs(4)));
    assert_eq!(node_name(&sim, &p).as_deref(), Some("n-1"));
    assert_eq!(zone_of_node(&sim, "n-1"), "zone-b");
}

#[test]
fn a_bound_zonal_volume_forces_its_pods_into_its_zone() {
    let affinity = "  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: topology.kubernetes.io/zone, operator: In, values: [zone-b]}
";
    let labelled = "---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: labelled
  labels: {topology.kubernetes.io/zone: zone-b}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteMany]
  storageClassName: \"zonal\"
";
    let mut m = vec![
        pv("affine", "10Gi", "ReadWriteMany", "manual", affinity),
        pvc("by-affinity", "1Gi", "ReadWriteMany", Some("manual")),
        labelled.to_string(),
        pvc("by-label", "1Gi", "ReadWriteMany", Some("zonal")),
    ];
    for i in 0..4 {
        m.push(pod(&format!("a{i}"), "by-affinity", ""));
        m.push(pod(&format!("l{i}"), "by-label", ""));
    }
    let mut sim = sim_from(&scenario("", &m.concat()));
    sim.run_until(secs(0));
    for i in 0..4 {
        for prefix in ["a", "l"] {
            let p = pod_of(&sim, &format!("{prefix}{i}"));
            let n = node_name(&sim, &p).expect("scheduled");
            assert_eq!(n, "n-1", "{prefix}{i} must run in zone-b");
        }
    }
}

#[test]
fn read_write_once_pod_claims_admit_one_pod() {
    let m = [
        pv("one", "1Gi", "ReadWriteOncePod", "", ""),
        pvc("solo", "1Gi", "ReadWriteOncePod", Some("")),
        pod("first", "solo", ""),
        pod("second", "solo", ""),
    ]
    .concat();
    let settings = "events:
  - at: 1m
    delete: {target: pod/first}";
    let mut sim = sim_from(&scenario(settings, &m));
    sim.run_until(secs(0));
    assert!(pod_of(&sim, "first").status.node.is_some());
    assert!(pod_of(&sim, "second").status.node.is_none());
    let failed = events(&sim, "FailedScheduling", "second");
    assert!(
        failed[0].1.starts_with("0/3 nodes are available: 3 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode."),
        "{}",
        failed[0].1
    );
    // The first pod's deletion (1 s of shutdown) frees the claim; the second is requeued by
    // the assigned-pod deletion VolumeRestrictions registered for.
    sim.run_until(secs(62));
    let p = pod_of(&sim, "second");
    assert!(
        p.status.node.is_some(),
        "second pod scheduled after the first left"
    );
    assert_eq!(p.status.scheduled_at, Some(secs(61)));
}

#[test]
fn deleting_a_claim_releases_or_deletes_its_volume_by_reclaim_policy() {
    let m = [
        pv(
            "kept",
            "1Gi",
            "ReadWriteOnce",
            "",
            "  persistentVolumeReclaimPolicy: Retain\n",
        ),
        pvc("a", "1Gi", "ReadWriteOnce", Some("")),
        "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: ebs.csi.aws.com
"
        .to_string(),
        pvc("b", "1Gi", "ReadWriteOnce", Some("fast")),
    ]
    .concat();
    let settings = "storage: {provisioningDelay: 2s}
events:
  - at: 1m
    delete: {target: persistentvolumeclaim/a}
  - at: 1m
    delete: {target: persistentvolumeclaim/b}";
    let mut sim = sim_from(&scenario(settings, &m));
    sim.run_until(secs(2));
    let b = claim_of(&sim, "b");
    assert_eq!(b.phase, ClaimPhase::Bound);
    let provisioned = b.volume_name.clone().unwrap();
    assert!(volume_of(&sim, &provisioned).is_some());
    sim.run_until(secs(60));
    assert_eq!(
        volume_of(&sim, "kept").unwrap().phase,
        VolumePhase::Released
    );
    // The class's default reclaim policy is Delete.
    assert!(volume_of(&sim, &provisioned).is_none());
}

#[test]
fn claims_created_at_run_time_through_the_store_bind() {
    // As the StatefulSet controller creates volumeClaimTemplate claims.
    let m = pv("later", "1Gi", "ReadWriteOnce", "", "");
    let mut sim = sim_from(&scenario("", &m));
    sim.run_until(secs(10));
    let set = kubesim::load::load_text(
        &pvc("www-web-0", "1Gi", "ReadWriteOnce", Some("")),
        "x.yaml",
    )
    .unwrap();
    let obj = set.objects[0].object.clone();
    sim.store
        .put_object(obj, kubesim::load::Origin::inline("statefulset"));
    sim.run_until(secs(11));
    let c = claim_of(&sim, "www-web-0");
    assert_eq!(c.phase, ClaimPhase::Bound);
    assert_eq!(c.volume_name.as_deref(), Some("later"));
}

#[test]
fn a_claim_without_class_or_volume_stays_pending_with_the_upstream_event() {
    let m = pvc("lonely", "1Gi", "ReadWriteOnce", None);
    let mut sim = sim_from(&scenario("", &m));
    sim.run_until(secs(60));
    assert_eq!(claim_of(&sim, "lonely").phase, ClaimPhase::Pending);
    assert_eq!(
        events(&sim, "FailedBinding", "lonely"),
        vec![(
            secs(0),
            "no persistent volumes available for this claim and no storage class is set".into()
        )]
    );
}

#[test]
fn bundled_storage_scenarios_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/storage");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("yaml") {
            continue;
        }
        n += 1;
        let s = kubesim::scenario::load_scenario(&path, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            s.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            s.warnings
        );
        let mut sim = Simulation::new(
            Arc::new(s),
            &SimOptions {
                check_invariants: true,
                ..Default::default()
            },
        )
        .unwrap();
        sim.run();
        let unbound = sim
            .store
            .pods()
            .filter(|(_, p)| p.status.node.is_none())
            .count();
        assert_eq!(
            unbound,
            0,
            "{}: every pod ends up scheduled",
            path.display()
        );
    }
    assert!(n >= 1);
}

#[test]
fn provisioning_scenario_binds_each_pod_at_the_expected_time() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/storage/provisioning.yaml");
    let s = kubesim::scenario::load_scenario(&path, "provisioning.yaml").unwrap();
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    sim.run_until(secs(60));
    let at = |n: &str| pod_of(&sim, n).status.scheduled_at;
    assert_eq!(at("db-static"), Some(secs(0)));
    assert_eq!(at("db-wffc"), Some(secs(4)));
    assert_eq!(at("db-immediate"), Some(secs(10)));
    let zone = |n: &str| zone_of_node(&sim, &node_name(&sim, &pod_of(&sim, n)).unwrap());
    assert_eq!(zone("db-static"), "zone-b");
    assert_eq!(zone("db-immediate"), "zone-a");
}

#[test]
fn local_volumes_scenario_places_caches_on_disk_nodes_and_serialises_the_writer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/storage/local-volumes.yaml");
    let s = kubesim::scenario::load_scenario(&path, "local-volumes.yaml").unwrap();
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    sim.run_until(secs(0));
    let mut nodes: Vec<String> = ["cache-a", "cache-b"]
        .iter()
        .map(|p| node_name(&sim, &pod_of(&sim, p)).unwrap())
        .collect();
    nodes.sort();
    assert_eq!(nodes, vec!["disk-0", "disk-2"]);
    for c in ["cache-a", "cache-b"] {
        let claim = claim_of(&sim, c);
        assert_eq!(claim.phase, ClaimPhase::Bound);
        let on = node_name(&sim, &pod_of(&sim, c)).unwrap();
        assert_eq!(
            claim.volume_name.as_deref(),
            Some(format!("local-disk-{}", &on[5..]).as_str()),
            "{c} bound to the disk of its node"
        );
    }
    assert!(pod_of(&sim, "writer-1").status.node.is_some());
    assert!(pod_of(&sim, "writer-2").status.node.is_none());
    // writer-1 is deleted at 2m and exits after 1 s; writer-2 is scheduled then.
    sim.run_until(secs(121));
    assert_eq!(
        pod_of(&sim, "writer-2").status.scheduled_at,
        Some(secs(121))
    );
}

#[test]
fn seed_guide_claim_stays_pending_without_a_storage_class() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-guide/scenario.yaml");
    let s = kubesim::scenario::load_scenario(&path, "scenario.yaml").unwrap();
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    sim.run_until(secs(36 * 60));
    assert_eq!(claim_of(&sim, "my-pvc").phase, ClaimPhase::Pending);
    assert_eq!(
        events(&sim, "FailedBinding", "my-pvc"),
        vec![(
            secs(35 * 60),
            "no persistent volumes available for this claim and no storage class is set".into()
        )]
    );
}

#[test]
fn volume_binding_gives_up_after_bind_timeout_and_retries_once_the_claim_is_bound() {
    let cfg = "---
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  pluginConfig:
  - name: VolumeBinding
    args: {bindTimeoutSeconds: 5}
";
    let sc = "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: slow}
provisioner: ebs.csi.aws.com
volumeBindingMode: WaitForFirstConsumer
";
    let m = [
        cfg.to_string(),
        sc.to_string(),
        pvc("data", "1Gi", "ReadWriteOnce", Some("slow")),
        pod("app", "data", ""),
    ]
    .concat();
    let mut sim = sim_from(&scenario("storage: {provisioningDelay: 30s}", &m));
    sim.run_until(secs(5));
    let failed = events(&sim, "FailedScheduling", "app");
    assert_eq!(
        failed,
        vec![(
            secs(5),
            "running PreBind plugin \"VolumeBinding\": binding volumes: context deadline exceeded"
                .into()
        )]
    );
    let selected = claim_of(&sim, "data").selected_node.unwrap();
    assert!(pod_of(&sim, "app").status.node.is_none());
    // Provisioning still completes at 30 s (in the selected node's zone); the claim's update
    // requeues the pod, which now has a bound claim and lands in that zone.
    sim.run_until(secs(30));
    let p = pod_of(&sim, "app");
    assert_eq!(p.status.scheduled_at, Some(secs(30)));
    assert_eq!(
        zone_of_node(&sim, &node_name(&sim, &p).unwrap()),
        zone_of_node(&sim, &selected)
    );
}

#[test]
fn bad_storage_input_gives_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_kubesim");
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "mode.yaml",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteSometimes]\n  resources: {requests: {storage: 1Gi}}\n",
            &[
                "mode.yaml",
                "spec.accessModes[0]",
                "Unsupported value: \"ReadWriteSometimes\"",
            ],
        ),
        (
            "size.yaml",
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n  accessModes: [ReadWriteOnce]\n",
            &["size.yaml", "spec.capacity[storage]", "Required value"],
        ),
        (
            "class.yaml",
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: x\nvolumeBindingMode: Later\n",
            &[
                "class.yaml",
                "volumeBindingMode",
                "Unsupported value: \"Later\"",
            ],
        ),
        (
            "affinity.yaml",
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n        - matchExpressions:\n            - {key: zone, operator: In}\n",
            &[
                "affinity.yaml",
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values",
                "Required value",
            ],
        ),
        (
            "scenario.yaml",
            "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nduration: 1h\nstorage:\n  provisioningDelays: 5s\n",
            &["scenario.yaml", "provisioningDelays"],
        ),
    ];
    for (file, text, expect) in cases {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = std::process::Command::new(bin)
            .args(["validate", file])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let mut all = String::from_utf8_lossy(&out.stderr).to_string();
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        assert!(!all.contains("panicked"), "{file}: {all}");
        assert_eq!(out.status.code(), Some(2), "{file}: {all}");
        for e in *expect {
            assert!(all.contains(e), "{file}: expected {e:?} in:\n{all}");
        }
    }
}

#[test]
fn kubelet_keeps_a_pod_with_an_unbound_claim_in_container_creating() {
    // `spec.nodeName` bypasses the scheduler (and VolumeBinding): the kubelet waits instead.
    let sc = "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: std}
provisioner: ebs.csi.aws.com
";
    let m = [
        sc.to_string(),
        pvc("data", "1Gi", "ReadWriteOnce", Some("std")),
        pod("app", "data", "  nodeName: n-0\n"),
    ]
    .concat();
    let mut sim = sim_from(&scenario("storage: {provisioningDelay: 10s}", &m));
    sim.run_until(secs(9));
    let p = pod_of(&sim, "app");
    assert_eq!(
        p.status.reason,
        Some(kubesim::model::pod::PodReason::ContainerCreating)
    );
    assert!(p.status.running_since.is_none());
    // Bound at 10 s; the container starts 1 s later.
    sim.run_until(secs(20));
    assert_eq!(pod_of(&sim, "app").status.running_since, Some(secs(11)));
}
