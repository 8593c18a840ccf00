//! Cluster Autoscaler expanders: which scale-up option (one per node group) to take.
// Follows kubernetes/autoscaler cluster-autoscaler/expander/factory/{expander_factory,chain}.go.
//!
//! `--expander` is a comma-separated chain: each named expander filters the options down to its
//! best ones (ties kept); as soon as one option is left it is taken, and what is left after the
//! last filter goes to `random`. `random` always leaves one option, so nothing may follow it,
//! and no expander may be named twice. Expanders: `random`, `most-pods`, `least-waste`,
//! `price`, `priority` (`expander/priority/priority.go`: the ConfigMap
//! `kube-system/cluster-autoscaler-priority-expander`, key `priorities`).

use crate::engine::SimRng;
use regex::Regex;
use std::collections::BTreeMap;

/// The name of the priority expander's ConfigMap.
pub const PRIORITY_CONFIGMAP: &str = "cluster-autoscaler-priority-expander";
/// The key of the priority expander's ConfigMap that holds the priorities.
pub const PRIORITY_KEY: &str = "priorities";

/// One expander of the chain.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Expander {
    /// `random`: one option, uniformly.
    Random,
    /// `most-pods`: the options helping the most pods.
    MostPods,
    /// `least-waste`: the options leaving the least unused cpu + memory fraction.
    LeastWaste,
    /// `price`: the cheapest options (simplified: total node price per hour).
    Price,
    /// `priority`: the options of the highest-priority matching node groups.
    Priority,
}

impl Expander {
    /// Upstream's name.
    pub fn name(self) -> &'static str {
        match self {
            Expander::Random => "random",
            Expander::MostPods => "most-pods",
            Expander::LeastWaste => "least-waste",
            Expander::Price => "price",
            Expander::Priority => "priority",
        }
    }
}

/// Parses `--expander` (`ExpanderStrategyFromStrings`): a comma-separated chain, with upstream's
/// errors for unknown, repeated, and unreachable expanders.
pub fn parse_chain(s: &str) -> Result<Vec<Expander>, String> {
    let mut out: Vec<Expander> = Vec::new();
    for (i, name) in s.split(',').map(str::trim).enumerate() {
        let e = match name {
            "random" => Expander::Random,
            "most-pods" => Expander::MostPods,
            "least-waste" => Expander::LeastWaste,
            "price" => Expander::Price,
            "priority" => Expander::Priority,
            _ => {
                return Err(format!(
                    "Expander {name} not supported: one of least-waste, most-pods, price, priority, random (comma-separated to chain)"
                ));
            }
        };
        if out.contains(&e) {
            return Err(format!(
                "Expander {name} was specified multiple times, each expander must not be specified more than once"
            ));
        }
        if i > 0 && out[i - 1] == Expander::Random {
            return Err(format!(
                "Expander {name} came after an expander random that will always return only one result, this is not allowed since {name} will never be used"
            ));
        }
        out.push(e);
    }
    Ok(out)
}

/// The priority expander's configuration: priority → regexes over node-group names.
#[derive(Clone, Debug, Default)]
pub struct Priorities(pub BTreeMap<i64, Vec<Regex>>);

/// A priority map error: which priority and rule, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityError {
    /// The priority (None: the whole text).
    pub priority: Option<i64>,
    /// Index of the rule in the priority's list.
    pub rule: Option<usize>,
    /// Upstream's message.
    pub message: String,
}

impl Priorities {
    /// Compiles a map of priority → regexes (`parsePrioritiesYAMLString` after the YAML step).
    pub fn compile(map: &BTreeMap<i64, Vec<String>>) -> Result<Priorities, PriorityError> {
        let mut out = BTreeMap::new();
        for (&prio, rules) in map {
            let mut res = Vec::new();
            for (i, re) in rules.iter().enumerate() {
                let r = Regex::new(re).map_err(|e| PriorityError {
                    priority: Some(prio),
                    rule: Some(i),
                    message: format!(
                        "Can't compile regexp rule for priority {prio} and rule {re}: {}",
                        e.to_string().lines().last().unwrap_or("invalid")
                    ),
                })?;
                res.push(r);
            }
            out.insert(prio, res);
        }
        Ok(Priorities(out))
    }

    /// Parses the `priorities` value of the ConfigMap: YAML of integer → list of regexes.
    pub fn parse_yaml(text: &str) -> Result<Priorities, PriorityError> {
        if text.trim().is_empty() {
            return Err(PriorityError {
                priority: None,
                rule: None,
                message: format!(
                    "priority configuration in {PRIORITY_CONFIGMAP} configmap is empty; please provide valid configuration"
                ),
            });
        }
        let map: BTreeMap<i64, Vec<String>> =
            serde_yaml::from_str(text).map_err(|e| PriorityError {
                priority: None,
                rule: None,
                message: format!("Can't parse YAML with priorities in the configmap: {e}"),
            })?;
        Self::compile(&map)
    }

    /// The options (by group name) at the highest priority with a rule matching their group
    /// (unanchored match, as Go's `FindStringIndex`); all options when none matches
    /// (upstream falls back to random over all of them).
    fn best(&self, names: &[&str]) -> Vec<usize> {
        let mut best: Option<i64> = None;
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let top = self
                .0
                .iter()
                .rev()
                .find(|(_, rules)| rules.iter().any(|r| r.is_match(name)))
                .map(|(&p, _)| p);
            let Some(p) = top else { continue };
            if best.is_none_or(|b| p > b) {
                best = Some(p);
                out.clear();
            }
            if best == Some(p) {
                out.push(i);
            }
        }
        if out.is_empty() {
            (0..names.len()).collect()
        } else {
            out
        }
    }
}

/// What an expander sees of one option.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    /// Node-group name.
    pub name: &'a str,
    /// Nodes the option adds.
    pub nodes: u32,
    /// Pods it helps.
    pub pods: usize,
    /// Sum of the helped pods' cpu requests (millicores).
    pub req_cpu: i64,
    /// Sum of the helped pods' memory requests (bytes).
    pub req_mem: i64,
    /// Template node cpu and memory (the waste denominator).
    pub node_cpu: i64,
    /// Template node memory.
    pub node_mem: i64,
    /// Price of one node per hour.
    pub price: f64,
}

fn keep_min(idx: Vec<usize>, score: impl Fn(usize) -> f64) -> Vec<usize> {
    let min = idx.iter().map(|&i| score(i)).fold(f64::INFINITY, f64::min);
    idx.into_iter().filter(|&i| score(i) == min).collect()
}

/// Runs the chain over `options`; returns the index of the option taken.
pub fn choose(
    chain: &[Expander],
    priorities: Option<&Priorities>,
    options: &[Candidate<'_>],
    rng: &mut SimRng,
) -> Option<usize> {
    let mut left: Vec<usize> = (0..options.len()).collect();
    if left.is_empty() {
        return None;
    }
    for e in chain {
        if left.len() == 1 {
            break;
        }
        left = match e {
            // expander/random
            Expander::Random => vec![left[rng.below(left.len() as u64) as usize]],
            // expander/mostpods
            Expander::MostPods => {
                let max = left.iter().map(|&i| options[i].pods).max().unwrap_or(0);
                left.into_iter()
                    .filter(|&i| options[i].pods == max)
                    .collect()
            }
            // expander/waste
            Expander::LeastWaste => keep_min(left, |i| {
                let o = &options[i];
                let ac = (o.node_cpu * o.nodes as i64) as f64;
                let am = (o.node_mem * o.nodes as i64) as f64;
                (ac - o.req_cpu as f64) / ac.max(1.0) + (am - o.req_mem as f64) / am.max(1.0)
            }),
            // expander/price (simplified)
            Expander::Price => keep_min(left, |i| options[i].price * options[i].nodes as f64),
            // expander/priority
            Expander::Priority => match priorities {
                Some(p) => {
                    let names: Vec<&str> = left.iter().map(|&i| options[i].name).collect();
                    p.best(&names).into_iter().map(|k| left[k]).collect()
                }
                None => left,
            },
        };
    }
    // The chain's fallback: random among what is left.
    let pick = if left.len() == 1 {
        0
    } else {
        rng.below(left.len() as u64) as usize
    };
    Some(left[pick])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};

    fn rng() -> SimRng {
        RngStreams::new(1).stream(StreamId::new(StreamId::AUTOSCALER, 0))
    }

    fn cand(name: &str, nodes: u32, pods: usize, price: f64) -> Candidate<'_> {
        Candidate {
            name,
            nodes,
            pods,
            req_cpu: 3000,
            req_mem: 3 << 30,
            node_cpu: 4000,
            node_mem: 4 << 30,
            price,
        }
    }

    #[test]
    fn chains_parse_with_upstream_errors() {
        assert_eq!(
            parse_chain("priority,least-waste").unwrap(),
            vec![Expander::Priority, Expander::LeastWaste]
        );
        assert!(
            parse_chain("price,price")
                .unwrap_err()
                .contains("specified multiple times")
        );
        assert!(
            parse_chain("random,most-pods")
                .unwrap_err()
                .contains("came after an expander random")
        );
        assert!(parse_chain("grpc").unwrap_err().contains("not supported"));
    }

    #[test]
    fn priorities_parse_from_the_configmap_yaml() {
        let p =
            Priorities::parse_yaml("10:\n  - .*-spot\n50:\n  - ^on-demand$\n  - big.*\n").unwrap();
        assert_eq!(p.0.len(), 2);
        assert_eq!(p.0[&50].len(), 2);
        let e = Priorities::parse_yaml("10:\n  - '*bad'\n").unwrap_err();
        assert_eq!(e.priority, Some(10));
        assert_eq!(e.rule, Some(0));
        assert!(
            e.message
                .starts_with("Can't compile regexp rule for priority 10 and rule *bad"),
            "{}",
            e.message
        );
        let e = Priorities::parse_yaml("high: [a]").unwrap_err();
        assert!(
            e.message
                .starts_with("Can't parse YAML with priorities in the configmap"),
            "{}",
            e.message
        );
        assert!(
            Priorities::parse_yaml("  ")
                .unwrap_err()
                .message
                .contains("is empty")
        );
    }

    #[test]
    fn priority_takes_the_highest_matching_group_and_falls_back_to_all() {
        let p = Priorities::parse_yaml("10: [spot]\n20: ['^od-']\n").unwrap();
        // Unanchored: "spot" matches "big-spot".
        assert_eq!(p.best(&["big-spot", "od-a", "od-b", "other"]), vec![1, 2]);
        assert_eq!(p.best(&["big-spot", "other"]), vec![0]);
        assert_eq!(p.best(&["x", "y"]), vec![0, 1]);
    }

    #[test]
    fn chaining_filters_then_the_last_picks() {
        let p = Priorities::parse_yaml("10: ['^a', '^b']\n5: ['^c']\n").unwrap();
        // a and b tie on priority; least-waste decides: b's 2 nodes waste more than a's 1.
        let mut opts = vec![
            cand("a", 1, 3, 1.0),
            cand("b", 2, 3, 0.1),
            cand("c", 1, 9, 0.1),
        ];
        opts[1].req_cpu = 3000;
        let chain = parse_chain("priority,least-waste").unwrap();
        assert_eq!(choose(&chain, Some(&p), &opts, &mut rng()), Some(0));
        // priority alone: a or b at random, never c.
        let chain = parse_chain("priority").unwrap();
        let mut r = rng();
        let mut seen = [0; 3];
        for _ in 0..50 {
            seen[choose(&chain, Some(&p), &opts, &mut r).unwrap()] += 1;
        }
        assert!(seen[0] > 0 && seen[1] > 0 && seen[2] == 0, "{seen:?}");
        // price then most-pods: b and c cost the same; c helps more pods.
        let chain = parse_chain("price,most-pods").unwrap();
        assert_eq!(choose(&chain, None, &opts, &mut rng()), Some(2));
        assert_eq!(choose(&chain, None, &[], &mut rng()), None);
    }
}
