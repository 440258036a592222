//! Where the SVG puts things: a layered layout (one row per longest chain of links from the
//! users), bend points for the links that skip rows, a column block per data center, and
//! places for the link labels that overlap nothing.

use super::Diagram;

/// The height of every box (and of every bend point's slot).
pub(super) const BOX_H: f64 = 46.0;
/// Space between two items of a row.
const GAP_X: f64 = 30.0;
/// Space between rows; the layout tries larger gaps (by `GAP_Y_STEP`) until every link
/// label finds a place that overlaps nothing.
pub(super) const GAP_Y: f64 = 62.0;
const GAP_Y_STEP: f64 = 24.0;
const GAP_Y_TRIES: usize = 8;
/// Margin around the picture.
const PAD: f64 = 16.0;
// Conservative widths per character, pixels: DejaVu Sans and Verdana, among the widest
// common sans-serif faces, average about 0.6 em, bold about 0.68 em.
/// A node's detail line (11 px).
const CHAR_W: f64 = 7.0;
/// A node's name (13 px, bold).
const NAME_CHAR_W: f64 = 9.0;
/// A link label (10 px).
const LABEL_CHAR_W: f64 = 6.4;
/// A data center's title (12 px, bold).
const TITLE_CHAR_W: f64 = 8.4;
/// A link label's box around its centre point: from `LABEL_UP` above to `LABEL_DOWN` below;
/// the text's baseline sits `LABEL_BASELINE` below the centre.
const LABEL_UP: f64 = 6.0;
const LABEL_DOWN: f64 = 7.0;
pub(super) const LABEL_BASELINE: f64 = 4.0;
/// Room kept around a link label, pixels.
const LABEL_MARGIN: f64 = 2.0;

/// The width of `s` at `per_char` pixels a character.
fn text_w(s: &str, per_char: f64) -> f64 {
    s.chars().count() as f64 * per_char
}

/// A rectangle `(left, top, width, height)`.
type Rect = (f64, f64, f64, f64);

/// Do rectangles `a` and `b` overlap (touching is not overlapping)?
fn rects_overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// The box of a link label centred at `(x, y)`.
fn label_box(label: &str, (x, y): (f64, f64)) -> Rect {
    let w = text_w(label, LABEL_CHAR_W);
    (x - w / 2.0, y - LABEL_UP, w, LABEL_UP + LABEL_DOWN)
}

/// The box of a data center's title.
fn title_box(c: &Cluster, name: &str) -> Rect {
    (
        c.x + 10.0,
        c.y + 4.0,
        text_w(&format!("data center {name}"), TITLE_CHAR_W),
        16.0,
    )
}

/// The points a link's line passes through: it leaves a node from its bottom, enters its
/// target at its top, and passes through bend points at their centre.
pub(super) fn path_points(
    pos: &[(f64, f64, f64)],
    path: &[usize],
    nodes: usize,
) -> Vec<(f64, f64)> {
    path.iter()
        .enumerate()
        .map(|(k, &i)| {
            let (x, y, w) = pos[i];
            let cx = x + w / 2.0;
            if i >= nodes {
                (cx, y + BOX_H / 2.0)
            } else if k == 0 {
                (cx, y + BOX_H)
            } else {
                (cx, y)
            }
        })
        .collect()
}
/// Space between a data center's rectangle and its boxes.
const CLUSTER_PAD: f64 = 14.0;
/// Space between two data centers' rectangles.
const CLUSTER_GAP: f64 = 28.0;
/// Height of a data center's title strip, above its first row.
const CLUSTER_LABEL_H: f64 = 26.0;
/// Extra space above the data-center band, so that labels of the links into it stay clear
/// of the titles.
const BAND_GAP: f64 = 26.0;

/// Where the SVG puts things.
pub(super) struct Layout {
    /// The picture's width, pixels.
    pub(super) width: f64,
    /// The picture's height, pixels.
    pub(super) height: f64,
    /// (left, top, width) of each item: the nodes, then the bend points; every item is
    /// `BOX_H` high.
    pub(super) pos: Vec<(f64, f64, f64)>,
    /// Per edge: the items its line passes through.
    pub(super) paths: Vec<Vec<usize>>,
    /// The data centers' rectangles.
    pub(super) clusters: Vec<Cluster>,
}

/// A data center's rectangle.
pub(super) struct Cluster {
    /// The data center (index into [`Diagram::datacenters`]).
    pub(super) dc: usize,
    /// Left edge.
    pub(super) x: f64,
    /// Top edge.
    pub(super) y: f64,
    /// Width.
    pub(super) w: f64,
    /// Height.
    pub(super) h: f64,
}

impl Diagram {
    /// Layer of each node: the longest chain of links from the users (unreached nodes sit
    /// in layer 1). A link that would loop back is ignored for layering. With data centers,
    /// every component standing in one sits below every global component that no data
    /// center calls (dns, cdn), so that the data centers form a band of rows of their own.
    pub(super) fn layers(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut reached = vec![false; n];
        for r in reached.iter_mut().take(self.users) {
            *r = true;
        }
        let mut layer = self.relax(vec![0; n], &mut reached);
        for (l, r) in layer.iter_mut().zip(&reached).skip(self.users) {
            if !r {
                *l = 1;
            }
        }
        if !self.datacenters.is_empty() {
            let in_dc = |i: usize| self.nodes[i].datacenter.is_some();
            let front = (self.users..n)
                .filter(|&i| !in_dc(i) && !self.edges.iter().any(|e| e.to == i && in_dc(e.from)))
                .map(|i| layer[i])
                .max()
                .unwrap_or(0);
            for (i, l) in layer.iter_mut().enumerate() {
                if in_dc(i) {
                    *l = (*l).max(front + 1);
                }
            }
            let mut all = vec![true; n];
            layer = self.relax(layer, &mut all);
        }
        layer
    }

    /// Longest path by relaxation from the `reached` nodes, starting at `layer`; at most
    /// `n` rounds and at most `2n` layers, so a cycle cannot loop forever.
    fn relax(&self, mut layer: Vec<usize>, reached: &mut [bool]) -> Vec<usize> {
        let n = self.nodes.len();
        let cap = if self.datacenters.is_empty() {
            n
        } else {
            2 * n
        };
        for _ in 0..n {
            let mut changed = false;
            for e in &self.edges {
                if reached[e.from]
                    && e.to >= self.users
                    && layer[e.to] < layer[e.from] + 1
                    && layer[e.from] + 1 < cap
                {
                    layer[e.to] = layer[e.from] + 1;
                    reached[e.to] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        layer
    }

    /// Positions for the SVG: one row per layer (see `layers`), the users at the top. A
    /// link that skips rows bends through a slot of its own in each row it crosses; each
    /// row is ordered by the mean position of what links into it. With data centers, the
    /// rows from the first one holding a data center's component down form a band in which
    /// each data center has a column block of its own (its items centred in it), drawn as
    /// a labelled rectangle; items of no data center in the band take a block after them.
    pub(super) fn layout(&self, gap_y: f64) -> Layout {
        let layer = self.layers();
        let rows = layer.iter().copied().max().unwrap_or(0) + 1;
        let n_dc = self.datacenters.len();
        let items = self.items(&layer);
        // The first row of the data-center band (`rows`: no band).
        let band = if n_dc == 0 {
            rows
        } else {
            (0..self.nodes.len())
                .filter(|&i| self.nodes[i].datacenter.is_some())
                .map(|i| layer[i])
                .min()
                .unwrap_or(rows)
        };
        let members = items.ordered_rows(rows, band);
        let Items {
            w: item_w,
            group: item_group,
            paths,
            ..
        } = items;
        let row_w = |m: &[usize]| {
            m.iter().map(|&i| item_w[i]).sum::<f64>() + (m.len() as f64 - 1.0).max(0.0) * GAP_X
        };
        // Band blocks: per group, the widest of its rows.
        let mut block_w = vec![0.0f64; n_dc + 1];
        for m in members.iter().skip(band) {
            for (g, w) in block_w.iter_mut().enumerate() {
                let part: Vec<usize> = m.iter().copied().filter(|&i| item_group[i] == g).collect();
                *w = w.max(row_w(&part));
            }
        }
        let used: Vec<usize> = (0..=n_dc).filter(|&g| block_w[g] > 0.0).collect();
        let band_w = used
            .iter()
            .map(|&g| block_w[g] + 2.0 * CLUSTER_PAD)
            .sum::<f64>()
            + (used.len() as f64 - 1.0).max(0.0) * CLUSTER_GAP;
        let width = members
            .iter()
            .take(band)
            .map(|m| row_w(m))
            .fold(band_w, f64::max)
            + 2.0 * PAD;
        let row_y = |row: usize| {
            PAD + row as f64 * (BOX_H + gap_y)
                + if row >= band && band > 0 {
                    BAND_GAP
                } else {
                    0.0
                }
        };
        let height = row_y(rows - 1) + BOX_H + PAD + if band < rows { CLUSTER_PAD } else { 0.0 };
        // Left edge of each block's items.
        let mut block_x = vec![0.0f64; n_dc + 1];
        let mut x = (width - band_w) / 2.0;
        for &g in &used {
            block_x[g] = x + CLUSTER_PAD;
            x += block_w[g] + 2.0 * CLUSTER_PAD + CLUSTER_GAP;
        }
        // (left, top, width) of each item.
        let mut pos = vec![(0.0, 0.0, 0.0); item_w.len()];
        for (row, m) in members.iter().enumerate() {
            let y = row_y(row);
            if row < band {
                let mut x = (width - row_w(m)) / 2.0;
                for &i in m {
                    pos[i] = (x, y, item_w[i]);
                    x += item_w[i] + GAP_X;
                }
                continue;
            }
            for &g in &used {
                let part: Vec<usize> = m.iter().copied().filter(|&i| item_group[i] == g).collect();
                let mut x = block_x[g] + (block_w[g] - row_w(&part)) / 2.0;
                for &i in &part {
                    pos[i] = (x, y, item_w[i]);
                    x += item_w[i] + GAP_X;
                }
            }
        }
        let clusters = if band < rows {
            let top = row_y(band) - CLUSTER_LABEL_H;
            let bottom = row_y(rows - 1) + BOX_H + CLUSTER_PAD;
            used.iter()
                .filter(|&&g| g < n_dc)
                .map(|&g| Cluster {
                    dc: g,
                    x: block_x[g] - CLUSTER_PAD,
                    y: top,
                    w: block_w[g] + 2.0 * CLUSTER_PAD,
                    h: bottom - top,
                })
                .collect()
        } else {
            Vec::new()
        };
        Layout {
            width,
            height,
            pos,
            paths,
            clusters,
        }
    }

    /// The items laid out in rows for nodes in `layer`: the nodes, then one bend point per
    /// skipped row per link.
    fn items(&self, layer: &[usize]) -> Items {
        let n_dc = self.datacenters.len();
        let mut item_w: Vec<f64> = self
            .nodes
            .iter()
            .map(|n| {
                (text_w(&n.name, NAME_CHAR_W).max(text_w(&n.detail_line(), CHAR_W)) + 20.0)
                    .max(80.0)
            })
            .collect();
        let mut item_row: Vec<usize> = layer.to_vec();
        let mut item_group: Vec<usize> = self
            .nodes
            .iter()
            .map(|n| n.datacenter.unwrap_or(n_dc))
            .collect();
        let mut paths: Vec<Vec<usize>> = Vec::with_capacity(self.edges.len());
        for e in &self.edges {
            let mut path = vec![e.from];
            if layer[e.to] > layer[e.from] + 1 {
                let w = (text_w(&e.label, LABEL_CHAR_W) + 8.0).max(16.0);
                let group = self.nodes[e.from]
                    .datacenter
                    .or(self.nodes[e.to].datacenter)
                    .unwrap_or(n_dc);
                for row in layer[e.from] + 1..layer[e.to] {
                    item_w.push(w);
                    item_row.push(row);
                    item_group.push(group);
                    path.push(item_w.len() - 1);
                }
            }
            path.push(e.to);
            paths.push(path);
        }
        Items {
            w: item_w,
            row: item_row,
            group: item_group,
            paths,
        }
    }
}

/// The items of a layout: the nodes, then the bend points of the links that skip rows.
struct Items {
    /// Width of each item.
    w: Vec<f64>,
    /// Row of each item.
    row: Vec<usize>,
    /// The block of each item: its data center, or the number of data centers for none. A
    /// bend point is in its link's source's data center, else its target's.
    group: Vec<usize>,
    /// Per edge: the items its line passes through, source to target.
    paths: Vec<Vec<usize>>,
}

impl Items {
    /// The items of each of the `rows` rows, each row ordered by the mean slot of its
    /// predecessors in earlier rows (from row `band` on: by block first).
    fn ordered_rows(&self, rows: usize, band: usize) -> Vec<Vec<usize>> {
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); self.w.len()];
        for path in &self.paths {
            for pair in path.windows(2) {
                if self.row[pair[1]] > self.row[pair[0]] {
                    preds[pair[1]].push(pair[0]);
                }
            }
        }
        let mut slot = vec![0.0f64; self.w.len()];
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); rows];
        for (i, &r) in self.row.iter().enumerate() {
            members[r].push(i);
        }
        for (row, m) in members.iter_mut().enumerate() {
            let key = |i: usize| {
                let p = &preds[i];
                if p.is_empty() {
                    f64::MAX
                } else {
                    p.iter().map(|&q| slot[q]).sum::<f64>() / p.len() as f64
                }
            };
            let group = |i: usize| if row >= band { self.group[i] } else { 0 };
            let mut keyed: Vec<(usize, f64, usize)> =
                m.iter().map(|&i| (group(i), key(i), i)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            *m = keyed.into_iter().map(|(_, _, i)| i).collect();
            // Slots are fractions of the row, so rows of different lengths compare.
            let n = m.len() as f64;
            for (k, &i) in m.iter().enumerate() {
                slot[i] = (k as f64 + 0.5) / n;
            }
        }
        members
    }
}

impl Diagram {
    /// The layout and where each link's label is centred (`None`: no label). A label of a
    /// link that skips rows sits on its first bend point, whose slot is sized for it. Any
    /// other sits on its line between the two rows, as near 60% of the way down as it can
    /// without overlapping a box, a data center's title or a label placed before it; when
    /// some label finds no such place, the rows move apart and the layout is tried again.
    pub(super) fn placed(&self) -> (Layout, Vec<Option<(f64, f64)>>) {
        let mut best = None;
        for k in 0..GAP_Y_TRIES {
            let layout = self.layout(GAP_Y + k as f64 * GAP_Y_STEP);
            let (at, all) = self.place_labels(&layout);
            if all || k + 1 == GAP_Y_TRIES {
                best = Some((layout, at));
                break;
            }
        }
        best.expect("at least one try")
    }

    /// Label centres for `layout`, and whether every label found a free place.
    fn place_labels(&self, l: &Layout) -> (Vec<Option<(f64, f64)>>, bool) {
        let nodes = self.nodes.len();
        let mut taken: Vec<Rect> = (0..nodes)
            .map(|i| (l.pos[i].0, l.pos[i].1, l.pos[i].2, BOX_H))
            .collect();
        taken.extend(
            l.clusters
                .iter()
                .map(|c| title_box(c, &self.datacenters[c.dc].name)),
        );
        let mut at = vec![None; self.edges.len()];
        // Bend-point labels first: their places are fixed.
        for (k, (e, path)) in self.edges.iter().zip(&l.paths).enumerate() {
            if !e.label.is_empty() && path.len() > 2 {
                let (x, y, w) = l.pos[path[1]];
                let c = (x + w / 2.0, y + BOX_H / 2.0);
                taken.push(label_box(&e.label, c));
                at[k] = Some(c);
            }
        }
        let mut all = true;
        for (k, (e, path)) in self.edges.iter().zip(&l.paths).enumerate() {
            if e.label.is_empty() || path.len() > 2 {
                continue;
            }
            let pts = path_points(&l.pos, path, nodes);
            let ((x1, y1), (x2, y2)) = (pts[0], pts[1]);
            let at_t = |t: f64| (x1 + t * (x2 - x1), y1 + t * (y2 - y1));
            let mut ts: Vec<f64> = (4..=36).map(|i| f64::from(i) / 40.0).collect();
            ts.sort_by(|a, b| (a - 0.6).abs().total_cmp(&(b - 0.6).abs()));
            let free = |c: (f64, f64)| {
                let b = label_box(&e.label, c);
                let m = LABEL_MARGIN;
                let padded = (b.0 - m, b.1 - m, b.2 + 2.0 * m, b.3 + 2.0 * m);
                b.0 >= 0.0
                    && b.0 + b.2 <= l.width
                    && !taken.iter().any(|&r| rects_overlap(padded, r))
            };
            let c = match ts.iter().map(|&t| at_t(t)).find(|&c| free(c)) {
                Some(c) => c,
                None => {
                    all = false;
                    at_t(0.6)
                }
            };
            taken.push(label_box(&e.label, c));
            at[k] = Some(c);
        }
        (at, all)
    }

    /// Every piece of text of the SVG as a box: each node's name and detail lines, each
    /// data center's title, each link's label. Widths are the conservative estimates the
    /// layout uses.
    #[cfg(test)]
    pub(super) fn text_boxes(&self) -> Vec<(String, Rect)> {
        let (l, at) = self.placed();
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let (x, y, w) = l.pos[i];
            let cx = x + w / 2.0;
            let nw = text_w(&n.name, NAME_CHAR_W);
            out.push((n.name.clone(), (cx - nw / 2.0, y + 6.0, nw, 16.0)));
            let line = n.detail_line();
            let dw = text_w(&line, CHAR_W);
            out.push((line, (cx - dw / 2.0, y + 26.0, dw, 13.0)));
        }
        for c in &l.clusters {
            let name = &self.datacenters[c.dc].name;
            out.push((format!("data center {name}"), title_box(c, name)));
        }
        for (e, c) in self.edges.iter().zip(at) {
            if let Some(c) = c {
                out.push((e.label.clone(), label_box(&e.label, c)));
            }
        }
        out
    }
}
