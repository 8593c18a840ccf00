//! The Vertical Pod Autoscaler recommender (`vertical-pod-autoscaler/pkg/recommender`): every
//! `recommender-interval` (1 m) it feeds each VPA's target pods' usage into per-container
//! aggregates (`autoscaling::vpa`) and recomputes the target / lower / upper recommendation,
//! clamped to the `resourcePolicy`'s `minAllowed` / `maxAllowed`.
//!
//! Usage is per pod in the model; it is split over the pod's app containers in proportion to
//! their requests. The recommendation is reported (summary.json, timeseries.csv) and, for
//! VPAs in any mode but `Off`, handed to the admission webhook (`store::vpa_webhook`), which
//! sets it on pods as they are created (`Initial`). The updater that evicts running pods to
//! apply it (`Recreate`, `Auto`) is not simulated: in those modes, too, only new pods get it.

use crate::api::{self as apiroot, Kind};
use crate::autoscaling::vpa::{ContainerAggregate, Recommendation, recommend};
use crate::engine::SimDuration;
use crate::kubelet::Kubelet;
use crate::model::Sym;
use crate::sim::Ctx;
use crate::sim::event::Event;
use crate::store::Change;
use crate::store::vpa_webhook::{ContainerPatch, VpaPatch};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `--recommender-interval`.
pub const INTERVAL: SimDuration = SimDuration::from_secs(60);

/// One VerticalPodAutoscaler at run time.
#[derive(Debug)]
pub struct Vpa {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    uid: u64,
    spec: apiroot::autoscaling::VpaSpec,
    aggregates: BTreeMap<Arc<str>, ContainerAggregate>,
    /// The latest recommendation per container (cpu millicores, memory bytes).
    pub recommendations: BTreeMap<Arc<str>, Recommendation>,
    deleted: bool,
}

impl Vpa {
    /// The container policy for `container`: its own, else the `*` one.
    fn container_policy(
        &self,
        container: &str,
    ) -> Option<&apiroot::autoscaling::VpaContainerPolicy> {
        let ps = &self.spec.resource_policy.as_ref()?.container_policies;
        ps.iter()
            .find(|p| p.container_name == container)
            .or_else(|| ps.iter().find(|p| p.container_name == "*"))
    }

    /// `updatePolicy.updateMode` (default `Recreate`, the API default).
    pub fn mode(&self) -> &str {
        self.spec
            .update_policy
            .as_ref()
            .and_then(|u| u.update_mode.as_deref())
            .unwrap_or("Recreate")
    }
}

/// The recommender.
#[derive(Debug, Default)]
pub struct VpaRecommender {
    vpas: Vec<Vpa>,
    by_key: BTreeMap<(Sym, Arc<str>), u32>,
    armed: bool,
}

impl VpaRecommender {
    /// The VPAs, in creation order.
    pub fn vpas(&self) -> impl Iterator<Item = &Vpa> {
        self.vpas.iter().filter(|v| !v.deleted)
    }

    /// A VPA by namespace and name.
    pub fn get(&self, ns: Sym, name: &str) -> Option<&Vpa> {
        let i = *self.by_key.get(&(ns, Arc::from(name)))?;
        self.vpas.get(i as usize).filter(|v| !v.deleted)
    }

    /// Watch notifications: VPAs created, changed or deleted.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        let Change::Other(Kind::VerticalPodAutoscaler, _) = ch else {
            return;
        };
        let objs: Vec<(u64, Arc<apiroot::Object>)> = cx
            .store
            .objects_of(Kind::VerticalPodAutoscaler)
            .map(|o| (o.uid, o.object.clone()))
            .collect();
        let mut live = Vec::new();
        for (uid, obj) in objs {
            let apiroot::Object::VerticalPodAutoscaler(v) = obj.as_ref() else {
                continue;
            };
            let ns = cx
                .store
                .interner
                .intern(v.metadata.namespace.as_deref().unwrap_or("default"));
            let name: Arc<str> = Arc::from(v.metadata.name.as_deref().unwrap_or(""));
            match self.by_key.get(&(ns, name.clone())).copied() {
                Some(i) if !self.vpas[i as usize].deleted => {
                    let e = &mut self.vpas[i as usize];
                    if e.uid != uid {
                        e.uid = uid;
                        e.spec = v.spec.clone();
                    }
                    live.push(i);
                }
                _ => {
                    let i = self.vpas.len() as u32;
                    self.vpas.push(Vpa {
                        namespace: ns,
                        name: name.clone(),
                        uid,
                        spec: v.spec.clone(),
                        aggregates: BTreeMap::new(),
                        recommendations: BTreeMap::new(),
                        deleted: false,
                    });
                    self.by_key.insert((ns, name), i);
                    live.push(i);
                }
            }
        }
        for (i, v) in self.vpas.iter_mut().enumerate() {
            if !live.contains(&(i as u32)) && !v.deleted {
                v.deleted = true;
                // The webhook no longer finds it.
                let target: Arc<str> = Arc::from(v.spec.target_ref.name.as_str());
                cx.store.set_vpa_patch(v.namespace, target, None);
            }
        }
        if !self.armed && self.vpas.iter().any(|v| !v.deleted) {
            self.armed = true;
            cx.queue.push(cx.now + INTERVAL, Event::VpaTick);
        }
    }

    /// One recommender loop.
    pub fn on_tick(&mut self, kubelet: &Kubelet, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let store = &*cx.store;
        for v in self.vpas.iter_mut().filter(|v| !v.deleted) {
            let r = &v.spec.target_ref;
            if r.kind != "Deployment" {
                continue;
            }
            let Some(d) = store.deployment_by_name(v.namespace, &r.name) else {
                continue;
            };
            let mut containers = 0;
            for rs in store.replicasets_of(d) {
                let Some(set) = store.replicaset(rs) else {
                    continue;
                };
                for &p in &set.pods {
                    let (Some(pod), Some((cpu, mem))) = (store.pod(p), kubelet.pod_usage_now(p))
                    else {
                        continue;
                    };
                    let cs = &pod.spec.containers;
                    containers = containers.max(cs.len());
                    let (tc, tm): (i64, i64) = cs.iter().fold((0, 0), |a, c| {
                        (a.0 + c.requests.cpu, a.1 + c.requests.memory)
                    });
                    for c in cs {
                        let n = cs.len().max(1) as f64;
                        let sc = if tc > 0 {
                            c.requests.cpu as f64 / tc as f64
                        } else {
                            1.0 / n
                        };
                        let sm = if tm > 0 {
                            c.requests.memory as f64 / tm as f64
                        } else {
                            1.0 / n
                        };
                        let a = v.aggregates.entry(c.name.clone()).or_default();
                        a.add_cpu(cpu / 1000.0 * sc, now);
                        a.add_memory(mem as f64 * sm, now);
                    }
                }
            }
            let policies = v
                .spec
                .resource_policy
                .as_ref()
                .map(|p| p.container_policies.clone())
                .unwrap_or_default();
            for (name, a) in &v.aggregates {
                let mut rec = recommend(a, containers.max(1));
                if let Some(p) = policies
                    .iter()
                    .find(|p| p.container_name.as_str() == &**name)
                    .or_else(|| policies.iter().find(|p| p.container_name == "*"))
                {
                    let bound = |m: &BTreeMap<String, crate::api::quantity::Quantity>| {
                        (
                            m.get("cpu").and_then(|q| q.milli_value().ok()),
                            m.get("memory").and_then(|q| q.value().ok()),
                        )
                    };
                    let (lo, hi) = (bound(&p.min_allowed), bound(&p.max_allowed));
                    let clamp = |x: (i64, i64)| {
                        let mut c = x.0;
                        let mut m = x.1;
                        if let Some(l) = lo.0 {
                            c = c.max(l);
                        }
                        if let Some(l) = lo.1 {
                            m = m.max(l);
                        }
                        if let Some(h) = hi.0 {
                            c = c.min(h);
                        }
                        if let Some(h) = hi.1 {
                            m = m.min(h);
                        }
                        (c, m)
                    };
                    rec.target = clamp(rec.target);
                    rec.lower = clamp(rec.lower);
                    rec.upper = clamp(rec.upper);
                }
                v.recommendations.insert(name.clone(), rec);
            }
        }
        // What the admission webhook applies to new pods (every mode but Off).
        for v in self.vpas.iter() {
            if v.spec.target_ref.kind != "Deployment" {
                continue;
            }
            let name: Arc<str> = Arc::from(v.spec.target_ref.name.as_str());
            let patch =
                (!v.deleted && v.mode() != "Off" && !v.recommendations.is_empty()).then(|| {
                    VpaPatch {
                        vpa: v.name.clone(),
                        containers: v
                            .recommendations
                            .iter()
                            .filter_map(|(c, r)| {
                                let policy = v.container_policy(c);
                                if policy.and_then(|p| p.mode.as_deref()) == Some("Off") {
                                    return None;
                                }
                                Some(ContainerPatch {
                                    container: c.clone(),
                                    cpu: r.target.0,
                                    memory: r.target.1,
                                    limits_too: policy.and_then(|p| p.controlled_values.as_deref())
                                        != Some("RequestsOnly"),
                                })
                            })
                            .collect(),
                    }
                });
            cx.store.set_vpa_patch(v.namespace, name, patch);
        }
        if self.vpas.iter().any(|v| !v.deleted) {
            cx.queue.push(now + INTERVAL, Event::VpaTick);
        } else {
            self.armed = false;
        }
    }
}
