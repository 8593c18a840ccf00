//! Bad input must give a clear error naming the file, the line (where known) and the field
//! path, exit with code 2, and never panic. Each case is a scenario or manifest written to a
//! temporary directory and checked with `kubesim validate` (and `kubesim run` for a few).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kubesim");

struct Case {
    name: &'static str,
    file: &'static str,
    /// Fragments the error output must contain (file:line, field path, message).
    expect: &'static [&'static str],
}

const POOL: &str = "nodePools:\n  - name: p\n    count: 2\n    template:\n      status:\n        allocatable: {cpu: \"4\", memory: 8Gi}\n";

fn scenario(body: &str) -> String {
    format!(
        "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {{name: t}}\nduration: 1h\n{POOL}{body}"
    )
}

fn deployment(extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n{extra}"
    )
}

fn run(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kubesim runs");
    let mut text = String::from_utf8_lossy(&out.stderr).to_string();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    (out.status.code().unwrap_or(-1), text)
}

fn check(c: &Case, text: &str, dir: &Path) {
    std::fs::write(dir.join(c.file), text).unwrap();
    let (code, out) = run(&["validate", c.file], dir);
    assert!(!out.contains("panicked"), "{}: panicked:\n{out}", c.name);
    assert_eq!(code, 2, "{}: exit code {code}, output:\n{out}", c.name);
    for e in c.expect {
        assert!(out.contains(e), "{}: expected {e:?} in:\n{out}", c.name);
    }
}

#[test]
fn bad_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Case, String)> = vec![
        (Case { name: "malformed yaml", file: "m.yaml", expect: &["m.yaml:3", "did not find expected"] },
            "apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n".into()),
        (Case { name: "bad quantity suffix", file: "q.yaml", expect: &["q.yaml:18:", "resources.requests.cpu", "unknown suffix \"Xi\""] },
            deployment("        resources:\n          requests:\n            cpu: 12Xi\n")),
        (Case { name: "negative quantity", file: "n.yaml", expect: &["n.yaml:18:", "resources.requests.memory", "greater than or equal to 0"] },
            deployment("        resources:\n          requests:\n            memory: \"-1\"\n")),
        (Case { name: "quantity overflow", file: "o.yaml", expect: &["o.yaml:18:", "too large"] },
            deployment("        resources:\n          requests:\n            cpu: 99999999999999999\n")),
        (Case { name: "invalid selector operator", file: "s.yaml", expect: &["s.yaml:", "unknown variant `Is`"] },
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    matchExpressions:\n    - {key: app, operator: Is, values: [web]}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: x}]}\n".into()),
        (Case { name: "In without values", file: "v.yaml", expect: &["v.yaml:", "v.yaml:7:5", "spec.selector.matchExpressions", "must be specified when `operator` is 'In'"] },
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    matchExpressions:\n    - {key: app, operator: In}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: x}]}\n".into()),
        (Case { name: "selector does not match labels", file: "l.yaml", expect: &["l.yaml:1", "spec.template.metadata.labels", "`selector` does not match template `labels`"] },
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n".into()),
        (Case { name: "missing image", file: "i.yaml", expect: &["i.yaml:1", "spec.template.spec.containers[0].image", "Required value"] },
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c}]}\n".into()),
        (Case { name: "wrong type", file: "t.yaml", expect: &["t.yaml:6:", "spec.replicas", "invalid type: string"] },
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n".into()),
        (Case { name: "negative replicas", file: "r.yaml", expect: &["r.yaml:1", "spec.replicas", "greater than or equal to 0"] },
            deployment("").replace("replicas: 2", "replicas: -3")),
        (Case { name: "missing kind", file: "k.yaml", expect: &["k.yaml:1", "no apiVersion and kind"] },
            "metadata: {name: x}\nspec: {}\n".into()),
        (Case { name: "bad label key", file: "b.yaml", expect: &["b.yaml:4:", "metadata.labels", "invalid key"] },
            "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {\"-bad\": x}\n  name: p\nspec: {containers: [{name: c, image: x}]}\n".into()),
        (Case { name: "bad object name", file: "nm.yaml", expect: &["nm.yaml:1", "metadata.name", "RFC 1123 subdomain"] },
            "apiVersion: v1\nkind: Pod\nmetadata: {name: My_Pod}\nspec: {containers: [{name: c, image: x}]}\n".into()),
        (Case { name: "maxSurge and maxUnavailable zero", file: "z.yaml", expect: &["z.yaml:1", "maxUnavailable", "may not be 0 when `maxSurge` is 0"] },
            deployment("").replace("  replicas: 2\n", "  replicas: 2\n  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 0}\n")),
        (Case { name: "percentage as plain string", file: "p.yaml", expect: &["p.yaml:", "maxSurge", "must be a percentage"] },
            deployment("").replace("  replicas: 2\n", "  replicas: 2\n  strategy:\n    rollingUpdate: {maxSurge: \"5\"}\n")),
        (Case { name: "request above limit", file: "rl.yaml", expect: &["rl.yaml:1", "resources.requests[cpu]", "less than or equal to cpu limit"] },
            deployment("        resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}\n")),
        (Case { name: "duplicate container names", file: "dc.yaml", expect: &["dc.yaml:1", "containers[1].name", "Duplicate value"] },
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}, {name: c, image: y}]}\n".into()),
        (Case { name: "hpa min above max", file: "h.yaml", expect: &["h.yaml:1", "spec.maxReplicas", "greater than or equal to `minReplicas`"] },
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  minReplicas: 5\n  maxReplicas: 2\n".into()),
        (Case { name: "hpa metric without its source", file: "h.yaml", expect: &["h.yaml:1", "spec.metrics[0]", "must populate information for the given metric source"] },
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 2\n  metrics: [{type: Resource}]\n".into()),
        (Case { name: "hpa target not positive", file: "h.yaml", expect: &["h.yaml:1", "spec.metrics[0].target.averageValue", "must be positive"] },
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 2\n  metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: \"0\"}}}]\n".into()),
        (Case { name: "toleration without key needs Exists", file: "tol.yaml", expect: &["tol.yaml:1", "tolerations[0].operator", "operator must be Exists"] },
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  tolerations: [{value: x, effect: NoSchedule}]\n  containers: [{name: c, image: x}]\n".into()),
        (Case { name: "schema-invalid node affinity (list instead of nodeSelectorTerms)", file: "na.yaml", expect: &["na.yaml:8:7", "requiredDuringSchedulingIgnoredDuringExecution", "invalid type: sequence"] },
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - weight: 1\n  containers: [{name: c, image: x}]\n".into()),
        (Case { name: "not a mapping", file: "nm2.yaml", expect: &["nm2.yaml:1", "must be a mapping"] },
            "- just\n- a list\n".into()),
    ];
    for (c, text) in &cases {
        check(c, text, dir.path());
    }
    assert!(cases.len() >= 20);
}

#[test]
fn bad_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), deployment("")).unwrap();
    let cases: Vec<(Case, String)> = vec![
        (
            Case {
                name: "unknown scenario field (typo)",
                file: "s1.yaml",
                expect: &["s1.yaml:11:", "unknown field `nodepools`"],
            },
            scenario("nodepools: []\n"),
        ),
        (
            Case {
                name: "bad duration",
                file: "s2.yaml",
                expect: &["s2.yaml:4:", "duration", "missing unit"],
            },
            scenario("").replace("duration: 1h", "duration: 90"),
        ),
        (
            Case {
                name: "negative duration",
                file: "s3.yaml",
                expect: &["s3.yaml:4:", "must not be negative"],
            },
            scenario("").replace("duration: 1h", "duration: -5m"),
        ),
        (
            Case {
                name: "absurd pool size",
                file: "s4.yaml",
                expect: &["s4.yaml:7:", "nodePools[0].count", "more than the 100000"],
            },
            scenario("").replace("count: 2", "count: 5000000"),
        ),
        (
            Case {
                name: "scale target missing",
                file: "s5.yaml",
                expect: &["s5.yaml:14", "events[0].scale.target", "is not defined"],
            },
            scenario(
                "manifests: [app.yaml]\nevents:\n  - at: 5m\n    scale: {target: deployment/api, replicas: 3}\n",
            ),
        ),
        (
            Case {
                name: "unknown action",
                file: "s6.yaml",
                expect: &["s6.yaml:", "unknown field `restart`"],
            },
            scenario("events:\n  - at: 5m\n    restart: {target: deployment/web}\n"),
        ),
        (
            Case {
                name: "unknown kind in target",
                file: "s7.yaml",
                expect: &["s7.yaml:14", "unknown kind \"widget\""],
            },
            scenario(
                "manifests: [app.yaml]\nevents:\n  - at: 5m\n    delete: {target: widget/web}\n",
            ),
        ),
        (
            Case {
                name: "missing node",
                file: "s8.yaml",
                expect: &[
                    "s8.yaml:13",
                    "events[0].cordon.node",
                    "node \"p-9\" does not exist",
                ],
            },
            scenario("events:\n  - at: 5m\n    cordon: {node: p-9}\n"),
        ),
        (
            Case {
                name: "missing manifest path",
                file: "s9.yaml",
                expect: &["s9.yaml:11", "manifests[0]", "not found"],
            },
            scenario("manifests: [nope.yaml]\n"),
        ),
        (
            Case {
                name: "duplicate object names",
                file: "s10.yaml",
                expect: &["duplicate Deployment \"web\""],
            },
            scenario("manifests: [app.yaml, app.yaml]\n"),
        ),
        (
            Case {
                name: "load target missing",
                file: "s11.yaml",
                expect: &["s11.yaml:13", "load[0].target", "Service \"front\""],
            },
            scenario(
                "load:\n  - name: l\n    target: {service: front}\n    rate: {constant: {rps: 5}}\n",
            ),
        ),
        (
            Case {
                name: "negative rate",
                file: "s12.yaml",
                expect: &["s12.yaml:", "load[0].rate", "non-negative"],
            },
            scenario(
                "manifests: [app.yaml]\nload:\n  - name: l\n    target: {deployment: web}\n    rate: {constant: {rps: -5}}\n",
            ),
        ),
        (
            Case {
                name: "wrong apiVersion",
                file: "s13.yaml",
                expect: &["s13.yaml:1", "apiVersion", "kubesim/v1alpha1"],
            },
            scenario("").replace("kubesim/v1alpha1", "kubesim/v2"),
        ),
        (
            Case {
                name: "min above max",
                file: "s14.yaml",
                expect: &["s14.yaml:", "nodePools[0].min", "greater than max"],
            },
            scenario("").replace("    count: 2\n", "    count: 2\n    min: 5\n    max: 3\n"),
        ),
        (
            Case {
                name: "bad quantity in pool template",
                file: "s15.yaml",
                expect: &["s15.yaml:10:", "allocatable.memory", "unknown suffix"],
            },
            scenario("").replace("memory: 8Gi", "memory: 8GB"),
        ),
        (
            Case {
                name: "noise out of range",
                file: "s16.yaml",
                expect: &["s16.yaml:", "load[0].noise", "between 0 and 1"],
            },
            scenario(
                "manifests: [app.yaml]\nload:\n  - name: l\n    target: {deployment: web}\n    rate: {constant: {rps: 5}}\n    noise: 3\n",
            ),
        ),
        (
            Case {
                name: "two actions in one event",
                file: "s17.yaml",
                expect: &["s17.yaml:", "one action per event"],
            },
            scenario(
                "manifests: [app.yaml]\nevents:\n  - at: 5m\n    cordon: {node: p-0}\n    uncordon: {node: p-0}\n",
            ),
        ),
        (
            Case {
                name: "negative scale",
                file: "s18.yaml",
                expect: &[
                    "s18.yaml:14",
                    "events[0].scale.replicas",
                    "greater than or equal to 0",
                ],
            },
            scenario(
                "manifests: [app.yaml]\nevents:\n  - at: 5m\n    scale: {target: deployment/web, replicas: -1}\n",
            ),
        ),
        (
            Case {
                name: "namespace mismatch on apply -n",
                file: "s19.yaml",
                expect: &["must pass '--namespace=other'"],
            },
            scenario(
                "manifests:\n  - {inline: \"apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: c, namespace: other}\\n\", namespace: prod}\n",
            ),
        ),
    ];
    for (c, text) in &cases {
        check(c, text, dir.path());
    }
    // `run` refuses the same way, and writes nothing.
    std::fs::write(
        dir.path().join("bad.yaml"),
        scenario("").replace("duration: 1h", "duration: 90"),
    )
    .unwrap();
    let (code, out) = run(&["run", "bad.yaml", "--out", "outdir"], dir.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("nothing was run"), "{out}");
    assert!(!dir.path().join("outdir").exists());
}

#[test]
fn missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run(&["validate", "nope.yaml"], dir.path());
    assert_eq!(code, 2);
    assert!(
        out.contains("nope.yaml: no such file or directory"),
        "{out}"
    );
    let (code, out) = run(&["run", "nope.yaml"], dir.path());
    assert_eq!(code, 2);
    assert!(out.contains("cannot read scenario nope.yaml"), "{out}");
}
