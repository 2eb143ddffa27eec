//! The array functions: `States.Array`, `ArrayPartition`, `ArrayContains`, `ArrayRange`,
//! `ArrayGetItem`, `ArrayLength` and `ArrayUnique`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use serde_json::Value;

use super::{Args, Function, array_arg, int_arg, invalid_args};
use crate::error::StatesResult;
use crate::limits::MAX_ARRAY_RANGE_ITEMS;

/// `States.Array(values...)`: the arguments as an array, in order.
pub(super) fn array(args: Args<'_>) -> StatesResult<Value> {
    Ok(Value::Array(
        args.into_iter().map(Cow::into_owned).collect(),
    ))
}

/// `States.ArrayPartition(array, size)`: consecutive chunks of `size` items, the last one
/// shorter. The size is truncated (AWS reads 2.6 as 2) and must be at least 1.
pub(super) fn partition(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayPartition;
    let [items, size] = <[_; 2]>::try_from(args).map_err(|_| invalid_args(f))?;
    let size = int_arg(&size, f)?;
    let items = array_arg(items, f)?;
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| invalid_args(f))?;
    let chunks = match items {
        Cow::Borrowed(items) => items
            .chunks(size)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect(),
        Cow::Owned(items) => {
            let mut chunks = Vec::with_capacity(items.len().div_ceil(size));
            let mut items = items.into_iter().peekable();
            while items.peek().is_some() {
                chunks.push(Value::Array(items.by_ref().take(size).collect()));
            }
            chunks
        }
    };
    Ok(Value::Array(chunks))
}

/// `States.ArrayContains(array, value)`: deep equality; `1` and `1.0` differ, object key order
/// does not matter.
pub(super) fn contains(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayContains;
    let [items, wanted] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let Value::Array(items) = items.as_ref() else {
        return Err(invalid_args(f));
    };
    Ok(Value::Bool(items.contains(wanted)))
}

/// `States.ArrayRange(first, last, step)`: `first`, `first + step`, ... up to and including
/// `last`. All three are truncated to integers; the step must not be 0 and the result must not
/// exceed 1000 items. A step pointing away from `last` gives an empty array.
pub(super) fn range(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayRange;
    let [first, last, step] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let (first, last, step) = (int_arg(first, f)?, int_arg(last, f)?, int_arg(step, f)?);
    if step == 0 {
        return Err(invalid_args(f));
    }
    let count = if (step > 0 && first <= last) || (step < 0 && first >= last) {
        (last - first) / step + 1
    } else {
        0
    };
    if count > MAX_ARRAY_RANGE_ITEMS as i64 {
        return Err(invalid_args(f));
    }
    Ok(Value::Array(
        (0..count).map(|i| Value::from(first + i * step)).collect(),
    ))
}

/// `States.ArrayGetItem(array, index)`: the item at a zero-based index, truncated to an integer;
/// an index outside the array is an error.
pub(super) fn get_item(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayGetItem;
    let [items, index] = <[_; 2]>::try_from(args).map_err(|_| invalid_args(f))?;
    let index = int_arg(&index, f)?;
    let items = array_arg(items, f)?;
    let index = usize::try_from(index)
        .ok()
        .filter(|i| *i < items.len())
        .ok_or_else(|| invalid_args(f))?;
    Ok(match items {
        Cow::Borrowed(items) => items[index].clone(),
        Cow::Owned(mut items) => items.swap_remove(index),
    })
}

/// `States.ArrayLength(array)`.
pub(super) fn length(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayLength;
    match args.first().map(AsRef::as_ref) {
        Some(Value::Array(items)) if args.len() == 1 => Ok(Value::from(items.len())),
        _ => Err(invalid_args(f)),
    }
}

/// `States.ArrayUnique(array)`: the first occurrence of each distinct item, in order.
///
/// Items are bucketed by a structural hash so that large arrays stay linear; equality is
/// serde_json's (deep, object key order ignored), as for `ArrayContains`.
pub(super) fn unique(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::ArrayUnique;
    let [items] = <[_; 1]>::try_from(args).map_err(|_| invalid_args(f))?;
    let items = array_arg(items, f)?;
    let hasher = RandomState::new();
    let mut seen: HashSet<Distinct<'_>> = HashSet::with_capacity(items.len());
    let mut keep = vec![false; items.len()];
    for (i, item) in items.iter().enumerate() {
        keep[i] = seen.insert(Distinct {
            value: item,
            hash: structural_hash(item, &hasher),
        });
    }
    drop(seen);
    let unique = match items {
        Cow::Borrowed(items) => items
            .iter()
            .zip(&keep)
            .filter(|(_, keep)| **keep)
            .map(|(item, _)| item.clone())
            .collect(),
        Cow::Owned(items) => items
            .into_iter()
            .zip(keep)
            .filter(|(_, keep)| *keep)
            .map(|(item, _)| item)
            .collect(),
    };
    Ok(Value::Array(unique))
}

/// A value with its precomputed structural hash, for the `ArrayUnique` set.
struct Distinct<'v> {
    value: &'v Value,
    hash: u64,
}

impl PartialEq for Distinct<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.value == other.value
    }
}

impl Eq for Distinct<'_> {}

impl Hash for Distinct<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A hash consistent with `Value`'s equality: object entries are combined order-independently
/// and `-0.0` hashes like `0.0`.
fn structural_hash(value: &Value, build: &RandomState) -> u64 {
    let mut h = build.build_hasher();
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            b.hash(&mut h);
        }
        Value::Number(n) => {
            h.write_u8(2);
            if let Some(u) = n.as_u64() {
                h.write_u8(0);
                h.write_u64(u);
            } else if let Some(i) = n.as_i64() {
                h.write_u8(1);
                h.write_i64(i);
            } else {
                let f = n.as_f64().unwrap_or_default();
                h.write_u8(2);
                h.write_u64(if f == 0.0 { 0 } else { f.to_bits() });
            }
        }
        Value::String(s) => {
            h.write_u8(3);
            s.hash(&mut h);
        }
        Value::Array(items) => {
            h.write_u8(4);
            h.write_usize(items.len());
            for item in items {
                h.write_u64(structural_hash(item, build));
            }
        }
        Value::Object(map) => {
            h.write_u8(5);
            h.write_usize(map.len());
            let mut entries = 0u64;
            for (key, item) in map {
                let mut entry = build.build_hasher();
                key.hash(&mut entry);
                entry.write_u64(structural_hash(item, build));
                entries = entries.wrapping_add(entry.finish());
            }
            h.write_u64(entries);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn array_table() {
        check(&[
            ("States.Array()", json!({}), Ok(json!([]))),
            (
                "States.Array('Foo', 2020, $.j, null)",
                json!({"j": {"r": "a"}}),
                Ok(json!(["Foo", 2020, {"r": "a"}, null])),
            ),
            (
                "States.Array($.a, $.b)",
                json!({"a": 1.1, "b": [1]}),
                Ok(json!([1.1, [1]])),
            ),
            ("States.Array(States.Array(1))", json!({}), Ok(json!([[1]]))),
        ]);
    }

    #[test]
    fn partition_table() {
        let bad = || Err(invalid(Function::ArrayPartition));
        let p = "States.ArrayPartition($.a, $.n)";
        check(&[
            (p, json!({"a": [], "n": 1}), Ok(json!([]))),
            (p, json!({"a": [0], "n": 5}), Ok(json!([[0]]))),
            (p, json!({"a": [0, 1], "n": 1}), Ok(json!([[0], [1]]))),
            (p, json!({"a": [0, 1, 2], "n": 2}), Ok(json!([[0, 1], [2]]))),
            (
                p,
                json!({"a": [0, 1, 2, 3], "n": 3}),
                Ok(json!([[0, 1, 2], [3]])),
            ),
            (
                p,
                json!({"a": [0, 1, 2, 3], "n": 4}),
                Ok(json!([[0, 1, 2, 3]])),
            ),
            (
                p,
                json!({"a": [1, 2, 3, 4, 5], "n": 2.6}),
                Ok(json!([[1, 2], [3, 4], [5]])),
            ),
            (
                p,
                json!({"a": [1, 2, 3], "n": 2147483647}),
                Ok(json!([[1, 2, 3]])),
            ),
            (
                p,
                json!({"a": [{"a": 1}, [2], null], "n": 2}),
                Ok(json!([[{"a": 1}, [2]], [null]])),
            ),
            (
                "States.ArrayPartition(States.Array(1, 2, 3), 2)",
                json!({}),
                Ok(json!([[1, 2], [3]])),
            ),
            (p, json!({"a": [1], "n": 0}), bad()),
            (p, json!({"a": [1], "n": 0.6}), bad()),
            (p, json!({"a": [1], "n": -1}), bad()),
            (p, json!({"a": [1], "n": "2"}), bad()),
            (p, json!({"a": [1], "n": null}), bad()),
            (p, json!({"a": "not-array", "n": 2}), bad()),
            (p, json!({"a": {"k": 1}, "n": 2}), bad()),
        ]);
    }

    #[test]
    fn contains_table() {
        let c = "States.ArrayContains($.a, $.v)";
        check(&[
            (c, json!({"a": [], "v": null}), Ok(json!(false))),
            (c, json!({"a": [], "v": []}), Ok(json!(false))),
            (c, json!({"a": [[1, 2, 3], 2], "v": null}), Ok(json!(false))),
            (
                c,
                json!({"a": [[1, 2, 3], 2], "v": [1, 2, 3]}),
                Ok(json!(true)),
            ),
            (
                c,
                json!({"a": [{"1": 2, "2": []}], "v": {"2": [], "1": 2}}),
                Ok(json!(true)),
            ),
            (c, json!({"a": [true, false], "v": false}), Ok(json!(true))),
            (c, json!({"a": [1], "v": 1.0}), Ok(json!(false))),
            (c, json!({"a": ["1"], "v": 1}), Ok(json!(false))),
            (
                "States.ArrayContains(States.Array(1, 2), 2)",
                json!({}),
                Ok(json!(true)),
            ),
            (
                c,
                json!({"a": "abc", "v": "a"}),
                Err(invalid(Function::ArrayContains)),
            ),
            (
                c,
                json!({"a": null, "v": null}),
                Err(invalid(Function::ArrayContains)),
            ),
        ]);
    }

    #[test]
    fn range_table() {
        let bad = || Err(invalid(Function::ArrayRange));
        check(&[
            (
                "States.ArrayRange(0, 9, 3)",
                json!({}),
                Ok(json!([0, 3, 6, 9])),
            ),
            (
                "States.ArrayRange(0, 10, 3)",
                json!({}),
                Ok(json!([0, 3, 6, 9])),
            ),
            ("States.ArrayRange(1, 9, 9)", json!({}), Ok(json!([1]))),
            (
                "States.ArrayRange(1, 9, 2)",
                json!({}),
                Ok(json!([1, 3, 5, 7, 9])),
            ),
            (
                "States.ArrayRange(-2, 2, 2)",
                json!({}),
                Ok(json!([-2, 0, 2])),
            ),
            ("States.ArrayRange(3, 3, -1)", json!({}), Ok(json!([3]))),
            (
                "States.ArrayRange(5, 1, -2)",
                json!({}),
                Ok(json!([5, 3, 1])),
            ),
            ("States.ArrayRange(5, 1, 1)", json!({}), Ok(json!([]))),
            ("States.ArrayRange(1, 5, -1)", json!({}), Ok(json!([]))),
            (
                "States.ArrayRange(1.4, 5.6, 2.2)",
                json!({}),
                Ok(json!([1, 3, 5])),
            ),
            ("States.ArrayRange(1.6, 1.4, 1)", json!({}), Ok(json!([1]))),
            (
                "States.ArrayRange(5.4, -0.6, -2.4)",
                json!({}),
                Ok(json!([5, 3, 1])),
            ),
            (
                "States.ArrayRange($.a, $.b, $.c)",
                json!({"a": 0, "b": 9, "c": 3}),
                Ok(json!([0, 3, 6, 9])),
            ),
            (
                "States.ArrayRange(-2147483648, 2147483647, 2147483647)",
                json!({}),
                Ok(json!([-2147483648_i64, -1, 2147483646])),
            ),
            ("States.ArrayRange(1, 10, 0)", json!({}), bad()),
            ("States.ArrayRange(1, 10, 0.49)", json!({}), bad()),
            ("States.ArrayRange('a', 5, 1)", json!({}), bad()),
            ("States.ArrayRange(1, 'b', 1)", json!({}), bad()),
            ("States.ArrayRange(1, 5, null)", json!({}), bad()),
            ("States.ArrayRange(1, 1001, 1)", json!({}), bad()),
            ("States.ArrayRange(1001, 1, -1)", json!({}), bad()),
            (
                "States.ArrayRange(-2147483648, 2147483647, 1)",
                json!({}),
                bad(),
            ),
            ("States.ArrayRange(1, 3000000000, 1)", json!({}), bad()),
        ]);
        let full = super::super::testutil::eval("States.ArrayRange(1, 1000, 1)", json!({}));
        assert_eq!(full.map(|v| v.as_array().map(Vec::len)), Ok(Some(1000)));
        let down = super::super::testutil::eval("States.ArrayRange(1000, 1, -1)", json!({}));
        assert_eq!(down.map(|v| v.as_array().map(Vec::len)), Ok(Some(1000)));
    }

    #[test]
    fn get_item_table() {
        let bad = || Err(invalid(Function::ArrayGetItem));
        let g = "States.ArrayGetItem($.a, $.i)";
        check(&[
            (g, json!({"a": ["a", "b", "c"], "i": 0}), Ok(json!("a"))),
            (g, json!({"a": ["a", "b", "c"], "i": 2}), Ok(json!("c"))),
            (g, json!({"a": [null], "i": 0}), Ok(json!(null))),
            (
                g,
                json!({"a": [{"a": 1}, {"b": 2}], "i": 1}),
                Ok(json!({"b": 2})),
            ),
            (g, json!({"a": [10, 20, 30], "i": 1.2}), Ok(json!(20))),
            (
                "States.ArrayGetItem(States.Array('x', 'y', 'z'), 1)",
                json!({}),
                Ok(json!("y")),
            ),
            (
                "States.ArrayGetItem(States.Array('x', 'y', 'z'), 0)",
                json!({}),
                Ok(json!("x")),
            ),
            (g, json!({"a": [10, 20, 30], "i": 3}), bad()),
            (g, json!({"a": [10, 20, 30], "i": -1}), bad()),
            (g, json!({"a": [], "i": 0}), bad()),
            (g, json!({"a": [10], "i": "0"}), bad()),
            (g, json!({"a": "abc", "i": 0}), bad()),
            ("States.ArrayGetItem(States.Array(1), 1)", json!({}), bad()),
        ]);
    }

    #[test]
    fn length_table() {
        check(&[
            (
                "States.ArrayLength($)",
                json!([1, 2, 3, 4, 5, 6, 7, 8, 9]),
                Ok(json!(9)),
            ),
            ("States.ArrayLength($)", json!([]), Ok(json!(0))),
            (
                "States.ArrayLength(States.Array(1, 2))",
                json!({}),
                Ok(json!(2)),
            ),
            (
                "States.ArrayLength($)",
                json!("abc"),
                Err(invalid(Function::ArrayLength)),
            ),
            (
                "States.ArrayLength($)",
                json!({"a": 1}),
                Err(invalid(Function::ArrayLength)),
            ),
            (
                "States.ArrayLength(null)",
                json!({}),
                Err(invalid(Function::ArrayLength)),
            ),
        ]);
    }

    #[test]
    fn unique_table() {
        check(&[
            (
                "States.ArrayUnique($)",
                json!([1, 2, 3, 3, 3, 3, 3, 3, 4]),
                Ok(json!([1, 2, 3, 4])),
            ),
            (
                "States.ArrayUnique($)",
                json!([1, 2, 2, 3, 3, 4]),
                Ok(json!([1, 2, 3, 4])),
            ),
            ("States.ArrayUnique($)", json!([]), Ok(json!([]))),
            (
                "States.ArrayUnique($)",
                json!([3, 1, 3, 2, 1]),
                Ok(json!([3, 1, 2])),
            ),
            (
                "States.ArrayUnique($)",
                json!([1, 1.0, "1", null, null]),
                Ok(json!([1, 1.0, "1", null])),
            ),
            (
                "States.ArrayUnique($)",
                json!([0.0, -0.0]),
                Ok(json!([0.0])),
            ),
            (
                "States.ArrayUnique($)",
                json!([{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1}]),
                Ok(json!([{"a": 1, "b": 2}, {"a": 1}])),
            ),
            (
                "States.ArrayUnique($)",
                json!([[1, [2]], [1, [2]], [[2], 1]]),
                Ok(json!([[1, [2]], [[2], 1]])),
            ),
            (
                "States.ArrayUnique(States.Array(1, 1, 2))",
                json!({}),
                Ok(json!([1, 2])),
            ),
            (
                "States.ArrayUnique($)",
                json!("abc"),
                Err(invalid(Function::ArrayUnique)),
            ),
        ]);
    }

    #[test]
    fn unique_is_linear_on_large_arrays() {
        let big: Vec<Value> = (0..50_000).map(|i| json!({"id": i % 25_000})).collect();
        let result = super::super::testutil::eval("States.ArrayUnique($)", Value::Array(big));
        assert_eq!(result.map(|v| v.as_array().map(Vec::len)), Ok(Some(25_000)));
    }
}
