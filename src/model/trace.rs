//! Request traces: a sampled share of requests record a span per hop (component instance,
//! arrival, wait for a worker, own service, reply), so one can see where a slow request's
//! time went. Sampling uses a stream of its own, so tracing changes no other number.
//! Recording allocates, but only for sampled requests, and the number of records is capped.

use rand::RngExt;

use super::core::Core;
use super::request::Frame;
use super::{Cause, Model};
use crate::metrics::{TraceRecord, TraceSpan};
use crate::scenario::MAX_DEPTH;

/// The most requests one run traces.
pub(crate) const MAX_TRACES: usize = 1_000_000;

/// [`Core::note_service`]: service starts.
pub(crate) const SERVICE_START: usize = 0;
/// [`Core::note_service`]: service ends.
pub(crate) const SERVICE_END: usize = 1;

#[derive(Debug)]
pub(crate) struct RawTrace {
    class: u16,
    user: u32,
    key: u64,
    start: u64,
    end: Option<u64>,
    outcome: Cause,
    attempts: u32,
    spans: Vec<RawSpan>,
}

#[derive(Debug, Clone, Copy)]
struct RawSpan {
    node: u32,
    arrive: u64,
    start: u64,
    done: u64,
    end: u64,
    outcome: Cause,
}

impl Model {
    /// Trace records with names, for the report.
    pub(crate) fn trace_records(&self) -> Vec<TraceRecord> {
        let ms = |ns: u64| ns as f64 / 1e6;
        self.core
            .traces
            .iter()
            .map(|t| TraceRecord {
                class: self.class_names[t.class as usize].clone(),
                user: t.user,
                key: t.key,
                start_ms: ms(t.start),
                latency_ms: t.end.map(|e| ms(e - t.start)),
                outcome: match (t.end, t.outcome) {
                    (None, _) => "in_flight".to_string(),
                    (_, Cause::None) => "ok".to_string(),
                    (_, c) => c.as_str().to_string(),
                },
                attempts: t.attempts,
                spans: t
                    .spans
                    .iter()
                    .map(|s| {
                        let n = self.core.nodes[s.node as usize];
                        let c = &self.core.comps[n.comp as usize];
                        let served = s.start > 0;
                        TraceSpan {
                            component: c.name.clone(),
                            instance: s.node - c.first_node,
                            arrive_ms: ms(s.arrive),
                            wait_ms: if served { ms(s.start - s.arrive) } else { 0.0 },
                            service_ms: if served && s.done >= s.start {
                                ms(s.done - s.start)
                            } else {
                                0.0
                            },
                            end_ms: ms(s.end),
                            outcome: if s.outcome == Cause::None {
                                "ok".into()
                            } else {
                                s.outcome.as_str().into()
                            },
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

impl Core {
    /// Decides whether a new request is traced; returns its record index or `u32::MAX`.
    pub(crate) fn maybe_trace(&mut self, class: u16, user: u32, key: u64) -> u32 {
        if self.trace_p <= 0.0 || self.traces.len() >= MAX_TRACES {
            return u32::MAX;
        }
        if self.trace_rng.random::<f64>() >= self.trace_p {
            return u32::MAX;
        }
        self.traces.push(RawTrace {
            class,
            user,
            key,
            start: self.now,
            end: None,
            outcome: Cause::None,
            attempts: 1,
            spans: Vec::new(),
        });
        (self.traces.len() - 1) as u32
    }

    /// Records the span of `frame` (pushed by `node`) ending now. Every span is recorded
    /// just after its frame was popped, so the frame's place on the stack is the request's
    /// depth.
    #[inline(always)]
    pub(crate) fn span(&mut self, r: u32, node: u32, frame: &Frame) {
        if self.reqs.get(r).trace != u32::MAX {
            self.traced_span(r, node, frame.t_in);
        }
    }

    /// [`Core::span`] of a traced request, its frame having arrived at `t_in`.
    #[cold]
    #[inline(never)]
    fn traced_span(&mut self, r: u32, node: u32, t_in: u64) {
        let req = self.reqs.get(r);
        let (outcome, trace, d) = (req.fail, req.trace as usize, req.depth());
        let [start, done] = self.service_times_of(r)[d];
        self.traces[trace].spans.push(RawSpan {
            node,
            arrive: t_in,
            start,
            done,
            end: self.now,
            outcome,
        });
    }

    /// Notes that the station on top of request `r`'s stack starts ([`SERVICE_START`]) or
    /// ends ([`SERVICE_END`]) serving it now, if `r` is traced.
    #[inline(always)]
    pub(crate) fn note_service(&mut self, r: u32, which: usize) {
        if self.reqs.get(r).trace != u32::MAX {
            self.traced_service(r, Some(which));
        }
    }

    /// A traced request `r`: notes the service time `which` of its top frame now, or with
    /// `None` clears its top frame's times (a node just pushed it).
    #[cold]
    #[inline(never)]
    pub(crate) fn traced_service(&mut self, r: u32, which: Option<usize>) {
        let (d, now) = (self.reqs.get(r).depth() - 1, self.now);
        let times = &mut self.service_times_of(r)[d];
        match which {
            Some(w) => times[w] = now,
            None => *times = [0, 0],
        }
    }

    /// Request slot `r`'s service times per frame (see [`Core::service_times`]).
    fn service_times_of(&mut self, r: u32) -> &mut [[u64; 2]; MAX_DEPTH] {
        let r = r as usize;
        if self.service_times.len() <= r {
            self.service_times.resize(r + 1, [[0; 2]; MAX_DEPTH]);
        }
        &mut self.service_times[r]
    }

    /// Records a span that starts now and lasts `d` ns, with no wait and no service of its
    /// own: a cache hit, or a publish to a queue (`outcome` is the publish's: `None` when
    /// stored, `QueueFull` when dropped).
    pub(crate) fn span_now(&mut self, r: u32, node: u32, d: u64, outcome: Cause) {
        let req = self.reqs.get(r);
        if req.trace != u32::MAX {
            let now = self.now;
            self.traces[req.trace as usize].spans.push(RawSpan {
                node,
                arrive: now,
                start: 0,
                done: 0,
                end: now + d,
                outcome,
            });
        }
    }

    /// The client's outcome of a traced request (or another attempt starting).
    pub(crate) fn trace_outcome(&mut self, r: u32, cause: Cause, retrying: bool) {
        let t = self.reqs.get(r).trace;
        if t == u32::MAX {
            return;
        }
        let rec = &mut self.traces[t as usize];
        if retrying {
            rec.attempts += 1;
        } else {
            rec.end = Some(self.now);
            rec.outcome = cause;
        }
    }
}
