//! Golden tests for the volume scheduler plugins — VolumeZone, VolumeBinding and
//! VolumeRestrictions — transcribed from the upstream unit tests in `kubernetes/kubernetes`
//! (`pkg/scheduler/framework/plugins/volumezone/volume_zone_test.go`,
//! `volumebinding/volume_binding_test.go`, `volumerestrictions/volume_restrictions_test.go`).
//!
//! Each case runs the real what-if scheduler (the PV controller included: claims with a
//! matching volume are bound before the pod's first cycle) on manifests with only the plugin
//! under test enabled, and asserts upstream's status codes and reason strings. Upstream's
//! listers hold objects the API server would have defaulted or refused; the manifests here
//! are valid (access modes and sizes set, `volumeBindingMode` defaulted to Immediate), which
//! each affected case notes.

mod support;

use kubesim::scheduler::explain::FilterVerdict;
use kubesim::scheduler::framework::Code;
use kubesim::sim::whatif::WhatIf;
use std::collections::BTreeMap;
use support::*;

const POD: &str = "default/pod-1";
const BZ: &str = "failure-domain.beta.kubernetes.io/zone";
const BR: &str = "failure-domain.beta.kubernetes.io/region";
const Z: &str = "topology.kubernetes.io/zone";
const R: &str = "topology.kubernetes.io/region";

/// A node's verdict for the pod (a PreFilter rejection shows on every node).
#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    /// Every enabled filter passed.
    Pass,
    /// Rejected with this code and message.
    Reject(Code, String),
    /// Not filtered.
    NotEvaluated,
}

fn unresolvable(msg: &str) -> V {
    V::Reject(Code::UnschedulableAndUnresolvable, msg.to_string())
}

/// A profile with only `plugin` at PreFilter and Filter (and PreBind for VolumeBinding).
fn only(plugin: &str) -> String {
    format!(
        "apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  percentageOfNodesToScore: 100
  plugins:
    multiPoint: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}, {{name: DefaultBinder}}, {{name: PrioritySort}}]}}
"
    )
}

fn verdicts(w: &WhatIf) -> BTreeMap<String, V> {
    attempt(w, POD)
        .nodes
        .iter()
        .map(|n| {
            let v = match &n.filter {
                FilterVerdict::Passed => V::Pass,
                FilterVerdict::Rejected(_, st) => V::Reject(st.code, st.message()),
                FilterVerdict::NotEvaluated => V::NotEvaluated,
            };
            (w.node_name(n.node), v)
        })
        .collect()
}

fn node(name: &str, labels: &[(&str, &str)]) -> String {
    let l: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}: \"{v}\""))
        .collect();
    format!(
        "---
apiVersion: v1
kind: Node
metadata:
  name: {name}
  labels: {{{}}}
status:
  allocatable: {{cpu: \"4\", memory: 8Gi, pods: \"110\"}}
",
        l.join(", ")
    )
}

fn pv(name: &str, labels: &[(&str, &str)], class: &str, extra: &str) -> String {
    let l: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}: \"{v}\""))
        .collect();
    format!(
        "---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {name}
  labels: {{{}}}
spec:
  capacity: {{storage: 1Gi}}
  accessModes: [ReadWriteOnce]
  storageClassName: \"{class}\"
{extra}",
        l.join(", ")
    )
}

/// A claim; `volume` pre-binds it (`spec.volumeName`), `class` None leaves the class unset.
fn pvc(name: &str, volume: Option<&str>, class: Option<&str>) -> String {
    let mut s = format!(
        "---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
"
    );
    if let Some(v) = volume {
        s.push_str(&format!("  volumeName: {v}\n"));
    }
    if let Some(c) = class {
        s.push_str(&format!("  storageClassName: \"{c}\"\n"));
    }
    s
}

fn sc(name: &str, mode: &str, provisioner: &str, extra: &str) -> String {
    format!(
        "---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: {name}}}
provisioner: {provisioner}
volumeBindingMode: {mode}
{extra}"
    )
}

fn pod_with(claims: &[&str]) -> String {
    let mut s = "---
apiVersion: v1
kind: Pod
metadata: {name: pod-1}
spec:
  containers: [{name: c, image: nginx}]
"
    .to_string();
    if !claims.is_empty() {
        s.push_str("  volumes:\n");
        for (i, c) in claims.iter().enumerate() {
            s.push_str(&format!(
                "    - name: v{i}\n      persistentVolumeClaim: {{claimName: {c}}}\n"
            ));
        }
    }
    s
}

fn run(plugin: &str, objects: &[String]) -> BTreeMap<String, V> {
    verdicts(&schedule(&objects.concat(), Some(&only(plugin))))
}

// ---------------------------------------------------------------------------------------------
// VolumeZone: TestSingleZone, TestMultiZone, TestWithBinding
// ---------------------------------------------------------------------------------------------

/// The volumes and claims of `TestSingleZone` (claims pre-bound by `volumeName`).
fn single_zone_objects() -> Vec<String> {
    vec![
        pv("vol-1", &[(BZ, "us-west1-a")], "", ""),
        pv(
            "vol-2",
            &[(BR, "us-west1"), ("uselessLabel", "none")],
            "",
            "",
        ),
        pv("vol-3", &[(BR, "us-west1")], "", ""),
        pv("vol-stable-1", &[(Z, "us-west1-a")], "", ""),
        pv(
            "vol-stable-2",
            &[(R, "us-west1"), ("uselessLabel", "none")],
            "",
            "",
        ),
        pv(
            "vol-stable-3",
            &[(Z, "us-west1-a"), (R, "us-west1-a")],
            "",
            "",
        ),
        pvc("pvc-1", Some("vol-1"), Some("")),
        pvc("pvc-2", Some("vol-2"), Some("")),
        pvc("pvc-3", Some("vol-3"), Some("")),
        pvc("pvc-stable-1", Some("vol-stable-1"), Some("")),
        pvc("pvc-stable-2", Some("vol-stable-2"), Some("")),
        pvc("pvc-stable-3", Some("vol-stable-3"), Some("")),
    ]
}

/// (upstream case name, claim, node labels, expected verdict).
type ZoneCase<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a V);

fn zone_case(objects: Vec<String>, claim: &str, labels: &[(&str, &str)]) -> V {
    let mut o = objects;
    o.push(node("host1", labels));
    o.push(pod_with(&[claim]));
    run("VolumeZone", &o).remove("host1").unwrap()
}

#[test]
fn volume_zone_single_zone() {
    let conflict = unresolvable("node(s) had no available volume zone");
    let cases: &[ZoneCase] = &[
        ("node without labels", "pvc-1", &[], &V::Pass),
        (
            "beta zone label matched",
            "pvc-1",
            &[(BZ, "us-west1-a"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "beta region label matched",
            "pvc-2",
            &[(BR, "us-west1"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "beta region label doesn't match",
            "pvc-2",
            &[(BR, "no_us-west1"), ("uselessLabel", "none")],
            &conflict,
        ),
        (
            "beta zone label doesn't match",
            "pvc-1",
            &[(BZ, "no_us-west1-a"), ("uselessLabel", "none")],
            &conflict,
        ),
        (
            "zone label matched",
            "pvc-stable-1",
            &[(Z, "us-west1-a"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "region label matched",
            "pvc-stable-2",
            &[(R, "us-west1"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "region label doesn't match",
            "pvc-stable-2",
            &[(R, "no_us-west1"), ("uselessLabel", "none")],
            &conflict,
        ),
        (
            "zone label doesn't match",
            "pvc-stable-1",
            &[(Z, "no_us-west1-a"), ("uselessLabel", "none")],
            &conflict,
        ),
        (
            "pv with zone and region, node with only zone",
            "pvc-stable-3",
            &[(Z, "us-west1-a")],
            &conflict,
        ),
        (
            "pv with zone,node with beta zone",
            "pvc-stable-1",
            &[(BZ, "us-west1-a")],
            &conflict,
        ),
        (
            "pv with beta label,node with ga label, matched",
            "pvc-1",
            &[(Z, "us-west1-a")],
            &V::Pass,
        ),
        (
            "pv with beta label,node with ga label, don't match",
            "pvc-1",
            &[(Z, "us-west1-b")],
            &conflict,
        ),
    ];
    for (name, claim, labels, want) in cases {
        assert_eq!(
            &zone_case(single_zone_objects(), claim, labels),
            *want,
            "{name}"
        );
    }
}

#[test]
fn volume_zone_pod_without_volume_is_skipped() {
    // "pod without volume": PreFilter Skip, Filter passes.
    let o = [node("host1", &[(BZ, "us-west1-a")]), pod_with(&[])];
    assert_eq!(run("VolumeZone", &o).remove("host1").unwrap(), V::Pass);
}

#[test]
fn volume_zone_multi_zone() {
    let objects = || {
        vec![
            pv("vol-1", &[(BZ, "us-west1-a")], "", ""),
            pv(
                "vol-2",
                &[(BZ, "us-west1-b"), ("uselessLabel", "none")],
                "",
                "",
            ),
            pv("vol-3", &[(BZ, "us-west1-c__us-west1-a")], "", ""),
            pv("vol-stable-1", &[(Z, "us-west1-a")], "", ""),
            pv("vol-stable-2", &[(Z, "us-west1-c__us-west1-a")], "", ""),
            pvc("pvc-1", Some("vol-1"), Some("")),
            pvc("pvc-2", Some("vol-2"), Some("")),
            pvc("pvc-3", Some("vol-3"), Some("")),
            pvc("pvc-stable-1", Some("vol-stable-1"), Some("")),
            pvc("pvc-stable-2", Some("vol-stable-2"), Some("")),
        ]
    };
    let conflict = unresolvable("node(s) had no available volume zone");
    let cases: &[ZoneCase] = &[
        ("node without labels", "pvc-3", &[], &V::Pass),
        (
            "beta zone label matched",
            "pvc-3",
            &[(BZ, "us-west1-a"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "beta zone label doesn't match",
            "pvc-1",
            &[(BZ, "us-west1-b"), ("uselessLabel", "none")],
            &conflict,
        ),
        (
            "zone label matched",
            "pvc-stable-2",
            &[(Z, "us-west1-a"), ("uselessLabel", "none")],
            &V::Pass,
        ),
        (
            "zone label doesn't match",
            "pvc-stable-1",
            &[(Z, "us-west1-b"), ("uselessLabel", "none")],
            &conflict,
        ),
    ];
    for (name, claim, labels, want) in cases {
        assert_eq!(&zone_case(objects(), claim, labels), *want, "{name}");
    }
}

#[test]
fn volume_zone_with_binding() {
    let objects = || {
        vec![
            sc("class-immediate", "Immediate", "ebs.csi.aws.com", ""),
            sc(
                "class-wait",
                "WaitForFirstConsumer",
                "kubernetes.io/no-provisioner",
                "",
            ),
            pv("vol-1", &[(BZ, "us-west1-a")], "", ""),
            pvc("pvc-1", Some("vol-1"), Some("")),
            pvc("pvc-nosc", None, Some("class-0")),
            pvc("pvc-emptysc", None, Some("")),
            pvc("pvc-waitsc", None, Some("class-wait")),
            pvc("pvc-immediatesc", None, Some("class-immediate")),
        ]
    };
    let labels: &[(&str, &str)] = &[(BZ, "us-west1-a"), ("uselessLabel", "none")];
    // PreFilter rejections show on every node with the PreFilter's status.
    let pre = unresolvable;
    // "label zone failure domain matched"
    assert_eq!(zone_case(objects(), "pvc-1", labels), V::Pass);
    // "unbound volume empty storage class"
    assert_eq!(
        zone_case(objects(), "pvc-emptysc", labels),
        pre("PersistentVolumeClaim had no pv name and storageClass name")
    );
    // "unbound volume no storage class": upstream's fake lister words the NotFound error
    // `storageclasses.storage.k8s.io`; the real StorageClass lister says `storageclass`.
    assert_eq!(
        zone_case(objects(), "pvc-nosc", labels),
        pre("storageclass.storage.k8s.io \"class-0\" not found")
    );
    // "unbound volume immediate binding mode": upstream's class has no mode at all
    // ("VolumeBindingMode not set"); the API server defaults it to Immediate, for which the
    // plugin says the claim has no volume.
    assert_eq!(
        zone_case(objects(), "pvc-immediatesc", labels),
        pre("PersistentVolume had no name")
    );
    // "unbound volume wait binding mode": PreFilter Skip.
    assert_eq!(zone_case(objects(), "pvc-waitsc", labels), V::Pass);
}

// ---------------------------------------------------------------------------------------------
// VolumeBinding: TestVolumeBinding
// ---------------------------------------------------------------------------------------------

fn binding_nodes() -> Vec<String> {
    vec![
        node("node-a", &[("foo", "bar"), (Z, "zone-a")]),
        node("node-b", &[("foo", "barbar"), (Z, "zone-b")]),
    ]
}

fn affinity(key: &str, value: &str) -> String {
    format!(
        "  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {{key: {key}, operator: In, values: [{value}]}}
"
    )
}

fn binding_case(objects: Vec<String>, claims: &[&str]) -> BTreeMap<String, V> {
    let mut o = binding_nodes();
    o.extend(objects);
    o.push(pod_with(claims));
    run("VolumeBinding", &o)
}

#[test]
fn volume_binding_pod_has_no_pvcs() {
    // PreFilter Skip: every node passes.
    let v = binding_case(vec![], &[]);
    assert!(v.values().all(|x| *x == V::Pass), "{v:?}");
}

#[test]
fn volume_binding_all_bound() {
    let v = binding_case(
        vec![
            pv("pv-a", &[], "", ""),
            pvc("pvc-a", Some("pv-a"), Some("")),
        ],
        &["pvc-a"],
    );
    assert!(v.values().all(|x| *x == V::Pass), "{v:?}");
}

#[test]
fn volume_binding_missing_claims() {
    let pre = unresolvable("persistentvolumeclaim \"pvc-a\" not found");
    // "PVC does not exist"
    let v = binding_case(vec![], &["pvc-a"]);
    assert!(v.values().all(|x| *x == pre), "{v:?}");
    // "Part of PVCs do not exist"
    let v = binding_case(
        vec![
            pv("pv-b", &[], "", ""),
            pvc("pvc-b", Some("pv-b"), Some("")),
        ],
        &["pvc-b", "pvc-a"],
    );
    assert!(v.values().all(|x| *x == pre), "{v:?}");
}

#[test]
fn volume_binding_immediate_claims_not_bound() {
    let v = binding_case(
        vec![
            sc(
                "immediate-sc",
                "Immediate",
                "kubernetes.io/no-provisioner",
                "",
            ),
            pvc("pvc-a", None, Some("immediate-sc")),
        ],
        &["pvc-a"],
    );
    let pre = unresolvable("pod has unbound immediate PersistentVolumeClaims");
    assert!(v.values().all(|x| *x == pre), "{v:?}");
}

#[test]
fn volume_binding_unbound_claims_no_matches() {
    // `waitSC` has no provisioner upstream; `kubernetes.io/no-provisioner` is the valid way.
    let v = binding_case(
        vec![
            sc(
                "wait-sc",
                "WaitForFirstConsumer",
                "kubernetes.io/no-provisioner",
                "",
            ),
            pvc("pvc-a", None, Some("wait-sc")),
        ],
        &["pvc-a"],
    );
    let want = unresolvable("node(s) didn't find available persistent volumes to bind");
    assert_eq!(v["node-a"], want);
    assert_eq!(v["node-b"], want);
}

#[test]
fn volume_binding_bound_and_unbound_unsatisfied() {
    let v = binding_case(
        vec![
            sc(
                "wait-sc",
                "WaitForFirstConsumer",
                "kubernetes.io/no-provisioner",
                "",
            ),
            pv("pv-a", &[], "", &affinity("foo", "barbar")),
            pvc("pvc-a", Some("pv-a"), Some("")),
            pvc("pvc-b", None, Some("wait-sc")),
        ],
        &["pvc-a", "pvc-b"],
    );
    assert_eq!(
        v["node-a"],
        V::Reject(
            Code::UnschedulableAndUnresolvable,
            "node(s) had volume node affinity conflict, node(s) didn't find available persistent volumes to bind".into()
        )
    );
    assert_eq!(
        v["node-b"],
        unresolvable("node(s) didn't find available persistent volumes to bind")
    );
}

#[test]
fn volume_binding_unbound_claim_with_a_matching_volume_on_one_node() {
    // binder_test.go "one-pv-bound" / "unbound-pvc,pv-different-node" style: the static
    // volume is reachable from node-a only.
    let v = binding_case(
        vec![
            sc(
                "wait-sc",
                "WaitForFirstConsumer",
                "kubernetes.io/no-provisioner",
                "",
            ),
            pv("pv-node-a", &[], "wait-sc", &affinity("foo", "bar")),
            pvc("pvc-a", None, Some("wait-sc")),
        ],
        &["pvc-a"],
    );
    assert_eq!(v["node-a"], V::Pass);
    assert_eq!(
        v["node-b"],
        unresolvable("node(s) didn't find available persistent volumes to bind")
    );
}

#[test]
fn volume_binding_provisioning_respects_allowed_topologies() {
    // binder_test.go TestFindPodVolumesWithProvisioning "wrong-topology".
    let topo = "allowedTopologies:
  - matchLabelExpressions:
      - {key: topology.kubernetes.io/zone, values: [zone-b]}
";
    let v = binding_case(
        vec![
            sc("topo-sc", "WaitForFirstConsumer", "ebs.csi.aws.com", topo),
            pvc("pvc-a", None, Some("topo-sc")),
        ],
        &["pvc-a"],
    );
    assert_eq!(
        v["node-a"],
        unresolvable("node(s) didn't find available persistent volumes to bind")
    );
    assert_eq!(v["node-b"], V::Pass);
}

#[test]
fn volume_binding_bound_volume_node_affinity_conflict() {
    // "local volumes with cloud volumes"-style: a bound volume pinned to node-b.
    let v = binding_case(
        vec![
            pv("pv-b", &[], "", &affinity("foo", "barbar")),
            pvc("pvc-b", Some("pv-b"), Some("")),
        ],
        &["pvc-b"],
    );
    assert_eq!(
        v["node-a"],
        unresolvable("node(s) had volume node affinity conflict")
    );
    assert_eq!(v["node-b"], V::Pass);
}

// ---------------------------------------------------------------------------------------------
// VolumeRestrictions: TestAccessModeConflicts
// ---------------------------------------------------------------------------------------------

#[test]
fn volume_restrictions_read_write_once_pod_conflicts() {
    let rwop = |name: &str, vol: &str| {
        pvc(name, Some(vol), Some("")).replace("[ReadWriteOnce]", "[ReadWriteOncePod]")
    };
    let vol = |name: &str| pv(name, &[], "", "").replace("[ReadWriteOnce]", "[ReadWriteOncePod]");
    let bound_pod = "---
apiVersion: v1
kind: Pod
metadata: {name: pod-0}
spec:
  nodeName: node-a
  containers: [{name: c, image: nginx}]
  volumes:
    - name: v
      persistentVolumeClaim: {claimName: claim-with-rwop-1}
";
    let mut o = binding_nodes();
    o.extend([
        vol("pv-1"),
        vol("pv-2"),
        rwop("claim-with-rwop-1", "pv-1"),
        rwop("claim-with-rwop-2", "pv-2"),
        bound_pod.to_string(),
    ]);
    // "failed filter with existing pod using the same ReadWriteOncePod claim": every node.
    let mut conflict = o.clone();
    conflict.push(pod_with(&["claim-with-rwop-1"]));
    let v = run("VolumeRestrictions", &conflict);
    let want = V::Reject(
        Code::Unschedulable,
        "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode".into(),
    );
    assert_eq!(v["node-a"], want);
    assert_eq!(v["node-b"], want);
    // "nothing" conflicting: another ReadWriteOncePod claim (PreFilter Skip).
    let mut free = o.clone();
    free.push(pod_with(&["claim-with-rwop-2"]));
    let v = run("VolumeRestrictions", &free);
    assert!(v.values().all(|x| *x == V::Pass), "{v:?}");
    // "claim not found": PreFilter UnschedulableAndUnresolvable.
    let mut missing = o;
    missing.push(pod_with(&["claim-missing"]));
    let v = run("VolumeRestrictions", &missing);
    let pre = unresolvable("persistentvolumeclaim \"claim-missing\" not found");
    assert!(v.values().all(|x| *x == pre), "{v:?}");
}
