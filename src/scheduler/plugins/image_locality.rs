//! `ImageLocality` (`pkg/scheduler/framework/plugins/imagelocality/image_locality.go`): favours
//! nodes that already have the pod's images, scaled by how widely each image is spread.
//!
//! `sum = Σ int(size × nodesWithImage / totalNodes)` over init and regular containers whose
//! (normalised) image is on the node, clamped to `[23 MiB, 1000 MiB × containers]`, mapped
//! linearly to 0..100.

use crate::model::Pod;
use crate::scheduler::framework::{
    CycleState, MAX_NODE_SCORE, NodeInfo, Plugin, ScorePlugin, View,
};

const MB: i64 = 1024 * 1024;
/// `minThreshold`.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: adds `:latest` when the reference has no tag.
pub fn normalize_image(name: &str) -> std::borrow::Cow<'_, str> {
    let colon = name.rfind(':').map(|i| i as i64).unwrap_or(-1);
    let slash = name.rfind('/').map(|i| i as i64).unwrap_or(-1);
    if colon <= slash {
        std::borrow::Cow::Owned(format!("{name}:latest"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// `calculatePriority`.
pub fn priority(sum: i64, containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * containers as i64;
    let s = sum.clamp(MIN_THRESHOLD, max.max(MIN_THRESHOLD));
    if max <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (s - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

/// `scaledImageScore`.
pub fn scaled(size: i64, nodes_with_image: u32, total_nodes: usize) -> i64 {
    let spread = nodes_with_image as f64 / total_nodes.max(1) as f64;
    (size as f64 * spread) as i64
}

/// The plugin.
#[derive(Debug, Default)]
pub struct ImageLocality;

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        "ImageLocality"
    }
}

impl ScorePlugin for ImageLocality {
    fn node_local(&self) -> bool {
        true
    }

    fn reads_image_spread(&self) -> bool {
        true
    }

    fn score(&self, _: &CycleState, pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let node = info.node;
        let total = view.nodes.len();
        let mut sum = 0;
        let mut n = 0;
        for c in pod
            .spec
            .init_containers
            .iter()
            .chain(pod.spec.containers.iter())
        {
            n += 1;
            if let Some(size) = node.image_size(c.image_key) {
                sum += scaled(size, view.store.image_node_count(c.image_key), total);
            }
        }
        priority(sum, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_priority() {
        assert_eq!(normalize_image("nginx"), "nginx:latest");
        assert_eq!(
            normalize_image("registry:5000/app"),
            "registry:5000/app:latest"
        );
        assert_eq!(normalize_image("nginx:1.25"), "nginx:1.25");
        // image_locality_test.go: a 40 MiB image on the only node, one container:
        // 100 * (40 - 23) / (1000 - 23) = 1.
        assert_eq!(priority(scaled(40 * MB, 1, 1), 1), 1);
        assert_eq!(priority(0, 1), 0);
        assert_eq!(priority(2000 * MB, 1), 100);
    }
}
