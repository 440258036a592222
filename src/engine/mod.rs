//! The discrete-event kernel: simulated time, the event queue, and seeded random streams.
//!
//! The kernel knows nothing about servers or caches: it orders `Copy` events by
//! time, ties in the order they were pushed (exactly what a `(time, sequence number)` key
//! gives, without storing the number), and hands them out one at a time. The model (`crate::model`)
//! decides what an event means.

pub mod queue;
pub mod random;
pub mod sample;
pub mod time;
mod ziggurat_tables;

pub use queue::EventQueue;
pub use random::{Dist, Stream};
pub use time::SimTime;
