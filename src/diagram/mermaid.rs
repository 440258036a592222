//! The diagram as a Mermaid `flowchart LR`.

use std::fmt::Write as _;

use super::{Diagram, Node, Shape};

impl Diagram {
    /// A Mermaid `flowchart LR`, with a `subgraph` per data center.
    pub fn mermaid(&self) -> String {
        let mut s = String::from("flowchart LR\n");
        let node = |s: &mut String, n: &Node, indent: &str| {
            let mut text = format!(
                "{}<br/>{}",
                mermaid_escape(&n.name),
                mermaid_escape(&n.detail)
            );
            if !n.defences.is_empty() {
                let _ = write!(text, "<br/>{}", mermaid_escape(&n.defences));
            }
            let _ = match n.shape {
                Shape::Users => writeln!(s, "{indent}{}([\"{text}\"])", n.id),
                Shape::Box => writeln!(s, "{indent}{}[\"{text}\"]", n.id),
                Shape::Store => writeln!(s, "{indent}{}[(\"{text}\")]", n.id),
            };
        };
        let (outside, inside) = self.groups();
        for i in outside {
            node(&mut s, &self.nodes[i], "  ");
        }
        for (d, members) in inside {
            let dc = &self.datacenters[d];
            let _ = writeln!(s, "  subgraph {}[\"{}\"]", dc.id, mermaid_escape(&dc.name));
            for i in members {
                node(&mut s, &self.nodes[i], "    ");
            }
            s.push_str("  end\n");
        }
        for e in &self.edges {
            let (a, b) = (&self.nodes[e.from].id, &self.nodes[e.to].id);
            let _ = if e.label.is_empty() {
                writeln!(s, "  {a} --> {b}")
            } else {
                writeln!(s, "  {a} -->|\"{}\"| {b}", mermaid_escape(&e.label))
            };
        }
        s
    }
}

/// Text safe in a quoted Mermaid label.
fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}
