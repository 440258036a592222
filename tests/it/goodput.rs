//! Goodput: completed requests within their class's deadline, per second.
//!
//! Against theory: in an M/M/1 queue (FIFO) the response time is exponential with rate
//! mu - lambda, so the share of completed requests within a deadline d is
//! P(T <= d) = 1 - exp(-(mu - lambda) d). Both classes of one run see the same queue, so
//! each class's goodput / throughput must match it for its own deadline. Tolerance: 1.5
//! percentage points. Why that is safe: 200 s at 500 req/s gives about 50,000 completions
//! per class; the binomial standard error of a share near 0.63 is 0.22 pp, and the
//! correlation of consecutive response times inflates it: over seeds 1 to 5 the 2 ms share
//! scattered with a standard deviation of about 0.5 pp around 0.6327 (theory 0.6321), the
//! 5 ms share about 0.4 pp around 0.9188 (theory 0.9179). 1.5 pp is three of those, and a
//! systematic error (a deadline compared in the wrong unit, or the wrong requests counted)
//! would be far larger.

use crate::{bad_input::case_on, parse, run_seed};

/// M/M/1 at rho = 0.5 (lambda 500/s, mu 1000/s), two classes with deadlines 2 ms and 5 ms.
const MM1: &str = "\
name: goodput mm1
duration: 210s
warmup: 10s
traffic:
  rate: 500
  classes:
    - {name: tight, weight: 1, deadline: 2ms}
    - {name: loose, weight: 1, deadline: 5ms}
network:
  hop: {const: 0s}
entry: server
components:
  server:
    kind: server
    workers: 1
    service: {exp: 1ms}
";

#[test]
fn mm1_goodput_share_is_the_response_time_cdf_at_the_deadline() {
    let r = run_seed(&parse(MM1), 3);
    let (lambda, mu) = (500.0, 1000.0);
    let mut good = 0.0;
    for (name, d_ms) in [("tight", 2.0), ("loose", 5.0)] {
        let c = &r.classes[name];
        assert_eq!(c.deadline_ms, Some(d_ms));
        assert!(c.completed > 40_000, "{name}: {} completed", c.completed);
        let share = c.goodput_rps / c.throughput_rps;
        let theory = 1.0 - (-(mu - lambda) * d_ms / 1e3).exp();
        assert!(
            (share - theory).abs() <= 0.015,
            "{name}: goodput/throughput {share:.4}, theory P(T <= {d_ms} ms) = {theory:.4}"
        );
        good += c.goodput_rps;
    }
    // The run's goodput is the sum over classes; the windows add up to the same counts.
    assert!((r.goodput_rps - good).abs() < 1e-6 * good);
    assert!(r.goodput_rps < r.throughput_rps);
    let counted: f64 = r
        .timeseries
        .rows
        .iter()
        .filter(|w| w.t_s >= r.warmup_s)
        .map(|w| w.goodput_rps * r.timeseries.window_s)
        .sum();
    let measured = r.goodput_rps * (r.duration_s - r.warmup_s);
    // Windows count requests where they end, the run those that started after warm-up:
    // they differ by the few requests that straddle the warm-up boundary.
    assert!(
        (counted - measured).abs() <= 20.0,
        "{counted} vs {measured}"
    );
}

#[test]
fn the_deadline_defaults_to_the_client_timeout() {
    let text = MM1
        .replace("  rate: 500\n", "  rate: 500\n  timeout: 3ms\n")
        .replace(", deadline: 5ms", "");
    let r = run_seed(&parse(&text), 3);
    assert_eq!(r.classes["tight"].deadline_ms, Some(2.0));
    let loose = &r.classes["loose"];
    assert_eq!(loose.deadline_ms, Some(3.0));
    // Without retries, a request completes before its timeout or fails: every completed
    // request of the class is within its deadline.
    assert_eq!(loose.goodput_rps, loose.throughput_rps);
    assert!(r.classes["tight"].goodput_rps < r.classes["tight"].throughput_rps);
    // A class without a list: the one default class takes the timeout too.
    let single = run_seed(
        &parse(
            &MM1.replace("duration: 210s", "duration: 20s")
                .replace(
                    "  classes:\n    - {name: tight, weight: 1, deadline: 2ms}\n    - {name: loose, weight: 1, deadline: 5ms}\n",
                    "  timeout: 1500us\n",
                ),
        ),
        3,
    );
    assert_eq!(single.classes["default"].deadline_ms, Some(1.5));
    assert_eq!(single.goodput_rps, single.throughput_rps);
}

#[test]
fn without_deadline_or_timeout_goodput_is_throughput() {
    let text = MM1
        .replace("duration: 210s", "duration: 30s")
        .replace(", deadline: 2ms", "")
        .replace(", deadline: 5ms", "");
    let r = run_seed(&parse(&text), 3);
    assert!(r.throughput_rps > 400.0);
    assert_eq!(r.goodput_rps, r.throughput_rps);
    for c in r.classes.values() {
        assert_eq!((c.deadline_ms, c.goodput_rps), (None, c.throughput_rps));
    }
    for w in &r.timeseries.rows {
        assert_eq!(w.goodput_rps, w.throughput_rps);
    }
}

#[test]
fn retries_can_complete_past_the_timeout() {
    // A deadline is end to end: a request that times out and completes on a retry took
    // longer than the timeout, so it is throughput but not goodput.
    let text = MM1
        .replace("duration: 210s", "duration: 30s")
        .replace(
            "  rate: 500\n",
            "  rate: 300\n  timeout: 4ms\n  retries: {max: 2}\n",
        )
        .replace(", deadline: 2ms", "")
        .replace(", deadline: 5ms", "");
    let r = run_seed(&parse(&text), 3);
    assert!(r.client.retries > 0);
    assert!(
        r.goodput_rps < r.throughput_rps,
        "{} {}",
        r.goodput_rps,
        r.throughput_rps
    );
    assert_eq!(
        r.requests.offered,
        r.requests.completed + r.requests.failed + r.requests.in_flight
    );
}

#[test]
fn a_zero_deadline_is_refused_where_it_is_written() {
    case_on(
        MM1,
        &[(", deadline: 2ms", ", deadline: 0s")],
        &[
            "bad.yaml:7:42: traffic.classes[0].deadline: expected a deadline > 0, found 0s (leave it out to use traffic.timeout)",
        ],
    );
}
