//! Shared kubectl-style printing for the view verbs (`get`, `describe`, `events`, `rollout`,
//! `explain`, `top`): the tabwriter table, `duration.HumanDuration` ages, the pod STATUS /
//! READY / RESTARTS columns of `printPod`, node STATUS and ROLES, quantities, and the replay
//! of a scenario to a simulated time that every view starts from.

use super::{EXIT_INPUT, display};
use crate::api::duration::parse_duration;
use crate::engine::{SimDuration, SimTime};
use crate::kubelet::restart::ContainerStatus;
use crate::model::node::CondStatus;
use crate::model::pod::{PodReason, RestartPolicy};
use crate::model::{ArenaId, Node, OwnerRef, Pod, PodId};
use crate::scenario::load_scenario;
use crate::sim::{SimOptions, Simulation};
use crate::store::Store;
use crate::store::events::EventLevel;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

/// The kubelet version nodes report (`VERSION` column): kubesim models no particular release.
pub const KUBELET_VERSION: &str = "v1.33.0-kubesim";

/// Parses `--at` (`4m`, `2h15m`).
pub fn parse_at(s: &str) -> Result<SimDuration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

/// Formats rows as kubectl's tabwriter does (columns padded to the widest cell + 3 spaces).
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut width = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                out.push_str(c);
            } else {
                let _ = write!(out, "{c:<w$}", w = width[i] + 3);
            }
        }
        out.push('\n');
    }
    out
}

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`: `45s`, `5m10s`, `15m`, `2h5m`,
/// `10h`, `2d3h`, `10d`, `2y30d`.
pub fn human_duration(d: SimDuration) -> String {
    let seconds = d.as_micros() / 1_000_000;
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{dy}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
}

/// `translateTimestampSince`: the age of `t` at `now` (`<unknown>` is never needed: every
/// simulated timestamp is set).
pub fn age(now: SimTime, t: SimTime) -> String {
    human_duration(now.since(t.min(now)))
}

/// A simulated instant as a timestamp (`Start Time:` and the like): the run starts at the Unix
/// epoch, so 2h15m into the run is `Thu, 01 Jan 1970 02:15:00 +0000`.
pub fn timestamp(t: SimTime) -> String {
    let s = t.since(SimTime::ZERO).as_micros() / 1_000_000;
    let days = s / 86_400;
    let (h, m, sec) = ((s / 3600) % 24, (s / 60) % 60, s % 60);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Days into January 1970 and on (a 30-day scenario stays in January).
    let (mon, day) = month_day(days);
    format!("{wd}, {day:02} {mon} 1970 {h:02}:{m:02}:{sec:02} +0000")
}

fn month_day(days: u64) -> (&'static str, u64) {
    const M: [(&str, u64); 12] = [
        ("Jan", 31),
        ("Feb", 28),
        ("Mar", 31),
        ("Apr", 30),
        ("May", 31),
        ("Jun", 30),
        ("Jul", 31),
        ("Aug", 31),
        ("Sep", 30),
        ("Oct", 31),
        ("Nov", 30),
        ("Dec", 31),
    ];
    let mut d = days % 365;
    for (name, len) in M {
        if d < len {
            return (name, d + 1);
        }
        d -= len;
    }
    ("Dec", 31)
}

/// RFC 3339 form of a simulated instant (`1970-01-01T02:15:00Z`), for `-o yaml|json`.
pub fn rfc3339(t: SimTime) -> String {
    let s = t.since(SimTime::ZERO).as_micros() / 1_000_000;
    let days = s / 86_400;
    let (h, m, sec) = ((s / 3600) % 24, (s / 60) % 60, s % 60);
    let (mon, day) = month_day(days);
    let mi = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|x| *x == mon)
    .unwrap_or(0)
        + 1;
    format!("1970-{mi:02}-{day:02}T{h:02}:{m:02}:{sec:02}Z")
}

/// Millicores as kubectl prints a cpu quantity (`250m`, `2`).
pub fn cpu(m: i64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// Bytes as a BinarySI quantity (`256Mi`, `8Gi`).
pub fn mem(b: i64) -> String {
    crate::kubelet::usage::format_bytes(b)
}

/// The namespace filter of a view: `None` under `-A`.
pub fn namespace_filter(ns: &Option<String>, all: bool) -> Option<String> {
    if all {
        None
    } else {
        Some(ns.clone().unwrap_or_else(|| "default".into()))
    }
}

/// Loads `scenario` and replays it to `at` (the end when `None`), never simulating past it.
/// Every Kubernetes event is kept (whatever the scenario's `output.events`); `causes` turns
/// the causal trace on. Errors are printed; the exit code is returned.
pub fn replay(
    scenario: &Path,
    seed: Option<u64>,
    at: Option<SimDuration>,
    causes: bool,
) -> Result<Simulation, i32> {
    let shown = display(scenario);
    let sc = match load_scenario(scenario, &shown) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Err(EXIT_INPUT);
        }
    };
    let opts = SimOptions {
        seed,
        event_level: Some(EventLevel::All),
        record_causes: causes,
        ..Default::default()
    };
    let mut sim = match Simulation::new(Arc::new(sc), &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Err(EXIT_INPUT);
        }
    };
    let t = match at {
        Some(a) => {
            let t = SimTime::ZERO + a;
            if t > sim.end() {
                eprintln!(
                    "kubesim: --at {a} is after the end of the scenario ({})",
                    sim.end().since(SimTime::ZERO)
                );
                return Err(EXIT_INPUT);
            }
            t
        }
        None => sim.end(),
    };
    sim.run_until(t);
    Ok(sim)
}

/// Prints kubectl's NotFound error with what does exist, and returns exit code 2.
pub fn not_found(resource: &str, name: &str, where_: &str, existing: &[String]) -> i32 {
    let mut msg = format!("Error from server (NotFound): {resource} \"{name}\" not found{where_}");
    if existing.is_empty() {
        let _ = write!(msg, " (there are no {resource})");
    } else {
        let shown: Vec<&str> = existing.iter().take(20).map(|s| s.as_str()).collect();
        let more = existing.len().saturating_sub(20);
        let _ = write!(msg, "; {resource} that exist: {}", shown.join(", "));
        if more > 0 {
            let _ = write!(msg, " and {more} more");
        }
    }
    eprintln!("{msg}");
    EXIT_INPUT
}

/// Total containers the READY column counts: app containers and restartable init containers.
pub fn container_count(p: &Pod) -> usize {
    p.spec.containers.len() + p.spec.init_containers.iter().filter(|c| c.sidecar).count()
}

/// Containers counted ready: all of them on a Ready pod; otherwise the running containers that
/// have no readiness probe (ready as soon as started).
pub fn ready_containers(p: &Pod, statuses: &[ContainerStatus]) -> usize {
    if p.is_ready() {
        return container_count(p);
    }
    statuses
        .iter()
        .zip(p.spec.containers.iter())
        .filter(|(s, c)| s.running_since.is_some() && c.readiness.is_none())
        .count()
}

/// The STATUS column of `kubectl get pods` (`printPod`).
pub fn pod_status(p: &Pod) -> String {
    let terminal = p.status.phase.is_terminal();
    if p.status.deletion_at.is_some() && p.status.reason == Some(PodReason::NodeLost) {
        return "Unknown".into();
    }
    if p.status.deletion_at.is_some() && !terminal {
        return "Terminating".into();
    }
    match p.status.reason {
        Some(PodReason::Initializing) => {
            let n = p.spec.init_containers.len();
            format!("Init:{}/{n}", p.status.init_done)
        }
        Some(r) => r.as_str().to_string(),
        None => p.status.phase.as_str().to_string(),
    }
}

/// The RESTARTS column: the count, with `(5m ago)` after the last restart.
pub fn restarts(now: SimTime, statuses: &[ContainerStatus], fallback: u32) -> String {
    let n: u32 = if statuses.is_empty() {
        fallback
    } else {
        statuses.iter().map(|s| s.restart_count).sum()
    };
    let last = statuses
        .iter()
        .filter_map(|s| s.last_state.map(|t| t.finished))
        .max();
    match last {
        Some(t) if n > 0 => format!("{n} ({} ago)", age(now, t)),
        _ => n.to_string(),
    }
}

/// A pod's IP: synthetic and stable (`10.244.<node>.<n>`), once it is bound.
pub fn pod_ip(p: &Pod) -> Option<String> {
    let n = p.status.node?;
    let ni = n.index() as u64;
    Some(format!(
        "10.{}.{}.{}",
        244 + (ni / 256) % 12,
        ni % 256,
        (p.uid % 253) + 2
    ))
}

/// A node's InternalIP: synthetic and stable (`10.0.<hi>.<lo>` from its uid).
pub fn node_ip(n: &Node) -> String {
    format!("10.0.{}.{}", (n.uid / 250) % 256, n.uid % 250 + 1)
}

/// The STATUS column of `kubectl get nodes`.
pub fn node_status(n: &Node) -> String {
    let mut s = match n.ready {
        CondStatus::True => "Ready",
        CondStatus::False => "NotReady",
        CondStatus::Unknown => "Unknown",
    }
    .to_string();
    if n.unschedulable {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// The ROLES column: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`.
pub fn node_roles(n: &Node, store: &Store) -> String {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in n.labels.to_strings(&store.interner) {
        if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
            if !r.is_empty() {
                roles.push(r.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v);
        }
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

/// `Kind/name` of a pod's controller (`Controlled By:`), when it has one.
pub fn controlled_by(p: &Pod, store: &Store) -> Option<String> {
    let strip = |n: &str, parts: usize| -> String {
        let v: Vec<&str> = n.rsplitn(parts + 1, '-').collect();
        v.last().map(|s| s.to_string()).unwrap_or_default()
    };
    Some(match p.owner? {
        OwnerRef::ReplicaSet(rs) => format!(
            "ReplicaSet/{}",
            store
                .replicaset(rs)
                .map_or("<gone>".into(), |r| r.name.to_string())
        ),
        OwnerRef::Deployment(d) => format!(
            "Deployment/{}",
            store
                .deployment(d)
                .map_or("<gone>".into(), |r| r.name.to_string())
        ),
        OwnerRef::DaemonSet(_) => format!("DaemonSet/{}", strip(&p.name, 1)),
        OwnerRef::StatefulSet(_) => format!("StatefulSet/{}", strip(&p.name, 1)),
        OwnerRef::Job(_) => format!("Job/{}", strip(&p.name, 1)),
    })
}

/// The pods of namespace `ns` (all under `None`) sorted by (namespace, name), with their ids.
pub fn pods_sorted<'a>(store: &'a Store, ns: Option<&str>) -> Vec<(PodId, &'a Pod)> {
    let i = &store.interner;
    let mut v: Vec<(PodId, &Pod)> = store
        .pods()
        .filter(|(_, p)| !p.deleted && ns.is_none_or(|n| i.resolve(p.namespace) == n))
        .collect();
    v.sort_by(|a, b| {
        (i.resolve(a.1.namespace), &a.1.name).cmp(&(i.resolve(b.1.namespace), &b.1.name))
    });
    v
}

/// `restartPolicy` as the API writes it.
pub fn restart_policy(p: RestartPolicy) -> &'static str {
    match p {
        RestartPolicy::Always => "Always",
        RestartPolicy::OnFailure => "OnFailure",
        RestartPolicy::Never => "Never",
    }
}

/// Go's `text/tabwriter` as `kubectl describe` configures it (min width 0, padding 2, spaces):
/// cells end at `\t`; a column is aligned over each block of consecutive lines that have a
/// cell in it; the last cell of a line is not aligned.
pub fn tabwrite(text: &str) -> String {
    const PADDING: usize = 2;
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out_widths: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    fn format(
        lines: &[Vec<&str>],
        out: &mut [Vec<usize>],
        widths: &mut Vec<usize>,
        mut line0: usize,
        line1: usize,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            for o in out.iter_mut().take(this).skip(line0) {
                *o = widths.clone();
            }
            line0 = this;
            let mut width = 0;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(lines[this][column].chars().count() + PADDING);
                this += 1;
            }
            widths.push(width);
            format(lines, out, widths, line0, this);
            widths.pop();
            line0 = this;
        }
        for o in out.iter_mut().take(line1).skip(line0) {
            *o = widths.clone();
        }
    }
    let mut widths = Vec::new();
    format(&lines, &mut out_widths, &mut widths, 0, lines.len());
    let mut s = String::new();
    for (k, (cells, w)) in lines.iter().zip(out_widths.iter()).enumerate() {
        for (j, c) in cells.iter().enumerate() {
            if j < w.len() && j + 1 < cells.len() {
                let _ = write!(s, "{c:<width$}", width = w[j]);
            } else {
                s.push_str(c);
            }
        }
        if k + 1 < lines.len() {
            s.push('\n');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    #[test]
    fn ages_follow_human_duration() {
        assert_eq!(human_duration(d(0)), "0s");
        assert_eq!(human_duration(d(45)), "45s");
        assert_eq!(human_duration(d(119)), "119s");
        assert_eq!(human_duration(d(120)), "2m");
        assert_eq!(human_duration(d(310)), "5m10s");
        assert_eq!(human_duration(d(600)), "10m");
        assert_eq!(human_duration(d(179 * 60 + 59)), "179m");
        assert_eq!(human_duration(d(3 * 3600)), "3h");
        assert_eq!(human_duration(d(2 * 3600 + 15 * 60 + 30)), "135m");
        assert_eq!(human_duration(d(7 * 3600 + 5 * 60)), "7h5m");
        assert_eq!(human_duration(d(10 * 3600)), "10h");
        assert_eq!(human_duration(d(51 * 3600)), "2d3h");
        assert_eq!(human_duration(d(48 * 3600)), "2d");
        assert_eq!(human_duration(d(10 * 86_400)), "10d");
        assert_eq!(human_duration(d(3 * 365 * 86_400 + 86_400)), "3y1d");
    }

    #[test]
    fn tables_pad_to_the_widest_cell_plus_three() {
        let t = table(&[
            vec!["NAME".into(), "READY".into()],
            vec!["web-1".into(), "1/1".into()],
        ]);
        assert_eq!(t, "NAME    READY\nweb-1   1/1\n");
    }

    #[test]
    fn tabwrite_aligns_column_blocks() {
        let t = tabwrite("Name:\tweb\nNamespace:\tdefault\nContainers:\n  app:\n    Image:\tx\n");
        assert_eq!(
            t,
            "Name:       web\nNamespace:  default\nContainers:\n  app:\n    Image:  x\n"
        );
    }

    #[test]
    fn timestamps_start_at_the_epoch() {
        let t = SimTime::ZERO + d(2 * 3600 + 15 * 60);
        assert_eq!(timestamp(t), "Thu, 01 Jan 1970 02:15:00 +0000");
        assert_eq!(rfc3339(t), "1970-01-01T02:15:00Z");
        let t = SimTime::ZERO + d(40 * 86_400);
        assert_eq!(rfc3339(t), "1970-02-10T00:00:00Z");
    }

    #[test]
    fn quantities_print_like_kubectl() {
        assert_eq!(cpu(250), "250m");
        assert_eq!(cpu(2000), "2");
        assert_eq!(mem(256 * 1024 * 1024), "256Mi");
    }
}
