//! Request traces out: as scalesim's own JSON lines ([`to_jsonl`]), in the Chrome Trace Event
//! format that Perfetto and `chrome://tracing` open ([`to_chrome`]), and as OpenTelemetry
//! OTLP/JSON spans that a collector or Jaeger ingests ([`to_otlp`]).
//!
//! A record lists a request's hops (spans) without saying who called whom. The caller of a hop
//! is the hop that encloses it in time: the latest-arrived hop of the same request that is
//! still open when it arrives and ends no earlier (`hops`). A hop that no other encloses was
//! sent by the client.

mod chrome;
mod otlp;

pub use self::chrome::to_chrome;
pub use self::otlp::to_otlp;

use crate::metrics::{Report, TraceRecord, TraceSpan};

/// The report's traces, one JSON object per line (empty when nothing was traced).
pub fn to_jsonl(report: &Report) -> String {
    let mut out = String::new();
    for t in &report.traces {
        out.push_str(&serde_json::to_string(t).expect("trace records serialize"));
        out.push('\n');
    }
    out
}

/// One hop of a request, with its caller.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hop<'a> {
    /// The span.
    pub(crate) span: &'a TraceSpan,
    /// The caller: an index into the same list, `None` for a hop the client sent.
    pub(crate) parent: Option<usize>,
}

/// The hops of `t` in order of arrival (a tie: the longer first), each with its caller.
pub(crate) fn hops(t: &TraceRecord) -> Vec<Hop<'_>> {
    let mut order: Vec<&TraceSpan> = t.spans.iter().collect();
    order.sort_by(|a, b| {
        a.arrive_ms
            .total_cmp(&b.arrive_ms)
            .then(b.end_ms.total_cmp(&a.end_ms))
    });
    let mut out: Vec<Hop<'_>> = Vec::with_capacity(order.len());
    // Hops open at the current arrival, outermost first.
    let mut open: Vec<usize> = Vec::new();
    for span in order {
        while let Some(&top) = open.last() {
            if out[top].span.end_ms >= span.end_ms {
                break;
            }
            open.pop();
        }
        out.push(Hop {
            span,
            parent: open.last().copied(),
        });
        open.push(out.len() - 1);
    }
    out
}

/// When the client's part of `t` ends: its outcome, or its last hop's end while in flight.
pub(crate) fn request_end_ms(t: &TraceRecord) -> f64 {
    match t.latency_ms {
        Some(l) => t.start_ms + l,
        None => t.spans.iter().map(|s| s.end_ms).fold(t.start_ms, f64::max),
    }
}

/// Lanes for intervals that may overlap: each interval, in the order given (by start), goes
/// to the first lane free at its start, so a lane's intervals never overlap. Returns the lane
/// of each interval.
pub(crate) struct Lanes {
    ends: Vec<u64>,
}

impl Lanes {
    pub(crate) fn new() -> Lanes {
        Lanes { ends: Vec::new() }
    }

    /// The lane of `[start, end]`, intervals coming in order of start.
    pub(crate) fn place(&mut self, start: u64, end: u64) -> usize {
        match self.ends.iter().position(|&e| e <= start) {
            Some(i) => {
                self.ends[i] = end;
                i
            }
            None => {
                self.ends.push(end);
                self.ends.len() - 1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(component: &str, arrive_ms: f64, end_ms: f64) -> TraceSpan {
        TraceSpan {
            component: component.into(),
            instance: 0,
            arrive_ms,
            wait_ms: 0.0,
            service_ms: 0.0,
            end_ms,
            outcome: "ok".into(),
        }
    }

    #[test]
    fn a_hop_is_called_by_the_hop_that_encloses_it() {
        // lb [1, 20] calls web [2, 19], which calls cache [3, 4] then db [5, 18]; a retry
        // sends lb [30, 40] again.
        let t = TraceRecord {
            class: "page".into(),
            user: 1,
            key: 2,
            start_ms: 0.0,
            latency_ms: Some(41.0),
            outcome: "ok".into(),
            attempts: 2,
            spans: vec![
                span("db", 5.0, 18.0),
                span("web", 2.0, 19.0),
                span("lb", 30.0, 40.0),
                span("cache", 3.0, 4.0),
                span("lb", 1.0, 20.0),
            ],
        };
        let h = hops(&t);
        let names: Vec<(&str, Option<&str>)> = h
            .iter()
            .map(|x| {
                (
                    x.span.component.as_str(),
                    x.parent.map(|p| h[p].span.component.as_str()),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("lb", None),
                ("web", Some("lb")),
                ("cache", Some("web")),
                ("db", Some("web")),
                ("lb", None)
            ]
        );
        assert_eq!(request_end_ms(&t), 41.0);
    }

    #[test]
    fn lanes_never_hold_overlapping_intervals() {
        let mut l = Lanes::new();
        assert_eq!(l.place(0, 10), 0);
        assert_eq!(l.place(1, 3), 1);
        assert_eq!(l.place(3, 5), 1);
        assert_eq!(l.place(4, 12), 2);
        assert_eq!(l.place(10, 11), 0);
    }
}
