//! `compare`, `diagram` and `journey` through the binary, on tiny scenarios; common random
//! numbers across stages.

use crate::{assert_outputs, ok, parse, run_seed, scalesim, temp_with};

/// A stage: `web` behind a balancer, calling `db` for reads and writes. `extra` is added
/// to the components.
fn stage(name: &str, about: &str, web_count: u32, extra: &str) -> String {
    format!(
        "name: \"{name}\"
about: {about}
seed: 3
duration: 4s
warmup: 1s
traffic:
  rate: 400
  timeout: 1s
  classes:
    - {{name: read, weight: 0.8}}
    - {{name: write, weight: 0.2}}
entry: lb
components:
  lb: {{kind: load_balancer, policy: round_robin, to: web, latency: {{const: 100us}}}}
  web: {{kind: server, count: {web_count}, workers: 4, queue: 20, service: {{exp: 2ms}}, calls: {{read: [db], write: [db]}}}}
  db: {{kind: database, workers: 4, read: {{exp: 3ms}}, write: {{exp: 6ms}}}}
{extra}"
    )
}

/// A temporary directory with a `stages/` folder: two stages, a failure variant and a file
/// that is not a stage.
fn stages_dir() -> tempfile::TempDir {
    let failure = format!(
        "{}faults:\n  - {{at: 2s, crash: \"web#0\", for: 1s}}\n",
        stage("failure 02: crash", "One of two servers crashes.", 2, "")
    );
    temp_with(&[
        (
            "stages/01-one.yaml",
            &stage("01 one", "One web server.", 1, ""),
        ),
        (
            "stages/02-two.yaml",
            &stage("02 two", "Two web servers & a balancer.", 2, ""),
        ),
        ("stages/failures/02-crash.yaml", &failure),
        // Not a stage: no two-digit prefix.
        ("stages/notes.yaml", "not: a stage"),
    ])
}

#[test]
fn compare_prints_a_table_and_writes_every_output() {
    let dir = stages_dir();
    let out = scalesim(
        dir.path(),
        &[
            "compare",
            "stages/01-one.yaml",
            "stages/02-two.yaml",
            "--set",
            "traffic.rate=300",
            "--seed",
            "9",
        ],
    );
    let table = ok(&out);
    assert!(
        table.starts_with("2 runs, all with seed 9: common random numbers"),
        "{table}"
    );
    for needle in ["stage", "req/s", "p99 ms", "bottleneck", "01 one", "02 two"] {
        assert!(table.contains(needle), "table lacks `{needle}`:\n{table}");
    }
    assert!(table.contains("outputs: results/compare/"), "{table}");
    for line in table.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    let res = dir.path().join("results/compare");
    assert_outputs(
        &res,
        &[
            "compare.csv",
            "compare.json",
            "compare-latency-cdf.png",
            "compare-latency-cdf.svg",
            "compare-percentiles.png",
            "compare-percentiles.svg",
            "compare-throughput.png",
            "compare-throughput.svg",
            "compare-errors.png",
            "compare-errors.svg",
        ],
    );
    let csv = std::fs::read_to_string(res.join("compare.csv")).unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("file,scenario,seed,throughput_rps,goodput_rps,availability"));
    assert!(
        lines[1].starts_with("stages/01-one.yaml,01 one,9,"),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(res.join("compare.json")).unwrap()).unwrap();
    assert_eq!(json["seed"], 9);
    assert_eq!(json["stages"][1]["scenario"], "02 two");
    assert_eq!(json["stages"][1]["about"], "Two web servers & a balancer.");
    // The override reached both runs: 300 req/s for 3 measured seconds.
    for k in 0..2 {
        let offered = json["stages"][k]["offered"].as_u64().unwrap();
        assert!((800..1000).contains(&offered), "offered {offered}");
    }

    // Quiet: nothing on stdout, outputs still written.
    let out = scalesim(
        dir.path(),
        &["compare", "stages/01-one.yaml", "--quiet", "--out", "q"],
    );
    assert!(ok(&out).is_empty());
    assert!(dir.path().join("q/compare.json").exists());
}

#[test]
fn common_random_numbers_across_stages() {
    // Stage B differs from A only in a component no request reaches: every draw of the
    // traffic and of the shared components is the same, so every figure is the same.
    let a = parse(&stage("a", "A.", 2, ""));
    let b = parse(&stage(
        "b",
        "B.",
        2,
        "  spare: {kind: store, workers: 1, service: {exp: 50ms}}\n",
    ));
    let (ra, rb) = (run_seed(&a, 5), run_seed(&b, 5));
    assert_eq!(ra.requests, rb.requests);
    assert_eq!(ra.latency_ms, rb.latency_ms);
    assert_eq!(ra.components["web"].arrivals, rb.components["web"].arrivals);
    assert_eq!(
        ra.components["db"].latency_ms,
        rb.components["db"].latency_ms
    );
    // Stage C changes the database: the traffic is still the same requests.
    let c = parse(&stage("c", "C.", 2, "").replace("read: {exp: 3ms}", "read: {exp: 1ms}"));
    let rc = run_seed(&c, 5);
    assert_eq!(ra.requests.offered, rc.requests.offered);
    assert_eq!(ra.components["web"].arrivals, rc.components["web"].arrivals);
    assert_ne!(
        ra.components["db"].latency_ms,
        rc.components["db"].latency_ms
    );
    // Another seed draws other traffic: the equalities above are not a coincidence.
    assert_ne!(ra.requests.offered, run_seed(&a, 6).requests.offered);

    // Through compare: one seed for all, the first file's unless --seed.
    let b_text = stage(
        "b",
        "B.",
        2,
        "  spare: {kind: store, workers: 1, service: {exp: 50ms}}\n",
    )
    .replace("seed: 3", "seed: 77");
    let dir = temp_with(&[("a.yaml", &stage("a", "A.", 2, "")), ("b.yaml", &b_text)]);
    ok(&scalesim(
        dir.path(),
        &["compare", "a.yaml", "b.yaml", "--quiet"],
    ));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("results/compare/compare.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["seed"], 3);
    let s = &json["stages"];
    assert_eq!(s[1]["seed"], 3);
    for f in ["offered", "completed", "p99_ms", "mean_ms"] {
        assert_eq!(s[0][f], s[1][f], "{f}");
    }
}

const SMALL: &str = "name: small
duration: 2s
traffic:
  rate: 10
  classes:
    - {name: page, weight: 0.6}
    - {name: write, weight: 0.1}
    - {name: image, weight: 0.3, static: true}
entry: lb
components:
  dns: {kind: dns, latency: {const: 5ms}, ttl: 60s}
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb}
  lb: {kind: load_balancer, policy: least_connections, to: web, latency: {const: 100us}}
  web: {kind: server, count: 3, workers: 8, queue: 50, service: {exp: 2ms}, calls: {page: [cache], write: [db]}}
  cache: {kind: cache, capacity: 1000, latency: {const: 200us}, miss: db}
  db: {kind: database, workers: 4, replicas: 2, replication_lag: {exp: 20ms}, read: {exp: 3ms}, write: {exp: 6ms}}
";

#[test]
fn diagram_prints_mermaid_and_dot() {
    let dir = temp_with(&[("small.yaml", SMALL)]);
    let mermaid = ok(&scalesim(dir.path(), &["diagram", "small.yaml"]));
    insta::assert_snapshot!("diagram_small_mermaid", mermaid);
    let dot = ok(&scalesim(
        dir.path(),
        &["diagram", "small.yaml", "--format", "dot"],
    ));
    insta::assert_snapshot!("diagram_small_dot", dot);
    // --set applies before drawing.
    let more = ok(&scalesim(
        dir.path(),
        &["diagram", "small.yaml", "--set", "web.count=5"],
    ));
    assert!(more.contains("server: 5 x 8 workers"), "{more}");
}

/// Checks that every tag opened in `html` is closed in order (void elements and
/// self-closing tags aside); returns the number of elements.
fn balanced(html: &str) -> usize {
    const VOID: [&str; 4] = ["meta", "br", "img", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("unclosed `<`") + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "stray `<` before `{tag}`");
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("`</{closing}>` closes nothing"));
            assert_eq!(open, name, "`<{open}>` closed by `</{name}>`");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
            elements += 1;
        } else {
            elements += 1;
        }
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
    elements
}

#[test]
fn journey_writes_one_self_contained_page_and_markdown() {
    let dir = stages_dir();
    let out = scalesim(dir.path(), &["journey", "--scenarios", "stages"]);
    let text = ok(&out);
    assert!(text.contains("01 one") && text.contains("02 two"), "{text}");
    assert!(
        text.contains("1 failure variant run too.\njourney: results/journey/index.html"),
        "{text}"
    );
    let res = dir.path().join("results/journey");
    let html = std::fs::read_to_string(res.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(balanced(&html) > 100);
    for external in [
        "src=\"http",
        "href=\"http",
        "<script",
        "@import",
        "url(",
        "<link",
        "<img",
    ] {
        assert!(!html.contains(external), "the page holds `{external}`");
    }
    for needle in [
        "<h2>01 one</h2>",
        "<h2>02 two</h2>",
        "One web server.",
        "Two web servers &amp; a balancer.",
        "The failure it faces: failure 02: crash",
        "One of two servers crashes.",
        "crash web#0",
        "Overview of all stages",
        "<th>change</th>",
        "<svg",
    ] {
        assert!(html.contains(needle), "the page lacks `{needle}`");
    }
    // Two topologies, the capacity chart, four overview charts, two charts per stage and
    // one failure chart,
    // all inline.
    assert_eq!(html.matches("<svg").count(), 12);
    assert!(html.contains("Every stage is offered the same traffic"));
    // The capacity section leads, with each stage's max load under the journey's objectives.
    let cap = html
        .find("<h2>Capacity by stage</h2>")
        .expect("a capacity section");
    assert!(cap < html.find("<h2>Overview of all stages</h2>").unwrap());
    assert!(
        html.contains("(p99&lt;200ms, availability&gt;=99.9%)"),
        "the objectives"
    );
    assert!(html.contains("<td>01 one</td><td>"), "a capacity row");
    assert!(html.contains("What breaks first, and what the next stage does about it"));
    assert!(html.contains("Next, 02 two: Two web servers &amp; a balancer."));
    assert!(res.join("capacity.png").exists() && res.join("capacity.svg").exists());
    for stem in ["stage-01-one-timeseries", "stage-02-two-components"] {
        assert!(res.join(format!("{stem}.png")).exists(), "{stem}");
        assert!(res.join(format!("{stem}.svg")).exists(), "{stem}");
    }
    let md = std::fs::read_to_string(res.join("journey.md")).unwrap();
    assert_eq!(md.matches("```mermaid\nflowchart LR\n").count(), 2);
    for link in [
        "(compare-latency-cdf.png)",
        "(compare-percentiles.png)",
        "(compare-throughput.png)",
        "(compare-errors.png)",
        "(failure-02-crash.png)",
    ] {
        assert!(md.contains(link), "journey.md lacks {link}");
        let file = &link[1..link.len() - 1];
        assert!(res.join(file).exists(), "{file} not written");
    }
    assert!(md.contains("| p99 latency (ms) |"), "{md}");

    // Same seed, same page, byte for byte, on one thread as on many.
    let again = scalesim(
        dir.path(),
        &[
            "journey",
            "--scenarios",
            "stages",
            "--quiet",
            "--jobs",
            "1",
            "--out",
            "again",
        ],
    );
    assert!(ok(&again).is_empty());
    assert_eq!(
        std::fs::read(dir.path().join("again/index.html")).unwrap(),
        html.as_bytes()
    );

    // Without the capacity search, the page says it has no capacity figures.
    let bare = scalesim(
        dir.path(),
        &[
            "journey",
            "--scenarios",
            "stages",
            "--quiet",
            "--no-capacity",
            "--out",
            "bare",
        ],
    );
    assert!(ok(&bare).is_empty());
    let html = std::fs::read_to_string(dir.path().join("bare/index.html")).unwrap();
    assert!(html.contains("No capacity figures"));
    assert!(!dir.path().join("bare/capacity.png").exists());
}

#[test]
fn bad_input_exits_1_with_a_clear_message() {
    let dir = stages_dir();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["compare", "stages/01-one.yaml", "missing.yaml"],
            "Error: cannot read scenario `missing.yaml`",
        ),
        (
            &["diagram", "stages/01-one.yaml", "--format", "png"],
            "invalid value 'png' for '--format <FORMAT>'",
        ),
        (
            &["diagram", "missing.yaml"],
            "cannot read scenario `missing.yaml`",
        ),
        (
            &["journey", "--scenarios", "nowhere"],
            "Error: --scenarios: cannot read the directory `nowhere`",
        ),
        (
            &["journey", "--scenarios", "empty"],
            "Error: --scenarios: no stage files in `empty` (expected files named NN-name.yaml",
        ),
        (
            &["compare", "stages/01-one.yaml", "--set", "web.workers=0"],
            "stages/01-one.yaml:",
        ),
    ];
    for (args, expected) in cases {
        let out = scalesim(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A broken stage file stops the journey before anything runs.
    std::fs::write(
        dir.path().join("stages/03-broken.yaml"),
        "name: broken\nduration: -1s\n",
    )
    .unwrap();
    let out = scalesim(dir.path(), &["journey", "--scenarios", "stages"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stages/03-broken.yaml:"));
    assert!(!dir.path().join("results/journey/index.html").exists());
}
