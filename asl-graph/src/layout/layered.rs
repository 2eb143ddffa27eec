//! One workflow level laid out in layers (a simple Sugiyama layout): cycles broken by a
//! depth-first search, longest-path layering, a dummy item per layer an edge crosses,
//! barycentre ordering, and x positions pulled towards neighbours.
//!
//! Every edge spans at least two layers: the layer between its ends holds a dummy as wide as
//! its label, so that labels take room of their own and never overlap. Edges the search
//! found going back up (loops) are left out of the layering and routed around the right.

use super::{Point, Size};

/// A level to lay out: items (nodes, cluster boxes, ports) and edges between them.
pub(super) struct Flat {
    /// Each item's size.
    pub sizes: Vec<Size>,
    /// Each item's anchors: x of incoming edges on its top and of outgoing ones on its
    /// bottom, from its left side.
    pub anchors: Vec<(f64, f64)>,
    /// The edges.
    pub edges: Vec<FlatEdge>,
    /// Where the search for loops starts (the entry), before the other items in order.
    pub roots: Vec<usize>,
}

/// An edge of a [`Flat`] level.
pub(super) struct FlatEdge {
    pub from: usize,
    pub to: usize,
    pub label: Option<Size>,
}

/// Where everything went.
pub(super) struct Placement {
    pub size: Size,
    /// Top-left corner of each item.
    pub pos: Vec<Point>,
    /// Each edge's polyline and label centre.
    pub routes: Vec<(Vec<Point>, Option<Point>)>,
}

const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 10.0;
const LAYER_GAP: f64 = 14.0;
const GUTTER: f64 = 18.0;
const SWEEPS: usize = 6;

/// Lays out `flat`.
pub(super) fn place(flat: &Flat) -> Placement {
    let n = flat.sizes.len();
    let (back, pre) = break_cycles(flat);
    let rank = ranks(flat, &back);
    let mut v = Virtual::new(flat, &rank);
    let mut chains = Vec::with_capacity(flat.edges.len());
    for (i, e) in flat.edges.iter().enumerate() {
        let forward = !back[i] && e.from != e.to;
        chains.push(if forward {
            v.chain(e, &rank)
        } else {
            Vec::new()
        });
    }
    let layers = v.order(&pre);
    let centers = v.x_centres(&layers);
    let (tops, heights, height) = v.bands(&layers);
    let mut pos = vec![Point::default(); n];
    for item in 0..n {
        let (w, h) = (flat.sizes[item].w, flat.sizes[item].h);
        let r = v.rank[item];
        pos[item] = Point {
            x: centers[item] - w / 2.0,
            y: tops[r] + (heights[r] - h) / 2.0,
        };
    }
    let mut width = (0..n)
        .map(|i| pos[i].x + flat.sizes[i].w)
        .fold(0.0, f64::max);
    for (centre, size) in centers.iter().zip(&v.size).skip(n) {
        width = width.max(centre + size.w / 2.0);
    }
    let mut routes = Vec::with_capacity(flat.edges.len());
    let mut gutter = width + GUTTER;
    let mut extra: f64 = 0.0;
    for (i, e) in flat.edges.iter().enumerate() {
        let route = if chains[i].is_empty() {
            let x = if e.from == e.to {
                pos[e.from].x + flat.sizes[e.from].w + GUTTER
            } else {
                gutter += 10.0;
                gutter - 10.0
            };
            let label_w = e.label.map_or(0.0, |s| s.w + 8.0);
            extra = extra.max(x + label_w + 4.0 - width);
            around(flat, &pos, e, x)
        } else {
            let bottom = |d: usize| tops[v.rank[d]] + heights[v.rank[d]];
            let mut points = vec![anchor(flat, &pos, e.from, true)];
            let mut label = None;
            for &d in &chains[i][1..chains[i].len() - 1] {
                points.push(Point {
                    x: centers[d],
                    y: tops[v.rank[d]],
                });
                points.push(Point {
                    x: centers[d],
                    y: bottom(d),
                });
                if v.labelled[d] {
                    let y = tops[v.rank[d]] + heights[v.rank[d]] / 2.0;
                    label = Some(Point { x: centers[d], y });
                }
            }
            points.push(anchor(flat, &pos, e.to, false));
            (points, label)
        };
        routes.push(route);
    }
    let width = width.max(gutter - GUTTER) + extra.max(0.0);
    Placement {
        size: Size {
            w: width,
            h: height,
        },
        pos,
        routes,
    }
}

/// The top anchor (`top`) or bottom anchor of an item.
fn anchor(flat: &Flat, pos: &[Point], item: usize, bottom: bool) -> Point {
    let (top_x, bottom_x) = flat.anchors[item];
    match bottom {
        true => Point {
            x: pos[item].x + bottom_x,
            y: pos[item].y + flat.sizes[item].h,
        },
        false => Point {
            x: pos[item].x + top_x,
            y: pos[item].y,
        },
    }
}

/// A loop: out of the source's right side to `x`, up (or down) to the target, into its
/// right side; the label beside the vertical part.
fn around(flat: &Flat, pos: &[Point], e: &FlatEdge, x: f64) -> (Vec<Point>, Option<Point>) {
    let right = |i: usize, dy: f64| Point {
        x: pos[i].x + flat.sizes[i].w,
        y: pos[i].y + flat.sizes[i].h / 2.0 + dy,
    };
    let self_loop = e.from == e.to;
    let (a, b) = if self_loop {
        (right(e.from, 5.0), right(e.to, -5.0))
    } else {
        (right(e.from, 0.0), right(e.to, 0.0))
    };
    let points = vec![a, Point { x, y: a.y }, Point { x, y: b.y }, b];
    let label = e.label.map(|s| Point {
        x: x + 4.0 + s.w / 2.0,
        y: (a.y + b.y) / 2.0,
    });
    (points, label)
}

/// Which edges go back to an item on the search's stack (loops), and each item's preorder.
fn break_cycles(flat: &Flat) -> (Vec<bool>, Vec<usize>) {
    let n = flat.sizes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in flat.edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut back = vec![false; flat.edges.len()];
    let mut pre = vec![usize::MAX; n];
    let mut on_stack = vec![false; n];
    let mut counter = 0;
    for root in flat.roots.iter().copied().chain(0..n) {
        if pre[root] != usize::MAX {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        pre[root] = counter;
        counter += 1;
        on_stack[root] = true;
        while let Some((item, next)) = stack.last_mut() {
            let item = *item;
            let Some(&e) = out[item].get(*next) else {
                on_stack[item] = false;
                stack.pop();
                continue;
            };
            *next += 1;
            let to = flat.edges[e].to;
            if on_stack[to] {
                back[e] = true;
            } else if pre[to] == usize::MAX {
                pre[to] = counter;
                counter += 1;
                on_stack[to] = true;
                stack.push((to, 0));
            }
        }
    }
    (back, pre)
}

/// Longest-path layering with every edge two layers long (items on even layers).
fn ranks(flat: &Flat, back: &[bool]) -> Vec<usize> {
    let n = flat.sizes.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in flat.edges.iter().enumerate() {
        if !back[i] && e.from != e.to {
            indegree[e.to] += 1;
            out[e.from].push(e.to);
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|i| indegree[*i] == 0).collect();
    while let Some(item) = ready.pop() {
        for &to in &out[item] {
            rank[to] = rank[to].max(rank[item] + 2);
            indegree[to] -= 1;
            if indegree[to] == 0 {
                ready.push(to);
            }
        }
    }
    rank
}

/// The items plus the dummies of long edges.
struct Virtual {
    size: Vec<Size>,
    rank: Vec<usize>,
    labelled: Vec<bool>,
    /// Neighbours in the layer above and below.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    /// The item a dummy's edge starts from, and a sequence number (0 for items).
    origin: Vec<(usize, usize)>,
    /// How many items are not dummies (they come first).
    real: usize,
}

impl Virtual {
    fn new(flat: &Flat, rank: &[usize]) -> Virtual {
        let n = flat.sizes.len();
        Virtual {
            size: flat.sizes.clone(),
            rank: rank.to_vec(),
            labelled: vec![false; n],
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            origin: (0..n).map(|i| (i, 0)).collect(),
            real: n,
        }
    }

    /// The items an edge passes through, adding a dummy on every layer between its ends
    /// (the first one as big as its label).
    fn chain(&mut self, e: &FlatEdge, rank: &[usize]) -> Vec<usize> {
        let mut chain = vec![e.from];
        for r in rank[e.from] + 1..rank[e.to] {
            let first = r == rank[e.from] + 1;
            let size = match (first, e.label) {
                (true, Some(s)) => s,
                _ => Size::default(),
            };
            self.size.push(size);
            self.rank.push(r);
            self.labelled.push(first && e.label.is_some());
            self.up.push(Vec::new());
            self.down.push(Vec::new());
            self.origin.push((e.from, self.origin.len()));
            chain.push(self.size.len() - 1);
        }
        chain.push(e.to);
        for pair in chain.windows(2) {
            self.down[pair[0]].push(pair[1]);
            self.up[pair[1]].push(pair[0]);
        }
        chain
    }

    /// Items per layer, ordered by barycentre sweeps from the search's preorder; the order
    /// with the fewest crossings is kept.
    fn order(&self, pre: &[usize]) -> Vec<Vec<usize>> {
        let depth = self.rank.iter().copied().max().map_or(0, |m| m + 1);
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for item in 0..self.size.len() {
            layers[self.rank[item]].push(item);
        }
        let key = |i: usize| {
            let (source, seq) = self.origin[i];
            (pre[source], seq)
        };
        for layer in &mut layers {
            layer.sort_by_key(|i| key(*i));
        }
        let mut best = layers.clone();
        let mut best_crossings = self.crossings(&layers);
        for sweep in 0..SWEEPS {
            let down = sweep % 2 == 0;
            let mut position = vec![0.0; self.size.len()];
            for layer in &layers {
                for (p, &i) in layer.iter().enumerate() {
                    position[i] = p as f64;
                }
            }
            let range: Vec<usize> = if down {
                (1..depth).collect()
            } else {
                (0..depth.saturating_sub(1)).rev().collect()
            };
            for r in range {
                let layer = &mut layers[r];
                let weights: Vec<(f64, usize)> = layer
                    .iter()
                    .map(|&i| {
                        let near = if down { &self.up[i] } else { &self.down[i] };
                        (
                            mean(near.iter().map(|j| position[*j])).unwrap_or(position[i]),
                            i,
                        )
                    })
                    .collect();
                let mut sorted = weights;
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                *layer = sorted.into_iter().map(|(_, i)| i).collect();
                for (p, &i) in layer.iter().enumerate() {
                    position[i] = p as f64;
                }
            }
            let crossings = self.crossings(&layers);
            if crossings < best_crossings {
                best_crossings = crossings;
                best = layers.clone();
            }
        }
        best
    }

    /// How many pairs of edges cross between consecutive layers.
    fn crossings(&self, layers: &[Vec<usize>]) -> usize {
        let mut position = vec![0usize; self.size.len()];
        for layer in layers {
            for (p, &i) in layer.iter().enumerate() {
                position[i] = p;
            }
        }
        let mut total = 0;
        for layer in layers {
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for &i in layer {
                pairs.extend(self.down[i].iter().map(|j| (position[i], position[*j])));
            }
            pairs.sort_unstable();
            for (a, p) in pairs.iter().enumerate() {
                total += pairs[a + 1..]
                    .iter()
                    .filter(|q| q.0 > p.0 && q.1 < p.1)
                    .count();
            }
        }
        total
    }

    /// The x of each item's centre: packed, then pulled towards the mean of its neighbours a
    /// few times, keeping the order and the gaps.
    fn x_centres(&self, layers: &[Vec<usize>]) -> Vec<f64> {
        let mut x = vec![0.0; self.size.len()];
        for layer in layers {
            let desired: Vec<f64> = vec![0.0; layer.len()];
            self.fit(layer, &desired, &mut x);
        }
        for sweep in 0..SWEEPS * 2 {
            let down = sweep % 2 == 0;
            let range: Vec<usize> = if down {
                (1..layers.len()).collect()
            } else {
                (0..layers.len().saturating_sub(1)).rev().collect()
            };
            for r in range {
                let desired: Vec<f64> = layers[r]
                    .iter()
                    .map(|&i| {
                        let near = if down { &self.up[i] } else { &self.down[i] };
                        mean(near.iter().map(|j| x[*j])).unwrap_or(x[i])
                    })
                    .collect();
                self.fit(&layers[r], &desired, &mut x);
            }
        }
        let left = (0..x.len())
            .map(|i| x[i] - self.size[i].w / 2.0)
            .fold(f64::INFINITY, f64::min);
        let left = if left.is_finite() { left } else { 0.0 };
        x.iter().map(|c| c - left).collect()
    }

    /// Places a layer as near `desired` as its order and gaps allow: the mean of a
    /// left-to-right and a right-to-left packing, both of which keep the gaps.
    fn fit(&self, layer: &[usize], desired: &[f64], x: &mut [f64]) {
        let gap = |a: usize, b: usize| {
            let g = |i: usize| {
                if self.is_dummy(i) {
                    DUMMY_GAP
                } else {
                    NODE_GAP
                }
            };
            (self.size[a].w + self.size[b].w) / 2.0 + (g(a) + g(b)) / 2.0
        };
        let k = layer.len();
        let mut left = desired.to_vec();
        for j in 1..k {
            left[j] = left[j].max(left[j - 1] + gap(layer[j - 1], layer[j]));
        }
        let mut right = desired.to_vec();
        for j in (0..k.saturating_sub(1)).rev() {
            right[j] = right[j].min(right[j + 1] - gap(layer[j], layer[j + 1]));
        }
        for j in 0..k {
            x[layer[j]] = (left[j] + right[j]) / 2.0;
        }
    }

    fn is_dummy(&self, i: usize) -> bool {
        i >= self.real
    }

    /// Each layer's top and height, and the total height.
    fn bands(&self, layers: &[Vec<usize>]) -> (Vec<f64>, Vec<f64>, f64) {
        let heights: Vec<f64> = layers
            .iter()
            .map(|l| l.iter().map(|i| self.size[*i].h).fold(0.0, f64::max))
            .collect();
        let mut tops = Vec::with_capacity(heights.len());
        let mut y = 0.0;
        for h in &heights {
            tops.push(y);
            y += h + LAYER_GAP;
        }
        (tops, heights, (y - LAYER_GAP).max(0.0))
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}
