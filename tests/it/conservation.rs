//! Conservation.
