//! `diagram` and the journey's topology with data centers: a group per data center, a users
//! node per region, and boxes that do not overlap.

use crate::{ok, scalesim};

/// Two data centers behind GeoDNS, two regions, a global CDN, a database with a replica in
/// each data center.
const TWO_DC: &str = "name: \"08 two\"
about: Two data centers behind GeoDNS.
seed: 3
duration: 2s
warmup: 500ms
traffic:
  rate: 200
  timeout: 1s
  classes:
    - {name: page, weight: 0.6}
    - {name: write, weight: 0.1}
    - {name: image, weight: 0.3, static: true}
regions:
  america: {share: 0.6, latency: {us: {lognormal: {median: 12ms, p99: 40ms}}, eu: {const: 45ms}}}
  europe: {share: 0.4, latency: {us: {const: 45ms}, eu: {const: 10ms}}}
datacenters:
  us: {latency: {eu: {const: 38ms}}}
  eu: {}
entry: lb-us
components:
  dns: {kind: dns, latency: {const: 5ms}, ttl: 60s, geo: {us: lb-us, eu: lb-eu}}
  cdn: {kind: cdn, capacity: 100, latency: {const: 1ms}, origin: lb-us}
  lb-us: {kind: load_balancer, datacenter: us, policy: least_connections, to: web-us, latency: {const: 100us}}
  lb-eu: {kind: load_balancer, datacenter: eu, policy: least_connections, to: web-eu, latency: {const: 100us}}
  web-us: {kind: server, datacenter: us, count: 2, workers: 8, service: {exp: 2ms}, calls: {page: [cache-us], write: [cache-us]}}
  web-eu: {kind: server, datacenter: eu, count: 2, workers: 8, service: {exp: 2ms}, calls: {page: [cache-eu], write: [cache-eu]}}
  cache-us: {kind: cache, datacenter: us, capacity: 1000, latency: {const: 200us}, miss: db}
  cache-eu: {kind: cache, datacenter: eu, capacity: 1000, latency: {const: 200us}, miss: db}
  db: {kind: database, datacenter: us, workers: 4, replicas: 2, replica_datacenters: [us, eu], replication_lag: {exp: 20ms}, read: {exp: 3ms}, write: {exp: 6ms}}
";

#[test]
fn diagram_groups_components_by_data_center() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("two.yaml"), TWO_DC).unwrap();
    let mermaid = ok(&scalesim(dir.path(), &["diagram", "two.yaml"]));
    insta::assert_snapshot!("diagram_two_dc_mermaid", mermaid);
    let dot = ok(&scalesim(
        dir.path(),
        &["diagram", "two.yaml", "--format", "dot"],
    ));
    insta::assert_snapshot!("diagram_two_dc_dot", dot);
    // --set moves the users, and the rate shown per region follows.
    let moved = ok(&scalesim(
        dir.path(),
        &["diagram", "two.yaml", "--set", "regions.europe.share=0.9"],
    ));
    assert!(moved.contains("users europe<br/>60%, 120 req/s"), "{moved}");
}

/// A number attribute of an SVG element's text.
fn attr(tag: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let at = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    let end = tag[at..].find('"').unwrap() + at;
    tag[at..end].parse().unwrap()
}

/// The `<rect>`s of `svg` as (x, y, width, height).
fn rects(svg: &str) -> Vec<(f64, f64, f64, f64)> {
    svg.split("<rect")
        .skip(1)
        .map(|r| {
            let tag = &r[..r.find('>').unwrap()];
            (
                attr(tag, "x"),
                attr(tag, "y"),
                attr(tag, "width"),
                attr(tag, "height"),
            )
        })
        .collect()
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

#[test]
fn journey_topology_draws_a_group_per_data_center() {
    let dir = tempfile::tempdir().unwrap();
    let stages = dir.path().join("stages");
    std::fs::create_dir_all(&stages).unwrap();
    std::fs::write(stages.join("08-two.yaml"), TWO_DC).unwrap();
    ok(&scalesim(
        dir.path(),
        &["journey", "--scenarios", "stages", "--quiet"],
    ));
    let html = std::fs::read_to_string(dir.path().join("results/journey/index.html")).unwrap();
    // The topology is the SVG titled with the scenario's name.
    let title = html.find("<title>08 two</title>").expect("a topology");
    let start = html[..title].rfind("<svg").unwrap();
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    let groups: Vec<&str> = svg
        .split("<g class=\"datacenter\">")
        .skip(1)
        .map(|g| &g[..g.find("</g>").unwrap()])
        .collect();
    assert_eq!(groups.len(), 2, "{svg}");
    assert!(
        groups[0].contains(">data center us</text>"),
        "{}",
        groups[0]
    );
    assert!(
        groups[1].contains(">data center eu</text>"),
        "{}",
        groups[1]
    );
    let dcs: Vec<_> = groups.iter().flat_map(|g| rects(g)).collect();
    assert!(!overlap(dcs[0], dcs[1]));
    // Every other rectangle is a node: 2 regions' users, dns, cdn and 7 components.
    let mut rest = svg.to_string();
    for g in &groups {
        rest = rest.replace(g, "");
    }
    let boxes = rects(&rest);
    assert_eq!(boxes.len(), 11);
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(!overlap(*a, *b), "{a:?} overlaps {b:?}");
        }
        // A box is inside one data center's rectangle or clear of both.
        let within = dcs
            .iter()
            .filter(|c| {
                a.0 >= c.0 && a.0 + a.2 <= c.0 + c.2 && a.1 >= c.1 && a.1 + a.3 <= c.1 + c.3
            })
            .count();
        let touching = dcs.iter().filter(|c| overlap(*a, **c)).count();
        assert!(within == touching && within <= 1, "{a:?}");
    }
    // The users and the global components stand outside; 7 components stand inside.
    let inside = boxes
        .iter()
        .filter(|a| dcs.iter().any(|c| overlap(**a, *c)))
        .count();
    assert_eq!(inside, 7);
}
