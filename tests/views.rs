//! The kubectl-style views and `explain` against bundled scenarios with known outcomes, through
//! the real binary (exit codes, stdout/stderr).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kubesim");

/// (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// Rows of a table as cells split on runs of 2+ spaces, header first.
fn rows(t: &str) -> Vec<Vec<String>> {
    t.lines()
        .map(|l| {
            l.split("   ")
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

const RU: &str = "scenarios/rollouts/rolling-update.yaml";
const OOM: &str = "scenarios/workloads/oom-crashloop.yaml";
const HPA: &str = "scenarios/autoscaling/hpa-step.yaml";
const CA: &str = "scenarios/autoscaling/ca-scale-up-down.yaml";

#[test]
fn get_pods_during_a_rolling_update_shows_both_replicasets() {
    let t = ok(&["get", "pods", RU, "--at", "5m20s"]);
    let r = rows(&t);
    assert_eq!(r[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    let rs: std::collections::BTreeSet<String> = r[1..]
        .iter()
        .map(|row| row[0].rsplit_once('-').unwrap().0.to_string())
        .collect();
    assert_eq!(rs.len(), 2, "pods of the old and the new ReplicaSet:\n{t}");
    // maxSurge 1, maxUnavailable 0: 4 ready pods throughout, one old one terminating and a
    // new one being created at this instant.
    let ready = r[1..].iter().filter(|row| row[1] == "1/1").count();
    assert_eq!(ready, 4, "{t}");
    assert!(
        r[1..]
            .iter()
            .any(|row| row[2] == "Terminating" && row[1] == "0/1"),
        "{t}"
    );
    assert!(
        r[1..]
            .iter()
            .any(|row| row[2] == "ContainerCreating" && row[4] == "0s"),
        "{t}"
    );
    assert!(r[1..].iter().all(|row| row[3] == "0"), "no restarts: {t}");
    // Old pods are as old as the run, new ones seconds old.
    assert!(r[1..].iter().any(|row| row[4] == "5m20s"), "{t}");
    // -o wide adds the kubectl columns.
    let w = ok(&["get", "po", RU, "--at", "5m20s", "-o", "wide"]);
    assert!(
        w.lines()
            .next()
            .unwrap()
            .ends_with("IP            NODE   NOMINATED NODE   READINESS GATES"),
        "{w}"
    );
    // Same scenario and seed: same bytes.
    assert_eq!(t, ok(&["get", "pods", RU, "--at", "5m20s"]));
}

#[test]
fn get_nodes_deployments_hpa_and_yaml() {
    let n = ok(&["get", "nodes", RU, "--at", "1m"]);
    assert_eq!(rows(&n)[0], ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    assert_eq!(rows(&n)[1][..4], ["n-0", "Ready", "<none>", "60s"]);
    let d = ok(&["get", "deploy", RU, "--at", "10m"]);
    assert_eq!(rows(&d)[1], ["shop", "4/4", "4", "4", "10m"], "{d}");
    let h = ok(&["get", "hpa", HPA, "--at", "6m"]);
    let r = rows(&h);
    assert_eq!(
        r[0],
        [
            "NAME",
            "REFERENCE",
            "TARGETS",
            "MINPODS",
            "MAXPODS",
            "REPLICAS",
            "AGE"
        ]
    );
    assert_eq!(r[1][1], "Deployment/web");
    assert!(
        r[1][2].starts_with("cpu: ") && r[1][2].ends_with("%/50%"),
        "{h}"
    );
    assert_eq!(r[1][5], "10", "scaled to max by 6m: {h}");
    let y = ok(&["get", "deployments", RU, "--at", "10m", "-o", "yaml"]);
    assert!(
        y.contains("kind: List") && y.contains("kind: Deployment"),
        "{y}"
    );
    assert!(
        y.contains("deployment.kubernetes.io/revision: '2'")
            || y.contains("deployment.kubernetes.io/revision: \"2\""),
        "{y}"
    );
    let j = ok(&["get", "pods", OOM, "--at", "10m", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    let cs = &v["items"][0]["status"]["containerStatuses"][0];
    assert_eq!(cs["lastState"]["terminated"]["reason"], "OOMKilled", "{j}");
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 137);
}

fn oom_pod() -> String {
    let t = ok(&["get", "pods", OOM, "--at", "10m"]);
    let r = rows(&t);
    assert_eq!(r[1][2], "CrashLoopBackOff", "{t}");
    assert!(
        r[1][3].starts_with("6 (") && r[1][3].ends_with(" ago)"),
        "{t}"
    );
    r[1][0].clone()
}

#[test]
fn describe_a_crash_looping_pod() {
    let p = oom_pod();
    let d = ok(&["describe", "pod", &p, OOM, "--at", "10m"]);
    for want in [
        &format!("Name:             {p}") as &str,
        "Controlled By:  ReplicaSet/leaky-",
        "    State:          Waiting\n      Reason:       CrashLoopBackOff",
        "    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137",
        "    Restart Count:  6",
        "    Limits:\n      cpu:     500m\n      memory:  256Mi",
        "QoS Class:                    Burstable",
        "  Type     Reason     Age",
        "Back-off restarting failed container app",
    ] {
        assert!(d.contains(want), "missing {want:?} in\n{d}");
    }
    let n = ok(&["describe", "node", "general-0", OOM, "--at", "10m"]);
    assert!(n.contains("Non-terminated Pods:") && n.contains(&p), "{n}");
    assert!(n.contains("  cpu       100m (2%)"), "{n}");
}

#[test]
fn explain_an_oom_killed_pod_names_the_limit_and_the_usage() {
    let p = oom_pod();
    let e = ok(&["explain", "pod", &p, OOM, "--at", "5m"]);
    assert!(e.contains("created by replicaset/leaky-"), "{e}");
    assert!(
        e.contains("OOMKilled: memory usage 300Mi above the memory limit 256Mi"),
        "{e}"
    );
    assert!(e.contains("restart back-off (CrashLoopBackOff)"), "{e}");
    // Deterministic.
    assert_eq!(e, ok(&["explain", "pod", &p, OOM, "--at", "5m"]));
}

#[test]
fn explain_a_pod_that_waited_for_a_scale_up_names_the_group_and_node() {
    let t = ok(&["get", "pods", CA, "--at", "5m", "-o", "wide"]);
    let row = rows(&t)
        .into_iter()
        .find(|r| r.get(6).is_some_and(|n| n.starts_with("burst-")))
        .unwrap_or_else(|| panic!("a pod on a burst node:\n{t}"));
    let (pod, node) = (&row[0], &row[6]);
    let e = ok(&["explain", "pod", pod, CA]);
    assert!(e.contains("scheduling attempt failed"), "{e}");
    assert!(e.contains("Insufficient cpu"), "{e}");
    assert!(
        e.contains("fit node group burst's template; expander least-waste chose burst"),
        "{e}"
    );
    assert!(
        e.contains(&format!("-> node {node} joined at 0:04:10")),
        "{e}"
    );
    assert!(e.contains(&format!("bound to node {node}")), "{e}");
    assert!(
        e.contains("on the node the Cluster Autoscaler added for it"),
        "{e}"
    );
    let n = ok(&["explain", "node", node, CA]);
    assert!(
        n.contains("created: joined pool burst") && n.contains("because (at 0:02:10)"),
        "{n}"
    );
    assert!(
        n.contains("Cluster Autoscaler scale-down") && n.contains("removed:"),
        "{n}"
    );
}

#[test]
fn explain_hpa_shows_the_proposals_and_limits() {
    let e = ok(&["explain", "hpa", "web", HPA]);
    assert!(e.contains("raw proposal 30"), "{e}");
    assert!(e.contains("limited: ScaleUpLimit"), "{e}");
    assert!(e.contains("result: rescale 3 -> 7"), "{e}");
    assert!(e.contains("SuccessfulRescale: New size: 7"), "{e}");
}

#[test]
fn events_for_an_object() {
    let t = ok(&["events", RU, "--for", "deployment/shop", "--at", "7m"]);
    let r = rows(&t);
    assert_eq!(r[0], ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    assert!(r[1..].iter().all(|x| x[3] == "deployment/shop"), "{t}");
    assert!(t.contains("Scaled up replica set shop-"), "{t}");
    let all = ok(&["events", OOM, "--at", "10m"]);
    assert!(
        all.contains("(x6 over 9m30s)"),
        "aggregated back-offs:\n{all}"
    );
}

#[test]
fn rollout_status_and_history() {
    assert_eq!(
        ok(&["rollout", "status", "deployment/shop", RU, "--at", "5m20s"]),
        "Waiting for deployment \"shop\" rollout to finish: 3 out of 4 new replicas have been updated...\n"
    );
    assert_eq!(
        ok(&["rollout", "status", "deploy/shop", RU, "--at", "10m"]),
        "deployment \"shop\" successfully rolled out\n"
    );
    assert_eq!(
        ok(&["rollout", "history", "deployment/shop", RU, "--at", "10m"]),
        "deployment.apps/shop\nREVISION   CHANGE-CAUSE\n1          <none>\n2          <none>\n"
    );
}

#[test]
fn unknown_names_are_clear_errors_with_exit_2() {
    for (args, want) in [
        (
            vec!["describe", "pod", "nope", OOM, "--at", "1m"],
            "pods \"nope\" not found in namespace default at 1m0s; pods that exist: leaky-",
        ),
        (
            vec!["describe", "node", "nope", OOM, "--at", "1m"],
            "nodes \"nope\" not found at 1m0s; nodes that exist: general-0",
        ),
        (
            vec!["explain", "pod", "nope", OOM],
            "pods \"nope\" not found",
        ),
        (vec!["explain", "hpa", "nope", HPA], "that exist: web"),
        (
            vec!["rollout", "status", "deployment/nope", RU, "--at", "1m"],
            "deployments.apps \"nope\" not found",
        ),
        (
            vec!["events", RU, "--for", "pod/nope"],
            "pods \"nope\" not found",
        ),
        (vec!["events", RU, "--for", "nope"], "expected KIND/NAME"),
        (
            vec!["get", "pods", RU, "--at", "11m"],
            "after the end of the scenario",
        ),
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn describe_pod_shows_the_vpa_webhooks_requests_limits_and_annotation() {
    let sc = "scenarios/autoscaling/vpa-initial.yaml";
    let pods = ok(&["get", "pods", sc, "--at", "45m"]);
    // The newest pods (AGE 15m) were created after the recommendation existed.
    let young = rows(&pods)
        .into_iter()
        .find(|r| r.last().is_some_and(|a| a == "15m"))
        .expect("a pod created at 30m")[0]
        .clone();
    let d = ok(&["describe", "pod", &young, sc, "--at", "45m"]);
    assert!(
        d.contains("Annotations:      vpaUpdates: Pod resources updated by web: container 0: cpu request, memory request, cpu limit, memory limit"),
        "{d}"
    );
    for want in [
        "cpu:     254m",
        "memory:  500Mi",
        "cpu:        127m",
        "memory:     250Mi",
    ] {
        assert!(d.contains(want), "{want}: {d}");
    }
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    // `kubesim get pods ... | head`: the reader is gone before anything is written.
    let mut child = Command::new(BIN)
        .args([
            "get",
            "pods",
            "scenarios/rollouts/rolling-update.yaml",
            "--at",
            "5m20s",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
