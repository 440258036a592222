//! The `traffic` section: arrivals, users, timeouts, retries and the rate profile.

use super::*;

pub(crate) fn resolve_traffic(t: &RawTraffic, pr: &mut Problems) -> Option<Traffic> {
    let arrival_kind = t.arrival.unwrap_or(ArrivalKind::Poisson);
    let users = t.users.unwrap_or(DEFAULT_USERS);
    if users == 0 {
        pr.at(
            "traffic.users",
            "expected a whole number of users >= 1, found 0",
        );
    } else if users > MAX_KEYS {
        pr.at(
            "traffic.users",
            format!("expected at most {MAX_KEYS} users, found {users}"),
        );
    }
    let arrival = match arrival_kind {
        ArrivalKind::Poisson => {
            if t.think.is_some() {
                pr.at_key("traffic.think", "`think` applies to closed arrivals only (set `arrival: closed`), but arrival is poisson");
            }
            match (&t.rate, &t.profile) {
                (Some(_), Some(_)) => {
                    pr.at_key(
                        "traffic.profile",
                        "expected either `rate` or `profile`, found both",
                    );
                    None
                }
                (None, None) => {
                    pr.at("traffic", "expected `rate` (requests per second) or a rate `profile` for poisson arrivals");
                    None
                }
                (Some(r), None) => {
                    (finite_positive(pr, "traffic.rate", *r, "a rate in requests per second")
                        && rate_at_most_max(pr, "traffic.rate", *r))
                    .then(|| Arrival::Open(RateProfile::constant(*r)))
                }
                (None, Some(points)) => resolve_profile(points, pr).map(Arrival::Open),
            }
        }
        ArrivalKind::Closed => {
            if t.rate.is_some() {
                pr.at_key("traffic.rate", "`rate` applies to poisson arrivals; closed users send at their own pace (set `think` instead)");
            }
            if t.profile.is_some() {
                pr.at_key(
                    "traffic.profile",
                    "`profile` applies to poisson arrivals; closed users send at their own pace",
                );
            }
            if t.users.is_none() {
                pr.at(
                    "traffic",
                    "closed arrivals need `users`: how many users send requests",
                );
            }
            let users_ok = users <= MAX_CLOSED_USERS;
            if !users_ok && users <= MAX_KEYS {
                pr.at(
                    "traffic.users",
                    format!(
                        "expected at most {} closed users (each may have a request in flight), found {users}",
                        crate::metrics::thousands(MAX_CLOSED_USERS)
                    ),
                );
            }
            match &t.think {
                Some(d) => resolve_dist("traffic.think", d, pr)
                    .filter(|think| users_ok && closed_rate_ok(pr, users, think))
                    .map(|think| Arrival::Closed { think }),
                None => {
                    pr.at("traffic", "closed arrivals need `think`: the distribution of a user's pause between requests");
                    None
                }
            }
        }
    };
    let timeout = t.timeout.map(|d| d.0);
    if timeout == Some(SimTime::ZERO) {
        pr.at(
            "traffic.timeout",
            "expected a timeout > 0, found 0s (leave it out for no timeout)",
        );
    }
    let classes = match &t.classes {
        None => vec![Class {
            name: "default".into(),
            weight: 1.0,
            op: Op::Read,
            keys: Keys::User,
            hot: 0.0,
            is_static: false,
            session: false,
            deadline: timeout.filter(|t| *t > SimTime::ZERO),
            size: 0,
        }],
        Some(list) => resolve_classes(list, timeout.filter(|t| *t > SimTime::ZERO), pr)?,
    };
    let retries = match &t.retries {
        None => Some(None),
        Some(r) => resolve_retries(r, pr).map(Some),
    };
    Some(Traffic {
        retries: retries?,
        users,
        arrival: arrival?,
        timeout,
        classes,
    })
}

pub(crate) fn resolve_retries(r: &RawRetries, pr: &mut Problems) -> Option<Retries> {
    let mut good = true;
    if r.max > 100 {
        pr.at(
            "traffic.retries.max",
            format!("expected at most 100 retries, found {}", r.max),
        );
        good = false;
    }
    let backoff = match &r.backoff {
        Some(d) => resolve_dist("traffic.retries.backoff", d, pr),
        None => Some(Dist::Const(0)),
    };
    let multiplier = r.multiplier.unwrap_or(1.0);
    if !multiplier.is_finite() || multiplier < 1.0 {
        pr.at(
            "traffic.retries.multiplier",
            format!("expected a multiplier >= 1, found {multiplier}"),
        );
        good = false;
    }
    let on: Vec<String> = match &r.on {
        None => DEFAULT_RETRY_ON.iter().map(|c| c.to_string()).collect(),
        Some(list) => {
            for (i, c) in list.iter().enumerate() {
                if !FAILURE_CAUSES.contains(&c.as_str()) {
                    pr.at(
                        &format!("traffic.retries.on[{i}]"),
                        format!(
                            "unknown failure cause `{c}`, expected one of {}",
                            FAILURE_CAUSES.join(", ")
                        ),
                    );
                    good = false;
                }
            }
            list.clone()
        }
    };
    if let Some(b) = r.budget
        && (!b.is_finite() || b <= 0.0)
    {
        pr.at(
            "traffic.retries.budget",
            format!("expected a budget > 0 (retries per first attempt, like 0.1), found {b}"),
        );
        good = false;
    }
    let backoff = backoff?;
    good.then_some(Retries {
        max: r.max,
        backoff,
        multiplier,
        jitter: r.jitter == Some(Jitter::Full),
        on,
        budget: r.budget,
    })
}

pub(crate) fn resolve_profile(
    points: &[RawProfilePoint],
    pr: &mut Problems,
) -> Option<RateProfile> {
    if points.is_empty() {
        pr.at(
            "traffic.profile",
            "expected at least one point like {at: 0s, rate: 1000}",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    let mut any_positive = false;
    for (i, p) in points.iter().enumerate() {
        let path = format!("traffic.profile[{i}]");
        if !finite_non_negative(
            pr,
            &format!("{path}.rate"),
            p.rate,
            "a rate",
            " requests per second",
        ) || !rate_at_most_max(pr, &format!("{path}.rate"), p.rate)
        {
            ok = false;
        }
        any_positive |= p.rate > 0.0;
        let ramp = p.ramp.map(|d| d.0).unwrap_or(SimTime::ZERO);
        if let Some(prev) = out.last().map(|q: &RatePoint| q.at + q.ramp)
            && p.at.0 < prev
        {
            pr.at(&format!("{path}.at"), format!(
                "expected points in time order, each at or after the previous one's end ({prev}), found {}", p.at.0
            ));
            ok = false;
        }
        out.push(RatePoint {
            at: p.at.0,
            rate_per_s: p.rate,
            ramp,
        });
    }
    if ok && !any_positive {
        pr.at(
            "traffic.profile",
            "expected at least one point with a rate > 0",
        );
        ok = false;
    }
    ok.then_some(RateProfile { points: out })
}
