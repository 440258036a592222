//! The command line end to end: `run` outputs, flags, determinism through the binary.

use crate::{assert_outputs, fails, ok, root, scalesim};

fn stage(name: &str) -> String {
    root()
        .join("scenarios")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn run_prints_a_table_and_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("03-load-balancer.yaml"),
            "--set",
            "duration=15s",
            "--set",
            "warmup=3s",
        ],
    );
    let table = ok(&out);
    for needle in [
        "03 load balancer",
        "offered",
        "availability",
        "throughput",
        "p99.9",
        "errors",
        "component",
        "db",
        "bottleneck",
        "outputs: results/03-load-balancer/",
    ] {
        assert!(table.contains(needle), "table lacks `{needle}`:\n{table}");
    }
    let res = dir.path().join("results/03-load-balancer");
    assert_outputs(
        &res,
        &[
            "summary.json",
            "summary.csv",
            "timeseries.csv",
            "latency.png",
            "latency.svg",
            "timeseries.png",
            "timeseries.svg",
            "components.png",
            "components.svg",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(res.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "duration_s",
        "warmup_s",
        "requests",
        "throughput_rps",
        "latency_ms",
        "errors",
        "classes",
        "components",
        "engine",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    let png = std::fs::read(res.join("latency.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&res)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with('.').then_some(n)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn every_flag_of_run_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("03-load-balancer.yaml"),
            "--seed",
            "9",
            "--set",
            "web.count=6",
            "--set",
            "traffic.rate=3000",
            "--set",
            "duration=10s",
            "--set",
            "warmup=2s",
            "--json",
            "-",
            "--csv",
            "out.csv",
            "--timeseries",
            "ts.csv",
            "--out",
            "DIR",
            "--quiet",
        ],
    );
    ok(&out);
    // `--json -` prints only JSON on stdout.
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(json["seed"], 9);
    assert_eq!(json["components"]["web"]["instances"], 6);
    let offered = json["requests"]["offered"].as_u64().unwrap();
    assert!(
        (offered as f64 - 24_000.0).abs() < 1_000.0,
        "rate 3000 for 8 s: {offered}"
    );
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(csv.starts_with("scope,name,metric,value\n"), "{csv}");
    let ts = std::fs::read_to_string(dir.path().join("ts.csv")).unwrap();
    // The original columns first, unchanged; the per-component groups follow.
    assert!(ts.starts_with("t_s,offered,completed,failed,throughput_rps,error_rate,p50_ms,p99_ms,util_dns,util_lb,util_web,util_db,inst_dns,inst_lb,inst_web,inst_db,arrivals_dns,"), "{ts}");
    assert!(
        ts.lines()
            .next()
            .unwrap()
            .ends_with(",queue_dns,queue_lb,queue_web,queue_db"),
        "{ts}"
    );
    assert_eq!(ts.lines().count(), 1 + 10, "one row per 1 s window");
    assert!(dir.path().join("DIR/summary.json").exists());
    assert!(
        !dir.path().join("results").exists(),
        "--out replaces results/<stem>"
    );
}

#[test]
fn same_seed_gives_byte_identical_json_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let args = |seed: &'static str| {
        vec![
            "run",
            "X",
            "--json",
            "-",
            "--no-wall-clock",
            "--seed",
            seed,
            "--set",
            "duration=10s",
            "--set",
            "warmup=1s",
            "--out",
            "o",
        ]
    };
    let f = stage("02-app-db-separation.yaml");
    let run = |seed| {
        let mut a = args(seed);
        a[1] = &f;
        scalesim(dir.path(), &a).stdout
    };
    let (a, b, c) = (run("4"), run("4"), run("5"));
    assert!(!a.is_empty());
    assert_eq!(a, b, "same seed, same bytes");
    assert_ne!(a, c, "another seed, other numbers");
}

#[test]
fn several_scenarios_in_one_run_and_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            &stage("02-app-db-separation.yaml"),
            "--set",
            "duration=5s",
            "--set",
            "warmup=1s",
            "-q",
        ],
    );
    ok(&out);
    assert!(out.stdout.is_empty(), "--quiet prints nothing");
    assert!(
        dir.path()
            .join("results/01-single-server/summary.json")
            .exists()
    );
    assert!(
        dir.path()
            .join("results/02-app-db-separation/summary.json")
            .exists()
    );
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            &stage("02-app-db-separation.yaml"),
            "--json",
            "x.json",
        ],
    );
    assert!(fails(&out).contains("take a single scenario"));
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let files: Vec<String> = crate::all_scenarios()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = scalesim(&root(), &args);
    ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        files.len()
    );
}

#[test]
fn summary_of_a_small_seeded_run() {
    // The deterministic core, pinned: any change to the engine, the model or the report shows here.
    let sc = crate::load(
        "scenarios/02-app-db-separation.yaml",
        &["duration=3s", "warmup=1s", "traffic.rate=200"],
    );
    let r = crate::run_seed(&sc, 1);
    insta::assert_snapshot!("summary_02_small", scalesim::report::json::to_json(&r));
}

#[test]
fn traces_are_json_lines_and_change_no_figure() {
    let dir = tempfile::tempdir().unwrap();
    let f = stage("05-cache.yaml");
    let base = [
        "run",
        f.as_str(),
        "--set",
        "duration=10s",
        "--set",
        "warmup=1s",
        "--no-wall-clock",
        "--json",
        "-",
        "--out",
        "o",
    ];
    let plain = scalesim(dir.path(), &base);
    let mut traced_args = base.to_vec();
    traced_args.extend(["--trace", "t.jsonl", "--trace-sample", "0.01"]);
    let traced = scalesim(dir.path(), &traced_args);
    ok(&traced);
    assert_eq!(
        plain.stdout, traced.stdout,
        "sampling draws from its own stream"
    );
    let text = std::fs::read_to_string(dir.path().join("t.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        (150..=350).contains(&lines.len()),
        "about 1% of ~25,000 requests: {}",
        lines.len()
    );
    for l in &lines {
        let spans = l["spans"].as_array().unwrap();
        if l["outcome"] == "ok" {
            assert!(!spans.is_empty(), "{l}");
            let last = spans.last().unwrap();
            assert!(
                last["component"] == "lb" || last["component"] == "web",
                "the entry's span ends last: {l}"
            );
        }
        for s in spans {
            assert!(
                s["wait_ms"].as_f64().unwrap() >= 0.0 && s["service_ms"].as_f64().unwrap() >= 0.0
            );
            assert!(s["end_ms"].as_f64().unwrap() >= s["arrive_ms"].as_f64().unwrap());
        }
    }
    let bad = scalesim(
        dir.path(),
        &["run", f.as_str(), "--trace", "x", "--trace-sample", "2"],
    );
    fails(&bad);
}

#[cfg(unix)]
#[test]
fn devices_as_output_paths_are_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            "--set",
            "duration=5s",
            "--set",
            "warmup=1s",
            "--csv",
            "/dev/stdout",
            "--timeseries",
            "/dev/null",
            "--out",
            "DIR",
            "--quiet",
        ],
    );
    ok(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("scope,name,metric,value\n"),
        "the summary CSV goes to standard output: {stdout}"
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device(),
        "/dev/null must stay a device"
    );
}
