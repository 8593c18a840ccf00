//! Scenario tests for container exits and restarts, usage against limits, node-pressure
//! eviction and the Job controller, with hand-derived outcomes and times.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
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

fn file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

/// (time in seconds, reason, message) of the events whose reason is in `reasons`.
fn events(sim: &Simulation, reasons: &[&str]) -> Vec<(f64, String, String)> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| reasons.contains(&e.reason))
        .map(|e| {
            (
                e.time.as_secs_f64(),
                e.reason.to_string(),
                e.message.to_string(),
            )
        })
        .collect()
}

fn pod_named<'a>(
    sim: &'a Simulation,
    prefix: &str,
) -> Vec<(kubesim::model::PodId, &'a kubesim::model::Pod)> {
    sim.store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix))
        .collect()
}

/// Times (s) of the events with `reason` on objects whose name starts with `prefix`.
fn times(sim: &Simulation, reason: &str, prefix: &str) -> Vec<u64> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| e.reason == reason && e.object.name.starts_with(prefix))
        .map(|e| e.time.as_secs())
        .collect()
}

#[test]
fn oom_kill_then_crashloop_backoff_at_upstream_delays() {
    let mut sim = sim_from(&file("scenarios/workloads/oom-crashloop.yaml"));
    // The container runs from 0:01; the load tick at 0:15 finds 300Mi used against a 256Mi
    // limit: OOMKilled, and (no back-off entry yet) restarted at once.
    sim.run_until(secs(15));
    let (id, pod) = pod_named(&sim, "leaky-")[0];
    assert_eq!(pod.status.restarts, 1);
    let st = &sim.kubelet().container_statuses(id, &sim.store)[0];
    let last = st.last_state.unwrap();
    assert_eq!(
        (last.reason.as_str(), last.exit_code, last.finished),
        ("OOMKilled", 137, secs(15))
    );
    // Killed again at 0:45 (ticks every 15 s): the back-off entry is 20 s by then.
    sim.run_until(secs(50));
    let (id, pod) = pod_named(&sim, "leaky-")[0];
    assert_eq!(pod.status.phase.as_str(), "Running", "getPhase: restarting");
    assert_eq!(
        pod.status.reason.map(|r| r.as_str()),
        Some("CrashLoopBackOff")
    );
    assert!(!pod.is_ready());
    let st = &sim.kubelet().container_statuses(id, &sim.store)[0];
    assert_eq!(st.waiting, Some("CrashLoopBackOff"));
    assert_eq!(st.restart_count, 2);
    assert_eq!(st.restart_at, Some(secs(65)));
    sim.run();
    // Restarts (Started after the first) and the OOM kills before them (BackOff events mark
    // the kills that had to wait).
    let started = times(&sim, "Started", "leaky-");
    assert_eq!(
        started,
        vec![0, 15, 40, 65, 115, 200, 370, 675, 990, 1305, 1620],
        "restart times"
    );
    let kills = [15u64, 30, 45, 75, 120, 210, 375, 690, 1005, 1320];
    let delays: Vec<u64> = kills
        .iter()
        .zip(&started[1..])
        .map(|(k, s)| s - k)
        .collect();
    assert_eq!(delays, vec![0, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
    assert_eq!(
        times(&sim, "BackOff", "leaky-"),
        vec![30, 45, 75, 120, 210, 375, 690, 1005, 1320, 1635]
    );
    let ev = events(&sim, &["BackOff"]);
    assert!(
        ev[0]
            .2
            .starts_with("Back-off restarting failed container app in pod leaky-"),
        "{}",
        ev[0].2
    );
    let s = sim.summary();
    assert_eq!(
        (s.kubelet.oom_kills, s.kubelet.container_restarts),
        (11, 10)
    );
    assert_eq!(s.pods.running, 1);
}

#[test]
fn backoff_resets_after_a_container_ran_ten_minutes() {
    let text = |crash: &str| {
        format!(
            r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: reset}}
duration: 40m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {{cpu: "4", memory: 8Gi, pods: "110"}}
    prepulledImages: ["example/app:1.0"]
podBehaviors:
  - selector: {{app: crashy}}
    crashAfter: {crash}
    exitCode: 2
manifests:
  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {{name: crashy, labels: {{app: crashy}}}}
      spec:
        containers:
          - name: app
            image: example/app:1.0
"#
        )
    };
    // 5 minutes: exit at 5:01 restarts at once (no entry); the exit at 10:02 finds the entry
    // live (updated at 5:01) and waits 10 s.
    let mut sim = sim_from(&text("5m"));
    sim.run_until(secs(700));
    assert_eq!(times(&sim, "Started", "crashy"), vec![0, 301, 612]);
    assert_eq!(times(&sim, "BackOff", "crashy"), vec![602]);
    // 11 minutes: every exit comes more than 2 x 300 s after the last restart: the entry has
    // expired, so every restart is immediate.
    let mut sim = sim_from(&text("11m"));
    sim.run();
    assert_eq!(times(&sim, "Started", "crashy"), vec![0, 661, 1322, 1983]);
    assert!(times(&sim, "BackOff", "crashy").is_empty());
    let (id, pod) = pod_named(&sim, "crashy")[0];
    let st = &sim.kubelet().container_statuses(id, &sim.store)[0];
    assert_eq!(st.last_state.unwrap().reason.as_str(), "Error");
    assert_eq!(st.last_state.unwrap().exit_code, 2);
    assert_eq!(pod.status.restarts, 3);
}

#[test]
fn restart_policies_decide_pod_phase() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: policies}
duration: 2m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
    prepulledImages: ["example/app:1.0"]
podBehaviors:
  - selector: {kind: ok}
    runTime: 20s
  - selector: {kind: bad}
    crashAfter: 20s
    exitCode: 3
manifests:
  - inline: |
      apiVersion: v1
      kind: List
      items:
        - apiVersion: v1
          kind: Pod
          metadata: {name: never-ok, labels: {kind: ok}}
          spec: {restartPolicy: Never, containers: [{name: c, image: "example/app:1.0"}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: never-bad, labels: {kind: bad}}
          spec: {restartPolicy: Never, containers: [{name: c, image: "example/app:1.0"}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: onfailure-ok, labels: {kind: ok}}
          spec: {restartPolicy: OnFailure, containers: [{name: c, image: "example/app:1.0"}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: onfailure-bad, labels: {kind: bad}}
          spec: {restartPolicy: OnFailure, containers: [{name: c, image: "example/app:1.0"}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: always-ok, labels: {kind: ok}}
          spec: {containers: [{name: c, image: "example/app:1.0"}]}
"#;
    let mut sim = sim_from(text);
    sim.run_until(secs(25));
    let state = |sim: &Simulation, n: &str| {
        let (_, p) = pod_named(sim, n)[0];
        (
            p.status.phase.as_str(),
            p.status.reason.map(|r| r.as_str()),
            p.status.restarts,
        )
    };
    // Containers run from 0:01 and exit at 0:21.
    assert_eq!(state(&sim, "never-ok"), ("Succeeded", Some("Completed"), 0));
    assert_eq!(state(&sim, "never-bad"), ("Failed", Some("Error"), 0));
    assert_eq!(
        state(&sim, "onfailure-ok"),
        ("Succeeded", Some("Completed"), 0)
    );
    assert_eq!(
        state(&sim, "onfailure-bad"),
        ("Running", None, 1),
        "restarted at once"
    );
    assert_eq!(
        state(&sim, "always-ok"),
        ("Running", None, 1),
        "Always restarts exit 0 too"
    );
    // Second exits at 0:42 back off 10 s.
    sim.run_until(secs(45));
    assert_eq!(
        state(&sim, "onfailure-bad"),
        ("Running", Some("CrashLoopBackOff"), 1)
    );
    assert_eq!(times(&sim, "BackOff", "always-ok"), vec![42]);
    // Finished pods released their node resources.
    let node = sim.store.nodes().next().unwrap().1;
    assert_eq!(node.pod_count, 2);
}

#[test]
fn jitter_is_seeded_and_bounded() {
    let text = |seed: u64| {
        format!(
            r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: jitter}}
seed: {seed}
duration: 2m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {{cpu: "4", memory: 8Gi, pods: "110"}}
    prepulledImages: ["example/app:1.0"]
podBehaviors:
  - workload: deployment/j
    runTime: 10s
    jitter: 20s
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: j}}
      spec:
        replicas: 5
        selector: {{matchLabels: {{app: j}}}}
        template:
          metadata: {{labels: {{app: j}}}}
          spec:
            restartPolicy: Always
            containers: [{{name: c, image: "example/app:1.0"}}]
"#
        )
    };
    let run = |seed, until| {
        let mut sim = sim_from(&text(seed));
        sim.run_until(secs(until));
        let mut v: Vec<SimTime> = sim
            .store
            .pods()
            .filter_map(|(id, _)| {
                sim.kubelet().container_statuses(id, &sim.store)[0]
                    .last_state
                    .map(|t| t.finished)
            })
            .collect();
        v.sort();
        v
    };
    let a = run(1, 40);
    assert_eq!(a, run(1, 40), "same seed, same exits");
    assert_ne!(a, run(2, 40));
    // Containers run from 0:01 for 10 s plus [0, 20 s): first exits in [0:11, 0:31); a second
    // exit comes at 0:22 at the earliest.
    let first = run(1, 21);
    assert!(!first.is_empty());
    for t in &first {
        assert!(*t >= secs(11) && *t <= secs(21), "{t:?}");
    }
}

#[test]
fn memory_pressure_evicts_best_effort_then_burstable_then_guaranteed() {
    let mut sim = sim_from(&file("scenarios/workloads/memory-pressure.yaml"));
    sim.run_until(secs(25));
    let node = sim.store.nodes().next().unwrap().1;
    assert!(node.memory_pressure);
    let taint = sim
        .store
        .interner
        .intern("node.kubernetes.io/memory-pressure");
    assert!(
        sim.store
            .nodes()
            .next()
            .unwrap()
            .1
            .taints
            .iter()
            .any(|t| t.key == taint)
    );
    sim.run();
    let evicted: Vec<(u64, String)> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "Evicted")
        .map(|e| {
            (
                e.time.as_secs(),
                e.object.name.split('-').next().unwrap().to_string(),
            )
        })
        .collect();
    // Housekeeping every 10 s, one pod each; the first with usage seen is 0:20 (usage is first
    // measured at the 0:15 load tick). The condition clears 5 m after the last pressure (0:40),
    // the replacements start at 5:40 and the cycle repeats.
    let want: Vec<(u64, String)> = [
        (20, "besteffort"),
        (30, "burstable"),
        (40, "guaranteed"),
        (350, "besteffort"),
        (360, "burstable"),
        (370, "guaranteed"),
    ]
    .iter()
    .map(|(t, n)| (*t, n.to_string()))
    .collect();
    assert_eq!(evicted, want);
    let msg = &events(&sim, &["Evicted"])[0].2;
    assert_eq!(
        msg,
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: -426Mi. Container app was using 300Mi, request is 0, has larger consumption of memory. "
    );
    assert_eq!(times(&sim, "NodeHasSufficientMemory", "small-0"), vec![340]);
    // Evicted pods stay Failed with reason Evicted; their ReplicaSets replaced them.
    let failed: Vec<_> = sim
        .store
        .pods()
        .filter(|(_, p)| p.status.phase.as_str() == "Failed")
        .collect();
    assert_eq!(failed.len(), 6);
    assert!(failed.iter().all(
        |(_, p)| p.status.reason.map(|r| r.as_str()) == Some("Evicted")
            && p.status.message.is_some()
    ));
    assert_eq!(sim.summary().kubelet.evictions, 6);
}

#[test]
fn cpu_above_limit_is_throttled_and_recorded() {
    let mut sim = sim_from(&file("scenarios/workloads/cpu-throttling.yaml"));
    sim.run_until(secs(60));
    let st = sim.kubelet().stats();
    // Two pods: 20m + 50 rps x 4m = 220m against a 200m limit.
    assert_eq!(st.throttled_cpu_m, 40);
    assert!((st.unserved_rps - 10.0).abs() < 1e-9, "{}", st.unserved_rps);
    sim.run();
    let s = sim.summary();
    // Throttled from the 0:15 tick on: 39 intervals of 15 s at 40m up to the tick at 10:00.
    assert!(
        (s.kubelet.throttled_cpu_seconds - 23.4).abs() < 1e-9,
        "{}",
        s.kubelet.throttled_cpu_seconds
    );
    assert!(
        (s.kubelet.unserved_requests - 5850.0).abs() < 1e-6,
        "{}",
        s.kubelet.unserved_requests
    );
    let csv = sim.sampler.csv();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row: Vec<&str> = csv.lines().nth(3).unwrap().split(',').collect(); // t = 60 s
    assert_eq!(row[0], "60.000");
    assert_eq!(row[col("cpu_throttled_m")], "40");
    assert_eq!(row[col("unserved_rps")], "10.000");
}

#[test]
fn job_with_three_completions_two_at_a_time_completes_at_62s() {
    let mut sim = sim_from(&file("scenarios/workloads/job.yaml"));
    sim.run();
    // Pods run from 0:01 for 30 s; the third starts when the first two finish (0:31).
    assert_eq!(times(&sim, "SuccessfulCreate", "pi"), vec![0, 0, 31]);
    assert_eq!(times(&sim, "Completed", "pi"), vec![62]);
    let ns = sim.store.interner.intern("default");
    let j = sim.jobs().job(ns, "pi").unwrap();
    assert_eq!(
        (j.status.succeeded, j.status.failed, j.status.active),
        (3, 0, 0)
    );
    assert_eq!(
        j.status.condition,
        Some(kubesim::controllers::job::JobCondition::Complete)
    );
    assert_eq!(j.status.completion_time, Some(secs(62)));
    let job_name = sim.store.interner.intern("job-name");
    let pods = pod_named(&sim, "pi-");
    assert_eq!(pods.len(), 3);
    assert!(
        pods.iter()
            .all(|(_, p)| p.status.phase.as_str() == "Succeeded")
    );
    assert!(pods.iter().all(|(_, p)| p.labels.get(job_name).is_some()));
}

#[test]
fn job_exceeding_backoff_limit_fails() {
    let mut sim = sim_from(&file("scenarios/workloads/job.yaml"));
    sim.run_until(secs(47));
    let ns = sim.store.interner.intern("default");
    assert_eq!(sim.jobs().job(ns, "flaky").unwrap().status.failed, 2);
    assert_eq!(sim.jobs().job(ns, "flaky").unwrap().status.active, 1);
    sim.run();
    // Crashes 5 s after each start (0:06, 0:22, 0:48); replacements wait 10 s then 20 s.
    assert_eq!(times(&sim, "SuccessfulCreate", "flaky"), vec![0, 16, 42]);
    assert_eq!(times(&sim, "BackoffLimitExceeded", "flaky"), vec![48]);
    let j = sim.jobs().job(ns, "flaky").unwrap();
    assert_eq!((j.status.failed, j.status.active), (3, 0));
    assert_eq!(
        j.status.condition,
        Some(kubesim::controllers::job::JobCondition::Failed(
            "BackoffLimitExceeded"
        ))
    );
    let s = sim.summary();
    let f = s.jobs.iter().find(|j| j.name == "flaky").unwrap();
    assert_eq!(f.reason.as_deref(), Some("BackoffLimitExceeded"));
}

#[test]
fn job_deadline_and_deletion_take_its_pods() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: deadline}
duration: 5m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
    prepulledImages: ["example/app:1.0"]
podBehaviors:
  - selector: {job-name: slow}
    runTime: 10m
manifests:
  - inline: |
      apiVersion: batch/v1
      kind: Job
      metadata: {name: slow}
      spec:
        parallelism: 2
        completions: 4
        activeDeadlineSeconds: 60
        template:
          spec:
            restartPolicy: Never
            containers: [{name: c, image: "example/app:1.0"}]
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: quick}
      spec:
        template:
          spec:
            restartPolicy: OnFailure
            containers: [{name: c, image: "example/app:1.0"}]
events:
  - at: 5s
    delete: {target: job/quick}
"#;
    let mut sim = sim_from(text);
    sim.run();
    assert_eq!(times(&sim, "DeadlineExceeded", "slow"), vec![60]);
    assert_eq!(times(&sim, "SuccessfulDelete", "slow"), vec![60, 60]);
    assert!(
        pod_named(&sim, "slow-").is_empty(),
        "deleted after the grace period"
    );
    // The deleted Job's pod went with it (before its default 10 s run ended).
    assert!(pod_named(&sim, "quick-").is_empty());
    let ns = sim.store.interner.intern("default");
    assert!(sim.jobs().job(ns, "quick").is_none());
    assert!(times(&sim, "Completed", "quick").is_empty());
}

#[test]
fn bad_pod_behaviors_and_eviction_settings_are_located_errors() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: bad}
duration: 1m
kubelet:
  evictionHard: {memory.availble: 100Mi}
podBehaviors:
  - selector: {app: a}
    runTime: 10s
    crashAfter: 5s
  - selector: {app: b}
    crashAfter: 5s
    exitCode: 0
  - selector: {app: c}
    runTime: 5s
    exitCode: 300
  - selector: {app: d}
  - workload: statefulset/db
    runTime: 5s
"#;
    let err = load_scenario_str(text, "bad.yaml", Path::new("."))
        .expect_err("errors")
        .to_string();
    for want in [
        "bad.yaml:7",
        "unknown eviction signal \"memory.availble\"",
        "bad.yaml:11",
        "not both",
        "bad.yaml:14",
        "a crash needs a non-zero exit code",
        "bad.yaml:17",
        "must be between 0 and 255",
        "podBehaviors[3]",
        "Required value: runTime",
        "bad.yaml:19",
        "StatefulSet workloads are not supported here",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn bundled_workload_scenarios_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/workloads");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 4);
    for p in names {
        let s = kubesim::scenario::load_scenario(&p, &p.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
        sim.run();
        assert_eq!(sim.now(), sim.end(), "{}", p.display());
    }
}

#[test]
fn on_failure_job_fails_when_container_restarts_reach_the_backoff_limit() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: onfailure}
duration: 2m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
    prepulledImages: ["example/app:1.0"]
podBehaviors:
  - selector: {job-name: retry}
    crashAfter: 5s
manifests:
  - inline: |
      apiVersion: batch/v1
      kind: Job
      metadata: {name: retry}
      spec:
        backoffLimit: 2
        template:
          spec:
            restartPolicy: OnFailure
            containers: [{name: c, image: "example/app:1.0"}]
"#;
    let mut sim = sim_from(text);
    sim.run();
    // Crash at 0:06 restarts at once (restart 1); crash at 0:12 waits 10 s: restart 2 at 0:22
    // reaches the limit (pastBackoffLimitOnFailure), and the pod is deleted.
    assert_eq!(times(&sim, "Started", "retry-"), vec![0, 6, 22]);
    assert_eq!(times(&sim, "BackoffLimitExceeded", "retry"), vec![22]);
    assert_eq!(times(&sim, "SuccessfulDelete", "retry"), vec![22]);
    assert!(pod_named(&sim, "retry-").is_empty());
}

#[test]
fn eviction_threshold_accepts_percentages_and_can_be_turned_off() {
    let text = |hard: &str| {
        format!(
            "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {{name: t}}\nduration: 1m\nkubelet:\n  evictionHard: {hard}\n"
        )
    };
    let load = |hard: &str| {
        load_scenario_str(&text(hard), "t.yaml", Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"))
            .eviction_memory
    };
    use kubesim::scenario::MemoryThreshold;
    assert_eq!(
        load("{memory.available: \"7.5%\"}"),
        Some(MemoryThreshold::Percent(750))
    );
    assert_eq!(
        load("{memory.available: 1Gi}"),
        Some(MemoryThreshold::Bytes(1 << 30))
    );
    // Replacing the map without memory.available turns memory eviction off (with a warning
    // for the signal that is not simulated).
    assert_eq!(load("{nodefs.available: 10%}"), None);
    let err = load_scenario_str(&text("{memory.available: 120%}"), "t.yaml", Path::new("."))
        .expect_err("bad percentage")
        .to_string();
    assert!(err.contains("between 0% and 100%"), "{err}");
}
