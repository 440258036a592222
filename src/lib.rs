//! scalesim: a discrete-event simulator of the journey from one server to millions of users.
//!
//! A YAML scenario describes one architecture stage; [`scenario`] parses and validates it,
//! [`model`] builds the components and replays the traffic on the [`engine`], [`metrics`]
//! measures, and [`report`] writes tables, JSON, CSV and charts.
//!
//! The core (`engine`, `model`, `metrics`, `scenario`) does no file or terminal I/O.

pub mod engine;
pub mod metrics;
pub mod report;
