//! `scalesim capacity --cheapest` through the binary: on a server group and a database
//! sized by two parameters (4 x 3 configurations), the search's answer is the cheapest
//! passing configuration of the exhaustive grid (every configuration run here with the same
//! seed), it probes fewer configurations than the grid, its output is the same with 1 and 2
//! threads, and unpriced scenarios and bad parameter combinations fail with exit 1 and a
//! message that names the problem. A configuration's price known before the run equals the
//! ledger's for fixed groups, and bounds it for an autoscaled group.

use scalesim::cheapest::{cost_key, price_of};
use scalesim::sweep::Slo;
use scalesim::{Override, Scenario};

use crate::{assert_outputs, fails, ok, parse, run_seed, scalesim_env, temp_with};

/// 900 req/s through 1 to 4 app servers (m7g.large) to a database whose reads go to 1 to 3
/// replicas (every node an m7g.xlarge). Both tiers must grow: the app needs 3 servers, the
/// database 2 replicas (or 2 servers with 3 replicas, which costs more).
const APP: &str = "\
name: app and db
seed: 7
duration: 6s
warmup: 1s
traffic:
  rate: 900
  timeout: 1s
  classes:
    - {name: read, weight: 0.9}
    - {name: write, weight: 0.1}
network: {hop: {const: 100us}}
entry: lb
components:
  lb: {kind: load_balancer, to: app}
  app: {kind: server, count: 1, workers: 4, queue: 50, service: {exp: 5ms}, calls: [db], instance: m7g.large}
  db:
    kind: database
    workers: 2
    queue: 100
    read: {exp: 3ms}
    write: {exp: 6ms}
    replicas: 1
    replication_lag: {const: 1ms}
    read_from: replicas
    instance: m7g.xlarge
";

const SLOS: [&str; 2] = ["p99<100ms", "availability>=99.9%"];
const COUNTS: [&str; 4] = ["1", "2", "3", "4"];
const REPLICAS: [&str; 3] = ["1", "2", "3"];
const TYPES: [&str; 3] = ["m7g.large", "m7g.xlarge", "m7g.2xlarge"];

fn search_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "capacity",
        "app.yaml",
        "--slo",
        SLOS[0],
        "--slo",
        SLOS[1],
        "--vary",
        "app.count=1..4",
        "--vary",
        "db.replicas=1..3",
        "--cheapest",
    ];
    v.extend_from_slice(extra);
    v
}

/// One configuration of the grid, run as the search runs its first replication: the
/// scenario's seed.
struct Point {
    values: [&'static str; 2],
    per_hour: f64,
    pass: bool,
    p99_ms: Option<f64>,
}

/// Every configuration of the grid `a` x `b` (path, values) of `text`, run with the seed 7
/// under `slos`.
fn exhaustive(
    text: &str,
    a: (&str, &[&'static str]),
    b: (&str, &[&'static str]),
    slos: &[&str],
) -> Vec<Point> {
    let slos: Vec<Slo> = slos.iter().map(|s| s.parse().unwrap()).collect();
    let mut out = Vec::new();
    for x in a.1 {
        for y in b.1 {
            let sets: Vec<Override> = [format!("{}={x}", a.0), format!("{}={y}", b.0)]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect();
            let sc = Scenario::parse(text, "app.yaml", &sets).unwrap_or_else(|e| panic!("{e}"));
            let r = run_seed(&sc, 7);
            let h = scalesim::metrics::Headline::of(&r);
            let pass = slos.iter().all(|s| s.met_by(h.get(s.metric).flatten()));
            out.push(Point {
                values: [x, y],
                per_hour: r.cost.as_ref().expect("priced").per_hour,
                pass,
                p99_ms: h.p99_ms,
            });
        }
    }
    out
}

/// Checks the search's JSON against the exhaustive grid (in grid order, the first
/// parameter slowest): the objectives are monotonic there (the search's assumption), the
/// answer is the grid's cheapest passing configuration (equal costs: the lowest p99, then
/// the last in grid order), every probe's figures are the grid's (the same scenario and
/// seed give the same run), fewer probes than configurations, and the
/// front is a front. Returns the answer's values.
fn check_against_grid(json: &serde_json::Value, grid: &[Point]) -> [&'static str; 2] {
    let index = |v: &str, of: usize| {
        let mut seen: Vec<&str> = grid.iter().map(|p| p.values[of]).collect();
        seen.dedup();
        if of == 1 {
            seen.truncate(
                grid.iter()
                    .filter(|p| p.values[0] == grid[0].values[0])
                    .count(),
            );
        }
        seen.iter().position(|x| *x == v).unwrap()
    };
    for a in grid {
        for b in grid {
            let larger = index(b.values[0], 0) >= index(a.values[0], 0)
                && index(b.values[1], 1) >= index(a.values[1], 1);
            assert!(
                !(larger && a.pass && !b.pass),
                "not monotonic: {:?} passes, {:?} fails",
                a.values,
                b.values
            );
        }
    }
    let best = grid
        .iter()
        .enumerate()
        .filter(|(_, p)| p.pass)
        .min_by(|(i, a), (j, b)| {
            let inf = f64::INFINITY;
            cost_key(a.per_hour)
                .cmp(&cost_key(b.per_hour))
                .then(a.p99_ms.unwrap_or(inf).total_cmp(&b.p99_ms.unwrap_or(inf)))
                .then(j.cmp(i))
        })
        .map(|(_, p)| p)
        .expect("some configuration passes");
    let answer = &json["answer"];
    assert_eq!(
        answer["values"],
        serde_json::json!(best.values),
        "search: {answer}"
    );
    // Costs to a millionth of a dollar an hour, the unit the search compares them in.
    assert_eq!(
        cost_key(answer["per_hour"].as_f64().unwrap()),
        cost_key(best.per_hour)
    );

    let probes = json["probes"].as_array().expect("probes");
    assert!(
        probes.len() < grid.len(),
        "{} probes for {} configurations",
        probes.len(),
        grid.len()
    );
    assert_eq!(
        json["implied_failing"].as_u64().unwrap() + json["not_needed"].as_u64().unwrap(),
        (grid.len() - probes.len()) as u64
    );
    for p in probes {
        let values: Vec<&str> = p["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let g = grid
            .iter()
            .find(|g| g.values[..] == values[..])
            .expect("a grid point");
        assert_eq!(p["pass"].as_bool(), Some(g.pass), "{values:?}");
        // The same scenario and seed give the same run; serde_json reads a float back to
        // within an ulp, hence the 1e-12 relative tolerance.
        let (l, want) = (p["latency_ms"].as_f64().unwrap(), g.p99_ms.unwrap());
        assert!(
            (l - want).abs() <= 1e-12 * want,
            "{values:?}: {l} vs {want}"
        );
        // Nothing autoscales: the price known before the run is the ledger's (to a
        // millionth of a dollar an hour: the sums are added in different orders).
        let bound = p["bound_per_month"].as_f64().unwrap() / 730.0;
        assert_eq!(cost_key(bound), cost_key(g.per_hour), "{values:?}");
    }
    // The front: cheapest first, each faster than all cheaper probes; the answer is on it.
    let front: Vec<usize> = json["front"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert!(front.contains(&(answer["probe"].as_u64().unwrap() as usize)));
    for w in front.windows(2) {
        let (a, b) = (&probes[w[0]], &probes[w[1]]);
        assert!(a["per_hour"].as_f64() < b["per_hour"].as_f64());
        assert!(a["latency_ms"].as_f64() > b["latency_ms"].as_f64());
    }
    best.values
}

#[test]
fn the_search_finds_the_exhaustive_answer_with_fewer_probes_for_any_thread_count() {
    let dir = temp_with(&[("app.yaml", APP)]);
    let run = |threads: &str| {
        ok(&scalesim_env(
            dir.path(),
            &search_args(&["--json", "-", "--out", "out"]),
            &[("RAYON_NUM_THREADS", threads)],
        ))
    };
    let one = run("1");
    assert_eq!(one, run("2"), "the same JSON with 1 and 2 threads");
    let json: serde_json::Value = serde_json::from_str(&one).expect("JSON on stdout");

    let grid = exhaustive(
        APP,
        ("app.count", &COUNTS),
        ("db.replicas", &REPLICAS),
        &SLOS,
    );
    let values = check_against_grid(&json, &grid);
    assert_eq!(values, ["3", "2"], "the grid's answer moved: retune APP");
    let probes = json["probes"].as_array().expect("probes");
    // Its neighbours below fail, each with its limit named.
    let below = json["below"].as_array().unwrap();
    assert_eq!(below.len(), 2);
    for n in below {
        assert_eq!(n["status"], "failed", "{n}");
        let i = n["probe"].as_u64().unwrap() as usize;
        assert!(probes[i]["limit"]["component"].is_string(), "{n}");
    }
    assert_outputs(
        &dir.path().join("out"),
        &["cheapest.json", "cheapest.svg", "cheapest.png"],
    );
    let svg = std::fs::read_to_string(dir.path().join("out/cheapest.svg")).unwrap();
    assert!(
        svg.contains("cheapest: $536/month"),
        "the answer is labelled"
    );
    let file = std::fs::read_to_string(dir.path().join("out/cheapest.json")).unwrap();
    assert_eq!(file, one, "cheapest.json is what --json prints");

    // The text: one line per probe, the answer, the limit of the neighbours, the table.
    let text = ok(&scalesim_env(
        dir.path(),
        &search_args(&["--out", "out"]),
        &[],
    ));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("probe ")).count(),
        probes.len()
    );
    assert!(
        text.contains("answer: app.count=3 db.replicas=2 at $536.11/month ($0.7344/hour"),
        "{text}"
    );
    assert!(
        text.contains("below it (db.replicas lower): app.count=3 db.replicas=1 ($416.98/month) fails: db (database)"),
        "{text}"
    );
    assert!(text.contains("probes by cost"), "{text}");
}

#[test]
fn unpriced_scenarios_and_bad_parameter_combinations_fail_clearly() {
    let unpriced = APP
        .replace(", instance: m7g.large}", "}")
        .replace("    instance: m7g.xlarge\n", "");
    let db_unpriced = APP.replace("    instance: m7g.xlarge\n", "");
    let dir = temp_with(&[
        ("app.yaml", APP),
        ("free.yaml", &unpriced),
        ("db-free.yaml", &db_unpriced),
    ]);
    let run = |args: &[&str]| scalesim_env(dir.path(), args, &[]);

    let mut args = search_args(&[]);
    args[1] = "free.yaml";
    let err = fails(&run(&args));
    assert!(
        err.contains("no component names an `instance`")
            && err.contains("components without one: app, db"),
        "{err}"
    );
    args[1] = "db-free.yaml";
    let err = fails(&run(&args));
    assert!(
        err.contains("--vary db.replicas: `db` names no `instance`")
            && err.contains("--set db.instance=m7g.large"),
        "{err}"
    );
    // Pricing it with --set is enough.
    let mut args = search_args(&["--set", "db.instance=m7g.xlarge", "--set", "duration=2s"]);
    args[1] = "db-free.yaml";
    ok(&run(&args));

    // Several --vary without --cheapest.
    let err = fails(&run(&[
        "capacity",
        "app.yaml",
        "--slo",
        "p99<100ms",
        "--vary",
        "app.count=1..4",
        "--vary",
        "db.replicas=1..3",
    ]));
    assert!(err.contains("add --cheapest"), "{err}");
    for (extra, needle) in [
        (&["--max-load"][..], "cannot be used with"),
        (
            &["--vary", "app.count=5,6"][..],
            "--vary app.count is given twice",
        ),
        (
            &["--batch", "0"][..],
            "--batch: expected 1 to 64 probes, found 0",
        ),
        (&["--tolerance", "5%"][..], "--max-load"),
    ] {
        let err = fails(&run(&search_args(extra)));
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
    let err = fails(&run(&[
        "capacity",
        "app.yaml",
        "--slo",
        "p99<100ms",
        "--vary",
        "app.count=4,2",
        "--vary",
        "db.replicas=1..3",
        "--cheapest",
    ]));
    assert_eq!(
        err,
        "Error: --vary app.count: the values to search must ascend (more capacity later), but 4 comes before 2\n"
    );
    // --json and --out belong to the searches that write them.
    let err = fails(&run(&[
        "capacity",
        "app.yaml",
        "--slo",
        "p99<100ms",
        "--vary",
        "app.count=1..4",
        "--json",
        "-",
    ]));
    assert!(
        err.contains("--max-load") && err.contains("--cheapest"),
        "{err}"
    );
}

#[test]
fn an_autoscaled_group_is_priced_between_its_min_and_its_max() {
    let sc = parse(
        "name: a\nseed: 3\nduration: 40s\nwarmup: 5s\n\
         traffic: {rate: 2000}\nentry: lb\ncomponents:\n  \
         lb: {kind: load_balancer, to: web}\n  \
         web: {kind: server, count: 1, workers: 4, service: {exp: 4ms}, instance: m7g.large, \
         autoscale: {min: 1, max: 6, target: {utilization: 0.6}, interval: 2s, cooldown: 2s, provision: {const: 2s}}}\n",
    );
    let price = price_of(&sc).expect("priced");
    let measured = run_seed(&sc, 3).cost.expect("priced").per_hour;
    assert!(
        price.lower < measured && measured <= price.upper,
        "{} <= {measured} <= {}",
        price.lower,
        price.upper
    );
    // It scaled: more than its one starting instance on average.
    assert!(measured > 1.5 * 0.0816, "{measured}");
}

#[test]
fn when_the_largest_configuration_fails_the_search_ends_with_the_first_batch() {
    let dir = temp_with(&[("app.yaml", APP)]);
    let mut args = search_args(&["--json", "-", "--quiet"]);
    args[3] = "p99<1ms";
    let json: serde_json::Value =
        serde_json::from_str(&ok(&scalesim_env(dir.path(), &args, &[]))).expect("JSON");
    assert!(json["answer"].is_null(), "{}", json["answer"]);
    let probes = json["probes"].as_array().unwrap();
    // One batch of 4: the largest configuration first, then the three cheapest.
    assert_eq!(probes.len(), 4);
    assert_eq!(probes[0]["values"], serde_json::json!(["4", "3"]));
    assert_eq!(json["implied_failing"], 8);
    assert!(json["below"].as_array().unwrap().is_empty());
}

#[test]
fn instance_types_tie_on_price_and_the_faster_configuration_wins() {
    // The app's capacity follows its type's vCPUs (written for an m7g.large), so 4 large,
    // 2 xlarge and 1 2xlarge cost the same and serve about the same; 3 large miss p99<50ms.
    let text = APP
        .replace(
            "instance: m7g.large}",
            "instance: m7g.large, scaling: {reference: m7g.large}}",
        )
        .replace("replicas: 1", "replicas: 3")
        .replace("rate: 900", "rate: 1200");
    let dir = temp_with(&[("app.yaml", &text)]);
    let slos = ["p99<50ms", "availability>=99.9%"];
    let args = [
        "capacity",
        "app.yaml",
        "--slo",
        slos[0],
        "--slo",
        slos[1],
        "--vary",
        "app.count=1..4",
        "--vary",
        "app.instance=m7g.large,m7g.xlarge,m7g.2xlarge",
        "--cheapest",
        "--json",
        "-",
    ];
    let run = |threads: &str| {
        ok(&scalesim_env(
            dir.path(),
            &args,
            &[("RAYON_NUM_THREADS", threads)],
        ))
    };
    let one = run("1");
    assert_eq!(one, run("2"), "the same JSON with 1 and 2 threads");
    let json: serde_json::Value = serde_json::from_str(&one).expect("JSON on stdout");
    let grid = exhaustive(
        &text,
        ("app.count", &COUNTS),
        ("app.instance", &TYPES),
        &slos,
    );
    let answer = check_against_grid(&json, &grid);
    // The answer is one of the three configurations of the same price.
    let tied: Vec<&Point> = grid
        .iter()
        .filter(|p| cost_key(p.per_hour) == cost_key(4.0 * 0.0816 + 4.0 * 0.1632))
        .collect();
    assert_eq!(tied.len(), 3);
    assert!(tied.iter().any(|p| p.values == answer), "{answer:?}");
}
