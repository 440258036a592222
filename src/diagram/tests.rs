//! Tests of the diagram: links of every kind, labels, ids, data centers and the SVG layout.

use std::collections::HashSet;
use std::path::Path;

use super::labels::{latency_text, with_latency};
use super::layout::{BOX_H, GAP_Y};
use super::*;
use crate::engine::Dist;

const TEXT: &str = "
name: t
duration: 1s
traffic: {rate: 10, classes: [{name: read, weight: 0.9}, {name: write, weight: 0.1}]}
entry: lb
components:
  lb: {kind: load_balancer, policy: round_robin, to: web, latency: {const: 1ms}}
  web: {kind: server, count: 2, workers: 4, service: {const: 1ms}, calls: {read: [cache], write: [db]}}
  cache: {kind: cache, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, workers: 2, replicas: 1, replication_lag: {const: 5ms}, read: {const: 1ms}, write: {const: 1ms}}
";

#[test]
fn links_follow_every_kind() {
    let sc = Scenario::parse(TEXT, "t", &[]).unwrap();
    let t = Diagram::of(&sc);
    assert_eq!(
        edge_names(&t),
        [
            "users>lb:",
            "lb>web:",
            "web>cache:read",
            "web>db:write",
            "cache>db:miss"
        ]
    );
    assert_eq!(t.layers(), [0, 1, 2, 3, 4]);
    assert_eq!(t.nodes[4].detail, "database: 2 workers, 1 replica");
}

#[test]
fn queues_workers_shards_and_session_stores() {
    let sc = Scenario::parse(
        "name: q
duration: 1s
traffic: {rate: 10, classes: [{name: page, weight: 1, session: true}]}
entry: web
components:
  web: {kind: server, workers: 4, service: {const: 1ms}, calls: [jobs], session: store, session_store: sessions}
  sessions: {kind: store, workers: 2, service: {const: 1ms}}
  jobs: {kind: queue, capacity: 500, latency: {const: 1ms}, consumers: workers}
  workers: {kind: worker, count: 2, workers: 3, service: {const: 1ms}, calls: [db]}
  db: {kind: database, workers: 2, read: {const: 1ms}, write: {const: 1ms}, shards: 4, strategy: consistent_hash}
",
        "q",
        &[],
    )
    .unwrap();
    let t = Diagram::of(&sc);
    assert_eq!(
        edge_names(&t),
        [
            "users>web:",
            "web>sessions:sessions: page",
            "web>jobs:page",
            "jobs>workers:deliver",
            "workers>db:page"
        ]
    );
    let details: Vec<_> = t.nodes.iter().map(|n| n.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "10,000 users, 10 req/s",
            "server: 1 x 4 workers",
            "store: 2 workers",
            "queue: capacity 500",
            "worker: 2 x 3 workers",
            "database: 2 workers, 4 shards (consistent_hash)"
        ]
    );
    let dot = t.dot();
    assert!(
        dot.contains("jobs -> workers [label=\"deliver\"];"),
        "{dot}"
    );
    // The database is two links below the server: the layout gives it its own row.
    assert_eq!(t.layers(), [0, 1, 2, 2, 3, 4]);
}

#[test]
fn ids_are_unique_and_safe() {
    let mut used = HashSet::new();
    assert_eq!(unique_id("web-1", &mut used), "web_1");
    assert_eq!(unique_id("web_1", &mut used), "web_1_2");
    assert_eq!(unique_id("end", &mut used), "end_");
    assert_eq!(unique_id("9x", &mut used), "n9x");
}

#[test]
fn svg_has_a_box_per_node_and_an_arrow_per_edge() {
    let sc = Scenario::parse(TEXT, "t", &[]).unwrap();
    let t = Diagram::of(&sc);
    let svg = t.svg();
    assert_eq!(svg.matches("<rect").count(), t.nodes.len());
    assert_eq!(svg.matches("<polygon").count(), t.edges.len());
    assert_eq!(svg.matches("<polyline").count(), t.edges.len());
    assert!(!svg.contains("url("));
}

/// Two data centers, two regions, GeoDNS, a CDN and a database with a replica in each.
const TWO_DC: &str = "
name: two
duration: 1s
traffic: {rate: 100, classes: [{name: page, weight: 0.9}, {name: img, weight: 0.1, static: true}]}
regions:
  na: {share: 0.75, latency: {us: {const: 12ms}, eu: {const: 45ms}}}
  europe: {share: 0.25, latency: {us: {const: 45ms}, eu: {lognormal: {median: 10ms, p99: 35ms}}}}
datacenters:
  us: {latency: {eu: {const: 38ms}}}
  eu: {}
entry: lb-us
components:
  dns: {kind: dns, latency: {const: 5ms}, ttl: 60s, geo: {us: lb-us, eu: lb-eu}}
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb-us}
  lb-us: {kind: load_balancer, datacenter: us, policy: round_robin, to: web-us, latency: {const: 1ms}}
  lb-eu: {kind: load_balancer, datacenter: eu, policy: round_robin, to: web-eu, latency: {const: 1ms}}
  web-us: {kind: server, datacenter: us, workers: 4, service: {const: 1ms}, calls: [cache-us]}
  web-eu: {kind: server, datacenter: eu, workers: 4, service: {const: 1ms}, calls: [cache-eu]}
  cache-us: {kind: cache, datacenter: us, capacity: 100, latency: {const: 1ms}, miss: db}
  cache-eu: {kind: cache, datacenter: eu, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, datacenter: us, workers: 2, replicas: 2, replica_datacenters: [us, eu], replication_lag: {const: 5ms}, read: {const: 1ms}, write: {const: 1ms}}
";

fn edge_names(t: &Diagram) -> Vec<String> {
    t.edges
        .iter()
        .map(|e| {
            format!(
                "{}>{}:{}",
                t.nodes[e.from].name, t.nodes[e.to].name, e.label
            )
        })
        .collect()
}

#[test]
fn regions_reach_their_nearest_data_center() {
    let sc = Scenario::parse(TWO_DC, "two", &[]).unwrap();
    let t = Diagram::of(&sc);
    assert_eq!(t.users, 2);
    assert_eq!(t.nodes[0].detail, "75%, 75 req/s");
    assert_eq!(t.nodes[1].name, "users europe");
    assert_eq!(
        edge_names(&t),
        [
            "users na>dns:lookup",
            "users na>lb-us:page (12ms)",
            "users na>cdn:img",
            "users europe>dns:lookup",
            "users europe>lb-eu:page (~11.6ms)",
            "users europe>cdn:img",
            "dns>lb-us:geo",
            "dns>lb-eu:geo",
            "cdn>lb-us:miss",
            "lb-us>web-us:",
            "lb-eu>web-eu:",
            "web-us>cache-us:",
            "web-eu>cache-eu:",
            "cache-us>db:miss",
            "cache-eu>db:miss (writes 38ms)",
        ]
    );
    assert_eq!(
        t.nodes[10].detail,
        "database: 2 workers, 2 replicas (us, eu)"
    );
    // Reads from the primary only: the whole call crosses.
    let primary =
        Scenario::parse(TWO_DC, "two", &["db.read_from=primary".parse().unwrap()]).unwrap();
    let t = Diagram::of(&primary);
    assert!(
        edge_names(&t).contains(&"cache-eu>db:miss (38ms)".to_string()),
        "{:?}",
        edge_names(&t)
    );
}

#[test]
fn data_centers_group_their_components() {
    let sc = Scenario::parse(TWO_DC, "two", &[]).unwrap();
    let t = Diagram::of(&sc);
    let m = t.mermaid();
    assert!(
        m.contains("  subgraph us[\"us\"]\n    lb_us[\"lb-us<br/>"),
        "{m}"
    );
    assert!(m.contains("  subgraph eu[\"eu\"]\n    lb_eu["), "{m}");
    assert_eq!(m.matches("\n  end\n").count(), 2, "{m}");
    let dot = t.dot();
    assert!(
        dot.contains("  subgraph cluster_us {\n    label=\"us\";"),
        "{dot}"
    );
    assert!(dot.contains("  subgraph cluster_eu {"), "{dot}");
    // dns and cdn stay outside both groups.
    let first_group = dot.find("subgraph").unwrap();
    assert!(dot.find("  dns [").unwrap() < first_group);
    assert!(dot.find("  cdn [").unwrap() < first_group);
}

#[test]
fn ids_of_data_centers_do_not_clash_with_components() {
    let text = TWO_DC.replace("cache-us", "us");
    let sc = Scenario::parse(&text, "two", &[]).unwrap();
    let t = Diagram::of(&sc);
    let ids: Vec<&str> = t.datacenters.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["us_2", "eu"]);
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn inside(a: (f64, f64, f64, f64), c: (f64, f64, f64, f64)) -> bool {
    a.0 >= c.0 && a.1 >= c.1 && a.0 + a.2 <= c.0 + c.2 && a.1 + a.3 <= c.1 + c.3
}

#[test]
fn svg_layout_keeps_data_centers_apart() {
    // Stage-08 sized: two data centers of ~6 components each.
    let mut text = TWO_DC.to_string();
    for dc in ["us", "eu"] {
        text.push_str(&format!(
            "  q-{dc}: {{kind: queue, datacenter: {dc}, latency: {{const: 1ms}}, consumers: w-{dc}}}\n  \
             w-{dc}: {{kind: worker, datacenter: {dc}, workers: 2, service: {{const: 1ms}}, calls: [db]}}\n"
        ));
    }
    let text = text
        .replace("calls: [cache-us]", "calls: [cache-us, q-us]")
        .replace("calls: [cache-eu]", "calls: [cache-eu, q-eu]");
    let sc = Scenario::parse(&text, "two", &[]).unwrap();
    let t = Diagram::of(&sc);
    let l = t.layout(GAP_Y);
    let boxes: Vec<(f64, f64, f64, f64)> =
        l.pos.iter().map(|&(x, y, w)| (x, y, w, BOX_H)).collect();
    for i in 0..boxes.len() {
        assert!(boxes[i].0 >= 0.0 && boxes[i].0 + boxes[i].2 <= l.width);
        assert!(boxes[i].1 >= 0.0 && boxes[i].1 + BOX_H <= l.height);
        for j in i + 1..boxes.len() {
            assert!(!overlap(boxes[i], boxes[j]), "items {i} and {j} overlap");
        }
    }
    assert_eq!(l.clusters.len(), 2);
    let rects: Vec<(f64, f64, f64, f64)> =
        l.clusters.iter().map(|c| (c.x, c.y, c.w, c.h)).collect();
    assert!(!overlap(rects[0], rects[1]));
    for (i, n) in t.nodes.iter().enumerate() {
        for c in &l.clusters {
            let within = inside(boxes[i], rects[c.dc]);
            assert_eq!(
                within,
                n.datacenter == Some(c.dc),
                "{} and {}",
                n.name,
                c.dc
            );
            assert!(within || !overlap(boxes[i], rects[c.dc]), "{}", n.name);
        }
    }
    let svg = t.svg();
    assert_eq!(svg.matches("<g class=\"datacenter\">").count(), 2);
    assert_eq!(svg.matches("<rect").count(), t.nodes.len() + 2);
    assert!(svg.contains(">data center eu</text>"));
}

#[test]
fn no_two_labels_overlap_in_any_shipped_scenario() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let sc = Scenario::parse(&text, &f.display().to_string(), &[]).unwrap();
        assert_text_apart(&Diagram::of(&sc), &f.display().to_string());
    }
}

/// Every text of `t`'s SVG stays in the picture and off every other text; a node's text stays
/// in its box, and other text off every box.
fn assert_text_apart(t: &Diagram, name: &str) {
    let l = t.placed().0;
    let texts = t.text_boxes();
    for (i, (a, ra)) in texts.iter().enumerate() {
        assert!(
            ra.0 >= 0.0 && ra.0 + ra.2 <= l.width,
            "{name}: `{a}` leaves the picture"
        );
        for (b, rb) in &texts[i + 1..] {
            assert!(!overlap(*ra, *rb), "{name}: `{a}` and `{b}` overlap");
        }
    }
    let nodes = t.nodes.len();
    for (i, (a, ra)) in texts.iter().enumerate() {
        for k in 0..nodes {
            let (x, y, w) = l.pos[k];
            let rect = (x, y, w, BOX_H);
            if i / 2 == k && i < 2 * nodes {
                assert!(inside(*ra, rect), "{name}: `{a}` sticks out of its box");
            } else {
                assert!(
                    !overlap(*ra, rect),
                    "{name}: `{a}` lies on {}",
                    t.nodes[k].name
                );
            }
        }
    }
}

#[test]
fn crowded_labels_move_apart() {
    // Two users' links cross between the same rows: without placement their labels
    // would share a spot.
    let sc = Scenario::parse(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/08-multi-datacenter.yaml"),
        )
        .unwrap(),
        "08",
        &[],
    )
    .unwrap();
    let t = Diagram::of(&sc);
    let svg = t.svg();
    assert!(svg.contains(">static</text>"));
    let texts = t.text_boxes();
    let labels: Vec<_> = texts
        .iter()
        .filter(|(s, _)| s == "lookup" || s == "static")
        .collect();
    assert_eq!(labels.len(), 4);
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!overlap(a.1, b.1));
        }
    }
}

#[test]
fn latency_labels_are_short() {
    assert_eq!(latency_text(&Dist::Const(38_000_000)), "38ms");
    assert_eq!(latency_text(&Dist::Exp { mean: 13_717_000.0 }), "~13.7ms");
    assert_eq!(latency_text(&Dist::Exp { mean: 250_400.0 }), "~250us");
    assert_eq!(latency_text(&Dist::Exp { mean: 5.0 }), "~5ns");
    assert_eq!(
        with_latency("page".into(), Some("12ms")),
        "page (12ms)".to_string()
    );
    assert_eq!(with_latency(String::new(), None), "");
}

#[test]
fn without_regions_geodns_answers_the_first_data_center() {
    let text = TWO_DC
        .replace("regions:\n", "unused:\n")
        .replace("entry: lb-us", "entry: lb-eu")
        .replace("geo: {us: lb-us, eu: lb-eu}", "geo: {eu: lb-eu, us: lb-us}");
    let text: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("unused:") && !l.starts_with("  na:") && !l.starts_with("  europe:")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let sc = Scenario::parse(&text, "two", &[]).unwrap();
    let t = Diagram::of(&sc);
    assert_eq!(t.users, 1);
    let edges = edge_names(&t);
    assert_eq!(edges[1], "users>lb-us:page", "{edges:?}");
}

/// A front end with every overload defence, calling a hedged api group and a pooled database.
const DEFENDED: &str = "
name: defended
duration: 1s
traffic: {rate: 10, classes: [{name: read, weight: 0.9}, {name: write, weight: 0.1}]}
entry: web
components:
  web:
    kind: server
    count: 2
    workers: 4
    service: {const: 1ms}
    calls: {read: [api, db], write: [db]}
    rate_limit: {rate: 500}
    rate_limit_by_class: {write: {rate: 2.5, burst: 3, per: group}}
    concurrency_limit: 64
    shedding: {deadline: 100ms, codel: {}, lifo: 20}
    downstream:
      api: {breaker: {}, hedge: {percentile: 95}}
      db: {breaker: {window: 10}, pool: {size: 10}}
  api: {kind: server, count: 3, workers: 4, service: {const: 1ms}, calls: [cache], concurrency_limit: 8, shedding: {lifo: 0}, downstream: {cache: {bulkhead: {max: 8}}}}
  cache: {kind: cache, capacity: 100, latency: {const: 1ms}, miss: db}
  db: {kind: database, workers: 2, read: {const: 1ms}, write: {const: 1ms}}
";

#[test]
fn defences_show_on_the_server_and_its_links() {
    let sc = Scenario::parse(DEFENDED, "d", &[]).unwrap();
    let t = Diagram::of(&sc);
    let lines: Vec<_> = t.nodes.iter().map(|n| n.defences.as_str()).collect();
    assert_eq!(
        lines,
        [
            "",
            "rate 500/s \u{b7} rate write 2.5/s group \u{b7} conc 64 \u{b7} shed 100ms \u{b7} codel 5ms/100ms \u{b7} lifo over 20",
            "conc 8 \u{b7} lifo",
            "",
            ""
        ]
    );
    assert_eq!(
        edge_names(&t),
        [
            "users>web:",
            "web>api:read; breaker \u{b7} hedge p95",
            "web>db:breaker \u{b7} pool 10",
            "api>cache:bulkhead 8",
            "cache>db:miss"
        ]
    );
    // Mermaid and DOT: the defences as the node's third line; the SVG: after the detail.
    let mermaid = t.mermaid();
    assert!(
        mermaid.contains("api[\"api<br/>server: 3 x 4 workers<br/>conc 8 \u{b7} lifo\"]"),
        "{mermaid}"
    );
    let dot = t.dot();
    assert!(
        dot.contains(
            "api [label=\"api\\nserver: 3 x 4 workers\\nconc 8 \u{b7} lifo\", shape=box];"
        ),
        "{dot}"
    );
    assert!(
        dot.contains("web -> db [label=\"breaker \u{b7} pool 10\"];"),
        "{dot}"
    );
    let svg = t.svg();
    assert!(
        svg.contains(">server: 3 x 4 workers; conc 8 \u{b7} lifo</text>"),
        "{svg}"
    );
    // The longer detail line widens the box: every text stays in its box and apart.
    assert_text_apart(&t, "defended");
}

#[test]
fn a_hedge_with_a_delay_shows_the_delay() {
    let text = DEFENDED.replace("hedge: {percentile: 95}", "hedge: {delay: 20ms}");
    let sc = Scenario::parse(&text, "d", &[]).unwrap();
    let t = Diagram::of(&sc);
    assert_eq!(t.edges[1].label, "read; breaker \u{b7} hedge 20ms");
}

#[test]
fn servers_without_defences_have_no_defences_line() {
    let sc = Scenario::parse(TEXT, "t", &[]).unwrap();
    let t = Diagram::of(&sc);
    assert!(t.nodes.iter().all(|n| n.defences.is_empty()));
    assert!(!t.mermaid().contains('\u{b7}'));
    assert!(!t.dot().contains('\u{b7}'));
}
