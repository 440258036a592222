//! The traces as OpenTelemetry spans in OTLP/JSON: the body of an `ExportTraceServiceRequest`
//! (`POST /v1/traces` with `Content-Type: application/json`), which an OpenTelemetry collector
//! or Jaeger ingests.
//!
//! Each sampled request is a trace. Its root span is the client's (service `users`, kind
//! CLIENT, from its creation to its outcome), and each hop is a span of its component's
//! service (kind SERVER) whose parent is its caller. Spans are grouped by service: one
//! `resourceSpans` entry per component, with `service.name` set to the component's name.
//! Following the OTLP/JSON encoding, trace and span ids are hex strings, enums are integers,
//! and 64-bit integers are decimal strings. Times are nanoseconds from the start of the run,
//! counted from the Unix epoch (a run that starts at 1970-01-01T00:00:00Z).
//!
//! Ids are derived from the seed and the request's place, so the same run gives the same
//! ids: trace id `seed` (16 hex digits) then the request's number, span id the request's
//! number (8 hex digits) then the span's (root 1, hops from 2).
//!
//! A failed hop, or a failed request, has status ERROR with the cause as its message and as
//! the `error.type` attribute. Other spans have status OK, and spans still in flight at the
//! end are UNSET.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::{hops, request_end_ms};
use crate::metrics::Report;

/// OTLP's `SpanKind`: SPAN_KIND_SERVER, SPAN_KIND_CLIENT.
const KIND_SERVER: u8 = 2;
const KIND_CLIENT: u8 = 3;
/// OTLP's `StatusCode`: STATUS_CODE_UNSET, STATUS_CODE_OK, STATUS_CODE_ERROR.
const STATUS_UNSET: u8 = 0;
const STATUS_OK: u8 = 1;
const STATUS_ERROR: u8 = 2;

/// The report's traces as an OTLP/JSON `ExportTraceServiceRequest`.
pub fn to_otlp(report: &Report) -> String {
    // Spans by service, services in the order of the report's components after `users`.
    let mut services: IndexMap<&str, Vec<Value>> = IndexMap::new();
    services.insert("users", Vec::new());
    for name in report.components.keys() {
        services.insert(name, Vec::new());
    }
    for (i, t) in report.traces.iter().enumerate() {
        let trace_id = format!("{:016x}{:016x}", report.seed, i as u64 + 1);
        let span_id = |j: usize| format!("{:08x}{:08x}", (i as u64 + 1) as u32, j as u32 + 1);
        let (code, message) = status(&t.outcome);
        let attributes: Vec<Value> = [
            attr_str("scalesim.class", &t.class),
            attr_int("scalesim.user", u64::from(t.user)),
            attr_int("scalesim.key", t.key),
            attr_int("scalesim.attempts", u64::from(t.attempts)),
            attr_str("scalesim.outcome", &t.outcome),
        ]
        .into_iter()
        .chain(error_type(&t.outcome))
        .collect();
        services["users"].push(json!({
            "traceId": trace_id,
            "spanId": span_id(0),
            "name": t.class,
            "kind": KIND_CLIENT,
            "startTimeUnixNano": ns(t.start_ms),
            "endTimeUnixNano": ns(request_end_ms(t)),
            "attributes": attributes,
            "status": status_json(code, message),
        }));
        for (j, h) in hops(t).iter().enumerate() {
            let s = h.span;
            let (code, message) = status(&s.outcome);
            let parent = h.parent.map_or(0, |p| p + 1);
            let attributes: Vec<Value> = [
                attr_int("scalesim.instance", u64::from(s.instance)),
                attr_double("scalesim.wait_ms", s.wait_ms),
                attr_double("scalesim.service_ms", s.service_ms),
                attr_str("scalesim.outcome", &s.outcome),
            ]
            .into_iter()
            .chain(error_type(&s.outcome))
            .collect();
            let span = json!({
                "traceId": trace_id,
                "spanId": span_id(j + 1),
                "parentSpanId": span_id(parent),
                "name": format!("{} {}", s.component, t.class),
                "kind": KIND_SERVER,
                "startTimeUnixNano": ns(s.arrive_ms),
                "endTimeUnixNano": ns(s.end_ms.max(s.arrive_ms)),
                "attributes": attributes,
                "status": status_json(code, message),
            });
            services.entry(s.component.as_str()).or_default().push(span);
        }
    }
    let resource_spans: Vec<Value> = services
        .into_iter()
        .filter(|(_, spans)| !spans.is_empty())
        .map(|(name, spans)| {
            json!({
                "resource": {"attributes": [attr_str("service.name", name), attr_str("scalesim.scenario", &report.scenario)]},
                "scopeSpans": [{
                    "scope": {"name": "scalesim", "version": env!("CARGO_PKG_VERSION")},
                    "spans": spans,
                }],
            })
        })
        .collect();
    let mut text = serde_json::to_string(&json!({ "resourceSpans": resource_spans }))
        .expect("spans serialize");
    text.push('\n');
    text
}

/// A span's status for an outcome: OK, ERROR with the cause, or UNSET while in flight.
fn status(outcome: &str) -> (u8, &str) {
    match outcome {
        "ok" => (STATUS_OK, ""),
        "in_flight" => (STATUS_UNSET, ""),
        cause => (STATUS_ERROR, cause),
    }
}

fn status_json(code: u8, message: &str) -> Value {
    if message.is_empty() {
        json!({ "code": code })
    } else {
        json!({ "code": code, "message": message })
    }
}

/// The `error.type` attribute of a failed outcome (none for `ok` and `in_flight`).
fn error_type(outcome: &str) -> Option<Value> {
    (status(outcome).0 == STATUS_ERROR).then(|| attr_str("error.type", outcome))
}

fn attr_str(key: &str, v: &str) -> Value {
    json!({"key": key, "value": {"stringValue": v}})
}

fn attr_int(key: &str, v: u64) -> Value {
    json!({"key": key, "value": {"intValue": v.to_string()}})
}

fn attr_double(key: &str, v: f64) -> Value {
    json!({"key": key, "value": {"doubleValue": v}})
}

/// Milliseconds from the start of the run to nanoseconds, as OTLP/JSON's decimal string.
fn ns(ms: f64) -> String {
    ((ms * 1e6).round().max(0.0) as u64).to_string()
}
