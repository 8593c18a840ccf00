//! The discrete-event core: integer simulated time, the event queue, seeded random streams and
//! the running event hash.
//!
//! This module knows nothing about Kubernetes. The simulation (`crate::sim`) defines its own
//! `Copy` event type and drives an [`EventQueue`] of it; every random draw comes from a
//! [`RngStreams`] stream; every dispatched event is folded into an [`EventHash`].

pub mod hash;
pub mod num;
pub mod queue;
pub mod rng;
pub mod time;

pub use hash::EventHash;
pub use queue::{EventQueue, Scheduled};
pub use rng::{RngStreams, SimRng, StreamId};
pub use time::{Elapsed, SimDuration, SimTime};
