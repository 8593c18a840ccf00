//! Namespace admission for pods: LimitRange defaults and constraints
//! (`plugin/pkg/admission/limitranger/admission.go`) and ResourceQuota
//! (`plugin/pkg/admission/resourcequota/controller.go` with the pod evaluator of
//! `pkg/quota/v1/evaluator/core/pods.go`). Quota usage (`status.used`) is kept incrementally:
//! a pod is charged when admitted and uncharged when it turns terminal or is deleted.

use crate::api::namespace::{LimitRange, ResourceQuota};
use crate::model::pod::{Container, PodSpec, QosClass};
use crate::model::{Resources, Sym};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A ResourceQuota with its hard limits and the usage charged against it.
#[derive(Clone, Debug)]
pub struct Quota {
    /// Name.
    pub name: Arc<str>,
    /// Hard limits by resource name (`requests.cpu`, `pods`, ...), in name order; cpu-like
    /// resources in millicores, the others in units.
    pub hard: Vec<(Arc<str>, i64)>,
    /// `status.used`, parallel to `hard`.
    pub used: Vec<i64>,
    scopes: Vec<Arc<str>>,
}

impl Quota {
    /// Builds a quota from its manifest (unparseable quantities become unlimited).
    pub fn new(q: &ResourceQuota) -> Quota {
        let hard: Vec<(Arc<str>, i64)> = q
            .spec
            .hard
            .iter()
            .map(|(k, v)| {
                let n = if is_milli(k) {
                    v.milli_value()
                } else {
                    v.value()
                };
                (Arc::from(k.as_str()), n.unwrap_or(i64::MAX))
            })
            .collect();
        Quota {
            name: Arc::from(q.metadata.name.as_deref().unwrap_or("")),
            used: vec![0; hard.len()],
            hard,
            scopes: q
                .spec
                .scopes
                .iter()
                .map(|s| Arc::from(s.as_str()))
                .collect(),
        }
    }

    /// `status.used` of `resource`.
    pub fn used(&self, resource: &str) -> Option<i64> {
        self.hard
            .iter()
            .position(|(k, _)| &**k == resource)
            .map(|i| self.used[i])
    }

    /// Whether the quota's scopes select the pod (`podMatchesScopeFunc`).
    fn matches(&self, spec: &PodSpec, qos: QosClass) -> bool {
        self.scopes.iter().all(|s| match &**s {
            "BestEffort" => qos == QosClass::BestEffort,
            "NotBestEffort" => qos != QosClass::BestEffort,
            "Terminating" => spec.active_deadline.is_some(),
            "NotTerminating" => spec.active_deadline.is_none(),
            _ => true,
        })
    }
}

/// Resources measured in millicores (`cpu`, `requests.cpu`, `limits.cpu`).
fn is_milli(name: &str) -> bool {
    matches!(name, "cpu" | "requests.cpu" | "limits.cpu")
}

/// Renders an integer amount the way `resource.Quantity.String()` renders its canonical form:
/// cpu as `500m` or `2`, byte amounts with the largest exact binary suffix (else decimal).
pub fn format_quantity(resource: &str, v: i64) -> String {
    if is_milli(resource) {
        return if v % 1000 == 0 {
            format!("{}", v / 1000)
        } else {
            format!("{v}m")
        };
    }
    if v == 0 {
        return "0".into();
    }
    for (suffix, f) in [
        ("Ei", 1i64 << 60),
        ("Pi", 1 << 50),
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if v % f == 0 {
            return format!("{}{suffix}", v / f);
        }
    }
    for (suffix, f) in [
        ("E", 1_000_000_000_000_000_000i64),
        ("P", 1_000_000_000_000_000),
        ("T", 1_000_000_000_000),
        ("G", 1_000_000_000),
        ("M", 1_000_000),
        ("k", 1_000),
    ] {
        if v % f == 0 {
            return format!("{}{suffix}", v / f);
        }
    }
    v.to_string()
}

/// Effective pod limits (`PodLimits`): app containers and sidecars summed, the largest init
/// container's use where larger, plus overhead.
pub fn pod_limits(spec: &PodSpec) -> Resources {
    if let Some(l) = &spec.pod_limits {
        let mut r = l.clone();
        r.add(&spec.overhead);
        return r;
    }
    let mut app = Resources::zero();
    for c in &spec.containers {
        app.add(&c.limits);
    }
    let mut init_max = Resources::zero();
    let mut sidecars = Resources::zero();
    for c in &spec.init_containers {
        if c.sidecar {
            app.add(&c.limits);
            sidecars.add(&c.limits);
            init_max.max_with(&sidecars);
        } else {
            let mut u = c.limits.clone();
            u.add(&sidecars);
            init_max.max_with(&u);
        }
    }
    app.max_with(&init_max);
    app.add(&spec.overhead);
    app
}

/// The pod's usage of a quota resource (`podComputeUsageHelper`), or None when the pod
/// evaluator does not track it.
pub fn pod_usage(
    resource: &str,
    requests: &Resources,
    limits: &Resources,
    interner: &crate::model::Interner,
) -> Option<i64> {
    Some(match resource {
        "pods" | "count/pods" => 1,
        "cpu" | "requests.cpu" => requests.cpu,
        "memory" | "requests.memory" => requests.memory,
        "ephemeral-storage" | "requests.ephemeral-storage" => requests.ephemeral,
        "limits.cpu" => limits.cpu,
        "limits.memory" => limits.memory,
        "limits.ephemeral-storage" => limits.ephemeral,
        other => {
            let name = other.strip_prefix("requests.")?;
            // Extended resources and hugepages are tracked through their requests.
            interner
                .lookup(name)
                .map(|s| requests.scalar(s))
                .unwrap_or(0)
        }
    })
}

/// An exceeded quota resource: (name, requested, used, hard).
type Exceeded = (Arc<str>, i64, i64, i64);

/// The resources a cpu/memory quota makes every container state (`validationSet`).
const VALIDATION_SET: [&str; 6] = [
    "cpu",
    "limits.cpu",
    "limits.memory",
    "memory",
    "requests.cpu",
    "requests.memory",
];

/// Per-namespace admission state.
#[derive(Debug, Default)]
pub struct Admission {
    quotas: BTreeMap<Sym, Vec<Quota>>,
    limit_ranges: BTreeMap<Sym, Vec<Arc<LimitRange>>>,
}

/// The result of a successful quota check: the charges to apply (namespace, quota index,
/// resource index, amount).
pub type Charges = Vec<(usize, usize, i64)>;

impl Admission {
    /// The quotas of a namespace, in name order.
    pub fn quotas(&self, ns: Sym) -> &[Quota] {
        self.quotas.get(&ns).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Replaces a namespace's quotas (their usage is recounted by the caller).
    pub fn set_quotas(&mut self, ns: Sym, quotas: Vec<Quota>) {
        if quotas.is_empty() {
            self.quotas.remove(&ns);
        } else {
            self.quotas.insert(ns, quotas);
        }
    }

    /// Replaces a namespace's LimitRanges.
    pub fn set_limit_ranges(&mut self, ns: Sym, lrs: Vec<Arc<LimitRange>>) {
        if lrs.is_empty() {
            self.limit_ranges.remove(&ns);
        } else {
            self.limit_ranges.insert(ns, lrs);
        }
    }

    /// True when the namespace has LimitRanges.
    pub fn has_limit_ranges(&self, ns: Sym) -> bool {
        self.limit_ranges.contains_key(&ns)
    }

    /// `PodMutateLimitFunc`: applies the `Container` defaults (`default`, `defaultRequest`, as
    /// defaulted by `SetDefaults_LimitRangeItem`) to containers that do not set them. Returns
    /// None when nothing changed.
    pub fn apply_defaults(
        &self,
        ns: Sym,
        spec: &PodSpec,
        interner: &crate::model::Interner,
    ) -> Option<PodSpec> {
        let lrs = self.limit_ranges.get(&ns)?;
        let mut out = spec.clone();
        let mut changed = false;
        for lr in lrs {
            let (lim, req) = container_defaults(lr);
            if lim.is_empty() && req.is_empty() {
                continue;
            }
            for c in out
                .containers
                .iter_mut()
                .chain(out.init_containers.iter_mut())
            {
                changed |= merge_defaults(c, &lim, &req, interner);
            }
        }
        changed.then_some(out)
    }

    /// `PodValidateLimitFunc`: min/max/maxLimitRequestRatio of `Container` and `Pod` items.
    /// Returns the aggregated message.
    pub fn validate_limits(&self, ns: Sym, spec: &PodSpec) -> Result<(), String> {
        let Some(lrs) = self.limit_ranges.get(&ns) else {
            return Ok(());
        };
        let mut errs: Vec<String> = Vec::new();
        for lr in lrs {
            for item in &lr.spec.limits {
                match item.type_.as_str() {
                    "Container" => {
                        for c in &spec.containers {
                            let (req, lim) = container_lists(c);
                            check_item("Container", item, &req, &lim, &mut errs);
                        }
                    }
                    "Pod" => {
                        let mut req = BTreeMap::new();
                        let mut lim = BTreeMap::new();
                        // `sum`: a resource counts only when every container sets it.
                        let lists: Vec<_> = spec.containers.iter().map(container_lists).collect();
                        for name in ["cpu", "memory", "ephemeral-storage"] {
                            if lists.iter().all(|(r, _)| r.contains_key(name)) {
                                req.insert(name, lists.iter().map(|(r, _)| r[name]).sum());
                            }
                            if lists.iter().all(|(_, l)| l.contains_key(name)) {
                                lim.insert(name, lists.iter().map(|(_, l)| l[name]).sum());
                            }
                        }
                        check_item("Pod", item, &req, &lim, &mut errs);
                    }
                    _ => {}
                }
            }
        }
        match errs.len() {
            0 => Ok(()),
            1 => Err(errs.pop().expect("one")),
            _ => Err(format!("[{}]", errs.join(", "))),
        }
    }

    /// `checkRequest` for a pod: first every matching quota's constraints ("must specify"),
    /// then the usage each quota would reach. Returns the charges to make on success.
    pub fn check_quota(
        &self,
        ns: Sym,
        spec: &PodSpec,
        qos: QosClass,
        requests: &Resources,
        interner: &crate::model::Interner,
    ) -> Result<Charges, String> {
        let Some(quotas) = self.quotas.get(&ns) else {
            return Ok(Vec::new());
        };
        let limits = pod_limits(spec);
        for q in quotas {
            if !q.matches(spec, qos) {
                continue;
            }
            // `Constraints`: every container must state what a cpu/memory quota limits.
            let required: Vec<&str> = VALIDATION_SET
                .iter()
                .copied()
                .filter(|r| q.hard.iter().any(|(k, _)| &**k == *r))
                .collect();
            if required.is_empty() {
                continue;
            }
            let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for c in spec.containers.iter().chain(spec.init_containers.iter()) {
                let (req, lim) = container_lists(c);
                for &r in &required {
                    let has = match r {
                        "cpu" | "requests.cpu" => req.contains_key("cpu"),
                        "memory" | "requests.memory" => req.contains_key("memory"),
                        "limits.cpu" => lim.contains_key("cpu"),
                        _ => lim.contains_key("memory"),
                    };
                    if !has {
                        missing.entry(r).or_default().push(&c.name);
                    }
                }
            }
            if !missing.is_empty() {
                let parts: Vec<String> = missing
                    .into_iter()
                    .map(|(r, mut names)| {
                        names.sort_unstable();
                        names.dedup();
                        format!("{r} for: {}", names.join(","))
                    })
                    .collect();
                return Err(format!(
                    "failed quota: {}: must specify {}",
                    q.name,
                    parts.join("; ")
                ));
            }
        }
        let mut charges = Vec::new();
        for (qi, q) in quotas.iter().enumerate() {
            if !q.matches(spec, qos) {
                continue;
            }
            let mut exceeded = Vec::new();
            for (ri, (res, hard)) in q.hard.iter().enumerate() {
                let Some(v) = pod_usage(res, requests, &limits, interner) else {
                    continue;
                };
                if v == 0 {
                    continue;
                }
                if q.used[ri].saturating_add(v) > *hard {
                    exceeded.push((res.clone(), v, q.used[ri], *hard));
                }
                charges.push((qi, ri, v));
            }
            if !exceeded.is_empty() {
                let list = |f: &dyn Fn(&Exceeded) -> i64| {
                    exceeded
                        .iter()
                        .map(|e| format!("{}={}", e.0, format_quantity(&e.0, f(e))))
                        .collect::<Vec<_>>()
                        .join(",")
                };
                return Err(format!(
                    "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                    q.name,
                    list(&|e| e.1),
                    list(&|e| e.2),
                    list(&|e| e.3)
                ));
            }
        }
        Ok(charges)
    }

    /// Applies (sign 1) or reverts (sign -1) a pod's charges to its namespace's quotas.
    pub fn charge(&mut self, ns: Sym, charges: &Charges, sign: i64) {
        if let Some(quotas) = self.quotas.get_mut(&ns) {
            for &(qi, ri, v) in charges {
                if let Some(q) = quotas.get_mut(qi) {
                    q.used[ri] += sign * v;
                }
            }
        }
    }

    /// The charges an admitted pod holds against its namespace's quotas (for uncharging and
    /// for recounts).
    pub fn pod_charges(
        &self,
        ns: Sym,
        spec: &PodSpec,
        qos: QosClass,
        requests: &Resources,
        interner: &crate::model::Interner,
    ) -> Charges {
        let mut out = Vec::new();
        let Some(quotas) = self.quotas.get(&ns) else {
            return out;
        };
        let limits = pod_limits(spec);
        for (qi, q) in quotas.iter().enumerate() {
            if !q.matches(spec, qos) {
                continue;
            }
            for (ri, (res, _)) in q.hard.iter().enumerate() {
                if let Some(v) = pod_usage(res, requests, &limits, interner)
                    && v != 0
                {
                    out.push((qi, ri, v));
                }
            }
        }
        out
    }
}

/// A container's stated requests and limits by resource name (cpu in millicores).
fn container_lists(c: &Container) -> (BTreeMap<&'static str, i64>, BTreeMap<&'static str, i64>) {
    let mut req = BTreeMap::new();
    let mut lim = BTreeMap::new();
    if c.has_cpu_request {
        req.insert("cpu", c.requests.cpu);
    }
    if c.has_memory_request {
        req.insert("memory", c.requests.memory);
    }
    if c.requests.ephemeral > 0 {
        req.insert("ephemeral-storage", c.requests.ephemeral);
    }
    if c.limits.cpu > 0 {
        lim.insert("cpu", c.limits.cpu);
    }
    if c.limits.memory > 0 {
        lim.insert("memory", c.limits.memory);
    }
    if c.limits.ephemeral > 0 {
        lim.insert("ephemeral-storage", c.limits.ephemeral);
    }
    (req, lim)
}

/// One item's min, max and maxLimitRequestRatio (`minConstraint`, `maxConstraint`,
/// `limitRequestRatioConstraint`), in resource-name order.
fn check_item(
    kind: &str,
    item: &crate::api::namespace::LimitRangeItem,
    req: &BTreeMap<&'static str, i64>,
    lim: &BTreeMap<&'static str, i64>,
    errs: &mut Vec<String>,
) {
    let val = |name: &str, q: &crate::api::Quantity| {
        if name == "cpu" {
            q.milli_value()
        } else {
            q.value()
        }
        .unwrap_or(i64::MAX)
    };
    for (name, q) in item.min.iter() {
        let enforced = val(name, q);
        let e = format_quantity(name, enforced);
        match req.get(name.as_str()) {
            None => errs.push(format!(
                "minimum {name} usage per {kind} is {e}.  No request is specified"
            )),
            Some(&r) if r < enforced => errs.push(format!(
                "minimum {name} usage per {kind} is {e}, but request is {}",
                format_quantity(name, r)
            )),
            _ => {
                if let Some(&l) = lim.get(name.as_str())
                    && l < enforced
                {
                    errs.push(format!(
                        "minimum {name} usage per {kind} is {e}, but limit is {}",
                        format_quantity(name, l)
                    ));
                }
            }
        }
    }
    for (name, q) in item.max.iter() {
        let enforced = val(name, q);
        let e = format_quantity(name, enforced);
        match lim.get(name.as_str()) {
            None => errs.push(format!(
                "maximum {name} usage per {kind} is {e}.  No limit is specified"
            )),
            Some(&l) if l > enforced => errs.push(format!(
                "maximum {name} usage per {kind} is {e}, but limit is {}",
                format_quantity(name, l)
            )),
            _ => {
                if let Some(&r) = req.get(name.as_str())
                    && r > enforced
                {
                    errs.push(format!(
                        "maximum {name} usage per {kind} is {e}, but request is {}",
                        format_quantity(name, r)
                    ));
                }
            }
        }
    }
    for (name, q) in item.max_limit_request_ratio.iter() {
        let e = q.as_str();
        let r = req.get(name.as_str()).copied().unwrap_or(0);
        let l = lim.get(name.as_str()).copied().unwrap_or(0);
        if r == 0 {
            errs.push(format!("{name} max limit to request ratio per {kind} is {e}, but no request is specified or request is 0"));
            continue;
        }
        if l == 0 {
            errs.push(format!("{name} max limit to request ratio per {kind} is {e}, but no limit is specified or limit is 0"));
            continue;
        }
        let observed = l as f64 / r as f64;
        let max = q.milli_value().unwrap_or(i64::MAX);
        if (observed * 1000.0) > max as f64 {
            errs.push(format!(
                "{name} max limit to request ratio per {kind} is {e}, but provided ratio is {observed:.6}"
            ));
        }
    }
}

/// `defaultContainerResourceRequirements` after `SetDefaults_LimitRangeItem`: default limits
/// (else max) and default requests (else the default limit, else min), cpu in millicores.
fn container_defaults(lr: &LimitRange) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let mut lim = BTreeMap::new();
    let mut req = BTreeMap::new();
    let val = |name: &str, q: &crate::api::Quantity| {
        if name == "cpu" {
            q.milli_value()
        } else {
            q.value()
        }
        .unwrap_or(i64::MAX)
    };
    for item in lr.spec.limits.iter().filter(|i| i.type_ == "Container") {
        let mut d: BTreeMap<String, i64> = item
            .default
            .iter()
            .map(|(k, v)| (k.clone(), val(k, v)))
            .collect();
        for (k, v) in item.max.iter() {
            d.entry(k.clone()).or_insert_with(|| val(k, v));
        }
        let mut dr: BTreeMap<String, i64> = item
            .default_request
            .iter()
            .map(|(k, v)| (k.clone(), val(k, v)))
            .collect();
        for (k, v) in &d {
            dr.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in item.min.iter() {
            dr.entry(k.clone()).or_insert_with(|| val(k, v));
        }
        lim.extend(d);
        req.extend(dr);
    }
    (lim, req)
}

/// `mergeContainerResources`: sets missing limits and requests. Returns true on a change.
fn merge_defaults(
    c: &mut Container,
    lim: &BTreeMap<String, i64>,
    req: &BTreeMap<String, i64>,
    interner: &crate::model::Interner,
) -> bool {
    let mut changed = false;
    for (k, &v) in lim {
        let slot = match k.as_str() {
            "cpu" => &mut c.limits.cpu,
            "memory" => &mut c.limits.memory,
            "ephemeral-storage" => &mut c.limits.ephemeral,
            other => {
                if let Some(s) = interner.lookup(other)
                    && c.limits.scalar(s) == 0
                {
                    c.limits.set_scalar(s, v);
                    changed = true;
                }
                continue;
            }
        };
        if *slot == 0 {
            *slot = v;
            changed = true;
        }
    }
    for (k, &v) in req {
        match k.as_str() {
            "cpu" if !c.has_cpu_request => {
                c.requests.cpu = v;
                c.has_cpu_request = true;
                changed = true;
            }
            "memory" if !c.has_memory_request => {
                c.requests.memory = v;
                c.has_memory_request = true;
                changed = true;
            }
            "ephemeral-storage" if c.requests.ephemeral == 0 => {
                c.requests.ephemeral = v;
                changed = true;
            }
            _ => {}
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str, i: &mut crate::model::Interner) -> PodSpec {
        let s: crate::api::pod::PodSpec = serde_yaml::from_str(yaml).unwrap();
        crate::model::convert::pod_spec(&s, i, &crate::load::Origin::inline("t"), "spec").unwrap()
    }

    #[test]
    fn quota_charges_and_refuses_with_the_upstream_message() {
        let mut i = crate::model::Interner::new();
        let ns = i.intern("default");
        let q: ResourceQuota = serde_yaml::from_str(
            "metadata: {name: q}\nspec: {hard: {requests.cpu: '2', limits.memory: 1Gi, count/pods: '5'}}",
        )
        .unwrap();
        let mut a = Admission::default();
        a.set_quotas(ns, vec![Quota::new(&q)]);
        let s = spec(
            "containers: [{name: a, image: x, resources: {requests: {cpu: 1500m}, limits: {memory: 512Mi}}}]",
            &mut i,
        );
        let r = s.effective_requests();
        let c = a.check_quota(ns, &s, s.qos_class(), &r, &i).unwrap();
        a.charge(ns, &c, 1);
        assert_eq!(a.quotas(ns)[0].used("requests.cpu"), Some(1500));
        assert_eq!(a.quotas(ns)[0].used("count/pods"), Some(1));
        let e = a.check_quota(ns, &s, s.qos_class(), &r, &i).unwrap_err();
        assert_eq!(
            e,
            "exceeded quota: q, requested: requests.cpu=1500m, used: requests.cpu=1500m, limited: requests.cpu=2"
        );
        a.charge(ns, &c, -1);
        assert_eq!(a.quotas(ns)[0].used("requests.cpu"), Some(0));
    }

    #[test]
    fn limit_request_ratio_and_pod_max() {
        let mut i = crate::model::Interner::new();
        let ns = i.intern("default");
        let lr: LimitRange = serde_yaml::from_str(
            "metadata: {name: l}\nspec:\n  limits:\n    - {type: Container, maxLimitRequestRatio: {cpu: '2'}}\n    - {type: Pod, max: {memory: 1Gi}}",
        )
        .unwrap();
        let mut a = Admission::default();
        a.set_limit_ranges(ns, vec![Arc::new(lr)]);
        let s = spec(
            "containers: [{name: a, image: x, resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {cpu: 500m, memory: 2Gi}}}]",
            &mut i,
        );
        assert_eq!(
            a.validate_limits(ns, &s).unwrap_err(),
            "[cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000, \
             maximum memory usage per Pod is 1Gi, but limit is 2Gi]"
        );
    }

    #[test]
    fn quantities_render_canonically() {
        assert_eq!(format_quantity("requests.cpu", 500), "500m");
        assert_eq!(format_quantity("requests.cpu", 2000), "2");
        assert_eq!(format_quantity("requests.memory", 256 << 20), "256Mi");
        assert_eq!(format_quantity("requests.memory", 1_000_000_000), "1G");
        assert_eq!(format_quantity("pods", 3), "3");
    }
}
