//! Object metadata, owner references, label maps and label selectors.

use super::validation::{check_label_value, check_qualified_name};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A label map whose keys and values are checked as the API server checks them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    /// True when there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Iterates `(key, value)` in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Labels;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of label keys to string values")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Labels, E> {
                Ok(Labels::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Labels, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(LabelKey(k)) = m.next_key::<LabelKey>()? {
                    let v: LabelValue = m.next_value()?;
                    if out.insert(k.clone(), v.0).is_some() {
                        return Err(de::Error::custom(format!("duplicate label key {k:?}")));
                    }
                }
                Ok(Labels(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A label key, checked where it is written (so errors point at it).
struct LabelKey(String);

impl<'de> Deserialize<'de> for LabelKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LabelKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a label key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LabelKey, E> {
                check_qualified_name(v).map_err(E::custom)?;
                Ok(LabelKey(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A label value: a string (the API rejects numbers and booleans; so do we, naming the value).
struct LabelValue(String);

impl<'de> Deserialize<'de> for LabelValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LabelValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string label value (quote numbers and booleans, e.g. \"true\")")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LabelValue, E> {
                check_label_value(v).map_err(E::custom)?;
                Ok(LabelValue(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LabelValue, E> {
                Ok(LabelValue(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// `metadata` of any object. Only the fields the simulation uses are typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    /// Object name (unique per kind and namespace).
    pub name: Option<String>,
    /// Prefix for a generated name when `name` is absent.
    pub generate_name: Option<String>,
    /// Namespace; `default` when absent for namespaced kinds.
    pub namespace: Option<String>,
    /// Labels, matched by selectors.
    pub labels: Labels,
    /// Annotations (e.g. `cluster-autoscaler.kubernetes.io/safe-to-evict`).
    pub annotations: BTreeMap<String, String>,
    /// Owners, for garbage collection and controller adoption.
    pub owner_references: Vec<OwnerReference>,
    /// Finalizers (kept so deletion can be modelled).
    pub finalizers: Vec<String>,
}

/// `metadata.ownerReferences[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OwnerReference {
    /// API version of the owner.
    pub api_version: String,
    /// Kind of the owner.
    pub kind: String,
    /// Name of the owner.
    pub name: String,
    /// True for the managing controller.
    pub controller: Option<bool>,
    /// Blocks owner deletion in foreground deletion.
    pub block_owner_deletion: Option<bool>,
}

/// Set-based selector operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum SelectorOperator {
    /// Label value is one of `values`.
    In,
    /// Label is absent or its value is not one of `values`.
    NotIn,
    /// Label key is present.
    Exists,
    /// Label key is absent.
    DoesNotExist,
}

/// `matchExpressions[]` of a label selector.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(try_from = "RawRequirement")]
pub struct LabelSelectorRequirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: SelectorOperator,
    /// Values for In/NotIn.
    pub values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequirement {
    key: String,
    operator: SelectorOperator,
    #[serde(default)]
    values: Vec<String>,
}

impl TryFrom<RawRequirement> for LabelSelectorRequirement {
    type Error = String;
    fn try_from(r: RawRequirement) -> Result<Self, String> {
        check_qualified_name(&r.key)?;
        match r.operator {
            SelectorOperator::In | SelectorOperator::NotIn if r.values.is_empty() => {
                return Err(format!(
                    "values: Required value: must be specified when `operator` is 'In' or 'NotIn' (key {:?})",
                    r.key
                ));
            }
            SelectorOperator::Exists | SelectorOperator::DoesNotExist if !r.values.is_empty() => {
                return Err(format!(
                    "values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist' (key {:?})",
                    r.key
                ));
            }
            _ => {}
        }
        for v in &r.values {
            check_label_value(v)?;
        }
        Ok(LabelSelectorRequirement {
            key: r.key,
            operator: r.operator,
            values: r.values,
        })
    }
}

/// A label selector (`matchLabels` AND `matchExpressions`). An empty selector matches everything.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelector {
    /// Exact key/value matches.
    pub match_labels: Labels,
    /// Set-based requirements.
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// True when the selector has no requirements at all.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Evaluates the selector against a label map (used at load time; the simulation uses the
    /// interned form in `model::labels`).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| {
                let have = labels.get(&r.key);
                match r.operator {
                    SelectorOperator::In => have.is_some_and(|v| r.values.iter().any(|x| x == v)),
                    SelectorOperator::NotIn => {
                        !have.is_some_and(|v| r.values.iter().any(|x| x == v))
                    }
                    SelectorOperator::Exists => have.is_some(),
                    SelectorOperator::DoesNotExist => have.is_none(),
                }
            })
    }
}

/// `IntOrString` fields that hold a count or a percentage (`maxSurge: 25%`, `minAvailable: 2`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    /// An absolute number.
    Int(i32),
    /// A percentage of some total.
    Percent(i32),
}

impl IntOrPercent {
    /// Resolves against `total`, rounding up or down, as
    /// apimachinery `intstr.GetScaledValueFromIntOrPercent` does.
    pub fn scaled(self, total: i32, round_up: bool) -> i32 {
        match self {
            IntOrPercent::Int(v) => v,
            IntOrPercent::Percent(p) => {
                let num = p as i64 * total as i64;
                let v = if round_up {
                    (num + 99).div_euclid(100)
                } else {
                    num.div_euclid(100)
                };
                v as i32
            }
        }
    }
}

impl<'de> Deserialize<'de> for IntOrPercent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntOrPercent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a percentage such as \"25%\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrPercent, E> {
                if v < 0 || v > i32::MAX as i64 {
                    return Err(E::custom(format!(
                        "{v} must be a non-negative 32-bit integer"
                    )));
                }
                Ok(IntOrPercent::Int(v as i32))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrPercent, E> {
                self.visit_i64(v.min(i64::MAX as u64) as i64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrPercent, E> {
                let Some(num) = v.strip_suffix('%') else {
                    return Err(E::custom(format!(
                        "invalid value {v:?}: a string must be a percentage such as \"25%\" (write plain integers without quotes)"
                    )));
                };
                match num.parse::<i32>() {
                    Ok(p) if p >= 0 => Ok(IntOrPercent::Percent(p)),
                    _ => Err(E::custom(format!(
                        "invalid percentage {v:?}: expected a non-negative integer followed by %"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for IntOrPercent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrPercent::Int(v) => s.serialize_i32(*v),
            IntOrPercent::Percent(p) => s.serialize_str(&format!("{p}%")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_validation_messages() {
        let e =
            serde_yaml::from_str::<LabelSelector>("matchExpressions:\n- {key: a, operator: In}\n")
                .unwrap_err()
                .to_string();
        assert!(
            e.contains("must be specified when `operator` is 'In'"),
            "{e}"
        );
        let e = serde_yaml::from_str::<LabelSelector>(
            "matchExpressions:\n- {key: a, operator: Exists, values: [x]}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("may not be specified"), "{e}");
        let e = serde_yaml::from_str::<LabelSelector>(
            "matchExpressions:\n- {key: a, operator: Is, values: [x]}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown variant `Is`"), "{e}");
    }

    #[test]
    fn selector_matching() {
        let sel: LabelSelector = serde_yaml::from_str(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: NotIn, values: [db]}\n- {key: env, operator: Exists}\n",
        )
        .unwrap();
        let l = |s: &str| serde_yaml::from_str::<Labels>(s).unwrap();
        assert!(sel.matches(&l("{app: web, env: prod}")));
        assert!(!sel.matches(&l("{app: web, env: prod, tier: db}")));
        assert!(!sel.matches(&l("{app: web}")));
        assert!(LabelSelector::default().matches(&l("{}")));
    }

    #[test]
    fn labels_reject_bad_keys_and_non_strings() {
        assert!(serde_yaml::from_str::<Labels>("{\"-bad\": x}").is_err());
        assert!(serde_yaml::from_str::<Labels>("{a: 1}").is_err());
        assert!(serde_yaml::from_str::<Labels>("{a: \"1\"}").is_ok());
    }

    #[test]
    fn int_or_percent_rounding() {
        // GetScaledValueFromIntOrPercent: ceil for maxSurge, floor for maxUnavailable.
        let p = IntOrPercent::Percent(25);
        assert_eq!(p.scaled(10, true), 3);
        assert_eq!(p.scaled(10, false), 2);
        assert_eq!(IntOrPercent::Int(4).scaled(10, true), 4);
        assert!(serde_yaml::from_str::<IntOrPercent>("\"5\"").is_err());
        assert_eq!(
            serde_yaml::from_str::<IntOrPercent>("\"30%\"").unwrap(),
            IntOrPercent::Percent(30)
        );
    }
}
