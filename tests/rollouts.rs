//! Deployment rollouts from the bundled teaching scenarios (`scenarios/rollouts/`), with
//! hand-derived times: RollingUpdate keeps capacity, Recreate has a gap, undo restores the
//! previous template by scaling its ReplicaSet back up.

mod scenario_support;

use kubesim::sim::Simulation;
use scenario_support::{secs, sim_of};

/// Ready pods, and ready pods running `image`.
fn ready(sim: &Simulation, image: &str) -> (usize, usize) {
    let i = &sim.store.interner;
    let mut all = 0;
    let mut with = 0;
    for (_, p) in sim.store.pods() {
        if p.is_ready() {
            all += 1;
            if p.spec
                .containers
                .iter()
                .any(|c| i.resolve(c.image) == image)
            {
                with += 1;
            }
        }
    }
    (all, with)
}

#[test]
fn rolling_update_never_drops_below_desired_and_finishes_when_probes_allow() {
    let mut sim = sim_of("scenarios/rollouts/rolling-update.yaml");
    sim.run_until(secs(299));
    assert_eq!(ready(&sim, "shop:1"), (4, 4));
    for t in 300..=400 {
        sim.run_until(secs(t));
        assert!(ready(&sim, "").0 >= 4, "fewer than 4 ready at {t}s");
    }
    // Each new pod: pull 72Mi at 50Mi/s (1.44 s) + 1 s start; the prober starts with the
    // container and probes every 10 s, skipping probes before the 5 s delay: ready 10 s after
    // creation. Four steps of 10 s: the last old pod goes at 5:40.
    let last = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet")
        .map(|e| e.time)
        .max()
        .unwrap();
    assert_eq!(last, secs(340));
    assert_eq!(ready(&sim, "shop:2"), (4, 4));
}

#[test]
fn recreate_stops_every_old_pod_before_starting_new_ones() {
    let mut sim = sim_of("scenarios/rollouts/recreate.yaml");
    sim.run_until(secs(299));
    assert_eq!(ready(&sim, "shop:1"), (3, 3));
    sim.run_until(secs(300));
    assert_eq!(ready(&sim, "").0, 0, "old pods are terminating, none ready");
    // Old pods stop 1 s after SIGTERM; the new ReplicaSet is scaled up only then.
    let up = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet" && e.time >= secs(300))
        .map(|e| (e.time, e.message.clone()))
        .collect::<Vec<_>>();
    assert_eq!(up.len(), 1, "{up:?}");
    sim.run_until(secs(301));
    let up = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet" && e.time >= secs(300))
        .map(|e| e.time)
        .collect::<Vec<_>>();
    assert_eq!(up, vec![secs(300), secs(301)]);
    // The gap: no ready pod from 5:00 until the new pods are ready 10 s after creation.
    sim.run_until(secs(310));
    assert_eq!(ready(&sim, "").0, 0);
    sim.run_until(secs(311));
    assert_eq!(ready(&sim, "shop:2"), (3, 3));
}

#[test]
fn undo_restores_the_previous_template_with_its_replicaset() {
    let mut sim = sim_of("scenarios/rollouts/undo.yaml");
    sim.run_until(secs(479));
    assert_eq!(ready(&sim, "shop:2"), (3, 3));
    let rs_before: Vec<String> = sim
        .store
        .replicasets()
        .map(|(_, r)| r.name.to_string())
        .collect();
    sim.run();
    assert_eq!(ready(&sim, "shop:1"), (3, 3));
    let rs_after: Vec<(String, i32)> = sim
        .store
        .replicasets()
        .map(|(_, r)| (r.name.to_string(), r.replicas))
        .collect();
    assert_eq!(rs_after.len(), 2, "no third ReplicaSet: {rs_after:?}");
    assert_eq!(
        rs_after.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        rs_before
    );
    // The revision-1 ReplicaSet runs again, as revision 3.
    let (_, first) = sim.store.replicasets().next().unwrap();
    assert_eq!(first.replicas, 3);
    assert_eq!(first.revision, 3);
    let d = sim.store.deployments().next().unwrap().1;
    let img = sim
        .store
        .interner
        .resolve(d.template.spec.containers[0].image);
    assert_eq!(img, "shop:1");
}
