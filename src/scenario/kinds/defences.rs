//! A server's overload defences: `rate_limit`, `rate_limit_by_class`, `concurrency_limit`,
//! `shedding` and `downstream` (per callee: `breaker`, `bulkhead`, `pool`, `hedge`),
//! resolved with their documented defaults. Whether a hedged callee has another instance to
//! send the copy to is checked with the call graph (`resolve::graph`).

use super::Ctx;
use crate::scenario::raw::{
    BucketScope, RawBreaker, RawDownstream, RawHedge, RawShedding, RawTokenBucket,
};
use crate::scenario::resolve::Problems;
use crate::scenario::{
    Breaker, CallLimit, Codel, CompId, Defences, Downstream, Hedge, HedgeDelay, LimitKind,
    Shedding, TokenBucket,
};

/// 60 s, resilience4j's default slow-call threshold and open-state wait.
const MINUTE: u64 = 60_000_000_000;

/// The defences of a server; `None` when a problem was reported. `calls` are its calls per
/// class, resolved (`None`: they had a problem, and `downstream` is not checked against
/// them).
pub(super) fn resolve(
    ctx: &Ctx<'_>,
    calls: Option<&[Vec<CompId>]>,
    pr: &mut Problems<'_>,
) -> Option<Defences> {
    let rc = ctx.rc;
    let before = pr.list.len();
    let mut d = Defences::default();
    if let Some(b) = &rc.rate_limit {
        d.rate_limit = bucket(ctx, "rate_limit", b, pr);
    }
    if let Some(by) = &rc.rate_limit_by_class {
        d.rate_limit_by_class = vec![None; ctx.classes.len()];
        for (cname, b) in by {
            let p = format!("rate_limit_by_class.{cname}");
            match ctx.class(cname) {
                None => pr.at_key(&ctx.path(&p), ctx.not_a_class(cname)),
                Some(ci) => d.rate_limit_by_class[ci] = bucket(ctx, &p, b, pr),
            }
        }
    }
    if let Some(c) = rc.concurrency_limit {
        if c == 0 {
            pr.at(
                &ctx.path("concurrency_limit"),
                "expected a whole number of requests >= 1, found 0",
            );
        }
        d.concurrency_limit = Some(c);
    }
    if let Some(s) = &rc.shedding {
        d.shedding = shedding(ctx, s, pr);
    }
    if let Some(map) = &rc.downstream {
        for (name, raw) in map {
            let p = format!("downstream.{name}");
            let Some(to) = ctx.names.iter().position(|n| n == name) else {
                pr.at_key(
                    &ctx.path(&p),
                    crate::scenario::resolve::unknown_component(name, ctx.names),
                );
                continue;
            };
            if let Some(calls) = calls
                && !calls.iter().any(|l| l.contains(&to))
            {
                let called: Vec<&str> = {
                    let mut v: Vec<CompId> = calls.iter().flatten().copied().collect();
                    v.sort_unstable();
                    v.dedup();
                    v.into_iter().map(|i| ctx.names[i]).collect()
                };
                let list = if called.is_empty() {
                    "it calls nothing".to_string()
                } else {
                    format!("its calls: {}", called.join(", "))
                };
                pr.at_key(
                    &ctx.path(&p),
                    format!("expected a component this server calls ({list}), found `{name}`"),
                );
                continue;
            }
            if let Some(ds) = downstream(ctx, &p, to, raw, pr) {
                d.downstream.push(ds);
            }
        }
    }
    (pr.list.len() == before).then_some(d)
}

/// A token bucket at key `field`.
fn bucket(
    ctx: &Ctx<'_>,
    field: &str,
    b: &RawTokenBucket,
    pr: &mut Problems<'_>,
) -> Option<TokenBucket> {
    if !(b.rate.is_finite() && b.rate > 0.0) {
        pr.at(
            &ctx.path(&format!("{field}.rate")),
            format!("expected tokens per second > 0, found {}", b.rate),
        );
        return None;
    }
    if b.burst == Some(0) {
        pr.at(
            &ctx.path(&format!("{field}.burst")),
            "expected a whole number of tokens >= 1, found 0",
        );
        return None;
    }
    // A tenth of a second's tokens, at least one.
    let burst = b
        .burst
        .unwrap_or_else(|| (b.rate / 10.0).ceil().clamp(1.0, f64::from(u32::MAX)) as u32);
    Some(TokenBucket {
        rate: b.rate,
        burst,
        per_group: b.per == Some(BucketScope::Group),
    })
}

/// `shedding`: at least one of its parts.
fn shedding(ctx: &Ctx<'_>, s: &RawShedding, pr: &mut Problems<'_>) -> Option<Shedding> {
    if s.deadline.is_none() && s.codel.is_none() && s.lifo.is_none() {
        pr.at(
            &ctx.path("shedding"),
            "expected at least one of `deadline`, `codel` or `lifo`",
        );
        return None;
    }
    let mut good = true;
    let positive = |pr: &mut Problems<'_>, field: &str, ns: u64| {
        if ns == 0 {
            pr.at(
                &ctx.path(&format!("shedding.{field}")),
                "expected a duration > 0, found 0s",
            );
        }
        ns > 0
    };
    let deadline = s.deadline.map(|d| d.0.0);
    if let Some(ns) = deadline {
        good &= positive(pr, "deadline", ns);
    }
    let codel = s.codel.as_ref().map(|c| Codel {
        target: c.target.map_or(5_000_000, |d| d.0.0),
        interval: c.interval.map_or(100_000_000, |d| d.0.0),
    });
    if let Some(c) = codel {
        good &= positive(pr, "codel.target", c.target);
        good &= positive(pr, "codel.interval", c.interval);
    }
    good.then_some(Shedding {
        deadline,
        codel,
        lifo: s.lifo,
    })
}

/// One callee's defences at `field` (`downstream.<name>`).
fn downstream(
    ctx: &Ctx<'_>,
    field: &str,
    to: CompId,
    raw: &RawDownstream,
    pr: &mut Problems<'_>,
) -> Option<Downstream> {
    let path = ctx.path(field);
    if raw.breaker.is_none() && raw.bulkhead.is_none() && raw.pool.is_none() && raw.hedge.is_none()
    {
        pr.at(
            &path,
            "expected at least one of `breaker`, `bulkhead`, `pool` or `hedge`",
        );
        return None;
    }
    let before = pr.list.len();
    let breaker = raw.breaker.as_ref().and_then(|b| breaker(&path, b, pr));
    if raw.bulkhead.is_some() && raw.pool.is_some() {
        pr.at_key(
            &format!("{path}.pool"),
            "give a callee `bulkhead` or `pool`, not both",
        );
    }
    let count = |pr: &mut Problems<'_>, key: &str, n: u32| {
        if n == 0 {
            pr.at(
                &format!("{path}.{key}"),
                "expected a whole number >= 1, found 0",
            );
        }
    };
    let limit = match (&raw.bulkhead, &raw.pool) {
        (Some(b), _) => {
            count(pr, "bulkhead.max", b.max);
            Some(CallLimit {
                kind: LimitKind::Bulkhead,
                size: b.max,
                wait: b.wait.map_or(0, |d| d.0.0),
            })
        }
        (None, Some(p)) => {
            count(pr, "pool.size", p.size);
            Some(CallLimit {
                kind: LimitKind::Pool,
                size: p.size,
                wait: p.timeout.map_or(30_000_000_000, |d| d.0.0),
            })
        }
        (None, None) => None,
    };
    let hedge = raw.hedge.as_ref().and_then(|h| hedge(&path, h, pr));
    if hedge.is_some() && limit.is_some() {
        pr.at_key(
            &format!("{path}.hedge"),
            "a hedged callee takes no `bulkhead` or `pool` (a copy would need a place of its own)",
        );
    }
    (pr.list.len() == before).then_some(Downstream {
        to,
        breaker,
        limit,
        hedge,
    })
}

/// A share in (0, 1] at `path` (`default` when not given).
fn share(pr: &mut Problems<'_>, path: &str, v: Option<f64>, default: f64) -> f64 {
    let v = v.unwrap_or(default);
    if !(v > 0.0 && v <= 1.0) {
        pr.at(path, format!("expected a share > 0 and <= 1, found {v}"));
    }
    v
}

/// A breaker at `path.breaker`, with resilience4j's defaults.
fn breaker(path: &str, b: &RawBreaker, pr: &mut Problems<'_>) -> Option<Breaker> {
    let p = format!("{path}.breaker");
    let before = pr.list.len();
    let failure_rate = share(pr, &format!("{p}.failure_rate"), b.failure_rate, 0.5);
    let slow_rate = share(pr, &format!("{p}.slow_rate"), b.slow_rate, 1.0);
    let window = b.window.unwrap_or(100);
    let min_calls = b.min_calls.unwrap_or(window);
    let trials = b.trials.unwrap_or(10);
    // `min_calls` is checked only when given: its default follows `window`, whose own
    // problem is reported once.
    for (k, v) in [
        ("window", Some(window)),
        ("min_calls", b.min_calls),
        ("trials", Some(trials)),
    ] {
        if v == Some(0) {
            pr.at(
                &format!("{p}.{k}"),
                "expected a whole number of calls >= 1, found 0",
            );
        }
    }
    if window > 10_000 {
        pr.at(
            &format!("{p}.window"),
            format!("expected at most 10000 calls, found {window}"),
        );
    }
    if min_calls > window && (1..=10_000).contains(&window) {
        pr.at(
            &format!("{p}.min_calls"),
            format!("expected at most the window's {window} calls, found {min_calls}"),
        );
    }
    let slow_call = b.slow_call.map_or(MINUTE, |d| d.0.0);
    let wait = b.wait.map_or(MINUTE, |d| d.0.0);
    for (k, v) in [("slow_call", slow_call), ("wait", wait)] {
        if v == 0 {
            pr.at(&format!("{p}.{k}"), "expected a duration > 0, found 0s");
        }
    }
    (pr.list.len() == before).then_some(Breaker {
        failure_rate,
        slow_rate,
        slow_call,
        window,
        min_calls,
        wait,
        trials,
    })
}

/// A hedge at `path.hedge`: `delay` or `percentile`, and its budget.
fn hedge(path: &str, h: &RawHedge, pr: &mut Problems<'_>) -> Option<Hedge> {
    let p = format!("{path}.hedge");
    let before = pr.list.len();
    let delay = match (h.delay, h.percentile) {
        (Some(_), Some(_)) => {
            pr.at_key(
                &format!("{p}.percentile"),
                "give a hedge `delay` or `percentile`, not both",
            );
            None
        }
        (None, None) => {
            pr.at(
                &p,
                "a hedge needs `delay` (a duration) or `percentile` (of recent call times)",
            );
            None
        }
        (Some(d), None) => {
            if d.0.0 == 0 {
                pr.at(&format!("{p}.delay"), "expected a duration > 0, found 0s");
            }
            Some(HedgeDelay::Fixed(d.0.0))
        }
        (None, Some(q)) => {
            if !(q > 0.0 && q < 100.0) {
                pr.at(
                    &format!("{p}.percentile"),
                    format!("expected a percentile > 0 and < 100, found {q}"),
                );
            }
            Some(HedgeDelay::Percentile(q))
        }
    };
    let budget = share(pr, &format!("{p}.budget"), h.budget, 0.1);
    (pr.list.len() == before)
        .then_some(delay)
        .flatten()
        .map(|delay| Hedge { delay, budget })
}
