//! The `network` section: the hop latency, per-link latencies, the connect timeout.

use super::*;

pub(crate) fn resolve_network(
    sc: &RawScenario,
    names: &[&str],
    pr: &mut Problems,
) -> Option<Network> {
    let raw = sc.network.as_ref();
    let is_dns = |i: usize| sc.components[i].kind == Kind::Dns;
    let hop = match raw.and_then(|n| n.hop.as_ref()) {
        Some(d) => resolve_dist("network.hop", d, pr),
        None => Some(Dist::Const(DEFAULT_HOP.0)),
    };
    let n_links = raw.and_then(|n| n.links.as_ref()).map_or(0, Vec::len);
    if n_links > 10_000 {
        pr.at(
            "network.links",
            format!("expected at most 10,000 links, found {n_links}"),
        );
        return None;
    }
    let mut links = Vec::new();
    for (i, l) in raw
        .and_then(|n| n.links.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = format!("network.links[{i}]");
        let from = if l.from == "client" {
            Some(None)
        } else {
            match names.iter().position(|n| *n == l.from) {
                Some(ix) => Some(Some(ix)),
                None => {
                    pr.at(
                        &format!("{path}.from"),
                        format!(
                            "expected `client` or the name of a component ({}), found `{}`{}",
                            names.join(", "),
                            l.from,
                            de::mean(&l.from, names.iter().copied().chain(["client"]))
                        ),
                    );
                    None
                }
            }
        };
        let to = names.iter().position(|n| *n == l.to);
        if to.is_none() {
            pr.at(&format!("{path}.to"), unknown_component(&l.to, names));
        }
        let mut ok = true;
        for (field, end) in [("from", from.flatten()), ("to", to)] {
            if let Some(e) = end
                && is_dns(e)
            {
                pr.at(&format!("{path}.{field}"), format!(
                    "expected a component that serves requests, found `{}`, a dns (a lookup's latency is the dns component's `latency`)",
                    names[e]
                ));
                ok = false;
            }
        }
        if let (Some(None), Some(t)) = (from, to)
            && names[t] != sc.entry
            && sc.components[t].kind != Kind::Cdn
        {
            pr.at(
                &format!("{path}.to"),
                format!(
                    "expected the entry component `{}` or a cdn: clients send only there, found `{}`",
                    sc.entry, names[t]
                ),
            );
            ok = false;
        }
        let latency = resolve_dist(&format!("{path}.latency"), &l.latency, pr);
        if !ok {
            continue;
        }
        if let (Some(from), Some(to), Some(latency)) = (from, to, latency) {
            links.push(Link { from, to, latency });
        }
    }
    let connect_timeout = raw
        .and_then(|n| n.connect_timeout)
        .map_or(DEFAULT_CONNECT_TIMEOUT, |d| d.0);
    if connect_timeout == SimTime::ZERO {
        pr.at(
            "network.connect_timeout",
            "expected a connect timeout > 0, found 0s",
        );
    }
    Some(Network {
        hop: hop?,
        links,
        connect_timeout,
    })
}
