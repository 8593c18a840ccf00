//! Control-plane controllers. Each follows its upstream controller's semantics (the source is
//! named at the top of its file) and is woken by watch notifications, batching the objects to
//! sync in a work queue drained by one event.

pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod gc;
pub mod hpa;
pub mod job;
pub mod node_lifecycle;
pub mod replicaset;
pub mod statefulset;
pub mod volume;
pub mod vpa;

use crate::engine::{EventQueue, SimTime};
use crate::sim::event::{ControllerKind, Event};
use std::collections::BTreeSet;

/// A controller work queue: keys to sync now (deduplicated), and keys to sync later, with one
/// timer for the earliest later key (never one timer per key).
#[derive(Debug)]
pub struct WorkQueue<K: Ord + Copy> {
    kind: ControllerKind,
    dirty: BTreeSet<K>,
    delayed: BTreeSet<(SimTime, K)>,
    sync_scheduled: bool,
    timer: Option<(SimTime, u32)>,
    generation: u32,
}

impl<K: Ord + Copy> WorkQueue<K> {
    /// An empty queue for controller `kind`.
    pub fn new(kind: ControllerKind) -> Self {
        WorkQueue {
            kind,
            dirty: BTreeSet::new(),
            delayed: BTreeSet::new(),
            sync_scheduled: false,
            timer: None,
            generation: 0,
        }
    }

    /// Marks `k` for sync at the current instant.
    pub fn add(&mut self, k: K, now: SimTime, q: &mut EventQueue<Event>) {
        self.dirty.insert(k);
        if !self.sync_scheduled {
            self.sync_scheduled = true;
            q.push(now, Event::Controller(self.kind));
        }
    }

    /// Marks `k` for sync at `at` (`AddAfter`).
    pub fn add_at(&mut self, k: K, at: SimTime, now: SimTime, q: &mut EventQueue<Event>) {
        if at <= now {
            self.add(k, now, q);
            return;
        }
        self.delayed.insert((at, k));
        if self.timer.is_none_or(|(t, _)| at < t) {
            self.generation = self.generation.wrapping_add(1);
            self.timer = Some((at, self.generation));
            q.push(at, Event::ControllerTimer(self.kind, self.generation));
        }
    }

    /// Handles the delayed-requeue timer: due keys become dirty; the timer is re-armed for the
    /// next one.
    pub fn on_timer(&mut self, generation: u32, now: SimTime, q: &mut EventQueue<Event>) {
        if self.timer.map(|(_, g)| g) != Some(generation) {
            return; // superseded
        }
        self.timer = None;
        while let Some(&(t, k)) = self.delayed.first() {
            if t > now {
                break;
            }
            self.delayed.pop_first();
            self.add(k, now, q);
        }
        if let Some(&(t, _)) = self.delayed.first() {
            self.generation = self.generation.wrapping_add(1);
            self.timer = Some((t, self.generation));
            q.push(t, Event::ControllerTimer(self.kind, self.generation));
        }
    }

    /// Takes the keys to sync now, in key order.
    pub fn take(&mut self) -> Vec<K> {
        self.sync_scheduled = false;
        std::mem::take(&mut self.dirty).into_iter().collect()
    }
}
