//! A server or worker group's `autoscale` rule.

use super::*;

/// A server or worker group's `autoscale`. `count` is the group's resolved starting size;
/// `given_count` tells whether the file gave it (an error then points at it).
pub(crate) fn resolve_autoscale(
    base: &str,
    a: &RawAutoscale,
    worker: bool,
    given_count: Option<u32>,
    count: u32,
    pr: &mut Problems,
) -> Option<Autoscale> {
    let path = format!("{base}.autoscale");
    let mut good = true;
    let min = a.min.unwrap_or(count);
    if min == 0 {
        pr.at(
            &format!("{path}.min"),
            "expected a whole number of instances >= 1, found 0",
        );
        good = false;
    }
    let max = match a.max {
        None => {
            pr.at(
                &path,
                "autoscale needs `max`: the most instances the group may grow to",
            );
            None
        }
        Some(m) if m > MAX_INSTANCES => {
            pr.at(
                &format!("{path}.max"),
                format!("expected at most {MAX_INSTANCES} instances, found {m}"),
            );
            None
        }
        Some(m) if m < min => {
            let from = if a.min.is_none() {
                ", from `count`"
            } else {
                ""
            };
            pr.at(
                &format!("{path}.max"),
                format!("expected max >= min ({min}{from}), found {m}"),
            );
            None
        }
        Some(m) => Some(m),
    };
    if let Some(max) = max
        && good
        && given_count.is_some()
        && !(min..=max).contains(&count)
    {
        pr.at(
            &format!("{base}.count"),
            format!(
                "expected a starting count within autoscale's [min, max] = [{min}, {max}], found {count}"
            ),
        );
        good = false;
    }
    let target = scale_target(&path, a, worker, pr);
    let interval = a.interval.map_or(DEFAULT_SCALE_INTERVAL, |d| d.0);
    if !interval_ok(&format!("{path}.interval"), interval, pr) {
        good = false;
    }
    let cooldown = a.cooldown.map_or(DEFAULT_SCALE_COOLDOWN, |d| d.0);
    let tolerance = a.tolerance.unwrap_or(DEFAULT_SCALE_TOLERANCE);
    if !(0.0..1.0).contains(&tolerance) {
        pr.at(
            &format!("{path}.tolerance"),
            format!(
                "expected a tolerance >= 0 and < 1 (a fraction of the target), found {tolerance}"
            ),
        );
        good = false;
    }
    // Negative durations are rejected while the file is read; the ring of recent
    // decisions the window needs is sized from it, so its size is bounded here.
    let scale_in_window = a.scale_in_window.map_or(DEFAULT_SCALE_IN_WINDOW, |d| d.0);
    if interval > SimTime::ZERO {
        let evals = scale_in_window.0.div_ceil(interval.0);
        if evals > MAX_SCALE_IN_EVALS {
            pr.at(
                &format!("{path}.scale_in_window"),
                format!(
                    "expected a window of at most 100,000 evaluations (scale_in_window / interval), found {evals} ({scale_in_window} / {interval}: make the window shorter or the interval longer)"
                ),
            );
            good = false;
        }
    }
    let provision = match &a.provision {
        Some(d) => resolve_dist(&format!("{path}.provision"), d, pr),
        None => Some(Dist::Const(0)),
    };
    let (max, target, provision) = (max?, target?, provision?);
    good.then_some(Autoscale {
        min,
        max,
        target,
        interval,
        cooldown,
        provision,
        tolerance,
        scale_in_window,
    })
}

/// What an autoscaler keeps at its target: `utilization`, or `queue` for a server group and
/// `backlog_per_instance` for a worker group; exactly one. `path` is the `autoscale` key.
fn scale_target(
    path: &str,
    a: &RawAutoscale,
    worker: bool,
    pr: &mut Problems,
) -> Option<ScaleTarget> {
    // A server group follows its waiting requests, a worker group its queue's backlog.
    let (other, other_example) = if worker {
        (
            "backlog_per_instance",
            "{backlog_per_instance: 20} (jobs waiting in its queue per instance)",
        )
    } else {
        ("queue", "{queue: 20} (waiting requests per instance)")
    };
    match &a.target {
        None => {
            pr.at(
                path,
                format!(
                    "autoscale needs `target`: {{utilization: 0.6}} (busy fraction) or {other_example}"
                ),
            );
            None
        }
        Some(t) if worker && t.queue.is_some() => {
            pr.at(
                &format!("{path}.target.queue"),
                "`queue` does not apply to a worker group (its jobs wait in the queue, not at the workers): use {backlog_per_instance: 20}",
            );
            None
        }
        Some(t) if !worker && t.backlog_per_instance.is_some() => {
            pr.at(
                &format!("{path}.target.backlog_per_instance"),
                "`backlog_per_instance` applies to a worker group (the backlog of the queue it consumes); a server group takes {utilization: 0.6} or {queue: 20}",
            );
            None
        }
        Some(t) => {
            let tp = format!("{path}.target");
            match (t.utilization, t.queue.or(t.backlog_per_instance)) {
                (Some(_), Some(_)) => {
                    pr.at(
                        &tp,
                        format!("expected one target, `utilization` or `{other}`, found both"),
                    );
                    None
                }
                (None, None) => {
                    pr.at(
                        &tp,
                        format!(
                            "expected one target: {{utilization: 0.6}} (busy fraction) or {other_example}"
                        ),
                    );
                    None
                }
                (Some(u), None) => {
                    if !u.is_finite() || u <= 0.0 || u > 1.0 {
                        pr.at(
                            &format!("{tp}.utilization"),
                            format!("expected a utilization target > 0 and <= 1, found {u}"),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Utilization(u))
                    }
                }
                (None, Some(b)) if worker => {
                    if !b.is_finite() || b <= 0.0 {
                        pr.at(
                            &format!("{tp}.backlog_per_instance"),
                            format!(
                                "expected a backlog target > 0 (jobs waiting per instance), found {b}"
                            ),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Backlog(b))
                    }
                }
                (None, Some(q)) => {
                    if !q.is_finite() || q <= 0.0 {
                        pr.at(
                            &format!("{tp}.queue"),
                            format!(
                                "expected a queue target > 0 (waiting requests per instance), found {q}"
                            ),
                        );
                        None
                    } else {
                        Some(ScaleTarget::Queue(q))
                    }
                }
            }
        }
    }
}
