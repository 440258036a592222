//! Bad scenarios.
