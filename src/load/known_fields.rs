//! Kubernetes field names that kubesim reads past on purpose.
//!
//! The loader warns about fields it does not know, because in a real manifest those are almost
//! always typos (a real API server with strict field validation rejects them). Fields that exist
//! in the Kubernetes API but do not affect the simulation are listed here and pass silently. The
//! list is keyed by field name alone; it comes from the `core/v1`, `apps/v1`, `batch/v1`,
//! `autoscaling/v2`, `policy/v1` and `storage.k8s.io/v1` API references.

/// Sorted, so lookups are a binary search.
const KNOWN: &[&str] = &[
    "accessModes", "activeDeadlineSeconds", "addresses", "allocatableResources",
    "allocateLoadBalancerNodePorts", "allowVolumeExpansion", "allowedTopologies", "apiVersion",
    "appProtocol", "args", "automountServiceAccountToken", "awsElasticBlockStore", "azureDisk",
    "azureFile", "backoffLimitPerIndex", "binaryData", "capacity", "cephfs", "cinder", "claims",
    "clusterIP", "clusterIPs", "clusterName", "collisionCount", "command", "completedIndexes",
    "completionTime", "conditions", "config", "configSource", "containerStatuses",
    "creationTimestamp", "csi", "currentReplicas", "currentRevision", "daemonEndpoints",
    "dataSource", "dataSourceRef", "defaultMode", "deletionGracePeriodSeconds", "deletionTimestamp",
    "description", "devices", "dnsConfig", "dnsPolicy", "downwardAPI", "enableServiceLinks",
    "ephemeral", "ephemeralContainers", "exec", "externalID", "externalIPs", "externalName",
    "externalTrafficPolicy", "failed", "fc", "features", "fieldRef", "fileKeyRef", "flexVolume",
    "flocker", "fsType", "gcePersistentDisk", "generation", "gitRepo", "glusterfs", "grpc",
    "healthCheckNodePort", "hostAliases", "hostIPC", "hostPID", "hostPath", "hostUsers", "httpGet",
    "image", "imagePullSecrets", "immutable", "initContainerStatuses", "internalTrafficPolicy",
    "ipFamilies", "ipFamilyPolicy", "iscsi", "items", "kind", "lastHeartbeatTime", "lastProbeTime",
    "lastScaleTime", "lastTransitionTime", "lifecycle", "loadBalancer", "loadBalancerClass",
    "loadBalancerIP", "loadBalancerSourceRanges", "local", "managedBy", "managedFields",
    "manualSelector", "maxFailedIndexes", "message", "metadata", "mountOptions", "nfs", "nodeInfo",
    "nodePort", "observedGeneration", "os", "path", "persistentVolumeClaimRetentionPolicy", "phase",
    "photonPersistentDisk", "podCIDR", "podCIDRs", "podFailurePolicy", "podIP", "podIPs",
    "podReplacementPolicy", "portworxVolume", "projected", "publishNotReadyAddresses", "qosClass",
    "quobyte", "rbd", "readOnly", "readinessGates", "readyReplicas", "reason", "resizePolicy",
    "resourceClaims", "resourceFieldRef", "resourceVersion", "restartPolicyRules",
    "runtimeHandlers", "scaleIO", "scopeSelector", "securityContext", "selfLink", "server",
    "serviceAccount", "serviceAccountName", "sessionAffinity", "sessionAffinityConfig",
    "setHostnameAsFQDN", "shareProcessNamespace", "sizeLimit", "startTime", "status", "stdin",
    "stdinOnce", "storageos", "subPath", "subPathExpr", "succeeded", "successPolicy", "targetPort",
    "tcpSocket", "terminationMessagePath", "terminationMessagePolicy", "topologySpreadConstraints",
    "trafficDistribution", "tty", "type", "uid", "unavailableReplicas", "updateRevision",
    "updatedReplicas", "value", "volumeAttributesClassName", "volumeDevices", "volumeMode",
    "volumeMounts", "volumesAttached", "volumesInUse", "vsphereVolume", "workingDir",
];

/// True when `field` is a Kubernetes field that kubesim deliberately does not simulate.
pub fn is_known_unsimulated(field: &str) -> bool {
    KNOWN.binary_search(&field).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique() {
        for w in KNOWN.windows(2) {
            assert!(w[0] < w[1], "{} !< {}", w[0], w[1]);
        }
        assert!(is_known_unsimulated("volumeMounts"));
        assert!(!is_known_unsimulated("replica"));
    }
}
