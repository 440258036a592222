//! The diagram as an SVG picture, drawn where the layout (`layout.rs`) puts things.

use std::fmt::Write as _;

use serde::Serialize;

use super::layout::{BOX_H, LABEL_BASELINE, Layout, path_points};
use super::{Diagram, Shape};
use crate::report::xml::xml_escape;

/// Where [`Diagram::svg`] draws each node and link, in the picture's coordinates: for a
/// page that draws on top of the picture (the playground's request replay).
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    /// The picture's width.
    pub width: f64,
    /// The picture's height.
    pub height: f64,
    /// Each node's box, in [`Diagram::nodes`] order.
    pub nodes: Vec<PlacedNode>,
    /// Each link's line, in [`Diagram::edges`] order.
    pub edges: Vec<PlacedEdge>,
}

/// A node's box.
#[derive(Clone, Debug, Serialize)]
pub struct PlacedNode {
    /// The component's name (`users` or the region's users for a traffic source).
    pub name: String,
    /// Whether it is a traffic source (the users) rather than a component.
    pub users: bool,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// A link's line.
#[derive(Clone, Debug, Serialize)]
pub struct PlacedEdge {
    /// The sender (index into [`Placement::nodes`]).
    pub from: usize,
    /// The receiver (index into [`Placement::nodes`]).
    pub to: usize,
    /// The points the line passes through, from the sender to the receiver.
    pub points: Vec<(f64, f64)>,
}

impl Diagram {
    /// Where [`Diagram::svg`] puts every node and link.
    pub fn placement(&self) -> Placement {
        let (layout, _) = self.placed();
        let nodes = self.nodes.len();
        Placement {
            width: layout.width,
            height: layout.height,
            nodes: self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let (x, y, w) = layout.pos[i];
                    PlacedNode {
                        name: n.name.clone(),
                        users: i < self.users,
                        x,
                        y,
                        w,
                        h: BOX_H,
                    }
                })
                .collect(),
            edges: self
                .edges
                .iter()
                .zip(&layout.paths)
                .map(|(e, path)| PlacedEdge {
                    from: e.from,
                    to: e.to,
                    points: path_points(&layout.pos, path, nodes),
                })
                .collect(),
        }
    }

    /// An SVG picture laid out by `layout`: arrows from the bottom of a box to the top of
    /// its target, through the bend points of the links that skip rows (where their labels
    /// sit), each data center a labelled rounded rectangle behind its boxes. Self-contained:
    /// no script, no external reference.
    pub fn svg(&self) -> String {
        let (
            Layout {
                width,
                height,
                pos,
                paths,
                clusters,
            },
            label_at,
        ) = self.placed();
        let nodes = self.nodes.len();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" font-family=\"sans-serif\">\
             <title>{}</title>",
            xml_escape(&self.name)
        );
        for c in &clusters {
            let _ = writeln!(
                s,
                "<g class=\"datacenter\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 rx=\"10\" fill=\"#f4f4f4\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\" fill=\"#444\">\
                 data center {}</text></g>",
                c.x,
                c.y,
                c.w,
                c.h,
                c.x + 10.0,
                c.y + 16.0,
                xml_escape(&self.datacenters[c.dc].name)
            );
        }
        for ((e, path), at) in self.edges.iter().zip(&paths).zip(&label_at) {
            let pts = path_points(&pos, path, nodes);
            let points: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>",
                points.join(" ")
            );
            // The arrow head: a triangle along the last segment.
            let (x1, y1) = pts[pts.len() - 2];
            let (x2, y2) = pts[pts.len() - 1];
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let (bxh, byh) = (x2 - 9.0 * ux, y2 - 9.0 * uy);
            let (px, py) = (-uy * 4.5, ux * 4.5);
            let _ = writeln!(
                s,
                "<polygon points=\"{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#555\"/>",
                bxh + px,
                byh + py,
                bxh - px,
                byh - py
            );
            if let Some((mx, my)) = at {
                let my = my + LABEL_BASELINE;
                let _ = writeln!(
                    s,
                    "<text x=\"{mx:.1}\" y=\"{my:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\" \
                     stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                    xml_escape(&e.label)
                );
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (x, y, w) = pos[i];
            let (fill, rx) = match n.shape {
                Shape::Users => ("#fde9c4", 23.0),
                Shape::Box => ("#dcecf7", 4.0),
                Shape::Store => ("#d7efe6", 12.0),
            };
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BOX_H}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"#333\"/>"
            );
            let cx = x + w / 2.0;
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#141414\">{}</text>",
                y + 19.0,
                xml_escape(&n.name)
            );
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                y + 36.0,
                xml_escape(&n.detail_line())
            );
        }
        s.push_str("</svg>\n");
        s
    }
}
