//! `KubeSchedulerConfiguration` files (`kubescheduler.config.k8s.io/v1`, the shape of
//! `staging/src/k8s.io/kube-scheduler/config/v1/types.go`, validated like
//! `pkg/scheduler/apis/config/validation/validation.go`): profiles selected by
//! `schedulerName`, plugins enabled and disabled per extension point with weights,
//! `pluginConfig` args, `percentageOfNodesToScore`, and the queue's back-off bounds.
//!
//! `v1beta3` (removed in v1.29) has the same shape and is read as `v1` with a warning; `v1beta1`
//! and `v1beta2` are refused with a clear message. Configurations embedded in a ConfigMap's
//! `data` are found too. Fields that do not change scheduling decisions (leader election,
//! client connection, bind addresses, parallelism) are accepted and ignored.

use super::profile::{POINTS, PluginEntry, PointConfig, Profile, ProfileConfig};
use super::registry::Registry;
use crate::diag::Diagnostic;
use crate::engine::SimDuration;
use crate::load::{Origin, SchedulerConfigDoc};
use crate::model::Interner;
use crate::scenario::locate::locate;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// A parsed configuration.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// Profiles, in file order (a default profile when the file has none).
    pub profiles: Vec<ProfileConfig>,
    /// Global `percentageOfNodesToScore` (`None` or 0: adaptive).
    pub percentage_of_nodes_to_score: Option<u32>,
    /// `podInitialBackoffSeconds` (default 1 s).
    pub pod_initial_backoff: SimDuration,
    /// `podMaxBackoffSeconds` (default 10 s).
    pub pod_max_backoff: SimDuration,
    /// The document's text and origin, for locating errors found later.
    pub doc: SchedulerConfigDoc,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            profiles: vec![ProfileConfig::default_for(
                crate::model::convert::DEFAULT_SCHEDULER,
            )],
            percentage_of_nodes_to_score: None,
            pod_initial_backoff: SimDuration::from_secs(1),
            pod_max_backoff: SimDuration::from_secs(10),
            doc: SchedulerConfigDoc {
                text: String::new(),
                api_version: "kubescheduler.config.k8s.io/v1".into(),
                origin: Origin::inline("<default>"),
            },
        }
    }
}

/// Top-level fields that do not affect scheduling decisions.
const IGNORED_TOP: &[&str] = &[
    "apiVersion",
    "kind",
    "parallelism",
    "leaderElection",
    "clientConnection",
    "healthzBindAddress",
    "metricsBindAddress",
    "enableProfiling",
    "enableContentionProfiling",
    "debuggingConfiguration",
    "delayCacheUntilActive",
];

struct Cx<'a> {
    doc: &'a SchedulerConfigDoc,
    warnings: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn at(&self, path: &str, d: Diagnostic) -> Diagnostic {
        let line = locate(&self.doc.text, path)
            .map(|l| self.doc.origin.line + l - 1)
            .unwrap_or(self.doc.origin.line);
        let mut d = d
            .in_file(&self.doc.origin.file)
            .at(line, None)
            .with_path(path);
        d.source_line = self
            .doc
            .text
            .lines()
            .nth((line - self.doc.origin.line) as usize)
            .map(str::to_string);
        d
    }
    fn err(&self, path: &str, msg: impl Into<String>) -> Diagnostic {
        self.at(path, Diagnostic::error(msg))
    }
    fn warn(&mut self, path: &str, msg: impl Into<String>) {
        let d = self.at(path, Diagnostic::warning(msg));
        self.warnings.push(d);
    }
}

fn as_u32(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// Finds `KubeSchedulerConfiguration` documents embedded as strings in a ConfigMap's `data`.
pub fn embedded_in_configmap(text: &str, origin: &Origin) -> Vec<SchedulerConfigDoc> {
    let Ok(v) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let Some(data) = v.get("data").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, val) in data {
        let (Some(key), Some(s)) = (k.as_str(), val.as_str()) else {
            continue;
        };
        for part in crate::load::documents::split_documents(s) {
            let part = part.text;
            let Ok(inner) = serde_yaml::from_str::<Value>(&part) else {
                continue;
            };
            if inner.get("kind").and_then(Value::as_str) != Some("KubeSchedulerConfiguration") {
                continue;
            }
            let api_version = inner
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let line = locate(text, &format!("data.{key}"))
                .map(|l| origin.line + l)
                .unwrap_or(origin.line);
            out.push(SchedulerConfigDoc {
                text: part,
                api_version,
                origin: Origin {
                    file: origin.file.clone(),
                    line,
                    item: None,
                },
            });
        }
    }
    out
}

/// Reads the `KubeSchedulerConfiguration` documents of a file: documents of that kind, and
/// configurations embedded in ConfigMaps. A file with none is an error.
pub fn load_file(
    path: &std::path::Path,
    display: &str,
) -> Result<Vec<SchedulerConfigDoc>, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::error(format!("cannot read scheduler configuration: {e}"))
            .in_file(&std::sync::Arc::from(display))
    })?;
    let file: std::sync::Arc<str> = std::sync::Arc::from(display);
    let mut out = Vec::new();
    for d in crate::load::documents::split_documents(&text) {
        let origin = Origin {
            file: file.clone(),
            line: d.first_line + 1,
            item: None,
        };
        let v: Value = serde_yaml::from_str(&d.text)
            .map_err(|e| Diagnostic::from_yaml(&e, &file, d.first_line))?;
        match v.get("kind").and_then(Value::as_str) {
            Some("KubeSchedulerConfiguration") => {
                let api_version = v
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                out.push(SchedulerConfigDoc {
                    text: d.text.clone(),
                    api_version,
                    origin,
                });
            }
            Some("ConfigMap") => out.extend(embedded_in_configmap(&d.text, &origin)),
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(Diagnostic::error("no KubeSchedulerConfiguration found (neither as a document nor inside a ConfigMap's data)").in_file(&file));
    }
    Ok(out)
}

/// Parses and validates one configuration document. Returns the configuration and warnings.
pub fn parse(doc: &SchedulerConfigDoc) -> Result<(SchedulerConfig, Vec<Diagnostic>), Diagnostic> {
    let mut cx = Cx {
        doc,
        warnings: Vec::new(),
    };
    match doc.api_version.as_str() {
        "kubescheduler.config.k8s.io/v1" => {}
        "kubescheduler.config.k8s.io/v1beta3" => cx.warn(
            "apiVersion",
            "kubescheduler.config.k8s.io/v1beta3 was removed in v1.29; read as kubescheduler.config.k8s.io/v1 (same fields)",
        ),
        v @ ("kubescheduler.config.k8s.io/v1beta1" | "kubescheduler.config.k8s.io/v1beta2") => {
            return Err(cx.err(
                "apiVersion",
                format!("{v} is no longer served (v1beta1 was removed in v1.26, v1beta2 in v1.28) and its plugin set differs; convert the file to kubescheduler.config.k8s.io/v1"),
            ));
        }
        other => return Err(cx.err("apiVersion", format!("unsupported KubeSchedulerConfiguration apiVersion {other:?}; use kubescheduler.config.k8s.io/v1"))),
    }
    let v: Value = serde_yaml::from_str(&doc.text)
        .map_err(|e| Diagnostic::from_yaml(&e, &doc.origin.file, doc.origin.line - 1))?;
    let Some(top) = v.as_mapping() else {
        return Err(cx.err("", "a KubeSchedulerConfiguration must be a mapping"));
    };
    let mut cfg = SchedulerConfig {
        doc: doc.clone(),
        profiles: Vec::new(),
        ..Default::default()
    };
    for (k, val) in top {
        let key = k.as_str().unwrap_or("");
        match key {
            "percentageOfNodesToScore" => {
                let p = as_u32(val)
                    .filter(|p| (0..=100).contains(p))
                    .ok_or_else(|| {
                        cx.err(
                            key,
                            "percentageOfNodesToScore: Invalid value: not in valid range [0-100]",
                        )
                    })?;
                cfg.percentage_of_nodes_to_score = Some(p as u32);
            }
            "podInitialBackoffSeconds" => {
                let s = as_u32(val).filter(|s| *s > 0).ok_or_else(|| {
                    cx.err(
                        key,
                        "podInitialBackoffSeconds: Invalid value: must be greater than 0",
                    )
                })?;
                cfg.pod_initial_backoff = SimDuration::from_secs(s as u64);
            }
            "podMaxBackoffSeconds" => {
                let s = as_u32(val).filter(|s| *s > 0).ok_or_else(|| {
                    cx.err(
                        key,
                        "podMaxBackoffSeconds: Invalid value: must be greater than 0",
                    )
                })?;
                cfg.pod_max_backoff = SimDuration::from_secs(s as u64);
            }
            "profiles" => {
                let Some(list) = val.as_sequence() else {
                    return Err(cx.err(key, "profiles must be a list"));
                };
                for (i, p) in list.iter().enumerate() {
                    cfg.profiles.push(parse_profile(&mut cx, i, p)?);
                }
            }
            "extenders" => {
                if val.as_sequence().is_some_and(|s| !s.is_empty()) {
                    return Err(cx.err(key, "scheduler extenders (HTTP webhooks) cannot be simulated; remove them or write the extender's logic as a kubesim plugin (docs/plugins.md)"));
                }
            }
            k if IGNORED_TOP.contains(&k) => {}
            other => cx.warn(other, format!("unknown field {other:?} ignored")),
        }
    }
    if cfg.pod_max_backoff < cfg.pod_initial_backoff {
        return Err(cx.err("podMaxBackoffSeconds", "podMaxBackoffSeconds: Invalid value: must be greater than or equal to PodInitialBackoffSeconds"));
    }
    if cfg.profiles.is_empty() {
        cfg.profiles.push(ProfileConfig::default_for(
            crate::model::convert::DEFAULT_SCHEDULER,
        ));
    }
    let mut seen = BTreeMap::new();
    for (i, p) in cfg.profiles.iter().enumerate() {
        if let Some(j) = seen.insert(p.scheduler_name.clone(), i) {
            return Err(cx.err(
                &format!("profiles[{i}].schedulerName"),
                format!(
                    "profiles[{i}].schedulerName: Duplicate value: {:?} (also profiles[{j}])",
                    p.scheduler_name
                ),
            ));
        }
    }
    Ok((cfg, cx.warnings))
}

fn parse_profile(cx: &mut Cx<'_>, i: usize, v: &Value) -> Result<ProfileConfig, Diagnostic> {
    let base = format!("profiles[{i}]");
    let Some(m) = v.as_mapping() else {
        return Err(cx.err(&base, "a profile must be a mapping"));
    };
    let mut p = ProfileConfig::default_for(crate::model::convert::DEFAULT_SCHEDULER);
    for (k, val) in m {
        let key = k.as_str().unwrap_or("");
        let path = format!("{base}.{key}");
        match key {
            "schedulerName" => {
                let s = val.as_str().unwrap_or("");
                if s.is_empty() {
                    return Err(cx.err(&path, format!("{path}: Required value")));
                }
                p.scheduler_name = s.to_string();
            }
            "percentageOfNodesToScore" => {
                let pct = as_u32(val)
                    .filter(|p| (0..=100).contains(p))
                    .ok_or_else(|| {
                        cx.err(
                            &path,
                            format!("{path}: Invalid value: not in valid range [0-100]"),
                        )
                    })?;
                p.percentage_of_nodes_to_score = Some(pct as u32);
            }
            "plugins" => {
                let Some(pm) = val.as_mapping() else {
                    return Err(cx.err(&path, "plugins must be a mapping of extension points"));
                };
                for (pk, pv) in pm {
                    let point = pk.as_str().unwrap_or("");
                    let ppath = format!("{path}.{point}");
                    if !POINTS.contains(&point) {
                        cx.warn(&ppath, format!("unknown extension point {point:?} ignored"));
                        continue;
                    }
                    p.plugins
                        .insert(point.to_string(), parse_point(cx, &ppath, pv)?);
                }
            }
            "pluginConfig" => {
                let Some(list) = val.as_sequence() else {
                    return Err(cx.err(&path, "pluginConfig must be a list"));
                };
                for (j, e) in list.iter().enumerate() {
                    let epath = format!("{path}[{j}]");
                    let name = e
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| cx.err(&epath, format!("{epath}.name: Required value")))?;
                    if p.plugin_config.contains_key(name) {
                        return Err(cx.err(
                            &format!("{epath}.name"),
                            format!("{epath}.name: Duplicate value: {name:?}"),
                        ));
                    }
                    let args = e.get("args").cloned().unwrap_or(Value::Null);
                    let args = if args.is_null() {
                        Value::Mapping(Default::default())
                    } else {
                        args
                    };
                    p.plugin_config.insert(name.to_string(), args);
                }
            }
            other => cx.warn(&path, format!("unknown field {other:?} ignored")),
        }
    }
    Ok(p)
}

fn parse_point(cx: &mut Cx<'_>, path: &str, v: &Value) -> Result<PointConfig, Diagnostic> {
    let mut pc = PointConfig::default();
    if v.is_null() {
        return Ok(pc);
    }
    let Some(m) = v.as_mapping() else {
        return Err(cx.err(path, "an extension point must have enabled/disabled lists"));
    };
    for (k, val) in m {
        let key = k.as_str().unwrap_or("");
        let lpath = format!("{path}.{key}");
        let list = match val {
            Value::Null => continue,
            Value::Sequence(s) => s,
            _ => return Err(cx.err(&lpath, format!("{lpath} must be a list of plugins"))),
        };
        for (j, e) in list.iter().enumerate() {
            let epath = format!("{lpath}[{j}]");
            let name = e
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| cx.err(&epath, format!("{epath}.name: Required value")))?;
            match key {
                "enabled" => {
                    let weight = match e.get("weight") {
                        None | Some(Value::Null) => 0,
                        Some(w) => {
                            w.as_i64()
                                .filter(|w| (0..=100).contains(w))
                                .ok_or_else(|| {
                                    cx.err(
                                    &format!("{epath}.weight"),
                                    format!(
                                        "{epath}.weight: Invalid value: must be in the range 0-100"
                                    ),
                                )
                                })? as i32
                        }
                    };
                    pc.enabled.push(PluginEntry {
                        name: name.to_string(),
                        weight,
                    });
                }
                "disabled" => pc.disabled.push(name.to_string()),
                other => cx.warn(&lpath, format!("unknown field {other:?} ignored")),
            }
        }
    }
    Ok(pc)
}

/// Instantiates the profiles of a configuration. Unknown plugins are reported at the line
/// that names them.
pub fn build_profiles(
    cfg: &SchedulerConfig,
    registry: &Registry,
    interner: &mut Interner,
) -> Result<Vec<Profile>, Diagnostic> {
    let cx = Cx {
        doc: &cfg.doc,
        warnings: Vec::new(),
    };
    let mut out = Vec::new();
    for (i, pc) in cfg.profiles.iter().enumerate() {
        for (point, set) in &pc.plugins {
            for (j, e) in set.enabled.iter().enumerate() {
                if !registry.has(&e.name) {
                    let msg = registry
                        .build(&e.name, None, interner)
                        .err()
                        .unwrap_or_default();
                    return Err(cx.err(
                        &format!("profiles[{i}].plugins.{point}.enabled[{j}].name"),
                        msg,
                    ));
                }
            }
        }
        for (j, name) in pc.plugin_config.keys().enumerate() {
            if !registry.has(name) {
                let msg = registry
                    .build(name, None, interner)
                    .err()
                    .unwrap_or_default();
                return Err(cx.err(&format!("profiles[{i}].pluginConfig[{j}].name"), msg));
            }
        }
        let p = Profile::build(pc, registry, interner, cfg.percentage_of_nodes_to_score).map_err(
            |e| {
                cx.err(
                    &format!("profiles[{i}]"),
                    format!("profile {:?}: {e}", pc.scheduler_name),
                )
            },
        )?;
        out.push(p);
    }
    let sorts: Vec<Option<&str>> = out.iter().map(|p| p.queue_sort).collect();
    if sorts.windows(2).any(|w| w[0] != w[1]) {
        return Err(cx.err(
            "profiles",
            "profiles: Invalid value: queueSort must be the same for all profiles",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> SchedulerConfigDoc {
        let api_version = serde_yaml::from_str::<Value>(text).unwrap()["apiVersion"]
            .as_str()
            .unwrap()
            .to_string();
        SchedulerConfigDoc {
            text: text.into(),
            api_version,
            origin: Origin::inline("test.yaml"),
        }
    }

    #[test]
    fn profiles_plugins_and_args() {
        let (cfg, warnings) = parse(&doc("apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packing
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
      enabled:
      - name: NodeResourcesFit
        weight: 5
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"))
        .unwrap();
        assert!(warnings.is_empty());
        assert_eq!(cfg.profiles.len(), 2);
        let mut i = Interner::new();
        let ps = build_profiles(&cfg, &Registry::in_tree(), &mut i).unwrap();
        assert_eq!(ps[1].scheduler_name, "bin-packing");
        assert_eq!(ps[1].percentage_of_nodes_to_score, Some(30));
        let d = ps[1].describe();
        assert!(
            d["score"].contains(&"NodeResourcesFit:5".to_string()),
            "{:?}",
            d["score"]
        );
        assert!(
            !d["score"]
                .iter()
                .any(|s| s.starts_with("NodeResourcesBalancedAllocation"))
        );
    }

    #[test]
    fn old_versions_and_unknown_plugins_get_clear_messages() {
        let e = parse(&doc(
            "apiVersion: kubescheduler.config.k8s.io/v1beta2\nkind: KubeSchedulerConfiguration\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("no longer served"), "{}", e.message);
        let (cfg, _) = parse(&doc("apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: x
  plugins:
    queueSort:
      enabled:
      - name: Coscheduling
"))
        .unwrap();
        let mut i = Interner::new();
        let e = build_profiles(&cfg, &Registry::in_tree(), &mut i)
            .err()
            .unwrap();
        assert!(e.message.contains("out-of-tree"), "{e:?}");
        assert_eq!(e.line, Some(8), "{e:?}");
        assert_eq!(
            e.path.as_deref(),
            Some("profiles[0].plugins.queueSort.enabled[0].name")
        );
    }

    #[test]
    fn duplicate_profiles_and_bad_ranges_are_rejected() {
        let e = parse(&doc(
            "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n- schedulerName: a\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("Duplicate value"), "{}", e.message);
        let e = parse(&doc("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 120\n")).unwrap_err();
        assert!(e.message.contains("[0-100]"));
    }

    #[test]
    fn configmap_embedded_configs_are_found() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  config.yaml: |\n    apiVersion: kubescheduler.config.k8s.io/v1\n    kind: KubeSchedulerConfiguration\n    profiles:\n    - schedulerName: s\n";
        let docs = embedded_in_configmap(text, &Origin::inline("cm.yaml"));
        assert_eq!(docs.len(), 1);
        let (cfg, _) = parse(&docs[0]).unwrap();
        assert_eq!(cfg.profiles[0].scheduler_name, "s");
    }
}
