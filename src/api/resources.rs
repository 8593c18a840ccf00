//! `ResourceList` maps (`requests`, `limits`, `allocatable`, quota `hard`) with their checks.

use super::quantity::Quantity;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A map of resource names to non-negative quantities, checked when read: values must be
/// non-negative, and must fit in 64 bits of their unit (millicores for `cpu`, base units
/// otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResourceList(pub BTreeMap<String, Quantity>);

impl ResourceList {
    /// The quantity for resource `name`.
    pub fn get(&self, name: &str) -> Option<&Quantity> {
        self.0.get(name)
    }
    /// True when no resource is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Iterates `(name, quantity)` in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Quantity)> {
        self.0.iter()
    }
}

/// True for resource names measured in thousandths (cpu).
pub fn is_milli_resource(name: &str) -> bool {
    name == "cpu" || name == "requests.cpu" || name == "limits.cpu"
}

fn check_resource_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("resource name must not be empty".into());
    }
    super::validation::check_qualified_name(name)
        .map_err(|e| format!("invalid resource name {name:?}: {e}"))
}

impl<'de> Deserialize<'de> for ResourceList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResourceList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of resource names to quantities (e.g. {cpu: 500m, memory: 1Gi})")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ResourceList, E> {
                Ok(ResourceList::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ResourceList, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(k) = m.next_key::<String>()? {
                    check_resource_name(&k).map_err(de::Error::custom)?;
                    let q: CheckedQuantity = m.next_value_seed(CheckedSeed(&k))?;
                    out.insert(k, q.0);
                }
                Ok(ResourceList(out))
            }
        }
        d.deserialize_any(V)
    }
}

struct CheckedQuantity(Quantity);
struct CheckedSeed<'a>(&'a str);

impl<'de> de::DeserializeSeed<'de> for CheckedSeed<'_> {
    type Value = CheckedQuantity;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CheckedQuantity, D::Error> {
        struct V<'a>(&'a str);
        impl V<'_> {
            fn check<E: de::Error>(&self, q: Quantity) -> Result<CheckedQuantity, E> {
                if q.is_negative() {
                    return Err(E::custom(format!(
                        "quantity {:?} must be greater than or equal to 0",
                        q.as_str()
                    )));
                }
                let fits = if is_milli_resource(self.0) {
                    q.milli_value().map(|_| ())
                } else {
                    q.value().map(|_| ())
                };
                fits.map_err(E::custom)?;
                Ok(CheckedQuantity(q))
            }
            fn parse<E: de::Error>(&self, s: &str) -> Result<CheckedQuantity, E> {
                let q = Quantity::parse(s).map_err(E::custom)?;
                self.check(q)
            }
        }
        impl Visitor<'_> for V<'_> {
            type Value = CheckedQuantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quantity such as 500m, 1.5Gi or 2")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CheckedQuantity, E> {
                self.parse(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CheckedQuantity, E> {
                self.parse(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CheckedQuantity, E> {
                self.parse(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<CheckedQuantity, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("invalid quantity {v}")));
                }
                self.parse(&super::quantity::float_text(v))
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// `resources` of a container (or of a pod, with pod-level resources).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRequirements {
    /// Minimum guaranteed amounts; what the scheduler reserves.
    pub requests: ResourceList,
    /// Maximum amounts: cpu is throttled above it, memory above it is an OOM kill.
    pub limits: ResourceList,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_negative_and_bad() {
        let e = serde_yaml::from_str::<ResourceList>("cpu: \"-1\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("greater than or equal to 0"), "{e}");
        let e = serde_yaml::from_str::<ResourceList>("memory: 12Xi")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown suffix"), "{e}");
        let e = serde_yaml::from_str::<ResourceList>("cpu: 9223372036854775807")
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
        let r = serde_yaml::from_str::<ResourceList>("cpu: 0.5\nmemory: 1Gi\nnvidia.com/gpu: 1")
            .unwrap();
        assert_eq!(r.get("cpu").unwrap().milli_value().unwrap(), 500);
        assert_eq!(r.get("nvidia.com/gpu").unwrap().value().unwrap(), 1);
    }
}
