//! Message queues: publishing, delivery to consumer workers, acknowledgement, redelivery
//! and dead letters.
//!
//! Publishing is a call to the queue: the message (a *job*, kept in the request slab but
//! never counted as a client request) is stored and the publisher gets its reply after the
//! queue's `latency`. Jobs wait in FIFO order and are handed to consumer instances that are
//! up and have a free worker (at most `workers` jobs per instance at a time). A job's reply
//! coming back to the queue is its acknowledgement; a failure (the worker crashed, a call
//! failed) sends it back to the queue for another delivery. A job not acknowledged within
//! the visibility timeout is delivered again while the first delivery may still finish —
//! at-least-once delivery, so its late completion counts as a duplicate. After
//! `max_attempts` deliveries a job is dead-lettered.

use std::collections::VecDeque;

use indexmap::IndexMap;

use crate::engine::random::component_stream;
use crate::engine::{Dist, SimTime, Stream};
use crate::model::autoscale::NO_SCALER;
use crate::model::build::Builder;
use crate::model::{Cause, Ev, EvKind, Model};

use super::{NodeKind, Role};

/// A message queue and its consumers.
#[derive(Debug)]
pub(crate) struct QueueNode {
    /// Jobs waiting for a consumer, oldest first.
    pub(crate) ready: VecDeque<u32>,
    /// Jobs it holds at most (`u64::MAX`: no bound).
    pub(crate) capacity: u64,
    /// Publish latency.
    pub(crate) latency: Dist,
    /// Its random stream.
    pub(crate) rng: Stream,
    /// The queue's own component.
    pub(crate) comp: u32,
    /// The consumer (worker) group.
    pub(crate) consumers: u32,
    /// Per consumer instance: jobs handed to it and not yet back.
    pub(crate) assigned: Vec<u32>,
    /// Round-robin pointer over the consumer instances.
    pub(crate) rr: u32,
    /// Visibility timeout, ns.
    pub(crate) visibility: u64,
    /// Deliveries of a job before it is dead-lettered.
    pub(crate) max_attempts: u32,
    /// Backlog x ns, cumulative.
    pub(crate) backlog_area: u128,
    /// When `backlog_area` was brought up to date.
    pub(crate) backlog_last: u64,
    /// Largest backlog since the last reset.
    pub(crate) backlog_max: u64,
}

/// What a queue is built from.
pub(crate) struct QueueSpec<'a> {
    /// Jobs it holds at most.
    pub(crate) capacity: Option<u64>,
    /// Publish latency.
    pub(crate) latency: &'a Dist,
    /// The consumer group.
    pub(crate) consumers: usize,
    /// Visibility timeout.
    pub(crate) visibility: SimTime,
    /// Deliveries before dead-lettering.
    pub(crate) max_attempts: u32,
}

/// Builds queue component `ci` (one node), the feed of its consumer group.
pub(crate) fn build(b: &mut Builder<'_>, ci: usize, spec: QueueSpec<'_>) -> (u32, u32, Role) {
    let sc = b.sc;
    let q = b.kinds.queues.len() as u32;
    let instances = sc.components[spec.consumers].kind.allocated_instances() as usize;
    b.kinds.queues.push(QueueNode {
        ready: VecDeque::new(),
        capacity: spec.capacity.unwrap_or(u64::MAX),
        latency: spec.latency.clone(),
        rng: component_stream(sc.seed, &sc.components[ci].name),
        comp: ci as u32,
        consumers: spec.consumers as u32,
        assigned: vec![0; instances],
        rr: 0,
        visibility: spec.visibility.0,
        max_attempts: spec.max_attempts,
        backlog_area: 0,
        backlog_last: 0,
        backlog_max: 0,
    });
    b.feeds[spec.consumers] = Some(q);
    b.add_node(ci, NodeKind::Queue(q));
    (1, 0, Role::Queue(q))
}

impl Model {
    /// Brings the backlog area up to now.
    pub(crate) fn backlog_touch(&mut self, q: u32) {
        let qn = &mut self.kinds.queues[q as usize];
        qn.backlog_area += qn.ready.len() as u128 * u128::from(self.core.now - qn.backlog_last);
        qn.backlog_last = self.core.now;
    }

    /// A publisher's request arrives at queue node `node`.
    pub(crate) fn publish(&mut self, node: u32, comp: u32, q: u32, r: u32) {
        let qn = &self.kinds.queues[q as usize];
        if qn.ready.len() as u64 >= qn.capacity {
            self.core.comps[comp as usize].ctr.dropped += 1;
            self.core.span_now(r, node, 0, Cause::QueueFull);
            self.core.fail_back(r, Cause::QueueFull, comp);
            return;
        }
        let req = *self.core.reqs.get(r);
        let j = self.core.reqs.alloc();
        self.guard(j);
        let job = self.core.reqs.get_mut(j);
        job.start = self.core.now;
        job.class = req.class;
        job.user = req.user;
        job.key = req.key;
        job.measured = self.core.now >= self.core.warmup;
        // Jobs are not client requests: nothing waits for them at the client.
        job.client_done = true;
        self.core.push_frame(j, node, 0);
        self.push_ready(q, j);
        self.core.comps[comp as usize].ctr.published += 1;
        let qn = &mut self.kinds.queues[q as usize];
        let lat = qn.latency.sample(&mut qn.rng);
        self.core.span_now(r, node, lat, Cause::None);
        self.core.reply_after(comp, r, lat);
        self.dispatch_jobs(q);
    }

    /// Hands waiting jobs to consumer instances with a free worker: the instances in the
    /// group's rotation (all of them, or an autoscaled group's active ones), round robin.
    pub(crate) fn dispatch_jobs(&mut self, q: u32) {
        let qi = q as usize;
        let consumers = self.kinds.queues[qi].consumers;
        let (first, workers) = {
            let c = &self.core.comps[consumers as usize];
            (c.first_node, c.workers)
        };
        let queue_comp = self.kinds.queues[qi].comp;
        if !self.core.node_up[self.core.comps[queue_comp as usize].first_node as usize] {
            return; // a queue that is down hands out nothing until it is back
        }
        while !self.kinds.queues[qi].ready.is_empty() {
            let qn = &mut self.kinds.queues[qi];
            let rot = &self.core.comps[consumers as usize].rot;
            let n = rot.len() as u32;
            let mut pick = None;
            for _ in 0..n {
                let i = rot[(qn.rr % n) as usize];
                qn.rr = qn.rr.wrapping_add(1);
                if qn.assigned[i as usize] < workers && self.core.node_up[(first + i) as usize] {
                    pick = Some(i);
                    break;
                }
            }
            let Some(i) = pick else { break };
            self.backlog_touch(q);
            let qn = &mut self.kinds.queues[qi];
            let j = qn.ready.pop_front().expect("not empty");
            qn.assigned[i as usize] += 1;
            let visibility = qn.visibility;
            let job = self.core.reqs.get_mut(j);
            job.top_mut().step = i;
            let (generation, attempt) = (job.generation, job.attempt);
            let ctr = &mut self.core.comps[queue_comp as usize].ctr;
            ctr.delivered += 1;
            if attempt > 0 {
                ctr.redelivered += 1;
            }
            let queue_node = self.core.comps[queue_comp as usize].first_node;
            let ev = Ev {
                code: EvKind::VisTimeout as u8,
                tag: attempt as u16,
                node: queue_node,
                req: j,
                aux: generation,
            };
            self.core
                .queue
                .push(SimTime(self.core.now + visibility), ev);
            if self.core.node_scaler[(first + i) as usize] != NO_SCALER {
                // On its way to an instance of an autoscaled group: it may not drain away.
                self.core.inbound[(first + i) as usize] += 1;
            }
            let d = self
                .core
                .hop_node(queue_comp as usize + 1, consumers, first + i, j);
            self.core.after(d, Ev::new(EvKind::Deliver, first + i, j));
        }
    }

    /// A job comes back to its queue: acknowledged, or failed and due for another delivery.
    pub(crate) fn job_back(&mut self, node: u32, q: u32, j: u32) {
        let comp = self.core.nodes[node as usize].comp as usize;
        let frame = self.core.reqs.get_mut(j).pop();
        let qn = &mut self.kinds.queues[q as usize];
        qn.assigned[frame.step as usize] -= 1;
        let job = *self.core.reqs.get(j);
        if job.orphan {
            // Given up on by the visibility timeout and delivered again meanwhile.
            if job.fail == Cause::None {
                self.core.comps[comp].ctr.duplicates += 1;
            }
            self.core.reqs.free(j);
        } else if job.fail == Cause::None {
            self.core.comps[comp].ctr.acked += 1;
            self.core
                .comp_latency(comp as u32, self.core.now - job.start, job.measured);
            self.core.reqs.free(j);
        } else {
            self.requeue(node, q, j);
        }
        self.dispatch_jobs(q);
    }

    /// Puts a job back at the end of the queue for its next delivery, or dead-letters it.
    fn requeue(&mut self, node: u32, q: u32, j: u32) {
        let comp = self.core.nodes[node as usize].comp as usize;
        let max = self.kinds.queues[q as usize].max_attempts;
        let job = self.core.reqs.get_mut(j);
        if job.attempt + 1 >= max {
            self.core.comps[comp].ctr.dead_lettered += 1;
            self.core.reqs.free(j);
            return;
        }
        job.attempt += 1;
        job.fail = Cause::None;
        self.core.push_frame(j, node, 0);
        self.push_ready(q, j);
    }

    /// Job `j` joins the end of the ready list.
    fn push_ready(&mut self, q: u32, j: u32) {
        self.backlog_touch(q);
        let qn = &mut self.kinds.queues[q as usize];
        qn.ready.push_back(j);
        qn.backlog_max = qn.backlog_max.max(qn.ready.len() as u64);
    }

    /// The visibility timeout of a delivery expired: if the job is still out (same slot
    /// generation, not back yet), a copy goes back to the queue and the original becomes an
    /// orphan whose late completion will count as a duplicate.
    pub(crate) fn vis_timeout(&mut self, node: u32, q: u32, j: u32, generation: u32, attempt: u16) {
        let job = *self.core.reqs.get(j);
        let out = job.generation == generation
            && job.attempt as u16 == attempt
            && !job.orphan
            && job.depth() > 1;
        if !out {
            return;
        }
        self.core.reqs.get_mut(j).orphan = true;
        let copy = self.core.reqs.alloc_copy(&job);
        self.guard(copy);
        let c = self.core.reqs.get_mut(copy);
        c.client_done = true;
        c.attempt = job.attempt;
        self.requeue(node, q, copy);
        self.dispatch_jobs(q);
    }
}

impl Model {
    /// Report extras of queue `i` (`Kinds::queues` index `q`): messages published,
    /// delivered, acknowledged, dead-lettered; the backlog.
    pub(crate) fn queue_extras(
        &self,
        i: usize,
        q: u32,
        extra: &mut IndexMap<String, f64>,
        measured_ns: f64,
    ) {
        let c = &self.core.comps[i];
        let (ctr, w) = (&c.ctr, &self.warm.ctr[i]);
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        let qn = &self.kinds.queues[q as usize];
        for (k, v) in [
            ("published", ctr.published - w.published),
            ("dropped", ctr.dropped - w.dropped),
            ("delivered", ctr.delivered - w.delivered),
            ("redelivered", ctr.redelivered - w.redelivered),
            ("duplicates", ctr.duplicates - w.duplicates),
            ("acked", ctr.acked - w.acked),
            ("dead_lettered", ctr.dead_lettered - w.dead_lettered),
        ] {
            put(k, v as f64);
        }
        let area = qn.backlog_area - self.warm.backlog_area[q as usize];
        put("backlog_mean", area as f64 / measured_ns);
        put("backlog_max", qn.backlog_max as f64);
        put("backlog_end", qn.ready.len() as f64);
        // Jobs delivered (or on their way to a worker) and not yet back; a
        // delivery given up on by the visibility timeout is not counted twice.
        let qnode = c.first_node;
        let jobs = self
            .core
            .reqs
            .iter_live()
            .filter(|r| !r.orphan && r.bottom().is_some_and(|f| f.node == qnode))
            .count();
        put(
            "in_delivery_end",
            jobs.saturating_sub(qn.ready.len()) as f64,
        );
    }
}
