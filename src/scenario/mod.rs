//! Scenario files: parsing, resolving the manifests they name, and checking everything before
//! a run starts, so that a bad scenario fails fast with located messages.

pub mod locate;
pub mod types;

use crate::api::{self, Kind, Object};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{SimDuration, SimTime};
use crate::load::{Loaded, Loader};
use crate::model::{Interner, convert};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use types::*;

/// The scenario API version.
pub const API_VERSION: &str = "kubesim/v1alpha1";

/// A resolved node pool.
#[derive(Clone, Debug)]
pub struct Pool {
    /// Name.
    pub name: String,
    /// Nodes at time zero.
    pub count: u32,
    /// Zones, round-robin.
    pub zones: Vec<String>,
    /// Template.
    pub template: api::node::Node,
    /// Autoscaler bounds.
    pub min: Option<u32>,
    /// Autoscaler bounds.
    pub max: Option<u32>,
    /// Price per node-hour.
    pub price_per_hour: f64,
    /// Provisioning delay for nodes added after time zero.
    pub provisioning_delay: SimDuration,
    /// Pull bandwidth, bytes per second.
    pub pull_bandwidth: i64,
    /// Images present on every node.
    pub prepulled_images: Vec<String>,
    /// Nodes requested after time zero may fail to come up.
    pub provisioning_failure: Option<ProvisioningFailure>,
}

/// A resolved image entry.
#[derive(Clone, Debug)]
pub struct Image {
    /// Reference.
    pub name: String,
    /// Size in bytes.
    pub size: Option<i64>,
    /// Cannot be pulled.
    pub missing: bool,
}

/// A resolved rate profile (CSV traces loaded).
#[derive(Clone, Debug)]
pub enum Rate {
    /// Constant.
    Constant(f64),
    /// Steps `(at, rps)` sorted by time.
    Step(Vec<(SimTime, f64)>),
    /// Ramp.
    Ramp {
        /// From.
        from: f64,
        /// To.
        to: f64,
        /// Start.
        start: SimTime,
        /// End.
        end: SimTime,
    },
    /// Diurnal cosine.
    Diurnal {
        /// Mean.
        base: f64,
        /// Amplitude.
        amplitude: f64,
        /// Period.
        period: SimDuration,
        /// Peak offset.
        peak_at: SimDuration,
    },
    /// Spike.
    Spike {
        /// Base.
        base: f64,
        /// Peak.
        peak: f64,
        /// Start.
        at: SimTime,
        /// Time at peak.
        duration: SimDuration,
        /// Ramp length.
        ramp: SimDuration,
    },
    /// A trace.
    Trace {
        /// Points sorted by time.
        points: Vec<(SimTime, f64)>,
        /// Linear interpolation (else step).
        linear: bool,
    },
}

/// A resolved load source.
#[derive(Clone, Debug)]
pub struct Load {
    /// Name.
    pub name: String,
    /// Target kind (`Service`, `Deployment` or `StatefulSet`).
    pub target_kind: Kind,
    /// Target name.
    pub target_name: String,
    /// Target namespace.
    pub namespace: String,
    /// Profiles (summed).
    pub rates: Vec<Rate>,
    /// Per-request cpu, millicore-seconds.
    pub cpu_per_request: f64,
    /// Per-request-per-second memory, bytes.
    pub memory_per_rps: f64,
    /// Baseline cpu per pod, millicores.
    pub cpu_per_pod: i64,
    /// Baseline memory per pod, bytes.
    pub memory_per_pod: i64,
    /// Relative noise.
    pub noise: f64,
}

/// A resolved `podBehaviors` entry (checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodBehavior {
    /// Namespace of the pods.
    pub namespace: String,
    /// `matchLabels` the pods must carry.
    pub selector: Vec<(String, String)>,
    /// Only pods of this workload (Deployment, ReplicaSet or Job).
    pub workload: Option<(Kind, String)>,
    /// Containers it applies to (empty: all app containers).
    pub containers: Vec<String>,
    /// How long a container runs before it exits.
    pub run_time: SimDuration,
    /// Exit code at that time (0: Completed, otherwise Error).
    pub exit_code: i32,
    /// Seeded uniform extra run time in `[0, jitter)`.
    pub jitter: SimDuration,
}

/// The `memory.available` hard eviction threshold.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MemoryThreshold {
    /// An absolute quantity in bytes.
    Bytes(i64),
    /// A percentage of the node's memory capacity, in hundredths of a percent.
    Percent(u32),
}

/// A resolved timed action.
#[derive(Clone, Debug)]
pub enum ResolvedAction {
    /// Apply these objects.
    Apply(Vec<Loaded>),
    /// Any other action, as written.
    Other(Action),
}

/// A resolved timed event.
#[derive(Clone, Debug)]
pub struct TimedEvent {
    /// When.
    pub at: SimTime,
    /// Note.
    pub note: Option<String>,
    /// What.
    pub action: ResolvedAction,
    /// Line in the scenario file.
    pub line: Option<u32>,
}

/// A scenario, resolved and checked.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The scenario file as named.
    pub file: Arc<str>,
    /// Directory relative paths resolve against.
    pub dir: PathBuf,
    /// Seed.
    pub seed: u64,
    /// Simulated duration.
    pub duration: SimDuration,
    /// Pools.
    pub pools: Vec<Pool>,
    /// Objects applied at time zero.
    pub initial: Vec<Loaded>,
    /// The scheduler configuration (from `scheduler.config` or the manifests), validated.
    pub scheduler_config: Option<crate::scheduler::config::SchedulerConfig>,
    /// Images.
    pub images: Vec<Image>,
    /// Load sources.
    pub load: Vec<Load>,
    /// Timed events, sorted by time (stable).
    pub events: Vec<TimedEvent>,
    /// Scheduler settings.
    pub scheduler: SchedulerSettings,
    /// Kubelet settings.
    pub kubelet: KubeletSettings,
    /// Container behaviours (`podBehaviors`), in file order (the first match wins).
    pub pod_behaviors: Vec<PodBehavior>,
    /// The hard `memory.available` eviction threshold (`None`: eviction disabled).
    pub eviction_memory: Option<MemoryThreshold>,
    /// Controller settings.
    pub controllers: ControllerSettings,
    /// Storage settings.
    pub storage: StorageSettings,
    /// metrics-server settings.
    pub metrics: MetricsSettings,
    /// Cluster Autoscaler settings (None: no autoscaler).
    pub cluster_autoscaler: Option<ClusterAutoscalerSettings>,
    /// Output settings.
    pub output: OutputSettings,
    /// Warnings found while loading.
    pub warnings: Vec<Diagnostic>,
}

/// Kinds that load but whose controllers are not simulated yet.
pub const NOT_YET_SIMULATED: &[Kind] = &[];

/// Upper bound on nodes per pool (a typo guard; the scalability envelope is 5,000 nodes).
pub const MAX_POOL_NODES: u32 = 100_000;

struct Ctx<'a> {
    file: Arc<str>,
    text: &'a str,
    errors: Diagnostics,
    warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, path: &str, msg: impl Into<String>) {
        let mut d = Diagnostic::error(msg).in_file(&self.file).with_path(path);
        if let Some(l) = locate::locate(self.text, path) {
            d = d.at(l, None).with_source(self.text);
        }
        self.errors.push(d);
    }
    fn warn(&mut self, path: &str, msg: impl Into<String>) {
        let mut d = Diagnostic::warning(msg).in_file(&self.file).with_path(path);
        if let Some(l) = locate::locate(self.text, path) {
            d = d.at(l, None);
        }
        self.warnings.push(d);
    }
}

/// True when a YAML file is a kubesim scenario (its `kind` is `Scenario`).
pub fn is_scenario_text(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        kind: Option<String>,
        #[serde(default, rename = "apiVersion")]
        api_version: Option<String>,
    }
    let docs = crate::load::documents::split_documents(text);
    if docs.len() != 1 {
        return false;
    }
    match serde_yaml::from_str::<Option<Head>>(&docs[0].text) {
        Ok(Some(h)) => {
            h.kind.as_deref() == Some("Scenario")
                || h.api_version
                    .as_deref()
                    .is_some_and(|a| a.starts_with("kubesim/"))
        }
        _ => false,
    }
}

/// Reads, resolves and checks a scenario file. `display` is how the path is shown.
pub fn load_scenario(path: &Path, display: &str) -> Result<Scenario, Diagnostics> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics::one(Diagnostic::error(format!(
            "cannot read scenario {display}: {e}"
        )))
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_scenario_str(&text, display, &dir)
}

/// Like [`load_scenario`] for text already in memory; relative paths resolve against `dir`.
pub fn load_scenario_str(text: &str, display: &str, dir: &Path) -> Result<Scenario, Diagnostics> {
    let file: Arc<str> = Arc::from(display);
    let mut raw: ScenarioFile = serde_yaml::from_str(text)
        .map_err(|e| Diagnostics::one(Diagnostic::from_yaml(&e, &file, 0).with_source(text)))?;
    let mut cx = Ctx {
        file: file.clone(),
        text,
        errors: Diagnostics::default(),
        warnings: Vec::new(),
    };
    if raw.api_version != API_VERSION {
        cx.err(
            "apiVersion",
            format!(
                "unsupported apiVersion {:?}: expected {API_VERSION:?}",
                raw.api_version
            ),
        );
    }
    if raw.kind != "Scenario" {
        cx.err(
            "kind",
            format!("expected kind Scenario, found {:?}", raw.kind),
        );
    }
    if raw.metadata.name.trim().is_empty() {
        cx.err("metadata.name", "Required value: a scenario needs a name");
    } else if raw.metadata.name.contains(['/', '\\']) || raw.metadata.name.starts_with('.') {
        cx.err(
            "metadata.name",
            "a scenario name must not contain path separators or start with '.'",
        );
    }
    let duration = raw.duration.0;
    if duration == SimDuration::ZERO {
        cx.err("duration", "must be greater than 0");
    } else if duration > SimDuration::from_secs(366 * 86_400) {
        cx.err("duration", "is longer than a year: is that a typo?");
    }

    // Manifests at time zero.
    let mut loader = Loader::new();
    for (i, m) in raw.manifests.iter().enumerate() {
        load_source(m, dir, &mut loader, &format!("manifests[{i}]"), &mut cx);
    }
    let mut config_docs = Vec::new();
    if let Some(cfg) = &raw.scheduler.config {
        let p = dir.join(cfg);
        if !p.is_file() {
            cx.err(
                "scheduler.config",
                format!(
                    "scheduler configuration {cfg:?} not found (looked at {})",
                    p.display()
                ),
            );
        } else {
            match crate::scheduler::config::load_file(&p, &display_join(display, cfg)) {
                Ok(docs) => config_docs = docs,
                Err(d) => cx.errors.push(d),
            }
        }
    }
    let loaded = match loader.finish() {
        Ok(set) => set,
        Err(e) => {
            cx.errors.extend(e);
            Default::default()
        }
    };
    cx.warnings.extend(loaded.warnings.iter().cloned());
    config_docs.extend(loaded.scheduler_configs.iter().cloned());
    let scheduler_config = match config_docs.as_slice() {
        [] => None,
        [doc] => match crate::scheduler::config::parse(doc) {
            Ok((cfg, warnings)) => {
                cx.warnings.extend(warnings);
                // Instantiate once to report unknown plugins and bad args now.
                let mut scratch = crate::model::Interner::new();
                match crate::scheduler::config::build_profiles(
                    &cfg,
                    &crate::scheduler::registry::Registry::in_tree(),
                    &mut scratch,
                ) {
                    Ok(_) => Some(cfg),
                    Err(d) => {
                        cx.errors.push(d);
                        None
                    }
                }
            }
            Err(d) => {
                cx.errors.push(d);
                None
            }
        },
        [_, second, ..] => {
            cx.errors.push(second.origin.error(
                "kind",
                "a scenario takes one KubeSchedulerConfiguration; put every profile in one file",
            ));
            None
        }
    };
    let initial = loaded.objects;

    // Pools.
    let mut pools = Vec::new();
    let mut pool_names = BTreeSet::new();
    let mut node_names: BTreeSet<String> = BTreeSet::new();
    for (i, p) in raw.node_pools.iter().enumerate() {
        let path = format!("nodePools[{i}]");
        if let Err(e) = api::validation::check_dns_label(&p.name) {
            cx.err(&format!("{path}.name"), e);
        }
        if !pool_names.insert(p.name.clone()) {
            cx.err(
                &format!("{path}.name"),
                format!("duplicate pool name {:?}", p.name),
            );
        }
        if p.count > MAX_POOL_NODES {
            cx.err(
                &format!("{path}.count"),
                format!(
                    "{} nodes is more than the {MAX_POOL_NODES} a pool may hold",
                    p.count
                ),
            );
        }
        if let (Some(lo), Some(hi)) = (p.min, p.max)
            && lo > hi
        {
            cx.err(
                &format!("{path}.min"),
                format!("min ({lo}) is greater than max ({hi})"),
            );
        }
        if let Some(hi) = p.max
            && hi > MAX_POOL_NODES
        {
            cx.err(
                &format!("{path}.max"),
                format!("max {hi} is more than {MAX_POOL_NODES}"),
            );
        }
        if let Some(pr) = p.price_per_hour
            && (!pr.is_finite() || pr < 0.0)
        {
            cx.err(
                &format!("{path}.pricePerHour"),
                "must be a non-negative number",
            );
        }
        if let Some(f) = &p.provisioning_failure {
            if let Some(pr) = f.probability
                && !(0.0..=1.0).contains(&pr)
            {
                cx.err(
                    &format!("{path}.provisioningFailure.probability"),
                    "must be in [0, 1]",
                );
            }
            if let (Some(a), Some(b)) = (&f.from, &f.until)
                && b.0 <= a.0
            {
                cx.err(
                    &format!("{path}.provisioningFailure.until"),
                    "must be later than `from`",
                );
            }
            if p.max.is_none() {
                cx.warn(
                    &format!("{path}.provisioningFailure"),
                    "only nodes requested after time zero can fail; without `max` the autoscaler never requests any",
                );
            }
        }
        for (z, zone) in p.zones.iter().enumerate() {
            if let Err(e) = api::validation::check_label_value(zone) {
                cx.err(&format!("{path}.zones[{z}]"), e);
            }
        }
        let bw = match &p.image_pull_bandwidth {
            Some(q) => match q.value() {
                Ok(v) if v > 0 => v,
                _ => {
                    cx.err(
                        &format!("{path}.imagePullBandwidth"),
                        "must be a positive quantity (bytes per second), e.g. 50Mi",
                    );
                    convert::DEFAULT_PULL_BANDWIDTH
                }
            },
            None => convert::DEFAULT_PULL_BANDWIDTH,
        };
        // Check the template converts into a node.
        let mut t = p.template.clone();
        t.metadata.name = Some(format!("{}-0", p.name));
        let mut interner = Interner::new();
        if let Err(mut d) = convert::node(
            &t,
            &mut interner,
            &crate::load::Origin::inline(display),
            0,
            SimTime::ZERO,
        ) {
            let field = d.path.take().unwrap_or_default();
            cx.err(&format!("{path}.template.{field}"), d.message);
        }
        for n in 0..p.count {
            node_names.insert(format!("{}-{n}", p.name));
        }
        pools.push(Pool {
            name: p.name.clone(),
            count: p.count,
            zones: p.zones.clone(),
            template: p.template.clone(),
            min: p.min,
            max: p.max,
            price_per_hour: p.price_per_hour.unwrap_or(0.0),
            provisioning_delay: p
                .provisioning_delay
                .map(|d| d.0)
                .unwrap_or(SimDuration::ZERO),
            pull_bandwidth: bw,
            prepulled_images: p.prepulled_images.clone(),
            provisioning_failure: p.provisioning_failure.clone(),
        });
    }

    // Images.
    let mut images = Vec::new();
    let mut image_names = BTreeSet::new();
    for (i, im) in raw.images.iter().enumerate() {
        if !image_names.insert(im.name.clone()) {
            cx.err(
                &format!("images[{i}].name"),
                format!("duplicate image {:?}", im.name),
            );
        }
        let size = match &im.size {
            Some(q) => match q.value() {
                Ok(v) if v >= 0 => Some(v),
                _ => {
                    cx.err(
                        &format!("images[{i}].size"),
                        "must be a non-negative quantity of bytes",
                    );
                    None
                }
            },
            None => None,
        };
        images.push(Image {
            name: im.name.clone(),
            size,
            missing: im.missing,
        });
    }

    // Timed events: resolve applies first, so later checks know every object that will exist.
    let mut known = ObjectIndex::default();
    known.add_all(&initial);
    for l in &initial {
        if let Object::Node(n) = &l.object {
            node_names.insert(n.metadata.name.clone().unwrap_or_default());
        }
    }
    check_duplicates(&initial, &mut cx);
    let mut events = Vec::new();
    let mut order: Vec<(usize, &ScenarioEvent)> = raw.events.iter().enumerate().collect();
    order.sort_by_key(|(i, e)| (e.at, *i));
    let mut added_per_pool: BTreeMap<String, u32> = BTreeMap::new();
    for (i, ev) in order {
        let path = format!("events[{i}]");
        if ev.at > duration {
            cx.warn(
                &format!("{path}.at"),
                format!(
                    "at {} is after the scenario ends ({}): the action never runs",
                    ev.at, duration
                ),
            );
        }
        let action = match &ev.action {
            Action::Apply(src) => {
                let mut l = Loader::new();
                load_source(src, dir, &mut l, &format!("{path}.apply"), &mut cx);
                match l.finish() {
                    Ok(set) => {
                        cx.warnings.extend(set.warnings);
                        check_duplicates(&set.objects, &mut cx);
                        known.add_all(&set.objects);
                        for o in &set.objects {
                            if let Object::Node(n) = &o.object {
                                node_names.insert(n.metadata.name.clone().unwrap_or_default());
                            }
                        }
                        ResolvedAction::Apply(set.objects)
                    }
                    Err(e) => {
                        cx.errors.extend(e);
                        ResolvedAction::Apply(Vec::new())
                    }
                }
            }
            other => {
                check_action(
                    other,
                    &path,
                    &known,
                    &pool_names,
                    &mut node_names,
                    &mut added_per_pool,
                    &mut cx,
                );
                ResolvedAction::Other(other.clone())
            }
        };
        events.push(TimedEvent {
            at: SimTime::ZERO + ev.at,
            note: ev.note.clone(),
            action,
            line: locate::locate(text, &path),
        });
    }

    // Load sources.
    let mut load = Vec::new();
    let mut load_names = BTreeSet::new();
    for (i, l) in raw.load.iter().enumerate() {
        let path = format!("load[{i}]");
        if !load_names.insert(l.name.clone()) {
            cx.err(
                &format!("{path}.name"),
                format!("duplicate load name {:?}", l.name),
            );
        }
        if let Some(r) = resolve_load(l, &path, dir, display, &known, &mut cx) {
            load.push(r);
        }
    }

    // Kinds that load but have no controller yet: say so once per kind.
    {
        let mut all: Vec<&Loaded> = initial.iter().collect();
        for e in &events {
            if let ResolvedAction::Apply(objs) = &e.action {
                all.extend(objs.iter());
            }
        }
        let mut by_kind: BTreeMap<Kind, (usize, String)> = BTreeMap::new();
        for l in all {
            if NOT_YET_SIMULATED.contains(&l.object.kind()) {
                let e = by_kind
                    .entry(l.object.kind())
                    .or_insert((0, l.origin.to_string()));
                e.0 += 1;
            }
        }
        for (kind, (n, first)) in by_kind {
            cx.warnings.push(Diagnostic::warning(format!(
                "{n} {kind} object(s) loaded (first at {first}) but not simulated yet: they are stored and validated, nothing acts on them (see docs/fidelity.md)"
            )));
        }
    }

    // Job features the Job controller does not simulate.
    for l in initial
        .iter()
        .chain(events.iter().flat_map(|e| match &e.action {
            ResolvedAction::Apply(objs) => objs.iter(),
            _ => [].iter(),
        }))
    {
        if let Object::Job(j) = &l.object {
            if j.spec.completion_mode.as_deref() == Some("Indexed") {
                cx.warnings.push(Diagnostic::warning(format!(
                    "{}: Job {:?}: completionMode Indexed is simulated as NonIndexed (no completion indexes)",
                    l.origin,
                    l.object.name()
                )));
            }
            if j.spec.ttl_seconds_after_finished.is_some() {
                cx.warnings.push(Diagnostic::warning(format!(
                    "{}: Job {:?}: ttlSecondsAfterFinished is not simulated (finished Jobs stay)",
                    l.origin,
                    l.object.name()
                )));
            }
        }
    }

    // Dry-run conversion of every object, so model-level errors surface now.
    dry_run_convert(&initial, &mut cx);
    for e in &events {
        if let ResolvedAction::Apply(objs) = &e.action {
            dry_run_convert(objs, &mut cx);
        }
    }

    if let Some(si) = &raw.output.sample_interval
        && si.0 == SimDuration::ZERO
    {
        cx.err("output.sampleInterval", "must be greater than 0");
    }
    if let Some(g) = &raw.controllers.node_monitor_period
        && g.0 == SimDuration::ZERO
    {
        cx.err("controllers.nodeMonitorPeriod", "must be greater than 0");
    }
    if let Some(s) = raw.controllers.default_toleration_seconds
        && s < 0
    {
        cx.err(
            "controllers.defaultTolerationSeconds",
            "must not be negative",
        );
    }

    if let Some(r) = &raw.metrics.resolution
        && r.0 < SimDuration::from_secs(10)
    {
        cx.err(
            "metrics.resolution",
            "must be at least 10s (metrics-server's minimum)",
        );
    }
    if let Some(ca) = raw.cluster_autoscaler.as_mut() {
        use crate::autoscaling::expander::{
            Expander, PRIORITY_CONFIGMAP, PRIORITY_KEY, Priorities, parse_chain,
        };
        let chain = match &ca.expander {
            Some(e) => match parse_chain(e) {
                Ok(c) => c,
                Err(m) => {
                    cx.err("clusterAutoscaler.expander", m);
                    Vec::new()
                }
            },
            None => vec![Expander::LeastWaste],
        };
        if let Some(p) = &ca.priorities
            && let Err(e) = Priorities::compile(p)
        {
            let path = match (e.priority, e.rule) {
                (Some(p), Some(r)) => format!("clusterAutoscaler.priorities.{p}[{r}]"),
                _ => "clusterAutoscaler.priorities".to_string(),
            };
            cx.err(&path, e.message);
        }
        // The priority expander's ConfigMap (kube-system), as upstream reads it.
        let cm = initial.iter().find(|l| {
            matches!(l.object, Object::ConfigMap(_))
                && l.object.name() == PRIORITY_CONFIGMAP
                && l.object.namespace() == "kube-system"
        });
        if let Some(l) = cm
            && let Object::ConfigMap(c) = &l.object
        {
            let path = format!("data.{PRIORITY_KEY}");
            match c.data.0.get(PRIORITY_KEY) {
                None => cx.errors.push(l.origin.error(
                    &path,
                    format!("Wrong configmap for priority expander, doesn't contain {PRIORITY_KEY} key"),
                )),
                Some(text) => match Priorities::parse_yaml(text) {
                    Err(e) => {
                        let path = match (e.priority, e.rule) {
                            (Some(p), Some(r)) => format!("{path} ({p}[{r}])"),
                            _ => path,
                        };
                        cx.errors.push(l.origin.error(&path, e.message));
                    }
                    Ok(_) if ca.priorities.is_some() => cx.err(
                        "clusterAutoscaler.priorities",
                        format!(
                            "priorities are set both here and in ConfigMap kube-system/{PRIORITY_CONFIGMAP} ({}): keep one",
                            l.origin
                        ),
                    ),
                    Ok(_) => {
                        // Valid: hand the map to the autoscaler as if set in the scenario.
                        if let Ok(m) = serde_yaml::from_str(text) {
                            ca.priorities = Some(m);
                        }
                    }
                },
            }
        }
        if chain.contains(&Expander::Priority) && ca.priorities.is_none() && cm.is_none() {
            cx.err(
                "clusterAutoscaler.expander",
                format!(
                    "the priority expander needs priorities: set clusterAutoscaler.priorities or apply ConfigMap kube-system/{PRIORITY_CONFIGMAP} with key {PRIORITY_KEY} in the manifests"
                ),
            );
        }
        for (field, d) in [
            ("maxNodeProvisionTime", &ca.max_node_provision_time),
            (
                "initialNodeGroupBackoffDuration",
                &ca.initial_node_group_backoff_duration,
            ),
            (
                "maxNodeGroupBackoffDuration",
                &ca.max_node_group_backoff_duration,
            ),
        ] {
            if let Some(d) = d
                && d.0 == SimDuration::ZERO
            {
                cx.err(
                    &format!("clusterAutoscaler.{field}"),
                    "must be greater than 0",
                );
            }
        }
        if let Some(t) = ca.scale_down_utilization_threshold
            && !(t > 0.0 && t <= 1.0)
        {
            cx.err(
                "clusterAutoscaler.scaleDownUtilizationThreshold",
                "must be in (0, 1]",
            );
        }
        if let Some(s) = &ca.scan_interval
            && s.0 == SimDuration::ZERO
        {
            cx.err("clusterAutoscaler.scanInterval", "must be greater than 0");
        }
        if !raw.node_pools.iter().any(|p| p.max.is_some()) {
            cx.err(
                "clusterAutoscaler",
                "no node pool sets `max`: the autoscaler has no node group to scale",
            );
        }
    }

    let pod_behaviors = check_pod_behaviors(&raw.pod_behaviors, &mut cx);
    let eviction_memory = check_eviction(&raw.kubelet, &mut cx);

    if cx.errors.has_errors() {
        return Err(cx.errors);
    }
    Ok(Scenario {
        name: raw.metadata.name,
        description: raw.metadata.description,
        file,
        dir: dir.to_path_buf(),
        seed: raw.seed.unwrap_or(1),
        duration,
        pools,
        initial,
        scheduler_config,
        images,
        load,
        events,
        scheduler: raw.scheduler,
        kubelet: raw.kubelet,
        storage: raw.storage,
        metrics: raw.metrics,
        cluster_autoscaler: raw.cluster_autoscaler,
        pod_behaviors,
        eviction_memory,
        controllers: raw.controllers,
        output: raw.output,
        warnings: cx.warnings,
    })
}

/// Checks `podBehaviors` entries (located errors for bad values).
fn check_pod_behaviors(specs: &[PodBehaviorSpec], cx: &mut Ctx<'_>) -> Vec<PodBehavior> {
    let mut out = Vec::new();
    for (i, b) in specs.iter().enumerate() {
        let path = format!("podBehaviors[{i}]");
        let errors_before = cx.errors.0.len();
        let namespace = b.namespace.clone().unwrap_or_else(|| "default".into());
        if let Err(e) = api::validation::check_dns_label(&namespace) {
            cx.err(&format!("{path}.namespace"), e);
        }
        for (k, v) in &b.selector {
            if let Err(e) = api::validation::check_qualified_name(k) {
                cx.err(&format!("{path}.selector"), e);
            }
            if let Err(e) = api::validation::check_label_value(v) {
                cx.err(&format!("{path}.selector"), e);
            }
        }
        let workload = match b.workload.as_deref().map(parse_target) {
            None => None,
            Some(Ok((k @ (Kind::Deployment | Kind::ReplicaSet | Kind::Job), name))) => {
                Some((k, name))
            }
            Some(Ok((k, _))) => {
                cx.err(
                    &format!("{path}.workload"),
                    format!("{k} workloads are not supported here: use deployment/, replicaset/ or job/ (or a selector)"),
                );
                None
            }
            Some(Err(e)) => {
                cx.err(&format!("{path}.workload"), e);
                None
            }
        };
        for (j, c) in b.containers.iter().enumerate() {
            if let Err(e) = api::validation::check_dns_label(c) {
                cx.err(&format!("{path}.containers[{j}]"), e);
            }
        }
        let (run_time, default_code, field) = match (&b.run_time, &b.crash_after) {
            (Some(r), None) => (r.0, 0, "runTime"),
            (None, Some(c)) => (c.0, 1, "crashAfter"),
            (Some(_), Some(_)) => {
                cx.err(
                    &format!("{path}.crashAfter"),
                    "set either runTime (exit after running) or crashAfter (crash after running), not both",
                );
                continue;
            }
            (None, None) => {
                cx.err(
                    &path,
                    "Required value: runTime (exit after running) or crashAfter (crash after running)",
                );
                continue;
            }
        };
        if run_time == SimDuration::ZERO {
            cx.err(&format!("{path}.{field}"), "must be greater than 0");
        }
        let exit_code = b.exit_code.unwrap_or(default_code);
        if !(0..=255).contains(&exit_code) {
            cx.err(
                &format!("{path}.exitCode"),
                format!("Invalid value: {exit_code}: must be between 0 and 255"),
            );
        } else if field == "crashAfter" && exit_code == 0 {
            cx.err(
                &format!("{path}.exitCode"),
                "Invalid value: 0: a crash needs a non-zero exit code (use runTime for a successful exit)",
            );
        }
        if cx.errors.0.len() > errors_before {
            continue;
        }
        out.push(PodBehavior {
            namespace,
            selector: b
                .selector
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            workload,
            containers: b.containers.clone(),
            run_time,
            exit_code,
            jitter: b.jitter.map(|d| d.0).unwrap_or(SimDuration::ZERO),
        });
    }
    out
}

/// Checks `kubelet.evictionHard` and returns the `memory.available` threshold.
fn check_eviction(k: &KubeletSettings, cx: &mut Ctx<'_>) -> Option<MemoryThreshold> {
    // The kubelet's default (pkg/kubelet/apis/config/v1beta1/defaults_linux.go).
    let default = Some(MemoryThreshold::Bytes(100 * 1024 * 1024));
    if let Some(p) = &k.eviction_pressure_transition_period
        && p.0 == SimDuration::ZERO
    {
        cx.err(
            "kubelet.evictionPressureTransitionPeriod",
            "must be greater than 0",
        );
    }
    let Some(map) = &k.eviction_hard else {
        return default;
    };
    const NOT_SIMULATED: &[&str] = &[
        "nodefs.available",
        "nodefs.inodesFree",
        "imagefs.available",
        "imagefs.inodesFree",
        "containerfs.available",
        "containerfs.inodesFree",
        "pid.available",
        "allocatableMemory.available",
    ];
    // Setting evictionHard replaces the whole default map, as in the kubelet.
    let mut memory = None;
    for (signal, value) in map {
        let path = format!("kubelet.evictionHard.{signal}");
        if NOT_SIMULATED.contains(&signal.as_str()) {
            cx.warn(
                &path,
                format!("eviction signal {signal:?} is not simulated (only memory.available is)"),
            );
            continue;
        }
        if signal != "memory.available" {
            cx.err(
                &path,
                format!("unknown eviction signal {signal:?}: expected memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, containerfs.available, containerfs.inodesFree or pid.available"),
            );
            continue;
        }
        if let Some(pct) = value.strip_suffix('%') {
            match pct.trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => {
                    memory = Some(MemoryThreshold::Percent((v * 100.0).round() as u32))
                }
                _ => cx.err(
                    &path,
                    format!("invalid percentage {value:?}: must be between 0% and 100%"),
                ),
            }
            continue;
        }
        match api::quantity::Quantity::parse(value).and_then(|q| q.value()) {
            Ok(v) if v >= 0 => memory = Some(MemoryThreshold::Bytes(v)),
            Ok(_) => cx.err(&path, format!("threshold {value:?} must not be negative")),
            Err(e) => cx.err(&path, format!("invalid quantity {value:?}: {e}")),
        }
    }
    memory
}

fn display_join(scenario_display: &str, rel: &str) -> String {
    let base = Path::new(scenario_display)
        .parent()
        .unwrap_or(Path::new(""));
    base.join(rel).to_string_lossy().to_string()
}

fn load_source(
    src: &ManifestSource,
    dir: &Path,
    loader: &mut Loader,
    path: &str,
    cx: &mut Ctx<'_>,
) {
    let before = loader.objects.len();
    match &src.source {
        SourceKind::Path(p) => {
            let full = dir.join(p);
            if !full.exists() {
                cx.err(
                    path,
                    format!(
                        "manifest path {p:?} not found (looked at {})",
                        full.display()
                    ),
                );
                return;
            }
            loader.load_path(&full, &display_join(&cx.file, p));
        }
        SourceKind::Inline(text) => {
            let name = format!("{}#{path}", cx.file);
            loader.load_str(text, &name);
        }
    }
    if let Some(ns) = &src.namespace {
        if let Err(e) = api::validation::check_dns_label(ns) {
            cx.err(&format!("{path}.namespace"), e);
            return;
        }
        for l in &mut loader.objects[before..] {
            if !l.object.kind().is_namespaced() {
                continue;
            }
            let m = l.object.metadata_mut();
            match &m.namespace {
                Some(existing) if existing != ns => {
                    let msg = format!(
                        "the namespace from the provided object {existing:?} does not match the namespace {ns:?}. You must pass '--namespace={existing}' to perform this operation."
                    );
                    cx.errors.push(l.origin.error("metadata.namespace", msg));
                }
                _ => m.namespace = Some(ns.clone()),
            }
        }
    }
}

/// Objects known to exist at some point of the scenario, by kind, namespace and name.
#[derive(Default)]
struct ObjectIndex {
    objects: BTreeSet<(Kind, String, String)>,
}

impl ObjectIndex {
    fn add_all(&mut self, objs: &[Loaded]) {
        for o in objs {
            self.objects.insert((
                o.object.kind(),
                o.object.namespace().to_string(),
                o.object.name().to_string(),
            ));
        }
    }
    fn has(&self, kind: Kind, ns: &str, name: &str) -> bool {
        self.objects
            .contains(&(kind, ns.to_string(), name.to_string()))
    }
}

fn check_duplicates(objs: &[Loaded], cx: &mut Ctx<'_>) {
    let mut seen: BTreeMap<(Kind, String, String), &Loaded> = BTreeMap::new();
    for o in objs {
        if o.object.name().is_empty() {
            continue;
        }
        let key = (
            o.object.kind(),
            o.object.namespace().to_string(),
            o.object.name().to_string(),
        );
        if let Some(first) = seen.get(&key) {
            cx.errors.push(o.origin.error(
                "metadata.name",
                format!(
                    "duplicate {} {:?} in namespace {:?} (first defined at {})",
                    key.0, key.2, key.1, first.origin
                ),
            ));
        } else {
            seen.insert(key, o);
        }
    }
}

/// Parses `kind/name` into a kind and a name.
pub fn parse_target(t: &str) -> Result<(Kind, String), String> {
    let Some((k, n)) = t.split_once('/') else {
        return Err(format!(
            "target {t:?} must be written kind/name, e.g. deployment/web"
        ));
    };
    let kind = Kind::parse(k).ok_or_else(|| format!("unknown kind {k:?} in target {t:?}"))?;
    if n.is_empty() {
        return Err(format!("target {t:?} has no name"));
    }
    Ok((kind, n.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn check_action(
    a: &Action,
    path: &str,
    known: &ObjectIndex,
    pools: &BTreeSet<String>,
    nodes: &mut BTreeSet<String>,
    added: &mut BTreeMap<String, u32>,
    cx: &mut Ctx<'_>,
) {
    let key = format!("{path}.{}", a.name());
    let target = |t: &str, ns: &Option<String>, allowed: &[Kind], cx: &mut Ctx<'_>| {
        match parse_target(t) {
            Ok((kind, name)) => {
                if !allowed.is_empty() && !allowed.contains(&kind) {
                    let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
                    cx.err(
                        &format!("{key}.target"),
                        format!(
                            "{} cannot be a target of {}: expected {}",
                            kind,
                            a.name(),
                            names.join(" or ")
                        ),
                    );
                    return;
                }
                let ns = if kind.is_namespaced() {
                    ns.as_deref().unwrap_or("default")
                } else {
                    ""
                };
                if !known.has(kind, ns, &name) {
                    cx.err(
                        &format!("{key}.target"),
                        format!("{kind} {name:?} (namespace {ns:?}) is not defined by the scenario's manifests or an earlier apply"),
                    );
                }
            }
            Err(e) => cx.err(&format!("{key}.target"), e),
        }
    };
    let node = |n: &str, cx: &mut Ctx<'_>| {
        if !nodes.contains(n) {
            cx.err(
                &format!("{key}.node"),
                format!("node {n:?} does not exist (pool nodes are named <pool>-<index>, from 0)"),
            );
        }
    };
    match a {
        Action::Apply(_) => {}
        Action::Delete(t) => target(&t.target, &t.namespace, &[], cx),
        Action::Scale(s) => {
            target(
                &s.target,
                &s.namespace,
                &[Kind::Deployment, Kind::ReplicaSet, Kind::StatefulSet],
                cx,
            );
            if s.replicas < 0 {
                cx.err(
                    &format!("{key}.replicas"),
                    format!(
                        "Invalid value: {}: must be greater than or equal to 0",
                        s.replicas
                    ),
                );
            }
        }
        Action::SetImage(s) => {
            target(
                &s.target,
                &s.namespace,
                &[
                    Kind::Deployment,
                    Kind::DaemonSet,
                    Kind::StatefulSet,
                    Kind::ReplicaSet,
                ],
                cx,
            );
            if s.image.trim().is_empty() {
                cx.err(&format!("{key}.image"), "Required value");
            }
        }
        Action::RolloutUndo(u) => {
            target(&u.target, &u.namespace, &[Kind::Deployment], cx);
            if u.to_revision.is_some_and(|r| r < 0) {
                cx.err(&format!("{key}.toRevision"), "must not be negative");
            }
        }
        Action::Pause(t) | Action::Resume(t) => {
            target(&t.target, &t.namespace, &[Kind::Deployment], cx)
        }
        Action::Cordon(n) | Action::Uncordon(n) | Action::FailNode(n) | Action::RecoverNode(n) => {
            node(&n.node, cx)
        }
        Action::Drain(d) => node(&d.node, cx),
        Action::UpgradePool(u) => {
            if !pools.contains(&u.pool) {
                cx.err(
                    &format!("{key}.pool"),
                    format!("no node pool named {:?}", u.pool),
                );
            } else if u.max_surge.unwrap_or(1) + u.max_unavailable.unwrap_or(0) == 0 {
                cx.err(
                    &format!("{key}.maxSurge"),
                    "maxSurge and maxUnavailable cannot both be 0",
                );
            } else {
                for (k, v) in &u.labels {
                    if let Err(e) = crate::api::validation::check_qualified_name(k) {
                        cx.err(&format!("{key}.labels"), e);
                    }
                    if let Err(e) = crate::api::validation::check_label_value(v) {
                        cx.err(&format!("{key}.labels"), e);
                    }
                }
                // The replacements continue the pool's numbering (as many as the pool has).
                let existing = nodes
                    .iter()
                    .filter(|n| {
                        n.rsplit_once('-')
                            .is_some_and(|(p, i)| p == u.pool && i.parse::<u32>().is_ok())
                    })
                    .count() as u32;
                for n in existing..existing * 2 {
                    nodes.insert(format!("{}-{n}", u.pool));
                }
            }
        }
        Action::AddNodes(a) => {
            if !pools.contains(&a.pool) {
                cx.err(
                    &format!("{key}.pool"),
                    format!("no node pool named {:?}", a.pool),
                );
            } else if a.count == 0 || a.count > MAX_POOL_NODES {
                cx.err(
                    &format!("{key}.count"),
                    format!("count must be between 1 and {MAX_POOL_NODES}"),
                );
            } else {
                // New nodes continue the pool's numbering.
                let base = nodes
                    .iter()
                    .filter(|n| {
                        n.rsplit_once('-')
                            .is_some_and(|(p, i)| p == a.pool && i.parse::<u32>().is_ok())
                    })
                    .count() as u32;
                let start = base;
                for n in start..start + a.count {
                    nodes.insert(format!("{}-{n}", a.pool));
                }
                *added.entry(a.pool.clone()).or_default() += a.count;
            }
        }
        Action::RemoveNodes(r) => match (&r.node, &r.pool) {
            (Some(n), None) => {
                if r.count.is_some() {
                    cx.err(
                        &format!("{key}.count"),
                        "count goes with pool, not with node",
                    );
                }
                node(n, cx)
            }
            (None, Some(p)) => {
                if !pools.contains(p) {
                    cx.err(&format!("{key}.pool"), format!("no node pool named {p:?}"));
                }
                if r.count.unwrap_or(0) == 0 {
                    cx.err(
                        &format!("{key}.count"),
                        "Required value: how many nodes to remove",
                    );
                }
            }
            _ => cx.err(&key, "give either `node`, or `pool` with `count`"),
        },
    }
}

fn resolve_load(
    l: &LoadSpec,
    path: &str,
    dir: &Path,
    display: &str,
    known: &ObjectIndex,
    cx: &mut Ctx<'_>,
) -> Option<Load> {
    let ns = l
        .target
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let targets: Vec<(Kind, &String)> = [
        (Kind::Service, l.target.service.as_ref()),
        (Kind::Deployment, l.target.deployment.as_ref()),
        (Kind::StatefulSet, l.target.stateful_set.as_ref()),
    ]
    .into_iter()
    .filter_map(|(k, n)| n.map(|n| (k, n)))
    .collect();
    if targets.len() != 1 {
        cx.err(
            &format!("{path}.target"),
            "give exactly one of service, deployment or statefulSet",
        );
        return None;
    }
    let (kind, name) = targets[0];
    if !known.has(kind, &ns, name) {
        cx.err(
            &format!("{path}.target"),
            format!(
                "{kind} {name:?} (namespace {ns:?}) is not defined by the scenario's manifests"
            ),
        );
    }
    let mut rates = Vec::new();
    let profiles: Vec<&RateProfile> = match &l.rate {
        RateSpec::One(p) => vec![p],
        RateSpec::Sum(v) => v.iter().collect(),
    };
    if profiles.is_empty() {
        cx.err(
            &format!("{path}.rate"),
            "at least one rate profile is needed",
        );
    }
    let bad = |v: f64| !v.is_finite() || v < 0.0;
    let rp = format!("{path}.rate");
    for p in profiles {
        let r = match p {
            RateProfile::Constant { rps } => {
                if bad(*rps) {
                    cx.err(&rp, "rps must be a non-negative number");
                }
                Rate::Constant(*rps)
            }
            RateProfile::Step { steps } => {
                let mut v: Vec<(SimTime, f64)> = steps
                    .iter()
                    .map(|s| (SimTime::ZERO + s.at.0, s.rps))
                    .collect();
                if v.iter().any(|s| bad(s.1)) {
                    cx.err(&rp, "step rates must be non-negative numbers");
                }
                if v.is_empty() {
                    cx.err(&rp, "a step profile needs at least one step");
                }
                v.sort_by_key(|s| s.0);
                Rate::Step(v)
            }
            RateProfile::Ramp {
                from,
                to,
                start,
                end,
            } => {
                if bad(*from) || bad(*to) {
                    cx.err(&rp, "ramp rates must be non-negative numbers");
                }
                if end.0 < start.0 {
                    cx.err(&rp, "ramp end is before its start");
                }
                Rate::Ramp {
                    from: *from,
                    to: *to,
                    start: SimTime::ZERO + start.0,
                    end: SimTime::ZERO + end.0,
                }
            }
            RateProfile::Diurnal {
                base,
                amplitude,
                period,
                peak_at,
            } => {
                if bad(*base) || bad(*amplitude) {
                    cx.err(&rp, "base and amplitude must be non-negative numbers");
                }
                if amplitude > base {
                    cx.warn(
                        &rp,
                        "amplitude is larger than base: the rate is clipped at 0 in the troughs",
                    );
                }
                let period = period
                    .map(|p| p.0)
                    .unwrap_or(SimDuration::from_secs(86_400));
                if period == SimDuration::ZERO {
                    cx.err(&rp, "period must be greater than 0");
                }
                Rate::Diurnal {
                    base: *base,
                    amplitude: *amplitude,
                    period,
                    peak_at: peak_at.map(|p| p.0).unwrap_or_default(),
                }
            }
            RateProfile::Spike {
                base,
                peak,
                at,
                duration,
                ramp,
            } => {
                if bad(*base) || bad(*peak) {
                    cx.err(&rp, "spike rates must be non-negative numbers");
                }
                Rate::Spike {
                    base: *base,
                    peak: *peak,
                    at: SimTime::ZERO + at.0,
                    duration: duration.0,
                    ramp: ramp.map(|r| r.0).unwrap_or_default(),
                }
            }
            RateProfile::Csv {
                path: csv,
                interpolation,
                scale,
            } => {
                let scale = scale.unwrap_or(1.0);
                if bad(scale) {
                    cx.err(&rp, "scale must be a non-negative number");
                }
                match read_rate_csv(&dir.join(csv), &display_join(display, csv)) {
                    Ok(points) => Rate::Trace {
                        points: points.into_iter().map(|(t, r)| (t, r * scale)).collect(),
                        linear: *interpolation == Some(Interpolation::Linear),
                    },
                    Err(d) => {
                        cx.errors.push(d);
                        Rate::Constant(0.0)
                    }
                }
            }
        };
        rates.push(r);
    }
    let q_milli = |q: &Option<api::Quantity>, what: &str, cx: &mut Ctx<'_>| -> f64 {
        match q {
            None => 0.0,
            Some(q) if q.is_negative() => {
                cx.err(&format!("{path}.{what}"), "must not be negative");
                0.0
            }
            Some(q) => q.as_f64() * 1000.0,
        }
    };
    let q_bytes = |q: &Option<api::Quantity>, what: &str, cx: &mut Ctx<'_>| -> f64 {
        match q {
            None => 0.0,
            Some(q) if q.is_negative() => {
                cx.err(&format!("{path}.{what}"), "must not be negative");
                0.0
            }
            Some(q) => q.as_f64(),
        }
    };
    let noise = l.noise.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&noise) {
        cx.err(
            &format!("{path}.noise"),
            "must be between 0 and 1 (a fraction of the rate)",
        );
    }
    Some(Load {
        name: l.name.clone(),
        target_kind: kind,
        target_name: name.clone(),
        namespace: ns,
        rates,
        cpu_per_request: q_milli(&l.per_request.cpu, "perRequest.cpu", cx),
        memory_per_rps: q_bytes(&l.per_request.memory, "perRequest.memory", cx),
        cpu_per_pod: q_milli(&l.per_pod.cpu, "perPod.cpu", cx).ceil() as i64,
        memory_per_pod: q_bytes(&l.per_pod.memory, "perPod.memory", cx).ceil() as i64,
        noise,
    })
}

/// Reads a rate trace: a header line naming `time` and `rps` columns (any order), then rows.
/// Times are seconds or durations (`90s`, `1h`).
pub fn read_rate_csv(path: &Path, display: &str) -> Result<Vec<(SimTime, f64)>, Diagnostic> {
    let file: Arc<str> = Arc::from(display);
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(format!("cannot read trace {display}: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (_, header) = lines.next().ok_or_else(|| {
        Diagnostic::error("empty trace file")
            .in_file(&file)
            .at(1, None)
    })?;
    let cols: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let ti = cols
        .iter()
        .position(|c| c == "time" || c == "t" || c == "time_s");
    let ri = cols
        .iter()
        .position(|c| c == "rps" || c == "rate" || c == "requests_per_second");
    let (Some(ti), Some(ri)) = (ti, ri) else {
        return Err(
            Diagnostic::error("the header must name a `time` column and an `rps` column")
                .in_file(&file)
                .at(1, None),
        );
    };
    let mut out = Vec::new();
    for (n, line) in lines {
        let line_no = n as u32 + 1;
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(t), Some(r)) = (f.get(ti), f.get(ri)) else {
            return Err(Diagnostic::error("row has fewer columns than the header")
                .in_file(&file)
                .at(line_no, None));
        };
        let time = match t.parse::<f64>() {
            Ok(s) if s.is_finite() && s >= 0.0 => SimTime((s * 1e6).round() as u64),
            Ok(_) => {
                return Err(
                    Diagnostic::error(format!("time {t:?} must be non-negative"))
                        .in_file(&file)
                        .at(line_no, None),
                );
            }
            Err(_) => match api::duration::parse_duration(t) {
                Ok(d) => SimTime::ZERO + d,
                Err(e) => {
                    return Err(Diagnostic::error(e.to_string())
                        .in_file(&file)
                        .at(line_no, None));
                }
            },
        };
        let rps: f64 = r.parse().map_err(|_| {
            Diagnostic::error(format!("rps {r:?} is not a number"))
                .in_file(&file)
                .at(line_no, None)
        })?;
        if !rps.is_finite() || rps < 0.0 {
            return Err(
                Diagnostic::error(format!("rps {r:?} must be a non-negative number"))
                    .in_file(&file)
                    .at(line_no, None),
            );
        }
        if let Some(&(last, _)) = out.last()
            && time < last
        {
            return Err(Diagnostic::error("times must not decrease")
                .in_file(&file)
                .at(line_no, None));
        }
        out.push((time, rps));
    }
    if out.is_empty() {
        return Err(Diagnostic::error("trace has no rows")
            .in_file(&file)
            .at(1, None));
    }
    Ok(out)
}

fn dry_run_convert(objs: &[Loaded], cx: &mut Ctx<'_>) {
    let mut i = Interner::new();
    for l in objs {
        if let Err(d) = crate::sim::apply::convert_check(l, &mut i) {
            cx.errors.push(d);
        }
    }
}
