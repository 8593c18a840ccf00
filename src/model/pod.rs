//! Runtime pods: the compact, interned form the scheduler, controllers and kubelet work on.

use super::labels::{LabelSet, Selector, Sym};
use super::resources::Resources;
use super::{NodeId, OwnerRef};
use crate::engine::{SimDuration, SimTime};
use std::sync::Arc;

/// Pod phase (`status.phase`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodPhase {
    /// Accepted, not all containers running (includes unscheduled and pulling).
    Pending,
    /// Bound and at least one container running.
    Running,
    /// All containers exited successfully and will not restart.
    Succeeded,
    /// All containers exited, at least one in failure.
    Failed,
}

impl PodPhase {
    /// The phase as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }

    /// True for Succeeded and Failed.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// QoS class, computed exactly as `ComputePodQOS` does.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QosClass {
    /// Every container sets cpu and memory limits equal to its requests.
    Guaranteed,
    /// Anything in between.
    Burstable,
    /// No container sets any cpu or memory request or limit.
    BestEffort,
}

impl QosClass {
    /// The class as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "Guaranteed",
            QosClass::Burstable => "Burstable",
            QosClass::BestEffort => "BestEffort",
        }
    }
}

/// Probe timing (defaults applied).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// `initialDelaySeconds`.
    pub initial_delay: SimDuration,
    /// `periodSeconds` (default 10 s).
    pub period: SimDuration,
    /// `successThreshold` (default 1).
    pub success_threshold: u32,
    /// `failureThreshold` (default 3).
    pub failure_threshold: u32,
}

/// A reference from a container to a ConfigMap or Secret it needs to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigRef {
    /// True for a Secret, false for a ConfigMap.
    pub secret: bool,
    /// Object name.
    pub name: Sym,
    /// A missing optional reference does not block start-up.
    pub optional: bool,
}

/// A host port a pod claims on its node.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    /// Protocol symbol (`TCP`, `UDP`, `SCTP`).
    pub protocol: Sym,
    /// Host IP symbol (`0.0.0.0` when unset).
    pub ip: Sym,
    /// Port number.
    pub port: i32,
}

/// A container after defaulting.
#[derive(Clone, Debug)]
pub struct Container {
    /// Name.
    pub name: Arc<str>,
    /// Image reference, as written.
    pub image: Sym,
    /// Image reference normalised (`:latest` added when untagged): the key of node image caches.
    pub image_key: Sym,
    /// Requests (limits copied in where a request is missing, as API defaulting does).
    pub requests: Resources,
    /// Limits.
    pub limits: Resources,
    /// Whether a cpu request was given (explicitly, or by defaulting from a limit).
    pub has_cpu_request: bool,
    /// Whether a memory request was given.
    pub has_memory_request: bool,
    /// Readiness probe.
    pub readiness: Option<Probe>,
    /// Startup probe.
    pub startup: Option<Probe>,
    /// Liveness probe.
    pub liveness: Option<Probe>,
    /// Restartable init container (sidecar).
    pub sidecar: bool,
    /// Config maps and secrets needed to start.
    pub config_refs: Vec<ConfigRef>,
    /// Image pull policy (defaulted as the API server does).
    pub pull_policy: PullPolicy,
}

/// `imagePullPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PullPolicy {
    /// Pull every time (the default for `:latest` and untagged images).
    Always,
    /// Pull only when missing (the default otherwise).
    IfNotPresent,
    /// Never pull.
    Never,
}

impl PullPolicy {
    /// The API default for an image reference (`SetDefaults_Container`).
    pub fn default_for(image: &str) -> PullPolicy {
        let name = image.rsplit('/').next().unwrap_or(image);
        let has_digest = image.contains('@');
        match name.split_once(':') {
            _ if has_digest => PullPolicy::IfNotPresent,
            Some((_, "latest")) | None => PullPolicy::Always,
            Some(_) => PullPolicy::IfNotPresent,
        }
    }
}

/// Restart policy.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// Always restart.
    Always,
    /// Restart on failure.
    OnFailure,
    /// Never restart.
    Never,
}

/// A toleration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Toleration {
    /// Key (`None`: all keys, operator must be Exists).
    pub key: Option<Sym>,
    /// Operator.
    pub op: TolerationOp,
    /// Value (for Equal / Lt / Gt).
    pub value: Sym,
    /// Effect (`None`: all effects).
    pub effect: Option<TaintEffect>,
    /// For NoExecute: seconds the pod stays after the taint appears (`None`: forever).
    pub toleration_seconds: Option<i64>,
}

/// Toleration operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TolerationOp {
    /// Any value.
    Exists,
    /// Same value.
    Equal,
    /// Taint value (integer) less than the toleration value.
    Lt,
    /// Taint value (integer) greater than the toleration value.
    Gt,
}

/// Taint effects.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    /// No new pods.
    NoSchedule,
    /// Avoid.
    PreferNoSchedule,
    /// Evict running pods too.
    NoExecute,
}

impl TaintEffect {
    /// The effect as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// A node taint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    /// Key.
    pub key: Sym,
    /// Value (empty symbol when unset).
    pub value: Sym,
    /// Effect.
    pub effect: TaintEffect,
    /// When the taint was added (for NoExecute eviction timing).
    pub added: SimTime,
}

impl Toleration {
    /// Whether this toleration tolerates `taint`
    /// (component-helpers `scheduling/corev1/helpers.go`, `ToleratesTaint`).
    pub fn tolerates(&self, taint: &Taint, interner: &super::labels::Interner) -> bool {
        if let Some(e) = self.effect
            && e != taint.effect
        {
            return false;
        }
        if let Some(k) = self.key
            && k != taint.key
        {
            return false;
        }
        match self.op {
            TolerationOp::Exists => true,
            TolerationOp::Equal => self.value == taint.value,
            TolerationOp::Lt | TolerationOp::Gt => {
                let parse = |s: Sym| -> Option<i64> {
                    let t = interner.resolve(s);
                    let digits = t.strip_prefix('-').unwrap_or(t);
                    // IsDecimalInteger: no leading zeros, no sign other than '-'.
                    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
                        return None;
                    }
                    t.parse().ok()
                };
                match (parse(self.value), parse(taint.value)) {
                    (Some(tol), Some(tnt)) => {
                        if self.op == TolerationOp::Lt {
                            tnt < tol
                        } else {
                            tnt > tol
                        }
                    }
                    _ => false,
                }
            }
        }
    }
}

/// A node selector term (ANDed requirements on labels and on `metadata.name`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeSelectorTerm {
    /// Requirements on node labels.
    pub labels: Selector,
    /// Requirements on node fields (only `metadata.name`): `In`/`NotIn` on node names.
    pub fields: Selector,
}

/// Node affinity after conversion.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeAffinity {
    /// Required terms (ORed); `None`: no requirement.
    pub required: Option<Vec<NodeSelectorTerm>>,
    /// Preferred terms with weights.
    pub preferred: Vec<(i32, NodeSelectorTerm)>,
}

/// A pod (anti-)affinity term after conversion.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PodAffinityTerm {
    /// Pods the term refers to.
    pub selector: Selector,
    /// Namespaces (empty with no namespace selector: the pod's own namespace).
    pub namespaces: Vec<Sym>,
    /// Namespace selector (`Some(empty)` selects all namespaces).
    pub namespace_selector: Option<Selector>,
    /// Topology key.
    pub topology_key: Sym,
}

/// Pod affinity or anti-affinity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodAffinity {
    /// Required terms.
    pub required: Vec<PodAffinityTerm>,
    /// Preferred terms with weights.
    pub preferred: Vec<(i32, PodAffinityTerm)>,
}

/// A topology spread constraint after conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpreadConstraint {
    /// Maximum skew.
    pub max_skew: i32,
    /// Topology key.
    pub topology_key: Sym,
    /// DoNotSchedule (hard) when true.
    pub hard: bool,
    /// Pods counted.
    pub selector: Selector,
    /// Minimum domains (hard constraints only).
    pub min_domains: Option<i32>,
    /// Honour node affinity when choosing domains (default true).
    pub honor_node_affinity: bool,
    /// Honour taints when choosing domains (default false).
    pub honor_taints: bool,
    /// Label keys merged into the selector from the pod's own labels.
    pub match_label_keys: Vec<Sym>,
}

/// How a pod uses a volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeRef {
    /// A PersistentVolumeClaim in the pod's namespace.
    Claim(Sym),
    /// A ConfigMap volume.
    ConfigMap {
        /// Name.
        name: Sym,
        /// Optional.
        optional: bool,
    },
    /// A Secret volume.
    Secret {
        /// Name.
        name: Sym,
        /// Optional.
        optional: bool,
    },
    /// Node-local scratch or host storage (matters to the autoscaler).
    Local,
}

/// A pod spec after defaulting and interning. Shared (`Arc`) by all pods of a template.
#[derive(Clone, Debug)]
pub struct PodSpec {
    /// Regular containers.
    pub containers: Vec<Container>,
    /// Init containers, in order (sidecars flagged).
    pub init_containers: Vec<Container>,
    /// Pre-assigned node name.
    pub node_name: Option<Sym>,
    /// Node selector labels.
    pub node_selector: Vec<(Sym, Sym)>,
    /// Node affinity.
    pub node_affinity: NodeAffinity,
    /// Pod affinity.
    pub pod_affinity: PodAffinity,
    /// Pod anti-affinity.
    pub pod_anti_affinity: PodAffinity,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// Topology spread constraints.
    pub spread: Vec<SpreadConstraint>,
    /// PriorityClass name.
    pub priority_class: Option<Sym>,
    /// Explicit priority (used when no class is named).
    pub priority: Option<i32>,
    /// May preempt lower-priority pods.
    pub preempt_lower: Option<bool>,
    /// Scheduler profile name.
    pub scheduler_name: Sym,
    /// RuntimeClass overhead.
    pub overhead: Resources,
    /// Scheduling gates.
    pub scheduling_gates: Vec<Sym>,
    /// Restart policy.
    pub restart_policy: RestartPolicy,
    /// Grace period on deletion.
    pub termination_grace: SimDuration,
    /// Deadline for a running pod.
    pub active_deadline: Option<SimDuration>,
    /// Volumes.
    pub volumes: Vec<VolumeRef>,
    /// Host ports claimed.
    pub host_ports: Vec<HostPort>,
    /// Pod-level requests (PodLevelResources), if set.
    pub pod_requests: Option<Resources>,
    /// Pod-level limits, if set.
    pub pod_limits: Option<Resources>,
}

impl PodSpec {
    /// The pod's effective requests (`PodRequests` in component-helpers
    /// `resource/helpers.go`): max(sum of app containers and sidecars, the largest init-time
    /// use), pod-level requests replacing that where set, plus overhead.
    pub fn effective_requests(&self) -> Resources {
        self.requests_with(|c| c.requests.clone())
    }

    /// Requests with the scheduler's non-zero defaults (100m cpu, 200Mi memory) for containers
    /// that do not request cpu or memory (`pkg/scheduler/util/pod_resources.go`).
    pub fn non_zero_requests(&self) -> (i64, i64) {
        let r = self.requests_with(|c| {
            let mut r = c.requests.clone();
            if !c.has_cpu_request {
                r.cpu = DEFAULT_MILLI_CPU_REQUEST;
            }
            if !c.has_memory_request {
                r.memory = DEFAULT_MEMORY_REQUEST;
            }
            r
        });
        (r.cpu, r.memory)
    }

    fn requests_with(&self, per_container: impl Fn(&Container) -> Resources) -> Resources {
        let mut app = Resources::zero();
        for c in &self.containers {
            app.add(&per_container(c));
        }
        let mut sidecars = Resources::zero();
        let mut init_max = Resources::zero();
        for c in &self.init_containers {
            let r = per_container(c);
            if c.sidecar {
                app.add(&r);
                sidecars.add(&r);
                init_max.max_with(&sidecars);
            } else {
                let mut use_ = r;
                use_.add(&sidecars);
                init_max.max_with(&use_);
            }
        }
        app.max_with(&init_max);
        if let Some(p) = &self.pod_requests {
            if p.cpu > 0 {
                app.cpu = p.cpu;
            }
            if p.memory > 0 {
                app.memory = p.memory;
            }
            // Pod-level resources may also set hugepages (the only other kind the API admits
            // at pod level, `IsSupportedPodLevelResource`); they replace the container sums.
            for &(name, v) in &p.scalars {
                if v > 0 {
                    app.set_scalar(name, v);
                }
            }
        }
        app.add(&self.overhead);
        app
    }

    /// QoS class (`ComputePodQOS`, `pkg/apis/core/v1/helper/qos/qos.go`): sums the positive cpu
    /// and memory requests and limits of all containers; Guaranteed needs every container to
    /// limit both cpu and memory and the sums to match.
    pub fn qos_class(&self) -> QosClass {
        let (mut req_cpu, mut req_mem, mut lim_cpu, mut lim_mem) = (0i64, 0i64, 0i64, 0i64);
        let mut guaranteed = true;
        if self.pod_requests.is_some() || self.pod_limits.is_some() {
            let r = self.pod_requests.clone().unwrap_or_default();
            let l = self.pod_limits.clone().unwrap_or_default();
            req_cpu = r.cpu.max(0);
            req_mem = r.memory.max(0);
            lim_cpu = l.cpu.max(0);
            lim_mem = l.memory.max(0);
            if self.pod_limits.is_some() && (lim_cpu == 0 || lim_mem == 0) {
                guaranteed = false;
            }
        } else {
            for c in self.containers.iter().chain(self.init_containers.iter()) {
                req_cpu += c.requests.cpu.max(0);
                req_mem += c.requests.memory.max(0);
                lim_cpu += c.limits.cpu.max(0);
                lim_mem += c.limits.memory.max(0);
                if c.limits.cpu <= 0 || c.limits.memory <= 0 {
                    guaranteed = false;
                }
            }
        }
        let n_req = (req_cpu > 0) as u8 + (req_mem > 0) as u8;
        let n_lim = (lim_cpu > 0) as u8 + (lim_mem > 0) as u8;
        if n_req == 0 && n_lim == 0 {
            return QosClass::BestEffort;
        }
        if guaranteed {
            if req_cpu > 0 && req_cpu != lim_cpu {
                guaranteed = false;
            }
            if req_mem > 0 && req_mem != lim_mem {
                guaranteed = false;
            }
        }
        if guaranteed && n_req == n_lim {
            QosClass::Guaranteed
        } else {
            QosClass::Burstable
        }
    }

    /// Every image the pod needs, init containers first, in start order.
    pub fn images(&self) -> impl Iterator<Item = Sym> + '_ {
        self.init_containers
            .iter()
            .chain(self.containers.iter())
            .map(|c| c.image)
    }
}

/// The scheduler's default cpu request for containers without one (millicores).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// The scheduler's default memory request for containers without one (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// Why a pod is not running normally: the STATUS column of `kubectl get pods`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PodReason {
    /// Waiting for image pulls.
    ContainerCreating,
    /// Init containers running: `Init:n/m` is rendered from the progress counters.
    Initializing,
    /// The image cannot be pulled.
    ImagePullBackOff,
    /// Image pull failed (before backing off).
    ErrImagePull,
    /// A referenced ConfigMap/Secret is missing.
    CreateContainerConfigError,
    /// A container keeps exiting.
    CrashLoopBackOff,
    /// Killed for exceeding its memory limit.
    OomKilled,
    /// Exited with an error.
    Error,
    /// Exited successfully.
    Completed,
    /// Evicted by the kubelet under node pressure.
    Evicted,
    /// The pod's node is unreachable.
    NodeLost,
    /// Deleted, containers stopping.
    Terminating,
    /// Held by scheduling gates.
    SchedulingGated,
    /// Deadline exceeded.
    DeadlineExceeded,
}

impl PodReason {
    /// The text kubectl shows.
    pub fn as_str(self) -> &'static str {
        match self {
            PodReason::ContainerCreating => "ContainerCreating",
            PodReason::Initializing => "PodInitializing",
            PodReason::ImagePullBackOff => "ImagePullBackOff",
            PodReason::ErrImagePull => "ErrImagePull",
            PodReason::CreateContainerConfigError => "CreateContainerConfigError",
            PodReason::CrashLoopBackOff => "CrashLoopBackOff",
            PodReason::OomKilled => "OOMKilled",
            PodReason::Error => "Error",
            PodReason::Completed => "Completed",
            PodReason::Evicted => "Evicted",
            PodReason::NodeLost => "NodeLost",
            PodReason::Terminating => "Terminating",
            PodReason::SchedulingGated => "SchedulingGated",
            PodReason::DeadlineExceeded => "DeadlineExceeded",
        }
    }
}

/// Observed state of a pod.
#[derive(Clone, Debug)]
pub struct PodStatus {
    /// Phase.
    pub phase: PodPhase,
    /// Bound node.
    pub node: Option<NodeId>,
    /// Node nominated by preemption.
    pub nominated_node: Option<NodeId>,
    /// When PodScheduled became true.
    pub scheduled_at: Option<SimTime>,
    /// When the kubelet started working on the pod (`status.startTime`).
    pub start_time: Option<SimTime>,
    /// When all init containers completed.
    pub initialized_at: Option<SimTime>,
    /// When the pod last became Ready (`None` while not ready).
    pub ready_since: Option<SimTime>,
    /// When the pod last stopped being Ready (the Ready condition's `lastTransitionTime`
    /// while it is False after having been True).
    pub ready_lost: Option<SimTime>,
    /// When the containers started running (for restarts' 10-minute reset).
    pub running_since: Option<SimTime>,
    /// Set when the pod is being deleted (`metadata.deletionTimestamp`).
    pub deletion_at: Option<SimTime>,
    /// Grace period applied to the deletion.
    pub deletion_grace: SimDuration,
    /// Reason shown in the STATUS column.
    pub reason: Option<PodReason>,
    /// Container restarts (sum over containers).
    pub restarts: u32,
    /// Init containers completed.
    pub init_done: u16,
    /// The pod was rejected by the scheduler at least once (`PodScheduled=False`).
    pub unschedulable: bool,
    /// The last FailedScheduling message.
    pub unschedulable_message: Option<Arc<str>>,
    /// Set when the pod is terminal because of eviction, with the message.
    pub message: Option<Arc<str>>,
    /// DisruptionTarget condition (eviction/preemption in progress), with its reason.
    pub disruption_target: Option<DisruptionReason>,
}

/// Reasons of the `DisruptionTarget` pod condition (`k8s.io/api/core/v1` `PodReason*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DisruptionReason {
    /// The scheduler preempted the pod for a higher-priority one.
    PreemptionByScheduler,
    /// The taint-eviction controller deletes the pod (NoExecute taint).
    DeletionByTaintManager,
    /// Evicted through the Eviction API (drain).
    EvictionByEvictionAPI,
    /// Evicted by the kubelet under node pressure.
    TerminationByKubelet,
}

impl DisruptionReason {
    /// The condition's `reason` string.
    pub fn as_str(self) -> &'static str {
        match self {
            DisruptionReason::PreemptionByScheduler => "PreemptionByScheduler",
            DisruptionReason::DeletionByTaintManager => "DeletionByTaintManager",
            DisruptionReason::EvictionByEvictionAPI => "EvictionByEvictionAPI",
            DisruptionReason::TerminationByKubelet => "TerminationByKubelet",
        }
    }
}

impl PodStatus {
    /// A new, unscheduled, pending pod.
    pub fn pending() -> Self {
        PodStatus {
            phase: PodPhase::Pending,
            node: None,
            nominated_node: None,
            scheduled_at: None,
            start_time: None,
            initialized_at: None,
            ready_since: None,
            ready_lost: None,
            running_since: None,
            deletion_at: None,
            deletion_grace: SimDuration::ZERO,
            reason: None,
            restarts: 0,
            init_done: 0,
            unschedulable: false,
            unschedulable_message: None,
            message: None,
            disruption_target: None,
        }
    }
}

/// Everything node-local scheduler plugins (NodeUnschedulable, NodeName, TaintToleration,
/// NodeAffinity, NodePorts, NodeResourcesFit, NodeResourcesBalancedAllocation, ImageLocality)
/// read from a pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeLocalSignature {
    /// Effective requests.
    pub requests: Resources,
    /// Non-zero cpu and memory requests.
    pub non_zero: (i64, i64),
    /// `spec.nodeName`.
    pub node_name: Option<Sym>,
    /// `spec.nodeSelector`.
    pub node_selector: Vec<(Sym, Sym)>,
    /// `spec.affinity.nodeAffinity`.
    pub node_affinity: NodeAffinity,
    /// `spec.tolerations`.
    pub tolerations: Vec<Toleration>,
    /// Host ports.
    pub host_ports: Vec<HostPort>,
    /// Normalised images of all containers (ImageLocality).
    pub images: Vec<Sym>,
}

impl NodeLocalSignature {
    /// The signature of a pod spec with its effective requests.
    pub fn of(spec: &PodSpec, requests: &Resources, non_zero: (i64, i64)) -> Self {
        NodeLocalSignature {
            requests: requests.clone(),
            non_zero,
            node_name: spec.node_name,
            node_selector: spec.node_selector.clone(),
            node_affinity: spec.node_affinity.clone(),
            tolerations: spec.tolerations.clone(),
            host_ports: spec.host_ports.clone(),
            images: spec
                .init_containers
                .iter()
                .chain(&spec.containers)
                .map(|c| c.image_key)
                .collect(),
        }
    }
}

/// A pod in the cluster.
#[derive(Clone, Debug)]
pub struct Pod {
    /// Unique, monotonically increasing id (never reused; creation order).
    pub uid: u64,
    /// Name.
    pub name: Arc<str>,
    /// Namespace.
    pub namespace: Sym,
    /// Labels.
    pub labels: LabelSet,
    /// Annotations that matter (`safe-to-evict` and the like), as symbols.
    pub annotations: Arc<[(Sym, Sym)]>,
    /// Controlling owner.
    pub owner: Option<OwnerRef>,
    /// Spec (shared with the template).
    pub spec: Arc<PodSpec>,
    /// `metadata.creationTimestamp`.
    pub created: SimTime,
    /// Resolved priority.
    pub priority: i32,
    /// May preempt lower-priority pods.
    pub preempt_lower: bool,
    /// Effective requests (cached).
    pub requests: Resources,
    /// Interned [`NodeLocalSignature`]: pods with the same id get the same node-local filter
    /// verdicts and scores on the same node state.
    pub node_local_sig: u32,
    /// Non-zero cpu request used in scoring (cached).
    pub non_zero_cpu: i64,
    /// Non-zero memory request used in scoring (cached).
    pub non_zero_memory: i64,
    /// QoS class (cached).
    pub qos: QosClass,
    /// Observed state.
    pub status: PodStatus,
    /// True between deletion and the delete notification being delivered (a tombstone).
    pub deleted: bool,
}

impl Pod {
    /// True when the pod counts against its node's resources: bound and not terminal.
    pub fn holds_resources(&self) -> bool {
        self.status.node.is_some() && !self.status.phase.is_terminal()
    }

    /// True when the pod is Ready.
    pub fn is_ready(&self) -> bool {
        self.status.ready_since.is_some()
    }

    /// True when the pod has been Ready for at least `min_ready` at `now` (`IsPodAvailable`).
    pub fn is_available(&self, min_ready: SimDuration, now: SimTime) -> bool {
        match self.status.ready_since {
            Some(t) => min_ready == SimDuration::ZERO || t + min_ready <= now,
            None => false,
        }
    }

    /// True when the pod is being deleted.
    pub fn is_terminating(&self) -> bool {
        self.status.deletion_at.is_some()
    }

    /// `metadata.uid` as kubesim renders it: a fixed UUID-shaped string derived from the
    /// creation counter, so messages that name UIDs stay deterministic.
    pub fn uid_string(&self) -> String {
        format!("00000000-0000-4000-8000-{:012x}", self.uid)
    }

    /// True for pods a controller counts as replicas (`FilterActivePods`: not terminal, not
    /// being deleted).
    pub fn is_active(&self) -> bool {
        !self.status.phase.is_terminal() && self.status.deletion_at.is_none() && !self.deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(req: (i64, i64), lim: (i64, i64)) -> Container {
        let mut requests = Resources::cpu_mem(req.0, req.1);
        let limits = Resources::cpu_mem(lim.0, lim.1);
        // API defaulting: a missing request takes the limit.
        if requests.cpu == 0 {
            requests.cpu = limits.cpu;
        }
        if requests.memory == 0 {
            requests.memory = limits.memory;
        }
        Container {
            name: Arc::from("c"),
            image: Sym(0),
            image_key: Sym(0),
            has_cpu_request: requests.cpu > 0,
            has_memory_request: requests.memory > 0,
            requests,
            limits,
            readiness: None,
            startup: None,
            liveness: None,
            sidecar: false,
            config_refs: vec![],
            pull_policy: PullPolicy::IfNotPresent,
        }
    }

    pub(crate) fn spec(containers: Vec<Container>, init: Vec<Container>) -> PodSpec {
        PodSpec {
            containers,
            init_containers: init,
            node_name: None,
            node_selector: vec![],
            node_affinity: NodeAffinity::default(),
            pod_affinity: PodAffinity::default(),
            pod_anti_affinity: PodAffinity::default(),
            tolerations: vec![],
            spread: vec![],
            priority_class: None,
            priority: None,
            preempt_lower: None,
            scheduler_name: Sym(0),
            overhead: Resources::zero(),
            scheduling_gates: vec![],
            restart_policy: RestartPolicy::Always,
            termination_grace: SimDuration::from_secs(30),
            active_deadline: None,
            volumes: vec![],
            host_ports: vec![],
            pod_requests: None,
            pod_limits: None,
        }
    }

    #[test]
    fn pull_policy_defaults() {
        assert_eq!(PullPolicy::default_for("nginx"), PullPolicy::Always);
        assert_eq!(PullPolicy::default_for("nginx:latest"), PullPolicy::Always);
        assert_eq!(
            PullPolicy::default_for("nginx:1.25"),
            PullPolicy::IfNotPresent
        );
        assert_eq!(
            PullPolicy::default_for("registry:5000/app"),
            PullPolicy::Always
        );
        assert_eq!(
            PullPolicy::default_for("registry:5000/app:v1"),
            PullPolicy::IfNotPresent
        );
        assert_eq!(
            PullPolicy::default_for("app@sha256:abc"),
            PullPolicy::IfNotPresent
        );
    }

    #[test]
    fn qos_classes() {
        // Cases mirror qos_test.go in pkg/apis/core/v1/helper/qos.
        assert_eq!(
            spec(vec![container((0, 0), (0, 0))], vec![]).qos_class(),
            QosClass::BestEffort
        );
        assert_eq!(
            spec(vec![container((100, 10), (100, 10))], vec![]).qos_class(),
            QosClass::Guaranteed
        );
        assert_eq!(
            spec(vec![container((0, 0), (100, 10))], vec![]).qos_class(),
            QosClass::Guaranteed,
            "limits only"
        );
        assert_eq!(
            spec(vec![container((50, 10), (100, 10))], vec![]).qos_class(),
            QosClass::Burstable
        );
        assert_eq!(
            spec(vec![container((100, 0), (100, 0))], vec![]).qos_class(),
            QosClass::Burstable,
            "cpu only"
        );
        assert_eq!(
            spec(
                vec![container((100, 10), (100, 10)), container((0, 0), (0, 0))],
                vec![]
            )
            .qos_class(),
            QosClass::Burstable,
            "one best-effort container"
        );
        assert_eq!(
            spec(
                vec![container((100, 10), (100, 10))],
                vec![container((10, 1), (10, 1))]
            )
            .qos_class(),
            QosClass::Guaranteed,
            "init containers count"
        );
    }

    #[test]
    fn effective_requests_with_init_and_sidecars() {
        // Mirrors PodRequests: max(sum(app)+sum(sidecars), max over init of (init + earlier sidecars)).
        let app = container((500, 100), (0, 0));
        let init_big = container((2000, 50), (0, 0));
        let mut side = container((100, 10), (0, 0));
        side.sidecar = true;
        let s = spec(vec![app.clone()], vec![side.clone(), init_big]);
        let r = s.effective_requests();
        assert_eq!(r.cpu, 2100, "init container + sidecar started before it");
        assert_eq!(r.memory, 110, "app + sidecar");
        let (nz_cpu, nz_mem) = spec(vec![container((0, 0), (0, 0))], vec![]).non_zero_requests();
        assert_eq!((nz_cpu, nz_mem), (100, 200 * 1024 * 1024));
    }
}
