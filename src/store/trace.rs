//! The causal record behind `kubesim explain`: an opt-in, append-only list of [`Cause`]s that
//! components add when something happens whose *why* the Kubernetes events do not carry (an
//! HPA sync's metrics and limits, a Cluster Autoscaler decision and the nodes it asked for, an
//! OOM kill's usage against the limit, a pod becoming Ready, a node's creation and removal).
//!
//! Off by default: [`Trace::enabled`] is one branch per hook and the detail closures never run,
//! so `kubesim run` costs what it did. `SimOptions::record_causes` (or
//! [`crate::sim::Simulation::record_causes`]) turns it on. Causes link to each other through
//! `parent` ids (a node created for a scale-up names the scale-up's cause), and to Kubernetes
//! events through their objects and times.

use super::events::ObjRef;
use crate::engine::SimTime;

/// One recorded cause or effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// Its id (index in the trace).
    pub id: u32,
    /// When it happened.
    pub time: SimTime,
    /// A short machine-readable tag (`HpaSync`, `ScaleUpDecision`, `NodeProvisioned`,
    /// `OOMKilled`, `Ready`, `NotReady`, `Deleting`, `Deleted`, `NodeRemoved`...).
    pub what: &'static str,
    /// The objects it is about (a scale-up names every pod it helps).
    pub objects: Vec<ObjRef>,
    /// The cause this one follows from, if known.
    pub parent: Option<u32>,
    /// Human-readable detail.
    pub detail: String,
}

/// The recorder.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    enabled: bool,
    /// Recorded causes, in time order.
    pub causes: Vec<Cause>,
}

impl Trace {
    /// True when causes are recorded.
    #[inline]
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Turns recording on or off.
    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    /// Appends a cause (the caller has checked [`Trace::enabled`]); returns its id.
    pub fn push(
        &mut self,
        time: SimTime,
        what: &'static str,
        objects: Vec<ObjRef>,
        parent: Option<u32>,
        detail: String,
    ) -> u32 {
        let id = self.causes.len() as u32;
        self.causes.push(Cause {
            id,
            time,
            what,
            objects,
            parent,
            detail,
        });
        id
    }

    /// A cause by id.
    pub fn get(&self, id: u32) -> Option<&Cause> {
        self.causes.get(id as usize)
    }

    /// The causes about an object (matched by kind, namespace and name), in time order.
    pub fn about<'a>(&'a self, obj: &'a ObjRef) -> impl Iterator<Item = &'a Cause> + 'a {
        self.causes
            .iter()
            .filter(move |c| c.objects.iter().any(|o| o == obj))
    }
}
