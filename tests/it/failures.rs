//! Failure behaviour: each failure scenario's headline, asserted; random failures; bad
//! fault entries. Conservation under every fault is in `conservation.rs` (it runs every
//! file in scenarios/, failures included).

use crate::{extra, load, parse, run_seed, windows};

#[test]
fn single_server_crash_is_a_total_outage() {
    let r = run_seed(
        &load("scenarios/failures/01-single-server-crash.yaml", &[]),
        42,
    );
    for w in windows(&r, 41.0, 60.0) {
        assert_eq!(
            w.completed, 0,
            "nothing completes while the only server is down (t = {})",
            w.t_s
        );
        assert!(w.failed > 0);
    }
    assert!(r.errors["connection_refused"] > 10_000);
    assert!(
        windows(&r, 100.0, 120.0).iter().all(|w| w.failed == 0),
        "it works again later"
    );
}

#[test]
fn a_web_server_crash_is_survived_once_health_checks_notice() {
    let r = run_seed(
        &load("scenarios/failures/03-web-server-crash.yaml", &[]),
        42,
    );
    let f = &r.faults[0];
    // Two failed probes at a 2 s interval: detected within 2 x 2 s of the crash.
    let detect = f.time_to_detect_s.expect("the health checks notice");
    assert!(detect <= 4.0, "detected after {detect} s");
    // Errors stop within the detection delay plus one check interval.
    let recover = f.time_to_recover_s.expect("recovers");
    assert!(
        recover <= detect + 2.0,
        "recovered after {recover} s, detected after {detect} s"
    );
    // From one interval after detection (requests already on their way are refused) to
    // the server's return, no request fails.
    let after: u64 = windows(&r, 60.0 + detect + 2.0, 90.0)
        .iter()
        .map(|w| w.failed)
        .sum();
    assert_eq!(after, 0, "no errors once web#1 is out of rotation");
    assert!(
        extra(&r, "web", "sessions_lost") > 0.0,
        "its users log in again elsewhere"
    );
    // Without health checks a quarter of requests fail for the whole crash.
    let blind = run_seed(
        &load(
            "scenarios/failures/03-web-server-crash.yaml",
            &["lb.health_check=null"],
        ),
        42,
    );
    assert!(blind.faults[0].time_to_detect_s.is_none());
    let failed: u64 = windows(&blind, 61.0, 90.0).iter().map(|w| w.failed).sum();
    let ended: u64 = windows(&blind, 61.0, 90.0)
        .iter()
        .map(|w| w.failed + w.completed)
        .sum();
    let share = failed as f64 / ended as f64;
    assert!(
        (share - 0.25).abs() < 0.03,
        "a quarter of requests go to the dead server: {share}"
    );
}

#[test]
fn primary_failure_loses_writes_only_with_async_replication() {
    let asynchronous = run_seed(&load("scenarios/failures/04-primary-failure.yaml", &[]), 42);
    let sync = run_seed(
        &load("scenarios/failures/04-primary-failure-sync.yaml", &[]),
        42,
    );
    for r in [&asynchronous, &sync] {
        assert_eq!(extra(r, "db", "promotions"), 1.0);
        assert_eq!(
            r.faults[0].time_to_detect_s,
            Some(10.0),
            "promotion after the failover delay"
        );
        // Writes fail until the promotion; reads go on from the replicas.
        let write_failures = r.classes["write"].failed;
        assert!(write_failures > 500, "{write_failures}");
        assert!(
            r.classes["page"].failed < 50,
            "reads are served by the replicas: {}",
            r.classes["page"].failed
        );
    }
    assert!(
        extra(&asynchronous, "db", "lost_writes") > 0.0,
        "async replication loses writes in flight"
    );
    assert_eq!(
        extra(&sync, "db", "lost_writes"),
        0.0,
        "sync replication loses none"
    );
    let (wa, ws) = (
        asynchronous.classes["write"].latency_ms.p50.unwrap(),
        sync.classes["write"].latency_ms.p50.unwrap(),
    );
    assert!(
        ws > wa + 20.0,
        "sync writes pay for the replicas: {ws} vs {wa}"
    );
}

// The cache flush and the CDN outage: tests/it/lessons.rs.

#[test]
fn stored_sessions_survive_a_server_loss_local_ones_do_not() {
    let local = run_seed(
        &load("scenarios/failures/07-server-loss-local-sessions.yaml", &[]),
        42,
    );
    let store = run_seed(
        &load("scenarios/failures/07-server-loss-session-store.yaml", &[]),
        42,
    );
    assert!(extra(&local, "web", "sessions_lost") > 1_000.0);
    assert!(
        !store.components["web"].extra.contains_key("sessions_lost"),
        "no local sessions to lose"
    );
    assert!(!store.errors.contains_key("session_lost"));
}

#[test]
fn immediate_retries_turn_a_slowdown_into_a_lasting_outage() {
    let storm = run_seed(&load("scenarios/failures/retry-storm.yaml", &[]), 42);
    assert!(
        storm.faults[0].recovered_s.is_none(),
        "still failing at the end: {:?}",
        storm.faults[0]
    );
    assert!(
        storm.client.attempts_per_request > 2.0,
        "{}",
        storm.client.attempts_per_request
    );
    let last: Vec<_> = windows(&storm, 200.0, 240.0);
    assert!(
        last.iter().all(|w| w.error_rate > 0.5),
        "long after the slowdown ended"
    );
    let tamed = run_seed(
        &load("scenarios/failures/retry-storm-backoff.yaml", &[]),
        42,
    );
    let rec = tamed.faults[0].recovered_s.expect("recovers");
    assert!(
        rec < 90.0,
        "recovered at {rec} s, the slowdown ended at 70 s"
    );
    assert!(
        tamed.client.attempts_per_request < 1.11,
        "the budget caps retries at 10%"
    );
    assert!(windows(&tamed, 100.0, 240.0).iter().all(|w| w.failed == 0));
}

#[test]
fn retries_hide_isolated_failures() {
    // A server that turns away requests when its small queue is full: a retry usually
    // finds room, so retries raise availability at the cost of extra attempts.
    let base = "name: retries
duration: 60s
warmup: 5s
traffic: {rate: 900, RETRIES}
network: {hop: {const: 0s}}
entry: web
components:
  web: {kind: server, workers: 1, queue: 2, service: {exp: 1ms}}
";
    let none = run_seed(&parse(&base.replace(", RETRIES", "")), 1);
    let with = run_seed(
        &parse(&base.replace(
            "RETRIES",
            "retries: {max: 3, backoff: {exp: 5ms}, on: [queue_full]}",
        )),
        1,
    );
    assert!(none.availability < 0.8, "{}", none.availability);
    assert!(
        with.availability > none.availability + 0.1,
        "{} vs {}",
        with.availability,
        none.availability
    );
    assert!(with.client.attempts_per_request > 1.1);
    assert_eq!(
        with.requests.offered,
        with.requests.completed + with.requests.failed + with.requests.in_flight
    );
}

#[test]
fn random_failures_come_and_go() {
    let sc = load(
        "scenarios/failures/03-web-server-crash.yaml",
        &["faults=[{random: web, mtbf: {exp: 5m}, mttr: {exp: 10s}}]"],
    );
    let r = run_seed(&sc, 7);
    assert!(r.errors.get("connection_refused").copied().unwrap_or(0) > 0);
    assert!(
        r.availability > 0.9,
        "health checks keep most requests away from dead servers: {}",
        r.availability
    );
    let q = r.requests;
    assert_eq!(q.offered, q.completed + q.failed + q.in_flight);
    // Same seed, same failures.
    let again = run_seed(&sc, 7);
    assert_eq!(
        scalesim::report::json::to_json(&r),
        scalesim::report::json::to_json(&again)
    );
}

#[test]
fn faults_are_deterministic() {
    let sc = load("scenarios/failures/04-primary-failure.yaml", &[]);
    let a = scalesim::report::json::to_json(&run_seed(&sc, 3));
    let b = scalesim::report::json::to_json(&run_seed(&sc, 3));
    assert_eq!(a, b);
}

#[test]
fn a_balancer_that_comes_back_keeps_its_backends() {
    // While the balancer itself is down it probes nothing, so it returns with every
    // backend still in rotation.
    let r = run_seed(
        &load(
            "scenarios/failures/03-web-server-crash.yaml",
            &["faults=[{at: 60s, for: 5s, crash: lb}]"],
        ),
        42,
    );
    assert!(
        !r.errors.contains_key("no_healthy_backend"),
        "{:?}",
        r.errors
    );
    assert!(windows(&r, 67.0, 120.0).iter().all(|w| w.failed == 0));
}

#[test]
fn users_whose_session_was_lost_log_in_again() {
    // With `session_lost: fail`, each user of the crashed server fails once, then logs in
    // again on another server: the failures are bounded by the users it held.
    let r = run_seed(
        &load(
            "scenarios/failures/03-web-server-crash.yaml",
            &["web.session_lost=fail", "web.relogin=null"],
        ),
        42,
    );
    let lost = r.errors.get("session_lost").copied().unwrap_or(0);
    assert!(
        lost > 0 && lost < 3_000,
        "about a quarter of 10,000 users, once each: {lost}"
    );
    // Users come back at their own pace (one request per 4 s on average), so a few still
    // meet their lost session late in the run - once each, never again.
    let late: u64 = windows(&r, 100.0, 120.0).iter().map(|w| w.failed).sum();
    assert!(late < 50, "failures tail off: {late} in the last 20 s");
}

#[test]
fn a_bulkhead_keeps_a_slow_dependency_from_taking_every_worker() {
    let open = run_seed(&load("scenarios/failures/11-slow-dependency.yaml", &[]), 42);
    let walled = run_seed(
        &load("scenarios/failures/11-slow-dependency-bulkhead.yaml", &[]),
        42,
    );
    // Without the bulkhead, pages that never call the slow dependency fail too: more
    // than a tenth of them (a third of the run is the slowdown).
    let browse = &open.classes["browse"];
    assert!(
        browse.failed * 10 > browse.completed + browse.failed,
        "browse without a bulkhead: {} failed of {}",
        browse.failed,
        browse.completed + browse.failed
    );
    assert!(open.errors.contains_key("queue_full"));
    // Before the slowdown nothing fails without the bulkhead; with it, a handful of
    // recommend requests find 8 calls out at once (under 0.05% of the requests).
    assert!(windows(&open, 10.0, 60.0).iter().all(|w| w.failed == 0));
    let before = windows(&walled, 10.0, 60.0);
    let (failed, offered) = before
        .iter()
        .fold((0, 0), |(f, o), w| (f + w.failed, o + w.offered));
    assert!(failed * 2_000 < offered, "{failed} of {offered}");
    // With it, the browse pages never notice; the recommend pages fail fast, and at
    // least as many of them succeed as without.
    assert_eq!(walled.classes["browse"].failed, 0);
    assert!(walled.errors["bulkhead_full"] > 1_000);
    assert!(!walled.errors.contains_key("queue_full"));
    assert!(walled.classes["recommend"].completed >= open.classes["recommend"].completed);
    assert!(extra(&walled, "web", "limit_rejected.recs") > 1_000.0);
    assert_eq!(extra(&walled, "web", "limit_waits.recs"), 0.0);
    // After the slowdown both recover (the bulkhead's rare normal-time rejections aside).
    assert!(windows(&open, 100.0, 150.0).iter().all(|w| w.failed == 0));
    assert!(windows(&walled, 100.0, 150.0).iter().all(|w| w.failed <= 2));
}

#[test]
fn a_breaker_lets_an_overloaded_dependency_recover() {
    let storm = run_seed(
        &load("scenarios/failures/11-dependency-overload.yaml", &[]),
        42,
    );
    // Without a breaker: a metastable failure. The slowdown ended at 70 s; the API is
    // still saturated and most requests fail to the end.
    assert!(
        storm.faults[0].recovered_s.is_none(),
        "{:?}",
        storm.faults[0]
    );
    assert!(
        windows(&storm, 150.0, 180.0)
            .iter()
            .all(|w| w.error_rate > 0.3)
    );
    assert!(storm.client.attempts_per_request > 2.0);
    let guarded = run_seed(
        &load(
            "scenarios/failures/11-dependency-overload-breaker.yaml",
            &[],
        ),
        42,
    );
    // With one: the breaker opens during the slowdown, fails fast, and closes after it.
    let rec = guarded.faults[0].recovered_s.expect("recovers");
    assert!(
        rec <= 75.0,
        "recovered at {rec} s; the slowdown ended at 70 s"
    );
    assert!(windows(&guarded, 80.0, 180.0).iter().all(|w| w.failed == 0));
    assert!(extra(&guarded, "web", "breaker_opens.api") >= 2.0);
    let (trials, half_opens) = (
        extra(&guarded, "web", "breaker_trials.api"),
        extra(&guarded, "web", "breaker_half_opens.api"),
    );
    assert!(
        trials <= 5.0 * half_opens,
        "{trials} trials, {half_opens} half-opens"
    );
    assert!(guarded.errors["breaker_open"] > 1_000);
    // Goodput: three times the unguarded run's.
    assert!(
        guarded.goodput_rps > 3.0 * storm.goodput_rps,
        "{} vs {}",
        guarded.goodput_rps,
        storm.goodput_rps
    );
}

#[test]
fn shedding_what_waited_too_long_escapes_the_same_overload() {
    let shed = run_seed(
        &load(
            "scenarios/failures/11-dependency-overload-shedding.yaml",
            &[],
        ),
        42,
    );
    let rec = shed.faults[0].recovered_s.expect("recovers");
    assert!(
        rec <= 75.0,
        "recovered at {rec} s; the slowdown ended at 70 s"
    );
    assert!(windows(&shed, 80.0, 180.0).iter().all(|w| w.failed == 0));
    // Every failure is a dropped call, none a timeout: the users were answered, at once.
    assert_eq!(shed.errors.keys().collect::<Vec<_>>(), ["shed_deadline"]);
    assert!(extra(&shed, "api", "shed_deadline") > 1_000.0);
    assert!(shed.client.attempts_per_request < 1.2);
    // A deadline close to the users' timeout drops too late: the failure stays.
    let late = run_seed(
        &load(
            "scenarios/failures/11-dependency-overload-shedding.yaml",
            &["api.shedding={deadline: 400ms}"],
        ),
        42,
    );
    assert!(late.faults[0].recovered_s.is_none());
    assert!(shed.goodput_rps > 3.0 * late.goodput_rps);
}
