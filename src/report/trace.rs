//! Request traces as JSON lines: one sampled request per line, with its spans.

use crate::metrics::Report;

/// The report's traces, one JSON object per line (empty when nothing was traced).
pub fn to_jsonl(report: &Report) -> String {
    let mut out = String::new();
    for t in &report.traces {
        out.push_str(&serde_json::to_string(t).expect("trace records serialize"));
        out.push('\n');
    }
    out
}
