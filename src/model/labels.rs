//! Interned strings, label sets and selectors (the runtime form used on hot paths).
//!
//! Label keys and values, namespaces, node names and image names are interned to [`Sym`]s once
//! at load time; a label set is a sorted slice of `(key, value)` symbols, so selector matching is
//! a handful of binary searches with no string comparisons.

use std::sync::Arc;

/// An interned string.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// String interner. Lookups use a hash map (never iterated); symbols index a `Vec` of strings.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    #[allow(clippy::disallowed_types)] // lookup only, never iterated
    map: rustc_hash::FxHashMap<Arc<str>, Sym>,
    strings: Vec<Arc<str>>,
}

impl Interner {
    /// An interner holding only the empty string (as `Sym(0)`).
    pub fn new() -> Self {
        let mut i = Interner::default();
        i.intern("");
        i
    }

    /// The symbol for `s`, creating it if needed.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        let a: Arc<str> = Arc::from(s);
        self.strings.push(a.clone());
        self.map.insert(a, sym);
        sym
    }

    /// The symbol for `s` if it was interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The string of `sym`.
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }

    /// The shared string of `sym`.
    pub fn resolve_arc(&self, sym: Sym) -> Arc<str> {
        self.strings[sym.0 as usize].clone()
    }
}

/// A set of labels: `(key, value)` sorted by key symbol, keys unique. Cheap to clone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSet(Arc<[(Sym, Sym)]>);

impl LabelSet {
    /// Builds a set from pairs (sorted and deduplicated by key; the last value wins).
    pub fn from_pairs(mut pairs: Vec<(Sym, Sym)>) -> Self {
        pairs.sort_by_key(|&(k, _)| k);
        let mut out: Vec<(Sym, Sym)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        LabelSet(out.into())
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: Sym) -> Option<Sym> {
        self.0
            .binary_search_by_key(&key, |&(k, _)| k)
            .ok()
            .map(|i| self.0[i].1)
    }

    /// True when `key` is present.
    pub fn has(&self, key: Sym) -> bool {
        self.get(key).is_some()
    }

    /// The pairs, sorted by key symbol.
    pub fn pairs(&self) -> &[(Sym, Sym)] {
        &self.0
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A copy with `key` set to `value`.
    pub fn with(&self, key: Sym, value: Sym) -> LabelSet {
        let mut v = self.0.to_vec();
        v.push((key, value));
        LabelSet::from_pairs(v)
    }

    /// `(key, value)` strings sorted by key string, for display.
    pub fn to_strings(&self, i: &Interner) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .0
            .iter()
            .map(|&(k, v)| (i.resolve(k).to_string(), i.resolve(v).to_string()))
            .collect();
        v.sort();
        v
    }
}

/// A selector operator (label selectors and node selectors share it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SelOp {
    /// Value in the set.
    In(Vec<Sym>),
    /// Value not in the set, or key absent.
    NotIn(Vec<Sym>),
    /// Key present.
    Exists,
    /// Key absent.
    DoesNotExist,
    /// Integer value greater than (node selectors only).
    Gt(i64),
    /// Integer value less than (node selectors only).
    Lt(i64),
}

/// One selector requirement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Requirement {
    /// Label key.
    pub key: Sym,
    /// Operator and values.
    pub op: SelOp,
}

impl Requirement {
    /// Evaluates the requirement against `labels`. `Gt`/`Lt` need `interner` to read the
    /// integer value (a non-integer value does not match, as upstream).
    pub fn matches(&self, labels: &LabelSet, interner: &Interner) -> bool {
        let have = labels.get(self.key);
        match &self.op {
            SelOp::In(vals) => have.is_some_and(|v| vals.contains(&v)),
            SelOp::NotIn(vals) => !have.is_some_and(|v| vals.contains(&v)),
            SelOp::Exists => have.is_some(),
            SelOp::DoesNotExist => have.is_none(),
            SelOp::Gt(n) => have
                .and_then(|v| interner.resolve(v).parse::<i64>().ok())
                .is_some_and(|x| x > *n),
            SelOp::Lt(n) => have
                .and_then(|v| interner.resolve(v).parse::<i64>().ok())
                .is_some_and(|x| x < *n),
        }
    }
}

/// A label selector: the AND of its requirements. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Selector {
    /// Requirements, ANDed.
    pub reqs: Vec<Requirement>,
}

impl Selector {
    /// Matches everything.
    pub fn everything() -> Self {
        Selector::default()
    }

    /// An equality selector from pairs.
    pub fn from_pairs(pairs: &[(Sym, Sym)]) -> Self {
        Selector {
            reqs: pairs
                .iter()
                .map(|&(k, v)| Requirement {
                    key: k,
                    op: SelOp::In(vec![v]),
                })
                .collect(),
        }
    }

    /// True when there are no requirements.
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Evaluates the selector.
    pub fn matches(&self, labels: &LabelSet, interner: &Interner) -> bool {
        self.reqs.iter().all(|r| r.matches(labels, interner))
    }

    /// Renders like `kubectl` does (`app=web,tier in (a,b)`).
    pub fn render(&self, i: &Interner) -> String {
        let mut parts = Vec::new();
        for r in &self.reqs {
            let k = i.resolve(r.key);
            let vals = |v: &Vec<Sym>| {
                v.iter()
                    .map(|s| i.resolve(*s))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            parts.push(match &r.op {
                SelOp::In(v) if v.len() == 1 => format!("{k}={}", i.resolve(v[0])),
                SelOp::In(v) => format!("{k} in ({})", vals(v)),
                SelOp::NotIn(v) => format!("{k} notin ({})", vals(v)),
                SelOp::Exists => k.to_string(),
                SelOp::DoesNotExist => format!("!{k}"),
                SelOp::Gt(n) => format!("{k}>{n}"),
                SelOp::Lt(n) => format!("{k}<{n}"),
            });
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_semantics() {
        let mut i = Interner::new();
        let (app, web, tier, db, env, zone) = (
            i.intern("app"),
            i.intern("web"),
            i.intern("tier"),
            i.intern("db"),
            i.intern("env"),
            i.intern("zone"),
        );
        let ten = i.intern("10");
        let labels = LabelSet::from_pairs(vec![(app, web), (env, db), (zone, ten)]);
        let sel = Selector {
            reqs: vec![
                Requirement {
                    key: app,
                    op: SelOp::In(vec![web]),
                },
                Requirement {
                    key: tier,
                    op: SelOp::NotIn(vec![db]),
                },
                Requirement {
                    key: env,
                    op: SelOp::Exists,
                },
                Requirement {
                    key: tier,
                    op: SelOp::DoesNotExist,
                },
                Requirement {
                    key: zone,
                    op: SelOp::Gt(9),
                },
            ],
        };
        assert!(sel.matches(&labels, &i));
        let sel2 = Selector {
            reqs: vec![Requirement {
                key: zone,
                op: SelOp::Lt(10),
            }],
        };
        assert!(!sel2.matches(&labels, &i));
        assert!(Selector::everything().matches(&LabelSet::default(), &i));
        assert_eq!(labels.with(app, db).get(app), Some(db));
    }
}
