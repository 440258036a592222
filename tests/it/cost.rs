//! The ledger: what priced components cost, against hand-computed figures. A fixed group
//! and a database's nodes are billed all the measured time; an autoscaled group for its
//! provisioning, active and draining instances, so its instance-hours exceed its active
//! instance-hours by the provisioning it started (10 s each in the ramp) and the draining
//! (at most a few requests' time each).

use crate::{load, parse, run_seed};
use scalesim::report::json::to_json;

const FIXED: &str = "\
name: cost
duration: 110s
warmup: 10s
traffic: {rate: 200}
network: {hop: {const: 0s}}
entry: lb
prices:
  big: {vcpus: 96, memory_gb: 384, hourly: 5}
  m7g.large: {vcpus: 2, memory_gb: 8, hourly: 0.1}
components:
  lb: {kind: load_balancer, to: web}
  web: {kind: server, count: 3, workers: 8, service: {exp: 2ms}, calls: [db], instance: m7g.large}
  db:
    kind: database
    workers: 8
    replicas: 2
    replication_lag: {const: 1ms}
    read: {exp: 1ms}
    write: {exp: 1ms}
    instance: m7g.2xlarge
  cache: {kind: cache, capacity: 10, latency: {const: 0s}, miss: db, instance: big}
";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn fixed_groups_and_database_nodes_are_billed_all_the_time() {
    let r = run_seed(&parse(FIXED), 1);
    let c = r.cost.as_ref().expect("priced components");
    // The balancer names no instance: it is not priced.
    assert_eq!(
        c.components.keys().collect::<Vec<_>>(),
        ["web", "db", "cache"]
    );
    let web = &c.components["web"];
    // The scenario's own m7g.large replaces the shipped one ($0.0816).
    assert_eq!((web.instance.as_str(), web.hourly), ("m7g.large", 0.1));
    assert!(close(web.instances_mean, 3.0));
    assert!(close(web.instance_hours, 3.0 * 100.0 / 3600.0));
    assert!(close(web.per_hour, 0.3));
    // A primary and two replicas, shipped m7g.2xlarge: 8 vCPUs x $0.0408.
    let db = &c.components["db"];
    assert!(close(db.hourly, 0.3264));
    assert!(close(db.instances_mean, 3.0));
    assert!(close(db.per_month, 3.0 * 0.3264 * 730.0));
    let cache = &c.components["cache"];
    assert!(close(cache.per_hour, 5.0));
    let total = 0.3 + 3.0 * 0.3264 + 5.0;
    assert!(close(c.per_hour, total));
    assert!(close(c.per_month, total * 730.0));
    // Dollars over the 100 measured seconds, per million completed requests.
    let per_million = total * 100.0 / 3600.0 / r.requests.completed as f64 * 1e6;
    assert!(close(c.per_million_requests.unwrap(), per_million));
    assert!(c.prices_source.contains("June 2026"));
    // In the JSON, the summary CSV and the table.
    let json = to_json(&r);
    assert!(json.contains("\"cost\":") && json.contains("\"per_million_requests\""));
    let csv = scalesim::report::csv::summary_csv(&r);
    assert!(
        csv.contains("\ncost_component,db,instances_mean,3"),
        "{csv}"
    );
    let table = scalesim::report::table::render_table(&r);
    assert!(table.contains("cost          $"), "{table}");
}

#[test]
fn a_scenario_without_instances_has_no_ledger() {
    let r = run_seed(
        &parse(
            &FIXED
                .replace(", instance: m7g.large", "")
                .replace("    instance: m7g.2xlarge\n", "")
                .replace(", instance: big", ""),
        ),
        1,
    );
    assert!(r.cost.is_none());
    assert!(!to_json(&r).contains("\"cost\":"));
}

#[test]
fn an_autoscaled_group_is_billed_as_it_scales() {
    let sc = load(
        "scenarios/validation/autoscale-ramp.yaml",
        &["web.instance=m7g.xlarge"],
    );
    let r = run_seed(&sc, 7);
    let web = &r.cost.as_ref().unwrap().components["web"];
    let measured = r.duration_s - r.warmup_s;
    let active_mean = r.components["web"].extra["instances_mean"];
    // Provisioning billed inside the measured period: 10 s per instance started, clipped
    // to the period's end.
    let provisioning: f64 = r
        .scaling
        .as_ref()
        .unwrap()
        .iter()
        .filter(|a| a.action == "out" && a.t_s >= r.warmup_s)
        .map(|a| f64::from(a.changed) * (r.duration_s - a.t_s).min(10.0))
        .sum();
    assert!(provisioning > 0.0);
    let extra_s = (web.instances_mean - active_mean) * measured;
    // Draining adds a little: an instance drains once its last requests are done (each a
    // few ms here); 1 instance-second in all is ample.
    assert!(
        extra_s >= provisioning - 1e-6 && extra_s <= provisioning + 1.0,
        "billed beyond active {extra_s} s, provisioning {provisioning} s"
    );
    assert!(close(
        web.instance_hours,
        web.instances_mean * measured / 3600.0
    ));
    assert!(close(web.per_hour, web.instances_mean * 0.1632));
}

#[test]
fn bad_prices_and_instances_are_refused_with_their_place() {
    use crate::bad_input::validate;
    for (edit, want) in [
        (
            ("instance: m7g.large}", "instance: m7g.larg}"),
            "bad.yaml:12:89: components.web.instance: expected an instance type of the price table (m7g.medium, m7g.large,",
        ),
        (
            ("big: {vcpus: 96,", "big: {vcpus: 0,"),
            "bad.yaml:8:16: prices.big.vcpus: expected a whole number of vCPUs >= 1, found 0",
        ),
        (
            ("hourly: 5}", "hourly: -5}"),
            "prices.big.hourly: expected dollars an hour >= 0, found -5",
        ),
        (
            ("memory_gb: 384", "memory_gb: 0"),
            "prices.big.memory_gb: expected GiB > 0, found 0",
        ),
        (
            (
                "{kind: load_balancer, to: web}",
                "{kind: load_balancer, to: web, instance: big}",
            ),
            "components.lb.instance: `instance` does not apply to a load_balancer",
        ),
        (
            ("  big: {vcpus: 96", "  big: {cpus: 96"),
            "prices.big.cpus: unknown field `cpus`",
        ),
    ] {
        let text = FIXED.replacen(edit.0, edit.1, 1);
        assert_ne!(text, FIXED, "test setup: {edit:?}");
        let (code, stderr) = validate(&text, &[]);
        assert_eq!(code, 1, "{edit:?}: {stderr}");
        assert!(stderr.contains(want), "{edit:?}: {stderr}");
    }
    // The did-you-mean of a near miss.
    let (_, stderr) = validate(
        &FIXED.replacen("instance: m7g.large}", "instance: m7g.larg}", 1),
        &[],
    );
    assert!(stderr.contains("did you mean `m7g.large`"), "{stderr}");
}
