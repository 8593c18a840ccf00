//! An HPA's `spec.behavior` in model form, with upstream's defaulting
//! (`pkg/apis/autoscaling/v2/defaults.go`: `GenerateHPAScaleUpRules`/`GenerateHPAScaleDownRules`
//! merge field by field; the controller fills an unset scale-down window with
//! `--horizontal-pod-autoscaler-downscale-stabilization`, `maybeInitScaleDownStabilizationWindow`)
//! and the per-direction tolerances (`behavior.scale{Up,Down}.tolerance`, else the 0.1 flag).

use super::normalize::{Behavior, Policy, PolicyType, Rules, SelectPolicy};
use super::replica_calculator::Tolerances;
use crate::api::autoscaling as api;

/// The controller-wide defaults the spec falls back to.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ControllerDefaults {
    /// `--horizontal-pod-autoscaler-tolerance` (0.1).
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-downscale-stabilization`, in seconds (300).
    pub downscale_stabilization_seconds: i32,
}

impl Default for ControllerDefaults {
    fn default() -> Self {
        ControllerDefaults {
            tolerance: 0.1,
            downscale_stabilization_seconds: 300,
        }
    }
}

fn merge(from: Option<&api::HpaScalingRules>, mut to: Rules) -> Rules {
    let Some(f) = from else { return to };
    if let Some(s) = f.select_policy {
        to.select = match s {
            api::SelectPolicy::Max => SelectPolicy::Max,
            api::SelectPolicy::Min => SelectPolicy::Min,
            api::SelectPolicy::Disabled => SelectPolicy::Disabled,
        };
    }
    if let Some(w) = f.stabilization_window_seconds {
        to.stabilization_window_seconds = w;
    }
    // Validation rejects an empty `policies` list, so empty means "not given".
    if !f.policies.is_empty() {
        to.policies = f
            .policies
            .iter()
            .map(|p| Policy {
                kind: match p.type_ {
                    api::ScalingPolicyType::Pods => PolicyType::Pods,
                    api::ScalingPolicyType::Percent => PolicyType::Percent,
                },
                value: p.value,
                period_seconds: p.period_seconds,
            })
            .collect();
    }
    to
}

/// The behavior to normalize with (None: the legacy path), and the tolerances.
pub fn behavior_of(
    b: Option<&api::HpaBehavior>,
    d: ControllerDefaults,
) -> (Option<Behavior>, Tolerances) {
    let tol = |r: Option<&api::HpaScalingRules>| {
        r.and_then(|r| r.tolerance.as_ref())
            .map(|q| q.as_f64())
            .unwrap_or(d.tolerance)
    };
    let tolerances = Tolerances {
        up: tol(b.and_then(|b| b.scale_up.as_ref())),
        down: tol(b.and_then(|b| b.scale_down.as_ref())),
    };
    let Some(b) = b else {
        return (None, tolerances);
    };
    let up = merge(b.scale_up.as_ref(), Rules::default_scale_up());
    let down = merge(
        b.scale_down.as_ref(),
        Rules::default_scale_down(d.downscale_stabilization_seconds),
    );
    (
        Some(Behavior {
            scale_up: up,
            scale_down: down,
        }),
        tolerances,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(y: &str) -> api::HpaBehavior {
        serde_yaml::from_str(y).unwrap()
    }

    #[test]
    fn absent_behavior_is_the_legacy_path_with_flag_tolerance() {
        let (b, t) = behavior_of(None, ControllerDefaults::default());
        assert!(b.is_none());
        assert_eq!(t, Tolerances { up: 0.1, down: 0.1 });
    }

    #[test]
    fn fields_merge_one_by_one_with_the_defaults() {
        let api = parse(
            "scaleDown:\n  policies: [{type: Pods, value: 1, periodSeconds: 60}]\nscaleUp:\n  stabilizationWindowSeconds: 30\n  tolerance: \"0.05\"\n",
        );
        let (b, t) = behavior_of(Some(&api), ControllerDefaults::default());
        let b = b.unwrap();
        // Scale-up keeps its default policies and select, takes the window.
        assert_eq!(b.scale_up.stabilization_window_seconds, 30);
        assert_eq!(b.scale_up.policies, Rules::default_scale_up().policies);
        // Scale-down: the controller's 300 s window, the given policy.
        assert_eq!(b.scale_down.stabilization_window_seconds, 300);
        assert_eq!(
            b.scale_down.policies,
            vec![Policy {
                kind: PolicyType::Pods,
                value: 1,
                period_seconds: 60
            }]
        );
        assert_eq!(
            t,
            Tolerances {
                up: 0.05,
                down: 0.1
            }
        );
    }

    #[test]
    fn empty_behavior_gets_every_default() {
        let (b, _) = behavior_of(Some(&parse("{}")), ControllerDefaults::default());
        let b = b.unwrap();
        assert_eq!(b.scale_up, Rules::default_scale_up());
        assert_eq!(b.scale_down, Rules::default_scale_down(300));
    }
}
