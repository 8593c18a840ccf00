//! Kubernetes-style Events (`type`, `reason`, involved object, message, source), recorded by
//! every component through the store and written to `events.jsonl`.

use crate::api::Kind;
use crate::engine::SimTime;
use crate::model::Sym;
use std::sync::Arc;

/// `Normal` or `Warning`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    /// Informational.
    Normal,
    /// Something went wrong or is blocked.
    Warning,
}

impl EventType {
    /// As Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The object an event is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjRef {
    /// Kind.
    pub kind: Kind,
    /// Namespace (empty symbol for cluster-scoped kinds).
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KEvent {
    /// When it happened.
    pub time: SimTime,
    /// Normal or Warning.
    pub type_: EventType,
    /// Machine-readable reason (`Scheduled`, `FailedScheduling`, `ScalingReplicaSet`...).
    pub reason: &'static str,
    /// The involved object.
    pub object: ObjRef,
    /// Human-readable message, in the upstream component's words.
    pub message: String,
    /// Reporting component (`default-scheduler`, `kubelet`, `deployment-controller`...).
    pub source: &'static str,
}

/// Which events to keep.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum EventLevel {
    /// Every event.
    #[default]
    All,
    /// Only warnings.
    Warnings,
    /// None (counts only): for large benchmarks.
    None,
}

/// The recorded events, in time order.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    /// Kept events.
    pub events: Vec<KEvent>,
    /// What to keep.
    pub level: EventLevel,
    /// Count of Normal events (kept or not).
    pub normal: u64,
    /// Count of Warning events (kept or not).
    pub warning: u64,
}

impl EventLog {
    /// True when an event of this type would be kept (lets callers skip formatting messages).
    pub fn wants(&self, t: EventType) -> bool {
        match self.level {
            EventLevel::All => true,
            EventLevel::Warnings => t == EventType::Warning,
            EventLevel::None => false,
        }
    }

    /// Records an event.
    pub fn push(&mut self, e: KEvent) {
        match e.type_ {
            EventType::Normal => self.normal += 1,
            EventType::Warning => self.warning += 1,
        }
        if self.wants(e.type_) {
            self.events.push(e);
        }
    }
}
