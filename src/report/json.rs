//! The JSON summary: the [`Report`]'s serde form, pretty-printed.
//!
//! The serde derives on [`Report`] *are* the output contract (DESIGN section 7,
//! `docs/output.md`); this file only chooses the layout (two-space indent, trailing newline).
//! It must not rename, add or drop keys: change the types in `metrics::report` instead.
//! `serde_json` prints floats with the shortest representation that round-trips, so the
//! output is byte-for-byte deterministic; non-finite floats become `null`.

use crate::metrics::Report;

/// The report as pretty JSON, ending with a newline.
pub fn to_json(report: &Report) -> String {
    // Serializing plain data with string map keys into memory cannot fail.
    let mut json = serde_json::to_string_pretty(report).expect("a Report always serializes");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn contract_keys_are_present() {
        let json = to_json(&fixtures::sample());
        assert!(json.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in [
            "scenario",
            "seed",
            "duration_s",
            "warmup_s",
            "requests",
            "throughput_rps",
            "goodput_rps",
            "latency_ms",
            "errors",
            "classes",
            "components",
            "engine",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["requests"]["offered"], 8000);
        assert_eq!(v["errors"]["queue_full"], 30);
        assert_eq!(v["components"]["cache"]["hit_ratio"], 0.93);
        assert_eq!(
            v["components"]["lb"]["utilization"],
            serde_json::Value::Null
        );
        assert!(v.get("timeseries").is_none());
        assert!(v.get("latency_cdf").is_none());
    }

    #[test]
    fn empty_report_has_nulls_not_zeros() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&fixtures::empty())).unwrap();
        assert_eq!(v["latency_ms"]["p99"], serde_json::Value::Null);
        assert_eq!(v["latency_ms"]["count"], 0);
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(to_json(&fixtures::sample()), to_json(&fixtures::sample()));
    }
}
