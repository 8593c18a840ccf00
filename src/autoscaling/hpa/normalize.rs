//! Normalizing a proposal (`pkg/controller/podautoscaler/horizontal.go`): the legacy path
//! (`normalizeDesiredReplicas`: 5-minute scale-down stabilization, scale-up limited to
//! `max(2 × current, 4)`) when `spec.behavior` is absent, and the `behavior` path
//! (`normalizeDesiredReplicasWithBehaviors`: per-direction stabilization windows over one
//! recommendation history, then Pods/Percent policies against past scale events).
//!
//! Time comparisons keep upstream's strictness (`After`/`Before`), which matters in a
//! simulation where syncs land exactly on window boundaries.

use crate::engine::{SimDuration, SimTime};

/// `scaleUpLimitFactor` and `scaleUpLimitMinimum` of the legacy path.
pub const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
/// See [`SCALE_UP_LIMIT_FACTOR`].
pub const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;

/// `HPAScalingPolicyType`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PolicyType {
    /// A number of pods.
    Pods,
    /// A percentage of the replicas at the period's start.
    Percent,
}

/// `HPAScalingPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Pods or Percent.
    pub kind: PolicyType,
    /// The amount.
    pub value: i32,
    /// The period, in seconds.
    pub period_seconds: i32,
}

/// `selectPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The largest change.
    Max,
    /// The smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// `HPAScalingRules` with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// `stabilizationWindowSeconds`.
    pub stabilization_window_seconds: i32,
    /// `selectPolicy`.
    pub select: SelectPolicy,
    /// `policies`.
    pub policies: Vec<Policy>,
}

impl Rules {
    /// The scale-up defaults (`pkg/apis/autoscaling/v2/defaults.go`): no window, Pods 4 and
    /// Percent 100 per 15 s, Max.
    pub fn default_scale_up() -> Rules {
        Rules {
            stabilization_window_seconds: 0,
            select: SelectPolicy::Max,
            policies: vec![
                Policy {
                    kind: PolicyType::Pods,
                    value: 4,
                    period_seconds: 15,
                },
                Policy {
                    kind: PolicyType::Percent,
                    value: 100,
                    period_seconds: 15,
                },
            ],
        }
    }

    /// The scale-down defaults: the controller's downscale window (300 s), Percent 100 per
    /// 15 s, Max.
    pub fn default_scale_down(window_seconds: i32) -> Rules {
        Rules {
            stabilization_window_seconds: window_seconds,
            select: SelectPolicy::Max,
            policies: vec![Policy {
                kind: PolicyType::Percent,
                value: 100,
                period_seconds: 15,
            }],
        }
    }

    fn longest_period(&self) -> i32 {
        self.policies
            .iter()
            .map(|p| p.period_seconds)
            .max()
            .unwrap_or(0)
    }
}

/// `spec.behavior` with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Behavior {
    /// Scale-up rules.
    pub scale_up: Rules,
    /// Scale-down rules.
    pub scale_down: Rules,
}

/// A condition the normalization sets: (reason, message).
pub type Reason = (&'static str, &'static str);

/// `ReadyForNewScale`.
pub const READY_FOR_NEW_SCALE: Reason =
    ("ReadyForNewScale", "recommended size matches current size");
/// `ScaleUpStabilized`.
pub const SCALE_UP_STABILIZED: Reason = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
/// `ScaleDownStabilized`.
pub const SCALE_DOWN_STABILIZED: Reason = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);
/// `DesiredWithinRange`.
pub const DESIRED_WITHIN_RANGE: Reason = (
    "DesiredWithinRange",
    "the desired count is within the acceptable range",
);
/// `ScaleUpLimit`.
pub const SCALE_UP_LIMIT: Reason = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
);
/// `ScaleDownLimit`.
pub const SCALE_DOWN_LIMIT: Reason = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
);
/// `TooManyReplicas`.
pub const TOO_MANY_REPLICAS: Reason = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
);
/// `TooFewReplicas`.
pub const TOO_FEW_REPLICAS: Reason = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
);

/// The result of a normalization.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The replica count to set.
    pub replicas: i32,
    /// The stabilized recommendation (before limits).
    pub stabilized: i32,
    /// `AbleToScale` (always True here): reason and message.
    pub able_to_scale: Reason,
    /// `ScalingLimited`: status, reason and message.
    pub scaling_limited: (bool, Reason),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Recommendation {
    replicas: i32,
    at: SimTime,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct ScaleEvent {
    change: i32,
    at: SimTime,
    outdated: bool,
}

/// The controller's memory of one HPA: recommendations and (behavior path) scale events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    recommendations: Vec<Recommendation>,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
}

fn secs(s: i32) -> SimDuration {
    SimDuration::from_secs(s.max(0) as u64)
}

/// `now - window`, saturating at time zero (a cutoff before the run starts).
fn cutoff(now: SimTime, window: SimDuration) -> Option<SimTime> {
    now.as_micros()
        .checked_sub(window.as_micros())
        .map(|us| SimTime::ZERO + SimDuration::from_micros(us))
}

/// `t.After(cutoff)`; every time is after a cutoff before the start.
fn after(t: SimTime, c: Option<SimTime>) -> bool {
    c.is_none_or(|c| t > c)
}

/// `t.Before(cutoff)`.
fn before(t: SimTime, c: Option<SimTime>) -> bool {
    c.is_some_and(|c| t < c)
}

impl History {
    /// A history holding these recommendations (replicas, time), for replaying upstream tests.
    pub fn with_recommendations(recs: &[(i32, SimTime)]) -> History {
        History {
            recommendations: recs
                .iter()
                .map(|&(replicas, at)| Recommendation { replicas, at })
                .collect(),
            ..History::default()
        }
    }

    /// A history holding these scale events (replica change, time) up and down, for replaying
    /// upstream tests (`scaleUpEvents` / `scaleDownEvents`).
    pub fn with_scale_events(up: &[(i32, SimTime)], down: &[(i32, SimTime)]) -> History {
        let ev = |v: &[(i32, SimTime)]| -> Vec<ScaleEvent> {
            v.iter()
                .map(|&(change, at)| ScaleEvent {
                    change,
                    at,
                    outdated: false,
                })
                .collect()
        };
        History {
            up_events: ev(up),
            down_events: ev(down),
            ..History::default()
        }
    }

    /// The remembered scale events of one direction: (replica change, outdated), in slot
    /// order.
    pub fn scale_events(&self, up: bool) -> Vec<(i32, bool)> {
        let v = if up {
            &self.up_events
        } else {
            &self.down_events
        };
        v.iter().map(|e| (e.change, e.outdated)).collect()
    }

    /// The replica change of one direction's events newer than `period_seconds`
    /// (`getReplicasChangePerPeriod`).
    pub fn replicas_change_per_period(&self, up: bool, period_seconds: i32, now: SimTime) -> i32 {
        let v = if up {
            &self.up_events
        } else {
            &self.down_events
        };
        Self::change_in_period(v, period_seconds, now)
    }

    /// The remembered recommendations' replica counts, in slot order.
    pub fn recommendations(&self) -> Vec<i32> {
        self.recommendations.iter().map(|r| r.replicas).collect()
    }

    /// How many recommendations are remembered.
    pub fn recommendation_count(&self) -> usize {
        self.recommendations.len()
    }

    /// `recordInitialRecommendation`: the first sync seeds the history with the current
    /// replica count (so a new HPA cannot scale below it within the downscale window).
    pub fn record_initial(&mut self, current: i32, now: SimTime) {
        if self.recommendations.is_empty() {
            self.recommendations.push(Recommendation {
                replicas: current,
                at: now,
            });
        }
    }

    fn store_recommendation(&mut self, old: Option<usize>, replicas: i32, now: SimTime) {
        let r = Recommendation { replicas, at: now };
        match old {
            Some(i) => self.recommendations[i] = r,
            None => self.recommendations.push(r),
        }
    }

    /// `normalizeDesiredReplicas` (no `behavior`): max-based scale-down stabilization over
    /// `downscale_window`, then `convertDesiredReplicasWithRules`.
    pub fn normalize_legacy(
        &mut self,
        current: i32,
        prenormalized: i32,
        min: i32,
        max: i32,
        downscale_window: SimDuration,
        now: SimTime,
    ) -> Normalized {
        // stabilizeRecommendation
        let c = cutoff(now, downscale_window);
        let mut stabilized = prenormalized;
        let mut old = None;
        for (i, r) in self.recommendations.iter().enumerate() {
            if before(r.at, c) {
                old = Some(i);
            } else if r.replicas > stabilized {
                stabilized = r.replicas;
            }
        }
        self.store_recommendation(old, prenormalized, now);
        let able = if stabilized != prenormalized {
            SCALE_DOWN_STABILIZED
        } else {
            READY_FOR_NEW_SCALE
        };
        // convertDesiredReplicasWithRules
        let limit = (SCALE_UP_LIMIT_FACTOR * current as f64).max(SCALE_UP_LIMIT_MINIMUM) as i32;
        let (max_allowed, cap_reason) = if max > limit {
            (limit, SCALE_UP_LIMIT)
        } else {
            (max, TOO_MANY_REPLICAS)
        };
        let (replicas, reason) = if stabilized < min {
            (min, TOO_FEW_REPLICAS)
        } else if stabilized > max_allowed {
            (max_allowed, cap_reason)
        } else {
            (stabilized, DESIRED_WITHIN_RANGE)
        };
        Normalized {
            replicas,
            stabilized,
            able_to_scale: able,
            scaling_limited: (replicas != stabilized, reason),
        }
    }

    /// `normalizeDesiredReplicasWithBehaviors`.
    pub fn normalize_with_behavior(
        &mut self,
        b: &Behavior,
        current: i32,
        prenormalized: i32,
        min: i32,
        max: i32,
        now: SimTime,
    ) -> Normalized {
        // stabilizeRecommendationWithBehaviors
        let up_cut = cutoff(now, secs(b.scale_up.stabilization_window_seconds));
        let down_cut = cutoff(now, secs(b.scale_down.stabilization_window_seconds));
        let (mut up, mut down) = (prenormalized, prenormalized);
        let mut old = None;
        for (i, r) in self.recommendations.iter().enumerate() {
            if after(r.at, up_cut) {
                up = up.min(r.replicas);
            }
            if after(r.at, down_cut) {
                down = down.max(r.replicas);
            }
            if before(r.at, up_cut) && before(r.at, down_cut) {
                old = Some(i);
            }
        }
        let mut stabilized = current;
        if stabilized < up {
            stabilized = up;
        }
        if stabilized > down {
            stabilized = down;
        }
        self.store_recommendation(old, prenormalized, now);
        let able = if stabilized != prenormalized {
            if prenormalized >= current {
                SCALE_UP_STABILIZED
            } else {
                SCALE_DOWN_STABILIZED
            }
        } else {
            READY_FOR_NEW_SCALE
        };
        // convertDesiredReplicasWithBehaviorRate
        let (replicas, reason) = if stabilized > current {
            let mut limit = self.scale_up_limit(current, &b.scale_up, now);
            if limit < current {
                limit = current;
            }
            let (max_allowed, r) = if max > limit {
                (limit, SCALE_UP_LIMIT)
            } else {
                (max, TOO_MANY_REPLICAS)
            };
            if stabilized > max_allowed {
                (max_allowed, r)
            } else {
                (stabilized, DESIRED_WITHIN_RANGE)
            }
        } else if stabilized < current {
            let mut limit = self.scale_down_limit(current, &b.scale_down, now);
            if limit > current {
                limit = current;
            }
            let (min_allowed, r) = if min < limit {
                (limit, SCALE_DOWN_LIMIT)
            } else {
                (min, TOO_FEW_REPLICAS)
            };
            if stabilized < min_allowed {
                (min_allowed, r)
            } else {
                (stabilized, DESIRED_WITHIN_RANGE)
            }
        } else {
            (stabilized, DESIRED_WITHIN_RANGE)
        };
        Normalized {
            replicas,
            stabilized,
            able_to_scale: able,
            scaling_limited: (replicas != stabilized, reason),
        }
    }

    /// `getReplicasChangePerPeriod`.
    fn change_in_period(events: &[ScaleEvent], period_seconds: i32, now: SimTime) -> i32 {
        let c = cutoff(now, secs(period_seconds));
        events
            .iter()
            .filter(|e| after(e.at, c))
            .map(|e| e.change)
            .sum()
    }

    fn period_start(&self, current: i32, p: &Policy, now: SimTime) -> i32 {
        current - Self::change_in_period(&self.up_events, p.period_seconds, now)
            + Self::change_in_period(&self.down_events, p.period_seconds, now)
    }

    /// `calculateScaleUpLimitWithScalingRules`.
    fn scale_up_limit(&self, current: i32, rules: &Rules, now: SimTime) -> i32 {
        let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select {
            SelectPolicy::Disabled => return current,
            SelectPolicy::Min => (i32::MAX, std::cmp::min),
            SelectPolicy::Max => (i32::MIN, std::cmp::max),
        };
        for p in &rules.policies {
            let start = self.period_start(current, p, now);
            let proposed = match p.kind {
                PolicyType::Pods => start + p.value,
                PolicyType::Percent => {
                    (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32
                }
            };
            result = pick(result, proposed);
        }
        result
    }

    /// `calculateScaleDownLimitWithBehaviors`.
    fn scale_down_limit(&self, current: i32, rules: &Rules, now: SimTime) -> i32 {
        let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select {
            SelectPolicy::Disabled => return current,
            SelectPolicy::Min => (i32::MIN, std::cmp::max),
            SelectPolicy::Max => (i32::MAX, std::cmp::min),
        };
        for p in &rules.policies {
            let start = self.period_start(current, p, now);
            let proposed = match p.kind {
                PolicyType::Pods => start - p.value,
                // Go's int32(float64) conversion truncates toward zero.
                PolicyType::Percent => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i32,
            };
            result = pick(result, proposed);
        }
        result
    }

    /// `storeScaleEvent` (behavior path only): remembers a rescale, reusing the slot of an
    /// event older than the direction's longest policy period.
    pub fn store_scale_event(&mut self, b: &Behavior, prev: i32, new: i32, now: SimTime) {
        let (events, rules, change) = if new > prev {
            (&mut self.up_events, &b.scale_up, new - prev)
        } else {
            (&mut self.down_events, &b.scale_down, prev - new)
        };
        let c = cutoff(now, secs(rules.longest_period()));
        let mut old = None;
        for (i, e) in events.iter_mut().enumerate() {
            if before(e.at, c) {
                e.outdated = true;
            }
            if e.outdated {
                old = Some(i);
            }
        }
        let ev = ScaleEvent {
            change,
            at: now,
            outdated: false,
        };
        match old {
            Some(i) => events[i] = ev,
            None => events.push(ev),
        }
    }
}
