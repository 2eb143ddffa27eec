//! Where the SVG renderer draws everything.
//!
//! Each workflow level (the top level, each cluster) is laid out on its own by [`layered`],
//! innermost first: a cluster becomes one box in its parent's level, as big as its own layout
//! plus a margin and a title. Inside a cluster, an *in port* (on the box's top) stands for
//! where the Parallel/Map state enters it and an *out port* (on its bottom) for its exit; an
//! edge crossing the box border is drawn as the part in the parent level joined to the part
//! inside the box, which meet at the port.

mod layered;

use std::collections::HashMap;

use crate::graph::{ClusterId, EdgeId, Graph, NodeId, START};
use layered::{Flat, FlatEdge};

/// A point.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// A rectangle: top-left corner and size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rect {
    pub at: Point,
    pub size: Size,
}

/// The whole picture's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub size: Size,
    /// Per node.
    pub nodes: Vec<Rect>,
    /// Per cluster.
    pub clusters: Vec<Rect>,
    /// Per edge: its polyline, from its source to its target.
    pub edges: Vec<Vec<Point>>,
    /// Per edge: the centre of its label.
    pub labels: Vec<Option<Point>>,
}

/// Space between a cluster's border and its content.
pub const PAD: f64 = 12.0;
/// Height of a cluster's title.
pub const TITLE: f64 = 16.0;
/// Space around the whole picture.
pub const MARGIN: f64 = 16.0;

/// An item of one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Node(NodeId),
    Box(ClusterId),
    In,
    Out,
}

/// One level laid out, in its own coordinates.
#[derive(Default)]
struct Level {
    size: Size,
    in_x: f64,
    out_x: f64,
    nodes: Vec<(NodeId, Point)>,
    boxes: Vec<(ClusterId, Point)>,
    /// `(edge, part, polyline, label)`: part 0 comes before part 1 on the edge's way.
    parts: Vec<(EdgeId, u8, Vec<Point>, Option<Point>)>,
}

/// Lays out `graph` with nodes and edge labels of the given sizes.
pub fn layout(graph: &Graph, node_sizes: &[Size], label_sizes: &[Option<Size>]) -> Layout {
    let members = graph.members();
    let mut edges_of: Vec<Vec<EdgeId>> = vec![Vec::new(); graph.clusters.len() + 1];
    for (i, e) in graph.edges.iter().enumerate() {
        let a = level_index(graph.node(e.from).cluster);
        let b = level_index(graph.node(e.to).cluster);
        edges_of[a].push(EdgeId(i));
        if b != a {
            edges_of[b].push(EdgeId(i));
        }
    }
    let mut levels: Vec<Level> = (0..=graph.clusters.len())
        .map(|_| Level::default())
        .collect();
    for index in (0..levels.len()).rev() {
        let level = (index > 0).then(|| ClusterId(index - 1));
        let builder = Builder {
            graph,
            level,
            node_sizes,
            label_sizes,
        };
        levels[index] = builder.place(&members[index], &edges_of[index], &levels);
    }
    compose(graph, &levels)
}

fn level_index(level: Option<ClusterId>) -> usize {
    level.map_or(0, |c| c.0 + 1)
}

/// Absolute positions from the levels' own.
fn compose(graph: &Graph, levels: &[Level]) -> Layout {
    let mut offset = vec![Point::default(); levels.len()];
    offset[0] = Point {
        x: MARGIN,
        y: MARGIN,
    };
    let mut out = Layout {
        size: Size {
            w: levels[0].size.w + 2.0 * MARGIN,
            h: levels[0].size.h + 2.0 * MARGIN,
        },
        nodes: vec![Rect::default(); graph.nodes.len()],
        clusters: vec![Rect::default(); graph.clusters.len()],
        edges: vec![Vec::new(); graph.edges.len()],
        labels: vec![None; graph.edges.len()],
    };
    let mut parts: HashMap<EdgeId, Vec<(u8, Vec<Point>)>> = HashMap::new();
    for index in 0..levels.len() {
        let o = offset[index];
        let shift = |p: Point| Point {
            x: p.x + o.x,
            y: p.y + o.y,
        };
        let level = &levels[index];
        for &(c, at) in &level.boxes {
            let inner = &levels[c.0 + 1];
            out.clusters[c.0] = Rect {
                at: shift(at),
                size: box_size(inner.size),
            };
            offset[c.0 + 1] = shift(Point {
                x: at.x + PAD,
                y: at.y + PAD + TITLE,
            });
        }
        for &(n, at) in &level.nodes {
            out.nodes[n.0] = Rect {
                at: shift(at),
                size: Size::default(),
            };
        }
        for (e, part, points, label) in &level.parts {
            let points = points.iter().map(|p| shift(*p)).collect();
            parts.entry(*e).or_default().push((*part, points));
            if let Some(l) = label {
                out.labels[e.0] = Some(shift(*l));
            }
        }
    }
    for (e, mut list) in parts {
        list.sort_by_key(|(part, _)| *part);
        let line = &mut out.edges[e.0];
        for (_, points) in list {
            line.extend(points);
        }
    }
    out
}

/// The box of a cluster whose content is `inner`.
fn box_size(inner: Size) -> Size {
    Size {
        w: inner.w + 2.0 * PAD,
        h: inner.h + 2.0 * PAD + TITLE,
    }
}

/// Lays out one level.
struct Builder<'a> {
    graph: &'a Graph,
    level: Option<ClusterId>,
    node_sizes: &'a [Size],
    label_sizes: &'a [Option<Size>],
}

impl Builder<'_> {
    fn place(&self, members: &[NodeId], edges: &[EdgeId], levels: &[Level]) -> Level {
        let mut items: Vec<Item> = members.iter().map(|n| Item::Node(*n)).collect();
        for (i, c) in self.graph.clusters.iter().enumerate() {
            if c.parent == self.level {
                items.push(Item::Box(ClusterId(i)));
            }
        }
        if self.level.is_some() {
            items.extend([Item::In, Item::Out]);
        }
        let index: HashMap<Item, usize> = items.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        let (sizes, anchors) = items.iter().map(|t| self.measure(*t, levels)).unzip();
        let root = if self.level.is_some() {
            Item::In
        } else {
            Item::Node(START)
        };
        let mut flat = Flat {
            sizes,
            anchors,
            edges: Vec::new(),
            roots: index.get(&root).copied().into_iter().collect(),
        };
        let mut carried: Vec<Vec<EdgeId>> = Vec::new();
        for &e in edges {
            let Some((from, to)) = self.ends(e) else {
                continue;
            };
            let (from, to) = (index[&from], index[&to]);
            let crossing = !matches!((items[from], items[to]), (Item::Node(_), Item::Node(_)));
            let same = flat.edges.iter().position(|f| f.from == from && f.to == to);
            if let (true, Some(k)) = (crossing, same) {
                carried[k].push(e);
                continue;
            }
            let label = self.label_sizes[e.0];
            flat.edges.push(FlatEdge { from, to, label });
            carried.push(vec![e]);
        }
        let placement = layered::place(&flat);
        let mut level = Level {
            size: placement.size,
            ..Level::default()
        };
        for (i, item) in items.iter().enumerate() {
            let at = placement.pos[i];
            match item {
                Item::Node(n) => level.nodes.push((*n, at)),
                Item::Box(c) => level.boxes.push((*c, at)),
                Item::In => level.in_x = at.x,
                Item::Out => level.out_x = at.x,
            }
        }
        for (k, (points, label)) in placement.routes.into_iter().enumerate() {
            let part = u8::from(matches!(items[flat.edges[k].from], Item::In | Item::Box(_)));
            for &e in &carried[k] {
                level.parts.push((e, part, points.clone(), label));
            }
        }
        level
    }

    /// An item's size and anchors.
    fn measure(&self, item: Item, levels: &[Level]) -> (Size, (f64, f64)) {
        match item {
            Item::Node(n) => {
                let s = self.node_sizes[n.0];
                (s, (s.w / 2.0, s.w / 2.0))
            }
            Item::Box(c) => {
                let inner = &levels[c.0 + 1];
                (box_size(inner.size), (PAD + inner.in_x, PAD + inner.out_x))
            }
            Item::In | Item::Out => (Size::default(), (0.0, 0.0)),
        }
    }

    /// The items an edge joins in this level, if it is drawn here.
    fn ends(&self, e: EdgeId) -> Option<(Item, Item)> {
        let edge = &self.graph.edges[e.0];
        match (self.item_of(edge.from), self.item_of(edge.to)) {
            (Some(a), Some(b)) if a != b => Some((a, b)),
            (Some(a), None) if self.level.is_some() => Some((a, Item::Out)),
            (None, Some(b)) if self.level.is_some() => Some((Item::In, b)),
            _ => None,
        }
    }

    /// The item standing for `node` in this level: itself, or the box of the cluster of this
    /// level it is nested in.
    fn item_of(&self, node: NodeId) -> Option<Item> {
        let mut cluster = self.graph.node(node).cluster;
        let mut below = None;
        loop {
            if cluster == self.level {
                return Some(below.map_or(Item::Node(node), Item::Box));
            }
            let c = cluster?;
            below = Some(c);
            cluster = self.graph.cluster(c).parent;
        }
    }
}
