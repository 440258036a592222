//! The component being resolved, and the helpers every kind's resolver shares: required
//! keys, references to other components, distributions, worker counts, class names and
//! per-class calls.

use crate::engine::Dist;
use crate::scenario::de;
use crate::scenario::raw::{QueueCap, RawCalls, RawComponent, RawDist, RawHealthCheck};
use crate::scenario::resolve::{ClassInfo, Problems, interval_ok, resolve_dist, unknown_component};
use crate::scenario::{CompId, HealthCheck};

/// One component as its kind's resolver sees it.
pub(crate) struct Ctx<'a> {
    /// Its path: `components.<name>`.
    pub(crate) base: &'a str,
    /// Its keys, as read.
    pub(crate) rc: &'a RawComponent,
    /// Every component's name, by index.
    pub(crate) names: &'a [&'a str],
    /// The request classes, by index.
    pub(crate) classes: &'a [ClassInfo],
    /// The data centers' names, by index (empty without data centers).
    pub(crate) dcs: &'a [&'a str],
}

impl Ctx<'_> {
    /// The path of key `field`: `components.<name>.<field>`.
    pub(crate) fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.base)
    }

    /// Reports that the component needs key `field`, which is `what`.
    pub(crate) fn need(&self, pr: &mut Problems<'_>, field: &str, what: &str) {
        let kind_name = self.rc.kind.as_str();
        pr.at(self.base, format!("a {kind_name} needs `{field}`: {what}"));
    }

    /// The component that key `field` names (required: `what` says what it is for).
    pub(crate) fn refer(
        &self,
        pr: &mut Problems<'_>,
        field: &str,
        value: &Option<String>,
        what: &str,
    ) -> Option<CompId> {
        match value {
            None => {
                self.need(pr, field, what);
                None
            }
            Some(t) => match self.names.iter().position(|n| n == t) {
                None => {
                    pr.at(&self.path(field), unknown_component(t, self.names));
                    None
                }
                Some(i) => Some(i),
            },
        }
    }

    /// The required distribution of key `field` (`what` says what it is).
    pub(crate) fn dist(
        &self,
        pr: &mut Problems<'_>,
        field: &str,
        d: &Option<RawDist>,
        what: &str,
    ) -> Option<Dist> {
        match d {
            Some(d) => resolve_dist(&self.path(field), d, pr),
            None => {
                self.need(pr, field, what);
                None
            }
        }
    }

    /// The optional `latency`: no delay when it is left out.
    pub(crate) fn latency_or_zero(&self, pr: &mut Problems<'_>) -> Option<Dist> {
        match &self.rc.latency {
            Some(d) => resolve_dist(&self.path("latency"), d, pr),
            None => Some(Dist::Const(0)),
        }
    }

    /// The required `workers`: requests one instance serves at once, at least 1.
    pub(crate) fn workers(&self, pr: &mut Problems<'_>) -> Option<u32> {
        match self.rc.workers {
            None => {
                self.need(
                    pr,
                    "workers",
                    "how many requests one instance serves at once",
                );
                None
            }
            Some(0) => {
                pr.at(
                    &self.path("workers"),
                    "expected a whole number >= 1, found 0",
                );
                None
            }
            Some(w) => Some(w),
        }
    }

    /// The waiting room's bound; `None`: unbounded (also when left out).
    pub(crate) fn queue(&self) -> Option<u64> {
        match self.rc.queue {
            None | Some(QueueCap::Unbounded) => None,
            Some(QueueCap::Bounded(q)) => Some(q),
        }
    }

    /// The class names, for messages: `read, write`.
    pub(crate) fn class_list(&self) -> String {
        self.classes
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The index of class `name`; otherwise `None` (the caller reports it with
    /// [`Ctx::not_a_class`]).
    pub(crate) fn class(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// "expected a request class (...), found `name`", with a "did you mean".
    pub(crate) fn not_a_class(&self, name: &str) -> String {
        format!(
            "expected a request class ({}), found `{name}`{}",
            self.class_list(),
            de::mean(name, self.classes.iter().map(|c| c.name.as_str()))
        )
    }

    /// A `health_check` map: interval and the probe thresholds.
    pub(crate) fn health(&self, h: &RawHealthCheck, pr: &mut Problems<'_>) -> Option<HealthCheck> {
        let mut good = true;
        if !interval_ok(&self.path("health_check.interval"), h.interval.0, pr) {
            good = false;
        }
        for (f, v) in [("unhealthy", h.unhealthy), ("healthy", h.healthy)] {
            if v == Some(0) {
                pr.at(
                    &self.path(&format!("health_check.{f}")),
                    "expected a whole number of probes >= 1, found 0",
                );
                good = false;
            }
        }
        good.then_some(HealthCheck {
            interval: h.interval.0,
            unhealthy: h.unhealthy.unwrap_or(3),
            healthy: h.healthy.unwrap_or(2),
        })
    }

    /// The `calls` of a server or worker group, per class: every class makes a list's
    /// calls, or each class its own.
    pub(crate) fn calls(&self, pr: &mut Problems<'_>) -> Option<Vec<Vec<CompId>>> {
        let classes: Vec<String> = self.classes.iter().map(|c| c.name.clone()).collect();
        let mut out = vec![Vec::new(); classes.len()];
        let mut ok = true;
        let targets = |pr: &mut Problems<'_>, path: &str, list: &[String], ok: &mut bool| {
            let mut v = Vec::new();
            for (i, t) in list.iter().enumerate() {
                match self.names.iter().position(|n| n == t) {
                    Some(ix) => v.push(ix),
                    None => {
                        pr.at(&format!("{path}[{i}]"), unknown_component(t, self.names));
                        *ok = false;
                    }
                }
            }
            v
        };
        match self.rc.calls.as_ref() {
            None => {}
            Some(RawCalls::All(list)) => {
                let v = targets(pr, &self.path("calls"), list, &mut ok);
                for c in &mut out {
                    c.clone_from(&v);
                }
            }
            Some(RawCalls::ByClass(map)) => {
                for (cname, list) in map {
                    let path = self.path(&format!("calls.{cname}"));
                    match classes.iter().position(|c| c == cname) {
                        Some(ci) => out[ci] = targets(pr, &path, list, &mut ok),
                        None => {
                            pr.at_key(
                                &path,
                                format!(
                                    "expected a request class ({}), found `{cname}`{}",
                                    classes.join(", "),
                                    de::mean(cname, &classes)
                                ),
                            );
                            ok = false;
                        }
                    }
                }
            }
        }
        ok.then_some(out)
    }
}
