//! The diagram as a Graphviz `digraph`.

use std::fmt::Write as _;

use super::{Diagram, Node, Shape};

impl Diagram {
    /// A Graphviz `digraph`, left to right, with a `cluster_` subgraph per data center.
    pub fn dot(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{", dot_escape(&self.name));
        s.push_str("  rankdir=LR;\n  node [fontname=\"DejaVu Sans\", fontsize=11];\n");
        s.push_str("  edge [fontname=\"DejaVu Sans\", fontsize=10];\n");
        let node = |s: &mut String, n: &Node, indent: &str| {
            let shape = match n.shape {
                Shape::Users => "ellipse",
                Shape::Box => "box",
                Shape::Store => "cylinder",
            };
            let mut text = format!("{}\\n{}", dot_escape(&n.name), dot_escape(&n.detail));
            if !n.defences.is_empty() {
                let _ = write!(text, "\\n{}", dot_escape(&n.defences));
            }
            let _ = writeln!(s, "{indent}{} [label=\"{text}\", shape={shape}];", n.id);
        };
        let (outside, inside) = self.groups();
        for i in outside {
            node(&mut s, &self.nodes[i], "  ");
        }
        for (d, members) in inside {
            let dc = &self.datacenters[d];
            let _ = writeln!(s, "  subgraph cluster_{} {{", dc.id);
            let _ = writeln!(
                s,
                "    label=\"{}\";\n    style=\"rounded,dashed\";\n    color=\"#777777\";",
                dot_escape(&dc.name)
            );
            for i in members {
                node(&mut s, &self.nodes[i], "    ");
            }
            s.push_str("  }\n");
        }
        for e in &self.edges {
            let (a, b) = (&self.nodes[e.from].id, &self.nodes[e.to].id);
            let _ = if e.label.is_empty() {
                writeln!(s, "  {a} -> {b};")
            } else {
                writeln!(s, "  {a} -> {b} [label=\"{}\"];", dot_escape(&e.label))
            };
        }
        s.push_str("}\n");
        s
    }
}

/// Text safe in a quoted DOT string.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
