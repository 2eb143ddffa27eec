//! Evaluation of compiled segments over a `serde_json::Value`.
//!
//! Two walkers, because AWS treats the two kinds of path differently:
//! * [`walk_definite`] follows a definite path and fails with Jayway's exception text when a
//!   step cannot be taken (this is what AWS reports in `Invalid path '...' : <message>`);
//!   it borrows from the document, so `$.a.b` costs a couple of map look-ups and no allocation;
//! * [`collect_all`] follows an indefinite path and silently skips whatever does not match
//!   (AWS returns `[]` for `$.items[*]` on `{}`, recorded in the conformance cases).

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::PathEvalError;
use super::parse::{Function, Segment};

/// The member `name` of an object. A small object is searched in order: comparing a few short
/// keys costs less than hashing the name (serde_json's maps hash with SipHash), and a state's
/// input is usually small. Keys are unique, so both find the same member.
#[inline]
pub(crate) fn member<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if m.len() <= 8 {
        m.iter().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        m.get(name)
    }
}

/// Follows a definite path from `start`. `root_text` is the text of the root for error
/// messages (`$` or `$name`).
pub(crate) fn walk_definite<'a>(
    segs: &[Segment],
    start: &'a Value,
    root_text: &str,
) -> Result<Cow<'a, Value>, PathEvalError> {
    let mut cur = start;
    let last = segs.len().saturating_sub(1);
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Segment::Property { name, .. } => match cur {
                Value::Object(m) => match member(m, name) {
                    Some(v) => cur = v,
                    None if i == last => {
                        return Err(PathEvalError::NoResults {
                            path: normalized(root_text, segs),
                        });
                    }
                    None => {
                        return Err(PathEvalError::MissingProperty {
                            path: normalized(root_text, &segs[..=i]),
                        });
                    }
                },
                other => return Err(not_an_object(root_text, segs, i, other)),
            },
            Segment::Index(n) => match cur {
                Value::Array(a) => match index(a, *n) {
                    Some(v) => cur = v,
                    None => {
                        return Err(PathEvalError::NoResults {
                            path: normalized(root_text, segs),
                        });
                    }
                },
                Value::Null => {
                    return Err(PathEvalError::NullArray {
                        path: normalized(root_text, &segs[..i]),
                    });
                }
                other => {
                    let mut fragment = String::new();
                    seg.write_fragment(&mut fragment);
                    return Err(PathEvalError::NotAnArray {
                        fragment,
                        context: other.to_string(),
                    });
                }
            },
            Segment::Properties { names, .. } => match cur {
                Value::Object(m) => return Ok(Cow::Owned(merge(m, names))),
                other => return Err(not_an_object(root_text, segs, i, other)),
            },
            Segment::Function(f) => return apply_function(*f, cur).map(Cow::Owned),
            // Not reachable for a path that is definite; evaluate it the indefinite way.
            _ => {
                let mut out = Vec::new();
                collect(&segs[i..], cur, start, &mut out, 0);
                return Ok(Cow::Owned(Value::Array(
                    out.into_iter().map(Cow::into_owned).collect(),
                )));
            }
        }
    }
    Ok(Cow::Borrowed(cur))
}

fn not_an_object(root_text: &str, segs: &[Segment], i: usize, found: &Value) -> PathEvalError {
    let mut fragment = String::new();
    segs[i].write_fragment(&mut fragment);
    PathEvalError::NotAnObject {
        fragment,
        path: normalized(root_text, &segs[..i]),
        found: java_class(found),
    }
}

/// The Java class Jayway's Jackson provider would report for a value that is not a map.
fn java_class(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.is_u64() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
    }
}

/// Jayway's normalised form of a root plus segments.
pub(crate) fn normalized(root_text: &str, segs: &[Segment]) -> String {
    let mut s = String::with_capacity(root_text.len() + segs.len() * 8);
    s.push_str(if root_text.is_empty() { "$" } else { root_text });
    for seg in segs {
        seg.write_fragment(&mut s);
    }
    s
}

/// Element `n` of `a`; negative `n` counts from the end (Jayway: `length + n`).
fn index(a: &[Value], n: i64) -> Option<&Value> {
    let len = i64::try_from(a.len()).ok()?;
    let eff = if n < 0 { len + n } else { n };
    usize::try_from(eff).ok().and_then(|i| a.get(i))
}

/// `['a','b']` at the end of a path: an object of the present keys, in path order.
fn merge(m: &Map<String, Value>, names: &[Box<str>]) -> Value {
    let mut out = Map::new();
    for n in names {
        if let Some(v) = member(m, n) {
            out.insert(n.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// All matches of an indefinite path, in document order.
pub(crate) fn collect_all<'a>(
    segs: &[Segment],
    start: &'a Value,
    root: &'a Value,
) -> Vec<Cow<'a, Value>> {
    let mut out = Vec::new();
    collect(segs, start, root, &mut out, 0);
    out
}

/// Values nested deeper than this are not scanned (serde_json's parser stops at 128 anyway).
const MAX_DEPTH: usize = 512;

fn collect<'a>(
    segs: &[Segment],
    node: &'a Value,
    root: &'a Value,
    out: &mut Vec<Cow<'a, Value>>,
    depth: usize,
) {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(Cow::Borrowed(node));
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    let d = depth + 1;
    match seg {
        Segment::Property { name, .. } => {
            if let Some(v) = node.as_object().and_then(|m| member(m, name)) {
                collect(rest, v, root, out, d);
            }
        }
        Segment::Properties { names, .. } => {
            if let Value::Object(m) = node {
                if rest.is_empty() {
                    out.push(Cow::Owned(merge(m, names)));
                } else {
                    for n in names {
                        if let Some(v) = member(m, n) {
                            collect(rest, v, root, out, d);
                        }
                    }
                }
            }
        }
        Segment::Index(n) => {
            if let Some(v) = node.as_array().and_then(|a| index(a, *n)) {
                collect(rest, v, root, out, d);
            }
        }
        Segment::Indexes(ns) => {
            if let Value::Array(a) = node {
                for n in ns {
                    if let Some(v) = index(a, *n) {
                        collect(rest, v, root, out, d);
                    }
                }
            }
        }
        Segment::Slice { from, to } => {
            if let Value::Array(a) = node {
                let (lo, hi) = slice_bounds(*from, *to, a.len());
                for n in lo..hi {
                    if let Some(v) = index(a, n) {
                        collect(rest, v, root, out, d);
                    }
                }
            }
        }
        Segment::Wildcard => match node {
            Value::Object(m) => {
                for v in m.values() {
                    collect(rest, v, root, out, d);
                }
            }
            Value::Array(a) => {
                for v in a {
                    collect(rest, v, root, out, d);
                }
            }
            _ => {}
        },
        Segment::DeepScan => scan(rest, node, root, out, d),
        Segment::Filter(expr) => match node {
            Value::Object(_) if expr.matches(node, root) => collect(rest, node, root, out, d),
            Value::Array(a) => {
                for v in a {
                    if expr.matches(v, root) {
                        collect(rest, v, root, out, d);
                    }
                }
            }
            _ => {}
        },
        Segment::Function(f) => {
            if let Ok(v) = apply_function(*f, node) {
                out.push(Cow::Owned(v));
            }
        }
    }
}

/// `..`: applies `rest` (whose first segment is the scanned one) to `node` and every container
/// below it, pre-order, when Jayway's scan predicate accepts the container.
fn scan<'a>(
    rest: &[Segment],
    node: &'a Value,
    root: &'a Value,
    out: &mut Vec<Cow<'a, Value>>,
    depth: usize,
) {
    if depth > MAX_DEPTH || !(node.is_object() || node.is_array()) {
        return;
    }
    let Some(next) = rest.first() else { return };
    let accept = match next {
        Segment::Property { name, .. } => node.as_object().is_some_and(|m| m.contains_key(&**name)),
        Segment::Properties { names, .. } => node
            .as_object()
            .is_some_and(|m| rest.len() > 1 || names.iter().all(|n| m.contains_key(&**n))),
        Segment::Index(_) | Segment::Indexes(_) | Segment::Slice { .. } => node.is_array(),
        Segment::Filter(expr) => expr.matches(node, root),
        Segment::Wildcard | Segment::Function(_) | Segment::DeepScan => true,
    };
    if accept {
        collect(rest, node, root, out, depth + 1);
    }
    match node {
        Value::Object(m) => {
            for v in m.values() {
                scan(rest, v, root, out, depth + 1);
            }
        }
        Value::Array(a) => {
            for v in a {
                scan(rest, v, root, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Jayway's `ArraySliceToken` arithmetic, quirks included: `[from:]` clamps a negative start,
/// `[:to]` counts a negative end from the back, but `[from:to]` only clamps `to` to the length,
/// so a negative `from` walks indexes that are then read from the back.
fn slice_bounds(from: Option<i64>, to: Option<i64>, len: usize) -> (i64, i64) {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if len == 0 {
        return (0, 0);
    }
    match (from, to) {
        (Some(f), None) => {
            let f = if f < 0 { (len + f).max(0) } else { f };
            if f >= len { (0, 0) } else { (f, len) }
        }
        (Some(f), Some(t)) => {
            let t = t.min(len);
            if f >= t { (0, 0) } else { (f, t) }
        }
        (None, Some(t)) => {
            let t = if t < 0 { len + t } else { t };
            (0, t.min(len))
        }
        (None, None) => (0, len),
    }
}

/// Jayway's path functions applied to one node.
pub(crate) fn apply_function(f: Function, v: &Value) -> Result<Value, PathEvalError> {
    Ok(match f {
        Function::Length => match v {
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            Value::String(s) => Value::from(s.encode_utf16().count()),
            _ => Value::Null,
        },
        Function::First | Function::Last => match v {
            Value::Array(a) => {
                let x = if f == Function::First {
                    a.first()
                } else {
                    a.last()
                };
                x.cloned().unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Function::Keys => match v {
            Value::Object(m) => Value::Array(m.keys().map(|k| Value::String(k.clone())).collect()),
            _ => Value::Null,
        },
        Function::Min | Function::Max | Function::Avg | Function::Sum | Function::StdDev => {
            let nums: Vec<f64> = match v {
                Value::Array(a) => a.iter().filter_map(Value::as_f64).collect(),
                _ => Vec::new(),
            };
            if nums.is_empty() {
                return Err(PathEvalError::Function {
                    message: "Aggregation function attempted to calculate value using empty array"
                        .to_owned(),
                });
            }
            let n = nums.len() as f64;
            let sum: f64 = nums.iter().sum();
            let r = match f {
                Function::Min => nums.iter().copied().fold(f64::INFINITY, f64::min),
                Function::Max => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Function::Sum => sum,
                Function::Avg => sum / n,
                _ => {
                    let sq: f64 = nums.iter().map(|x| x * x).sum();
                    (sq / n - (sum / n) * (sum / n)).max(0.0).sqrt()
                }
            };
            Number::from_f64(r).map_or(Value::Null, Value::Number)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::slice_bounds;

    #[test]
    fn slice_arithmetic_matches_jayway() {
        assert_eq!(slice_bounds(Some(1), None, 5), (1, 5));
        assert_eq!(slice_bounds(Some(-2), None, 5), (3, 5));
        assert_eq!(slice_bounds(Some(-9), None, 5), (0, 5));
        assert_eq!(slice_bounds(Some(7), None, 5), (0, 0));
        assert_eq!(slice_bounds(None, Some(2), 5), (0, 2));
        assert_eq!(slice_bounds(None, Some(-2), 5), (0, 3));
        assert_eq!(slice_bounds(None, Some(9), 5), (0, 5));
        assert_eq!(slice_bounds(Some(1), Some(3), 5), (1, 3));
        assert_eq!(slice_bounds(Some(1), Some(-1), 5), (0, 0));
        assert_eq!(slice_bounds(Some(-2), Some(2), 5), (-2, 2));
        assert_eq!(slice_bounds(Some(0), Some(2), 0), (0, 0));
    }
}
