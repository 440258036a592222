//! The checks on the call graph as a whole, once every component is resolved: each edge
//! reaches a kind its caller's kind may call ([`Reach`], from the kinds table), a worker
//! group that follows a backlog has a queue, there is no cycle, and chains fit the
//! request's call stack. The graph is [`Topology`], the crate's one call graph.

use super::*;
use crate::scenario::kinds::{self, Reach};
use crate::topology::{Edge, Topology, Via};

/// The key a problem about edge `e` points at. A session store is reached through the
/// calls of session classes (they begin with it), so it is reported at `calls`.
fn key(e: &Edge) -> &'static str {
    match e.via {
        Via::Sessions => "calls",
        via => via.key(),
    }
}

/// Reports that `c.field` reaches `target`, a component of a kind it cannot reach:
/// "expected {want}, found `target`, a {kind}{note}".
fn wrong_kind(
    pr: &mut Problems,
    comps: &[Component],
    c: &Component,
    field: &str,
    target: CompId,
    want: &str,
    note: &str,
) {
    pr.at(
        &format!("components.{}.{field}", c.name),
        format!(
            "expected {want}, found `{}`, a {}{note}",
            comps[target].name,
            comps[target].kind.name()
        ),
    );
}

/// No cycles, calls reach only components that serve them, a load balancer balances over
/// servers, chains fit the request's call stack.
pub(crate) fn check_call_graph(comps: &[Component], entries: &[CompId], pr: &mut Problems) {
    backlogs_have_queues(comps, pr);
    hedges_have_instances(comps, pr);
    let topo = Topology::of(comps);
    for ci in 0..comps.len() {
        check_reach(comps, &topo, ci, pr);
    }
    if !pr.list.is_empty() {
        return;
    }
    if let Some(cyc) = topo.cycle() {
        let text: Vec<&str> = cyc.iter().map(|&i| comps[i].name.as_str()).collect();
        let first = cyc[0];
        let field = topo.edge(first, cyc[1]).map_or("calls", key);
        pr.at(
            &format!("components.{}.{field}", comps[first].name),
            format!(
                "expected calls without a cycle, found {}",
                text.join(" -> ")
            ),
        );
        return;
    }
    // Depth: the longest chain from an entry, counting the client's own frame.
    let d = 1 + entries.iter().map(|&e| topo.depth(e)).max().unwrap_or(0);
    if d > MAX_DEPTH {
        pr.at(
            "components",
            format!(
                "expected call chains at most {} components deep, found {}",
                MAX_DEPTH - 1,
                d - 1
            ),
        );
    }
}

/// A hedge sends its copy to another instance of the callee: the callee is a server group
/// that has (or may scale to) two instances or more.
fn hedges_have_instances(comps: &[Component], pr: &mut Problems) {
    for c in comps {
        let ComponentKind::Server { defences, .. } = &c.kind else {
            continue;
        };
        for d in defences.downstream.iter().filter(|d| d.hedge.is_some()) {
            let callee = &comps[d.to];
            let n = callee.kind.allocated_instances();
            if !matches!(callee.kind, ComponentKind::Server { .. }) || n < 2 {
                let what = if matches!(callee.kind, ComponentKind::Server { .. }) {
                    "a server group of one instance".to_string()
                } else {
                    format!("a {}", callee.kind.name())
                };
                pr.at_key(
                    &format!("components.{}.downstream.{}.hedge", c.name, callee.name),
                    format!(
                        "expected a callee with another instance to send the copy to (a server group of 2 or more), found `{}`, {what}",
                        callee.name
                    ),
                );
            }
        }
    }
}

/// A worker group that follows a backlog needs a queue that feeds it.
fn backlogs_have_queues(comps: &[Component], pr: &mut Problems) {
    for (wi, c) in comps.iter().enumerate() {
        if let ComponentKind::Worker {
            autoscale: Some(a), ..
        } = &c.kind
            && matches!(a.target, ScaleTarget::Backlog(_))
            && !comps.iter().any(
                |q| matches!(q.kind, ComponentKind::Queue { consumers, .. } if consumers == wi),
            )
        {
            pr.at(
                &format!("components.{}.autoscale.target.backlog_per_instance", c.name),
                format!(
                    "expected a worker group that a queue feeds (a queue with `consumers: {}`), found none: there is no backlog to follow",
                    c.name
                ),
            );
        }
    }
}

/// Component `ci`'s edges reach what its kind's [`Reach`] allows.
fn check_reach(comps: &[Component], topo: &Topology, ci: CompId, pr: &mut Problems) {
    let c = &comps[ci];
    let kind = c.kind.kind();
    match kinds::def(kind).calls {
        Reach::Nothing => {}
        Reach::Only {
            kind: want_kind,
            want,
            own,
        } => {
            let Some(e) = topo.edges(ci).first() else {
                return;
            };
            let field = key(e);
            // Another component of the same kind reaching the same target came first.
            if let Some((does, fix)) = own
                && let Some(first) = comps[..ci]
                    .iter()
                    .enumerate()
                    .find(|&(o, x)| x.kind.kind() == kind && topo.target(o) == Some(e.to))
            {
                pr.at(
                    &format!("components.{}.{field}", c.name),
                    format!(
                        "expected {want} of its own, found `{}`, which already {does} `{}` ({fix})",
                        comps[e.to].name, first.1.name
                    ),
                );
                return;
            }
            if comps[e.to].kind.kind() != want_kind {
                wrong_kind(pr, comps, c, field, e.to, want, "");
            }
        }
        Reach::Serving => {
            for t in topo.hops(ci) {
                let field = topo.edge(ci, t).map_or("calls", key);
                let target = comps[t].kind.kind();
                if target == Kind::Worker {
                    wrong_kind(
                        pr,
                        comps,
                        c,
                        field,
                        t,
                        "components that serve requests",
                        " (workers take jobs from a queue: publish to the queue)",
                    );
                }
                if matches!(target, Kind::Dns | Kind::Cdn) {
                    wrong_kind(
                        pr,
                        comps,
                        c,
                        field,
                        t,
                        "components that serve requests",
                        " (clients use it by themselves)",
                    );
                }
            }
        }
    }
}
