//! Scenario actions (`scale`, `setImage`, `cordon`, `failNode`...), performed the way `kubectl`
//! or the infrastructure would: through the store, so controllers react to the changes.

use super::Simulation;
use crate::api::Kind;
use crate::controllers::node_lifecycle::UNSCHEDULABLE;
use crate::model::node::{CondStatus, NodeHealth};
use crate::model::pod::{Taint, TaintEffect};
use crate::model::{NodeId, Sym, convert};
use crate::scenario::{Action, ResolvedAction, parse_target};
use crate::store::events::{EventType, ObjRef};
use std::sync::Arc;

const SOURCE: &str = "kubesim";

impl Simulation {
    /// Performs scenario action number `n`.
    pub(crate) fn perform_action(&mut self, n: u32) {
        let Some(ev) = self.scenario.events.get(n as usize).cloned() else {
            return;
        };
        self.action_note = ev.note.clone();
        match &ev.action {
            ResolvedAction::Apply(objs) => {
                for l in objs {
                    super::apply::apply(l, &mut self.store, &mut self.names, None);
                }
                if let Some(first) = objs.first() {
                    let kind = first.object.kind();
                    let ns = self.store.interner.intern(first.object.namespace());
                    let obj = ObjRef {
                        kind,
                        namespace: ns,
                        name: Arc::from(first.object.name()),
                    };
                    let list: Vec<String> = objs
                        .iter()
                        .map(|l| {
                            format!(
                                "{}/{}",
                                l.object.kind().as_str().to_ascii_lowercase(),
                                l.object.name()
                            )
                        })
                        .collect();
                    self.note(obj, "Applied", format!("applied {}", list.join(", ")));
                }
            }
            ResolvedAction::Other(a) => self.perform(a),
        }
        self.action_note = None;
    }

    fn with_note(&self, msg: String) -> String {
        match &self.action_note {
            Some(n) => format!("{msg} [{n}]"),
            None => msg,
        }
    }

    fn note(&mut self, obj: ObjRef, reason: &'static str, msg: String) {
        let msg = self.with_note(msg);
        self.store
            .record(obj, EventType::Normal, reason, SOURCE, |_| msg);
    }

    fn warn(&mut self, obj: ObjRef, msg: String) {
        let msg = self.with_note(msg);
        self.store
            .record(obj, EventType::Warning, "ActionFailed", SOURCE, |_| msg);
    }

    fn target(&mut self, t: &str, ns: &Option<String>) -> Option<(Kind, Sym, String)> {
        let (kind, name) = parse_target(t).ok()?;
        let ns = if kind.is_namespaced() {
            ns.as_deref().unwrap_or("default")
        } else {
            ""
        };
        Some((kind, self.store.interner.intern(ns), name))
    }

    fn node_id(&mut self, name: &str) -> Option<NodeId> {
        let s = self.store.interner.intern(name);
        let id = self.store.node_by_name(s);
        if id.is_none() {
            let obj = ObjRef {
                kind: Kind::Node,
                namespace: Sym(0),
                name: Arc::from(name),
            };
            self.warn(obj, format!("node {name:?} does not exist at this time"));
        }
        id
    }

    fn perform(&mut self, a: &Action) {
        match a {
            Action::Apply(_) => {}
            Action::Delete(t) => {
                let Some((kind, ns, name)) = self.target(&t.target, &t.namespace) else {
                    return;
                };
                let obj = ObjRef {
                    kind,
                    namespace: ns,
                    name: Arc::from(name.as_str()),
                };
                let found = match kind {
                    Kind::Deployment => self
                        .store
                        .deployment_by_name(ns, &name)
                        .map(|id| self.store.delete_deployment(id))
                        .is_some(),
                    Kind::ReplicaSet => self
                        .store
                        .replicaset_by_name(ns, &name)
                        .map(|id| self.store.delete_replicaset(id))
                        .is_some(),
                    Kind::Pod => match self.store.pod_by_name(ns, &name) {
                        Some(p) => {
                            if !self.store.mark_pod_deleting(p, None) {
                                self.store.delete_pod(p);
                            }
                            true
                        }
                        None => false,
                    },
                    Kind::Node => {
                        let s = self.store.interner.intern(&name);
                        match self.store.node_by_name(s) {
                            Some(id) => {
                                self.remove_node(id);
                                true
                            }
                            None => false,
                        }
                    }
                    Kind::Namespace => self.store.delete_object(Kind::Namespace, Sym(0), &name),
                    other => self.store.delete_object(other, ns, &name),
                };
                if found {
                    self.note(
                        obj,
                        "Deleted",
                        format!("{} {name:?} deleted", kind.as_str().to_ascii_lowercase()),
                    );
                } else {
                    self.warn(obj, format!("{kind} {name:?} not found"));
                }
            }
            Action::Scale(s) => {
                let Some((kind, ns, name)) = self.target(&s.target, &s.namespace) else {
                    return;
                };
                let obj = ObjRef {
                    kind,
                    namespace: ns,
                    name: Arc::from(name.as_str()),
                };
                let replicas = s.replicas;
                let ok = match kind {
                    Kind::Deployment => self
                        .store
                        .deployment_by_name(ns, &name)
                        .map(|id| self.store.update_deployment(id, |d| d.replicas = replicas))
                        .is_some(),
                    Kind::ReplicaSet => self
                        .store
                        .replicaset_by_name(ns, &name)
                        .map(|id| self.store.update_replicaset(id, |r| r.replicas = replicas))
                        .is_some(),
                    // A StatefulSet's manifest is its spec: store it with the new replicas.
                    Kind::StatefulSet => match self.store.object(Kind::StatefulSet, ns, &name) {
                        Some(o) => {
                            let origin = o.origin.clone();
                            let mut obj = (*o.object).clone();
                            if let crate::api::Object::StatefulSet(ss) = &mut obj {
                                ss.spec.replicas = Some(replicas);
                            }
                            self.store.put_object(obj, origin);
                            true
                        }
                        None => false,
                    },
                    _ => false,
                };
                if ok {
                    self.note(
                        obj,
                        "Scaled",
                        format!(
                            "{}/{name} scaled to {replicas}",
                            kind.as_str().to_ascii_lowercase()
                        ),
                    );
                } else {
                    self.warn(
                        obj,
                        format!("cannot scale {kind} {name:?}: not found or not scalable yet"),
                    );
                }
            }
            Action::SetImage(s) => {
                let Some((kind, ns, name)) = self.target(&s.target, &s.namespace) else {
                    return;
                };
                let obj = ObjRef {
                    kind,
                    namespace: ns,
                    name: Arc::from(name.as_str()),
                };
                if matches!(kind, Kind::DaemonSet | Kind::StatefulSet) {
                    // Their manifests are their specs: store one with the new image.
                    let Some(o) = self.store.object(kind, ns, &name) else {
                        self.warn(obj, format!("{kind} {name:?} not found"));
                        return;
                    };
                    let origin = o.origin.clone();
                    let mut o = (*o.object).clone();
                    let t = match &mut o {
                        crate::api::Object::DaemonSet(d) => &mut d.spec.template,
                        crate::api::Object::StatefulSet(ss) => &mut ss.spec.template,
                        _ => return,
                    };
                    let Some(c) = t
                        .spec
                        .containers
                        .iter_mut()
                        .chain(t.spec.init_containers.iter_mut())
                        .find(|c| c.name == s.container)
                    else {
                        self.warn(
                            obj,
                            format!("unable to find container named {:?}", s.container),
                        );
                        return;
                    };
                    c.image = Some(s.image.clone());
                    self.store.put_object(o, origin);
                    let what = kind.as_str().to_ascii_lowercase();
                    self.note(
                        obj,
                        "ImageUpdated",
                        format!(
                            "{what}.apps/{name} image updated: {}={}",
                            s.container, s.image
                        ),
                    );
                    return;
                }
                if kind != Kind::Deployment {
                    self.warn(obj, format!("setImage on {kind} is not simulated yet"));
                    return;
                }
                let Some(id) = self.store.deployment_by_name(ns, &name) else {
                    self.warn(obj, format!("deployment {name:?} not found"));
                    return;
                };
                let d = self.store.deployment(id).expect("found");
                let mut src = (*d.source).clone();
                let Some(c) = src
                    .spec
                    .template
                    .spec
                    .containers
                    .iter_mut()
                    .chain(src.spec.template.spec.init_containers.iter_mut())
                    .find(|c| c.name == s.container)
                else {
                    self.warn(
                        obj,
                        format!("unable to find container named {:?}", s.container),
                    );
                    return;
                };
                c.image = Some(s.image.clone());
                let origin = crate::load::Origin::inline(&self.scenario.file);
                match convert::template(
                    &src.spec.template,
                    &mut self.store.interner,
                    &origin,
                    "spec.template",
                ) {
                    Ok(t) => {
                        let src = Arc::new(src);
                        self.store.update_deployment(id, |d| {
                            d.template = t;
                            d.source = src;
                        });
                        self.note(
                            obj,
                            "ImageUpdated",
                            format!(
                                "deployment.apps/{name} image updated: {}={}",
                                s.container, s.image
                            ),
                        );
                    }
                    Err(e) => self.warn(obj, e.to_string()),
                }
            }
            Action::RolloutUndo(u) => {
                let Some((kind, ns, name)) = self.target(&u.target, &u.namespace) else {
                    return;
                };
                let obj = ObjRef {
                    kind,
                    namespace: ns,
                    name: Arc::from(name.as_str()),
                };
                let Some(id) = self.store.deployment_by_name(ns, &name) else {
                    self.warn(obj, format!("deployment {name:?} not found"));
                    return;
                };
                let current = self.store.deployment(id).expect("found").revision;
                let mut history: Vec<(i64, crate::model::ReplicaSetId)> = self
                    .store
                    .replicasets_of(id)
                    .into_iter()
                    .filter_map(|r| self.store.replicaset(r).map(|rs| (rs.revision, r)))
                    .collect();
                history.sort();
                let target = match u.to_revision.filter(|&r| r > 0) {
                    Some(rev) => history.iter().find(|(r, _)| *r == rev).copied(),
                    None => history.iter().rev().find(|(r, _)| *r < current).copied(),
                };
                let Some((rev, rs)) = target else {
                    let msg = match u.to_revision {
                        Some(r) if r > 0 => {
                            format!("unable to find specified revision {r} in history")
                        }
                        _ => "no rollout history found for deployment".to_string(),
                    };
                    self.warn(obj, msg);
                    return;
                };
                // kubectl rollout undo copies the revision's template (without the hash label).
                let rs_template = self.store.replicaset(rs).expect("listed").template.clone();
                let mut src = (*self.store.deployment(id).expect("found").source).clone();
                src.spec.template = (*rs_template.source).clone();
                let src = Arc::new(src);
                self.store.update_deployment(id, |d| {
                    d.template = rs_template;
                    d.source = src;
                });
                self.note(
                    obj,
                    "RolledBack",
                    format!("deployment.apps/{name} rolled back to revision {rev}"),
                );
            }
            Action::Pause(t) | Action::Resume(t) => {
                let pause = matches!(a, Action::Pause(_));
                let Some((kind, ns, name)) = self.target(&t.target, &t.namespace) else {
                    return;
                };
                let obj = ObjRef {
                    kind,
                    namespace: ns,
                    name: Arc::from(name.as_str()),
                };
                match self.store.deployment_by_name(ns, &name) {
                    Some(id) => {
                        self.store.update_deployment(id, |d| d.paused = pause);
                        let verb = if pause { "paused" } else { "resumed" };
                        self.note(
                            obj,
                            if pause { "Paused" } else { "Resumed" },
                            format!("deployment.apps/{name} {verb}"),
                        );
                    }
                    None => self.warn(obj, format!("deployment {name:?} not found")),
                }
            }
            Action::Cordon(n) | Action::Uncordon(n) => {
                let cordon = matches!(a, Action::Cordon(_));
                let Some(id) = self.node_id(&n.node) else {
                    return;
                };
                self.set_cordon(id, cordon);
            }
            Action::Drain(d) => {
                let Some(id) = self.node_id(&d.node) else {
                    return;
                };
                let opts = crate::ops::drain::DrainOptions {
                    grace: d.grace_period.map(|g| g.0),
                    timeout: d.timeout.map(|t| t.0),
                    force: d.force,
                    ignore_daemonsets: d.ignore_daemonsets,
                    delete_emptydir_data: d.delete_emptydir_data,
                    autoscaler: None,
                };
                self.start_drain(id, opts, None);
            }
            Action::UpgradePool(up) => {
                let Some(pool) = self.pools.iter().position(|p| p.spec.name == up.pool) else {
                    return;
                };
                let timeout = up
                    .drain_timeout
                    .map(|t| t.0)
                    .unwrap_or(crate::ops::upgrade::DEFAULT_DRAIN_TIMEOUT);
                self.start_upgrade(
                    pool,
                    up.max_surge.unwrap_or(1),
                    up.max_unavailable.unwrap_or(0),
                    &up.labels,
                    timeout,
                );
            }
            Action::FailNode(n) => {
                let Some(id) = self.node_id(&n.node) else {
                    return;
                };
                self.store.update_node(id, |n| n.health = NodeHealth::Down);
                let obj = self.store.node_ref(id);
                self.note(
                    obj,
                    "NodeFailure",
                    format!("node {} failed: kubelet stopped reporting", n.node),
                );
            }
            Action::RecoverNode(n) => {
                let Some(id) = self.node_id(&n.node) else {
                    return;
                };
                let now = self.store.now();
                self.store.update_node(id, |n| {
                    n.health = NodeHealth::Up;
                    if n.ready != CondStatus::True {
                        n.ready = CondStatus::True;
                        n.ready_changed = now;
                    }
                });
                let obj = self.store.node_ref(id);
                let name = n.node.clone();
                self.store
                    .record(obj, EventType::Normal, "NodeReady", "kubelet", |_| {
                        format!("Node {name} status is now: NodeReady")
                    });
            }
            Action::AddNodes(a) => {
                let Some(pool) = self.pools.iter().position(|p| p.spec.name == a.pool) else {
                    return;
                };
                for _ in 0..a.count {
                    self.provision_node(pool);
                }
            }
            Action::RemoveNodes(r) => {
                let ids: Vec<NodeId> = match (&r.node, &r.pool) {
                    (Some(n), _) => self.node_id(n).into_iter().collect(),
                    (None, Some(p)) => {
                        let Some(pool) = self.pools.iter().position(|x| &x.spec.name == p) else {
                            return;
                        };
                        let pid = crate::model::PoolId(pool as u32);
                        let mut v: Vec<(u64, NodeId)> = self
                            .store
                            .nodes()
                            .filter(|(_, n)| n.pool == Some(pid))
                            .map(|(id, n)| (n.uid, id))
                            .collect();
                        v.sort();
                        v.into_iter()
                            .rev()
                            .take(r.count.unwrap_or(0) as usize)
                            .map(|(_, id)| id)
                            .collect()
                    }
                    _ => Vec::new(),
                };
                for id in ids {
                    self.remove_node(id);
                }
            }
        }
    }

    pub(crate) fn set_cordon(&mut self, id: NodeId, cordon: bool) {
        let key = self.store.interner.intern(UNSCHEDULABLE);
        let empty = self.store.interner.intern("");
        let now = self.store.now();
        let changed = self
            .store
            .node(id)
            .is_some_and(|n| n.unschedulable != cordon);
        if !changed {
            return;
        }
        self.store.update_node(id, |n| {
            n.unschedulable = cordon;
            n.taints.retain(|t| t.key != key);
            if cordon {
                n.taints.push(Taint {
                    key,
                    value: empty,
                    effect: TaintEffect::NoSchedule,
                    added: now,
                });
            }
        });
        let obj = self.store.node_ref(id);
        let name = obj.name.clone();
        let (reason, what) = if cordon {
            ("NodeNotSchedulable", "NodeNotSchedulable")
        } else {
            ("NodeSchedulable", "NodeSchedulable")
        };
        self.store
            .record(obj, EventType::Normal, reason, "kubelet", |_| {
                format!("Node {name} status is now: {what}")
            });
    }

    /// Deletes a node; the pod garbage collector deletes the pods bound to it.
    pub(crate) fn remove_node(&mut self, id: NodeId) {
        let pods: Vec<_> = self
            .store
            .node(id)
            .map(|n| n.pods.iter().copied().collect())
            .unwrap_or_default();
        let obj = self.store.node_ref(id);
        let name = obj.name.clone();
        self.store.record(
            obj,
            EventType::Normal,
            "RemovingNode",
            "node-controller",
            |_| format!("Node {name} event: Removing Node {name} from Controller"),
        );
        self.store.delete_node(id);
        for p in pods {
            let key = self.store.pod_key(p);
            let obj = self.store.pod_ref(p);
            self.store.record(
                obj,
                EventType::Normal,
                "PodGC",
                "pod-garbage-collector",
                |_| format!("deleting orphaned pod {key} from a removed node"),
            );
            self.store.delete_pod(p);
        }
    }
}
