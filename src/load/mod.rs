//! Loading real manifests: multi-document YAML (and JSON) streams, `kind: List`, directories.
//!
//! Each document is parsed twice: once for its `apiVersion`/`kind`, then into the typed struct
//! for that kind, so every error carries the file, line, column and field path. Kinds kubesim
//! does not simulate (Ingress, NetworkPolicy, RBAC, custom resources...) are set aside and
//! reported once per kind as "ignored: not simulated". Fields that are not Kubernetes fields at
//! all — usually typos — are reported as warnings.

pub mod documents;
pub mod known_fields;

use crate::api::{self, Object};
use crate::diag::{Diagnostic, Diagnostics};
use documents::{DocText, split_documents};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an object came from: for messages that point back at the user's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file as named by the user (or resolved from a scenario).
    pub file: Arc<str>,
    /// 1-based line where the object's document starts.
    pub line: u32,
    /// Index inside a `kind: List`, if the object came from one.
    pub item: Option<u32>,
}

impl Origin {
    /// An origin for objects created inline, without a file.
    pub fn inline(what: &str) -> Self {
        Origin {
            file: Arc::from(what),
            line: 1,
            item: None,
        }
    }

    /// An error located at this object, with a field path relative to the object.
    pub fn error(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let path = match self.item {
            Some(i) if path.is_empty() => format!("items[{i}]"),
            Some(i) => format!("items[{i}].{path}"),
            None => path.to_string(),
        };
        Diagnostic::error(message)
            .in_file(&self.file)
            .at(self.line, None)
            .with_path(path)
    }

    /// A warning located at this object.
    pub fn warning(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let mut d = self.error(path, message);
        d.severity = crate::diag::Severity::Warning;
        d
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(i) = self.item {
            write!(f, " (items[{i}])")?;
        }
        Ok(())
    }
}

/// A parsed object with its origin and the API version it was written in.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The object.
    pub object: Object,
    /// Where it came from.
    pub origin: Origin,
    /// Its `apiVersion` (legacy versions default some fields differently).
    pub api_version: String,
}

/// An object of a kind kubesim does not simulate.
#[derive(Clone, Debug)]
pub struct Ignored {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`, if any.
    pub name: String,
    /// Where it came from.
    pub origin: Origin,
}

/// A `KubeSchedulerConfiguration` document, kept as text for the scheduler to read.
#[derive(Clone, Debug)]
pub struct SchedulerConfigDoc {
    /// The document's YAML text.
    pub text: String,
    /// `apiVersion`.
    pub api_version: String,
    /// Where it came from.
    pub origin: Origin,
}

/// Accumulates objects, warnings and errors over any number of files.
#[derive(Debug, Default)]
pub struct Loader {
    /// Objects of simulated kinds, in file and document order.
    pub objects: Vec<Loaded>,
    /// Objects of kinds that are not simulated.
    pub ignored: Vec<Ignored>,
    /// Scheduler configuration documents.
    pub scheduler_configs: Vec<SchedulerConfigDoc>,
    /// Warnings (unknown fields, ignored kinds).
    pub warnings: Vec<Diagnostic>,
    /// Errors.
    pub errors: Diagnostics,
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<HeadMeta>,
}

#[derive(Deserialize, Default)]
struct HeadMeta {
    #[serde(default)]
    name: Option<serde_yaml::Value>,
}

/// How a `(apiVersion, kind)` pair is handled.
enum Handling {
    Simulated(api::Kind),
    ReplicationController,
    HpaV1,
    List,
    SchedulerConfig,
    Unsupported(&'static str),
    NotSimulated,
}

fn classify(api_version: &str, kind: &str) -> Handling {
    use api::Kind as K;
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let core = group.is_empty() && version == "v1";
    let apps = (group == "apps" && matches!(version, "v1" | "v1beta1" | "v1beta2"))
        || (group == "extensions" && version == "v1beta1");
    match kind {
        "Node" if core => Handling::Simulated(K::Node),
        "Pod" if core => Handling::Simulated(K::Pod),
        "Service" if core => Handling::Simulated(K::Service),
        "Namespace" if core => Handling::Simulated(K::Namespace),
        "ResourceQuota" if core => Handling::Simulated(K::ResourceQuota),
        "LimitRange" if core => Handling::Simulated(K::LimitRange),
        "ConfigMap" if core => Handling::Simulated(K::ConfigMap),
        "Secret" if core => Handling::Simulated(K::Secret),
        "PersistentVolume" if core => Handling::Simulated(K::PersistentVolume),
        "PersistentVolumeClaim" if core => Handling::Simulated(K::PersistentVolumeClaim),
        "ReplicationController" if core => Handling::ReplicationController,
        "List" if core || api_version.is_empty() => Handling::List,
        "Deployment" if apps => Handling::Simulated(K::Deployment),
        "ReplicaSet" if apps => Handling::Simulated(K::ReplicaSet),
        "DaemonSet" if apps => Handling::Simulated(K::DaemonSet),
        "StatefulSet" if apps => Handling::Simulated(K::StatefulSet),
        "Job" if group == "batch" && version == "v1" => Handling::Simulated(K::Job),
        "HorizontalPodAutoscaler" if group == "autoscaling" => match version {
            "v2" | "v2beta2" => Handling::Simulated(K::HorizontalPodAutoscaler),
            "v1" => Handling::HpaV1,
            _ => Handling::Unsupported(
                "autoscaling/v2beta1 is not supported: its metric fields differ; write autoscaling/v2",
            ),
        },
        "PodDisruptionBudget" if group == "policy" && matches!(version, "v1" | "v1beta1") => {
            Handling::Simulated(K::PodDisruptionBudget)
        }
        "PriorityClass" if group == "scheduling.k8s.io" => Handling::Simulated(K::PriorityClass),
        "StorageClass" if group == "storage.k8s.io" => Handling::Simulated(K::StorageClass),
        "VerticalPodAutoscaler" if group == "autoscaling.k8s.io" => {
            Handling::Simulated(K::VerticalPodAutoscaler)
        }
        "KubeSchedulerConfiguration" if group == "kubescheduler.config.k8s.io" => {
            Handling::SchedulerConfig
        }
        _ => Handling::NotSimulated,
    }
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Renders a serde_ignored path (`a.b.0.c`) in the usual notation (`a.b[0].c`).
fn render_path(raw: &str) -> String {
    let mut out = String::new();
    for seg in raw.split('.').filter(|s| *s != "?") {
        if numeric(seg) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

impl Loader {
    /// A loader with nothing loaded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a file, or every `*.yaml`, `*.yml` and `*.json` file under a directory (recursively,
    /// in sorted path order). `display` is how the path is shown in messages.
    pub fn load_path(&mut self, path: &Path, display: &str) {
        if path.is_dir() {
            let mut files = Vec::new();
            if let Err(e) = collect_files(path, &mut files) {
                self.errors.push(Diagnostic::error(format!(
                    "cannot read directory {display}: {e}"
                )));
                return;
            }
            if files.is_empty() {
                self.errors.push(Diagnostic::error(format!(
                    "directory {display} holds no .yaml, .yml or .json files"
                )));
            }
            for f in files {
                let rel = f.strip_prefix(path).unwrap_or(&f);
                let shown = Path::new(display).join(rel);
                self.load_file(&f, &shown.to_string_lossy());
            }
        } else {
            self.load_file(path, display);
        }
    }

    /// Loads one file.
    pub fn load_file(&mut self, path: &Path, display: &str) {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => self.load_str(&text, display),
                Err(_) => self.errors.push(Diagnostic::error(format!(
                    "{display}: not UTF-8 text (is it a YAML file?)"
                ))),
            },
            Err(e) => self
                .errors
                .push(Diagnostic::error(format!("cannot read {display}: {e}"))),
        }
    }

    /// Loads a YAML/JSON stream held in memory; `file` names it in messages.
    pub fn load_str(&mut self, text: &str, file: &str) {
        let file: Arc<str> = Arc::from(file);
        for doc in split_documents(text) {
            self.load_doc(&doc, text, &file);
        }
    }

    fn load_doc(&mut self, doc: &DocText, full: &str, file: &Arc<str>) {
        let origin = Origin {
            file: file.clone(),
            line: doc.first_line + 1,
            item: None,
        };
        let head: Option<Head> = match serde_yaml::from_str(&doc.text) {
            Ok(h) => h,
            Err(e) => {
                let mut d = Diagnostic::from_yaml(&e, file, doc.first_line).with_source(full);
                if d.message.starts_with("invalid type") && d.path.is_none() {
                    d.message = format!(
                        "a manifest must be a mapping with apiVersion and kind ({})",
                        d.message
                    );
                }
                self.errors.push(d);
                return;
            }
        };
        let Some(head) = head else { return };
        let (api_version, kind) = match (head.api_version, head.kind) {
            (Some(a), Some(k)) => (a, k),
            (a, k) => {
                let missing = match (a.is_none(), k.is_none()) {
                    (true, true) => "apiVersion and kind",
                    (true, false) => "apiVersion",
                    _ => "kind",
                };
                self.errors.push(
                    origin.error(
                        "",
                        format!(
                            "document has no {missing}: every manifest needs both (is this a fragment or a template?)"
                        ),
                    )
                    .with_source(full),
                );
                return;
            }
        };
        let name = head
            .metadata
            .and_then(|m| m.name)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        self.dispatch(doc, full, file, origin, api_version, kind, name);
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        doc: &DocText,
        full: &str,
        file: &Arc<str>,
        origin: Origin,
        api_version: String,
        kind: String,
        name: String,
    ) {
        let parsed: Result<Option<Object>, Diagnostic> = match classify(&api_version, &kind) {
            Handling::Simulated(k) => self.parse_kind(k, doc, full, file).map(Some),
            Handling::ReplicationController => self
                .typed::<api::workloads::ReplicationController>(doc, full, file)
                .map(|rc| Some(Object::ReplicaSet(rc_to_rs(rc)))),
            Handling::HpaV1 => self
                .typed::<api::autoscaling::HorizontalPodAutoscalerV1>(doc, full, file)
                .map(|h| Some(Object::HorizontalPodAutoscaler(h.into()))),
            Handling::List => {
                self.load_list(doc, full, file, &origin);
                return;
            }
            Handling::SchedulerConfig => {
                self.scheduler_configs.push(SchedulerConfigDoc {
                    text: doc.text.clone(),
                    api_version,
                    origin,
                });
                return;
            }
            Handling::Unsupported(why) => Err(origin.error("apiVersion", why)),
            Handling::NotSimulated => {
                self.ignored.push(Ignored {
                    api_version,
                    kind,
                    name,
                    origin,
                });
                return;
            }
        };
        match parsed {
            Ok(Some(object)) => self.objects.push(Loaded {
                object,
                origin,
                api_version,
            }),
            Ok(None) => {}
            Err(d) => self.errors.push(d),
        }
    }

    fn parse_kind(
        &mut self,
        k: api::Kind,
        doc: &DocText,
        full: &str,
        file: &Arc<str>,
    ) -> Result<Object, Diagnostic> {
        use api::Kind as K;
        Ok(match k {
            K::Node => Object::Node(self.typed(doc, full, file)?),
            K::Pod => Object::Pod(self.typed(doc, full, file)?),
            K::Deployment => Object::Deployment(self.typed(doc, full, file)?),
            K::ReplicaSet => Object::ReplicaSet(self.typed(doc, full, file)?),
            K::DaemonSet => Object::DaemonSet(self.typed(doc, full, file)?),
            K::StatefulSet => Object::StatefulSet(self.typed(doc, full, file)?),
            K::Job => Object::Job(self.typed(doc, full, file)?),
            K::Service => Object::Service(self.typed(doc, full, file)?),
            K::VerticalPodAutoscaler => Object::VerticalPodAutoscaler(self.typed(doc, full, file)?),
            K::HorizontalPodAutoscaler => {
                Object::HorizontalPodAutoscaler(self.typed(doc, full, file)?)
            }
            K::PodDisruptionBudget => Object::PodDisruptionBudget(self.typed(doc, full, file)?),
            K::Namespace => Object::Namespace(self.typed(doc, full, file)?),
            K::ResourceQuota => Object::ResourceQuota(self.typed(doc, full, file)?),
            K::LimitRange => Object::LimitRange(self.typed(doc, full, file)?),
            K::PriorityClass => Object::PriorityClass(self.typed(doc, full, file)?),
            K::ConfigMap => Object::ConfigMap(self.typed(doc, full, file)?),
            K::Secret => Object::Secret(self.typed(doc, full, file)?),
            K::PersistentVolume => Object::PersistentVolume(self.typed(doc, full, file)?),
            K::PersistentVolumeClaim => Object::PersistentVolumeClaim(self.typed(doc, full, file)?),
            K::StorageClass => Object::StorageClass(self.typed(doc, full, file)?),
        })
    }

    /// Parses a document into `T`, recording fields that are not Kubernetes fields as warnings.
    fn typed<T: DeserializeOwned>(
        &mut self,
        doc: &DocText,
        full: &str,
        file: &Arc<str>,
    ) -> Result<T, Diagnostic> {
        let mut unknown = Vec::new();
        let de = serde_yaml::Deserializer::from_str(&doc.text);
        let r = serde_ignored::deserialize(de, |p| {
            let raw = p.to_string();
            let last = raw
                .rsplit('.')
                .find(|s| !numeric(s) && *s != "?")
                .unwrap_or("");
            if !known_fields::is_known_unsimulated(last) {
                unknown.push(render_path(&raw));
            }
        });
        match r {
            Ok(v) => {
                for p in unknown {
                    self.warnings.push(
                        Diagnostic::warning(
                            "unknown field, ignored (a typo? Kubernetes would reject it)",
                        )
                        .in_file(file)
                        .at(doc.first_line + 1, None)
                        .with_path(p),
                    );
                }
                Ok(v)
            }
            Err(e) => Err(Diagnostic::from_yaml(&e, file, doc.first_line).with_source(full)),
        }
    }

    fn load_list(&mut self, doc: &DocText, full: &str, file: &Arc<str>, origin: &Origin) {
        #[derive(Deserialize)]
        struct ListDoc {
            #[serde(default)]
            items: Vec<serde_yaml::Value>,
        }
        let list: ListDoc = match serde_yaml::from_str(&doc.text) {
            Ok(l) => l,
            Err(e) => {
                self.errors
                    .push(Diagnostic::from_yaml(&e, file, doc.first_line).with_source(full));
                return;
            }
        };
        for (i, item) in list.items.into_iter().enumerate() {
            let o = Origin {
                item: Some(i as u32),
                ..origin.clone()
            };
            // Re-serialise the item so it goes through the same typed path as a document.
            let text = match serde_yaml::to_string(&item) {
                Ok(t) => t,
                Err(e) => {
                    self.errors.push(o.error("", e.to_string()));
                    continue;
                }
            };
            let sub = DocText {
                text,
                first_line: doc.first_line,
                index: doc.index,
            };
            let before = self.errors.0.len();
            let head: Option<Head> = serde_yaml::from_str(&sub.text).ok().flatten();
            match head {
                Some(Head {
                    api_version: Some(a),
                    kind: Some(k),
                    metadata,
                }) => {
                    let name = metadata
                        .and_then(|m| m.name)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    self.dispatch(&sub, &sub.text.clone(), file, o.clone(), a, k, name);
                }
                _ => self
                    .errors
                    .push(o.error("", "list item has no apiVersion or kind")),
            }
            // Errors inside list items are located by item index, not by re-serialised lines.
            for d in &mut self.errors.0[before..] {
                d.line = Some(o.line);
                d.column = None;
                d.source_line = None;
                *d = d.clone().under(&format!("items[{i}]"));
            }
        }
    }

    /// Adds one "ignored: not simulated" warning per ignored kind to [`warnings`](Self::warnings).
    pub fn summarize_ignored(&mut self) {
        let mut by_kind: BTreeMap<(String, String), Vec<&Ignored>> = BTreeMap::new();
        for ig in &self.ignored {
            by_kind
                .entry((ig.kind.clone(), ig.api_version.clone()))
                .or_default()
                .push(ig);
        }
        for ((kind, api_version), list) in by_kind {
            let first = list[0];
            let more = if list.len() > 1 {
                format!(" (and {} more)", list.len() - 1)
            } else {
                String::new()
            };
            let name = if first.name.is_empty() {
                String::new()
            } else {
                format!("/{}", first.name)
            };
            self.warnings.push(first.origin.warning(
                "",
                format!("{kind}{name} ({api_version}): ignored: not simulated{more}"),
            ));
        }
    }

    /// Finishes loading: the objects if there were no errors, otherwise every error.
    pub fn finish(mut self) -> Result<LoadedSet, Diagnostics> {
        self.summarize_ignored();
        if self.errors.has_errors() {
            return Err(self.errors);
        }
        Ok(LoadedSet {
            objects: self.objects,
            ignored: self.ignored,
            scheduler_configs: self.scheduler_configs,
            warnings: self.warnings,
        })
    }
}

/// The result of a successful load.
#[derive(Clone, Debug, Default)]
pub struct LoadedSet {
    /// Objects of simulated kinds.
    pub objects: Vec<Loaded>,
    /// Objects of other kinds.
    pub ignored: Vec<Ignored>,
    /// Scheduler configuration documents.
    pub scheduler_configs: Vec<SchedulerConfigDoc>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

fn rc_to_rs(rc: api::workloads::ReplicationController) -> api::workloads::ReplicaSet {
    let selector = rc.spec.selector.map(|m| api::LabelSelector {
        match_labels: api::Labels(m),
        match_expressions: Vec::new(),
    });
    api::workloads::ReplicaSet {
        metadata: rc.metadata,
        spec: api::workloads::ReplicaSetSpec {
            replicas: rc.spec.replicas,
            selector,
            template: rc.spec.template,
            min_ready_seconds: rc.spec.min_ready_seconds,
        },
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            collect_files(&p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Loads manifests from in-memory text (a convenience for tests and inline scenario documents).
pub fn load_text(text: &str, file: &str) -> Result<LoadedSet, Diagnostics> {
    let mut l = Loader::new();
    l.load_str(text, file);
    l.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_stream_list_and_ignores_others() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ResourceQuota\n  metadata: {name: q}\n  spec: {hard: {pods: \"10\"}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: nginx}]}\n";
        let set = load_text(text, "t.yaml").unwrap();
        assert_eq!(set.objects.len(), 2);
        assert_eq!(set.objects[0].object.kind(), api::Kind::ResourceQuota);
        assert_eq!(set.objects[0].origin.item, Some(0));
        assert_eq!(set.objects[1].origin.line, 12);
        assert_eq!(set.ignored.len(), 1);
        assert!(set.warnings.iter().any(|w| {
            w.message
                .contains("NetworkPolicy/np (networking.k8s.io/v1): ignored: not simulated")
        }));
    }

    #[test]
    fn located_errors() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources:\n      requests:\n        cpu: 12Xi\n";
        let err = load_text(text, "p.yaml").unwrap_err();
        let d = &err.0[0];
        assert_eq!(d.line, Some(9));
        assert_eq!(
            d.path.as_deref(),
            Some("spec.containers[0].resources.requests.cpu")
        );
        assert!(d.message.contains("unknown suffix"), "{}", d.message);
    }

    #[test]
    fn kindless_fragment_is_rejected() {
        let err = load_text("metadata:\n  generateName: x-\nspec: {}\n", "f.yaml").unwrap_err();
        assert!(
            err.0[0].message.contains("no apiVersion and kind"),
            "{}",
            err
        );
    }

    #[test]
    fn unknown_fields_warn() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replica: 3\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        command: [sh]\n";
        let set = load_text(text, "d.yaml").unwrap();
        let w: Vec<_> = set.warnings.iter().filter_map(|w| w.path.clone()).collect();
        assert_eq!(w, vec!["spec.replica".to_string()]);
    }
}
