//! The functions Step Functions adds to JSONata (`$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`), the one it removes (`$eval`), and `$pad`, replaced so that its width
//! cannot ask for more memory than an evaluation may hold (see [`super::budget`]).
//!
//! They are registered on each evaluator only when the expression names them, so expressions
//! that do not use them pay nothing.

use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;

type HostResult = Result<JValue, EvaluatorError>;

/// Names (without `$`) of the functions this module provides or overrides.
pub(crate) const NAMES: &[&str] = &[
    "partition",
    "range",
    "hash",
    "random",
    "uuid",
    "parse",
    "eval",
    "pad",
    DISTINCT,
];

/// The name `$distinct` calls are renamed to at compile time (see [`distinct`]).
pub(crate) const DISTINCT: &str = "__sfnLocalDistinct";

/// Most elements `$range` will produce, so a huge span cannot exhaust memory.
pub(crate) const MAX_RANGE_LEN: usize = 10_000_000;

/// Registers the named Step Functions function on `ev`. Unknown names are ignored.
pub(crate) fn register(ev: &mut Evaluator, name: &str) -> Result<(), EvaluatorError> {
    match name {
        "partition" => ev.register_fn("partition", partition),
        "range" => ev.register_fn("range", range),
        "hash" => ev.register_fn("hash", hash),
        "uuid" => ev.register_fn("uuid", uuid),
        "parse" => ev.register_fn("parse", parse),
        "random" => ev.register_fn_override("random", random),
        "pad" => ev.register_fn_override("pad", pad),
        DISTINCT => ev.register_fn(DISTINCT, distinct),
        "eval" => ev.register_fn_override("eval", |_: &[JValue]| {
            Err(EvaluatorError::ReferenceError(
                "T1006: Attempted to invoke a non-function".to_string(),
            ))
        }),
        _ => Ok(()),
    }
}

/// `$pad(string, width[, char])` as jsonata-js defines it (a negative width pads on the left;
/// `char`, a space by default, is repeated and cut to fit), refusing a width whose string
/// would take more than the evaluation's memory limit before building it.
fn pad(args: &[JValue]) -> HostResult {
    check_arity(args, 3, "pad")?;
    let string = match args.first() {
        Some(JValue::String(s)) => s.clone(),
        Some(JValue::Null) => return Ok(JValue::Null),
        Some(JValue::Undefined) | None => return Ok(JValue::Undefined),
        Some(_) => return Err(signature_error(1, "pad")),
    };
    let width = match args.get(1) {
        Some(JValue::Number(n)) => n.trunc(),
        Some(JValue::Undefined) | None => return Ok(JValue::String(string)),
        Some(_) => return Err(signature_error(2, "pad")),
    };
    let fill: Vec<char> = match args.get(2) {
        Some(JValue::String(s)) if !s.is_empty() => s.chars().collect(),
        Some(JValue::String(_) | JValue::Undefined) | None => vec![' '],
        Some(_) => return Err(signature_error(3, "pad")),
    };
    let len = string.chars().count();
    let wanted = width.abs();
    // NaN pads nothing, as in jsonata-js (`NaN > 0` is false).
    if wanted.is_nan() || wanted <= len as f64 {
        return Ok(JValue::String(string));
    }
    // A character takes at most 4 bytes.
    let most = super::budget::limits().max_memory / 4;
    if wanted > most as f64 {
        return Err(EvaluatorError::EvaluationError(format!(
            "U1004: $pad would build a string of {wanted} characters, more than the memory limit of a JSONata evaluation ({} bytes) allows",
            super::budget::limits().max_memory
        )));
    }
    let padding: String = fill.iter().cycle().take(wanted as usize - len).collect();
    Ok(JValue::string(if width < 0.0 {
        format!("{padding}{string}")
    } else {
        format!("{string}{padding}")
    }))
}

/// `$distinct(array)` as jsonata-js defines it (the items in their first order, without those
/// deep-equal to an earlier one; anything but an array of two or more items unchanged), in one
/// pass: each item is keyed by its canonical form (object members sorted, `-0` as `0`).
/// Functions and regexes equal nothing, as in jsonata-js.
fn distinct(args: &[JValue]) -> HostResult {
    check_arity(args, 1, "distinct")?;
    match args.first() {
        None | Some(JValue::Undefined) => Ok(JValue::Undefined),
        Some(JValue::Array(items)) if items.len() > 1 => {
            let mut seen = std::collections::HashSet::new();
            let mut kept = Vec::new();
            for item in items.iter() {
                let mut key = String::new();
                if !canonical(item, &mut key) || seen.insert(key) {
                    kept.push(item.clone());
                }
            }
            let mut result = JValue::array(kept);
            if items.sequence {
                result.mark_sequence();
            }
            Ok(result)
        }
        Some(other) => Ok(other.clone()),
    }
}

/// Writes `v`'s canonical form; `false` if it holds a value that equals nothing (a function).
fn canonical(v: &JValue, out: &mut String) -> bool {
    use std::fmt::Write;
    match v {
        JValue::Null => out.push('n'),
        JValue::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        JValue::Number(n) => {
            let n = if *n == 0.0 { 0.0 } else { *n };
            let _ = write!(out, "#{n:?};");
        }
        JValue::String(s) => {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        JValue::Array(items) => {
            out.push('[');
            for item in items.iter() {
                if !jsonata_core::value::with_stack(|| canonical(item, out)) {
                    return false;
                }
                out.push(',');
            }
            out.push(']');
        }
        JValue::Object(map) => {
            let mut members: Vec<_> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (k, item) in members {
                let _ = write!(out, "{}:{k}", k.len());
                if !jsonata_core::value::with_stack(|| canonical(item, out)) {
                    return false;
                }
                out.push(',');
            }
            out.push('}');
        }
        JValue::Undefined => out.push('u'),
        _ => return false,
    }
    true
}

/// jsonata-js's signature-mismatch error; `index` is 1-based.
fn signature_error(index: usize, name: &str) -> EvaluatorError {
    EvaluatorError::TypeError(format!(
        "T0410: Argument {index} of function {name} does not match function signature"
    ))
}

fn check_arity(args: &[JValue], max: usize, name: &str) -> Result<(), EvaluatorError> {
    if args.len() > max {
        return Err(signature_error(max + 1, name));
    }
    Ok(())
}

/// A required numeric argument; `None` when it is undefined (the function then returns
/// undefined, as JSONata functions do for undefined input).
fn number_arg(args: &[JValue], i: usize, name: &str) -> Result<Option<f64>, EvaluatorError> {
    match args.get(i) {
        None | Some(JValue::Undefined) => Ok(None),
        Some(JValue::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(signature_error(i + 1, name)),
    }
}

fn string_arg<'a>(
    args: &'a [JValue],
    i: usize,
    name: &str,
) -> Result<Option<&'a str>, EvaluatorError> {
    match args.get(i) {
        None | Some(JValue::Undefined) => Ok(None),
        Some(JValue::String(s)) => Ok(Some(s)),
        Some(_) => Err(signature_error(i + 1, name)),
    }
}

/// `$partition(array, size)`: consecutive chunks of `size` items, the last one shorter.
/// A non-array first argument counts as a one-item array, as JSONata's `a` signature does.
fn partition(args: &[JValue]) -> HostResult {
    check_arity(args, 2, "partition")?;
    let items: Vec<JValue> = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::Array(items)) => items.iter().cloned().collect(),
        Some(JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. }) => {
            return Err(signature_error(1, "partition"));
        }
        Some(other) => vec![other.clone()],
    };
    let Some(size) = number_arg(args, 1, "partition")? else {
        return Ok(JValue::Undefined);
    };
    if !(size.is_finite() && size >= 1.0 && size.fract() == 0.0) {
        return Err(EvaluatorError::EvaluationError(format!(
            "The size argument of the partition function must be a positive integer, but was {}",
            jsonata_number(size)
        )));
    }
    let size = if size > items.len() as f64 {
        items.len().max(1)
    } else {
        size as usize
    };
    let chunks = items
        .chunks(size)
        .map(|chunk| JValue::array(chunk.to_vec()))
        .collect();
    Ok(JValue::array(chunks))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... up to and including `end`.
/// The result is a sequence, so a single value is unwrapped and an empty range is undefined,
/// as AWS returns them.
fn range(args: &[JValue]) -> HostResult {
    check_arity(args, 3, "range")?;
    let start = number_arg(args, 0, "range")?;
    let end = number_arg(args, 1, "range")?;
    let step = number_arg(args, 2, "range")?;
    let (Some(start), Some(end), Some(step)) = (start, end, step) else {
        return Ok(JValue::Undefined);
    };
    if !(start.is_finite() && end.is_finite() && step.is_finite()) || step == 0.0 {
        return Err(EvaluatorError::EvaluationError(format!(
            "The step argument of the range function must be a non-zero number, but was {}",
            jsonata_number(step)
        )));
    }
    let span = (end - start) / step;
    if span < 0.0 {
        return Ok(JValue::Undefined);
    }
    let count = span.floor() + 1.0;
    if count > MAX_RANGE_LEN as f64 {
        return Err(EvaluatorError::EvaluationError(format!(
            "The size of the sequence allocated by the range function must not exceed {MAX_RANGE_LEN}. Attempted to allocate {}.",
            jsonata_number(count)
        )));
    }
    let items = (0..count as usize)
        .map(|i| JValue::Number(start + i as f64 * step))
        .collect();
    Ok(JValue::sequence(items))
}

/// `$hash(value, algorithm)`: the lowercase hex digest of the UTF-8 bytes of `value`.
fn hash(args: &[JValue]) -> HostResult {
    use md5::Digest;
    check_arity(args, 2, "hash")?;
    let Some(value) = string_arg(args, 0, "hash")? else {
        return Ok(JValue::Undefined);
    };
    let Some(algorithm) = string_arg(args, 1, "hash")? else {
        return Ok(JValue::Undefined);
    };
    let bytes = value.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(EvaluatorError::EvaluationError(format!(
                "The hash algorithm '{other}' is not supported. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512"
            )));
        }
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    Ok(JValue::from(hex))
}

/// `$random()` or `$random(seed)`: a number in [0, 1); the same seed gives the same number.
fn random(args: &[JValue]) -> HostResult {
    check_arity(args, 1, "random")?;
    let bits = match args.first() {
        None | Some(JValue::Undefined) => {
            let r = uuid::Uuid::new_v4().as_u128();
            (r >> 64) as u64 ^ r as u64
        }
        Some(JValue::Number(seed)) if seed.is_finite() => {
            // Integral seeds hash by value so 1 and 1.0 agree.
            let key = if seed.fract() == 0.0 && seed.abs() < 9.007_199_254_740_992e15 {
                *seed as i64 as u64
            } else {
                seed.to_bits()
            };
            splitmix64(key)
        }
        Some(_) => return Err(signature_error(1, "random")),
    };
    // 53 random bits scaled into [0, 1).
    Ok(JValue::Number((bits >> 11) as f64 / (1u64 << 53) as f64))
}

/// A fixed mixing function: a deterministic, well-spread value for each seed.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `$uuid()`: a random version 4 UUID.
fn uuid(args: &[JValue]) -> HostResult {
    check_arity(args, 0, "uuid")?;
    Ok(JValue::from(uuid::Uuid::new_v4().to_string()))
}

/// `$parse(text)`: the JSON value `text` encodes (Step Functions' replacement for `$eval`).
fn parse(args: &[JValue]) -> HostResult {
    check_arity(args, 1, "parse")?;
    let Some(text) = string_arg(args, 0, "parse")? else {
        return Ok(JValue::Undefined);
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Ok(super::convert::to_jvalue(&value)),
        Err(e) => Err(EvaluatorError::EvaluationError(format!(
            "Unable to parse the JSON string passed to function parse: {e}"
        ))),
    }
}

/// A number as JSONata prints it in messages.
fn jsonata_number(n: f64) -> String {
    match super::convert::js_number(n) {
        Some(num) => num.to_string(),
        None => super::convert::js_non_finite(n).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn call(f: fn(&[JValue]) -> HostResult, args: &[Value]) -> Result<Option<Value>, String> {
        let args: Vec<JValue> = args.iter().map(super::super::convert::to_jvalue).collect();
        match f(&args) {
            Ok(v) => Ok(super::super::convert::from_jvalue(&v).unwrap()),
            Err(e) => Err(e.message().to_string()),
        }
    }

    #[test]
    fn distinct_answers_as_jsonatas_own() {
        use jsonata_core::evaluator::Evaluator;
        let table = [
            "$distinct([1, 2, 1, 3, 2])",
            "$distinct([1, 1.0, -0, 0, '1'])",
            "$distinct(['a', 'b', 'a', 'A'])",
            "$distinct([{'a': 1, 'b': 2}, {'b': 2, 'a': 1}, {'a': 1}, [1, 2], [1, 2], [2, 1]])",
            "$distinct([null, null, true, false, true])",
            "$distinct([[[1]], [[1]], [[2]]])",
            "$distinct([1])",
            "$distinct([])",
            "$distinct(5)",
            "$distinct('x')",
            "$distinct(null)",
            "$distinct(nothing)",
            "$distinct([1, 2, 1])[0]",
            "[1, 2, 2].$distinct($)",
            "$distinct([1, 2, 2]) ~> $count",
            "$map([[1, 1], [2, 2]], function($v){ $distinct($v) })",
        ];
        for src in table {
            let ast = jsonata_core::parser::parse(src).unwrap();
            let theirs = Evaluator::new().evaluate(&ast, &JValue::Undefined);
            let expr = super::super::Expression::compile(src).unwrap();
            let input = serde_json::json!({});
            let states = super::super::StatesBinding::new(&input, &input);
            let ours = super::super::evaluate(&expr, &states, &crate::NoVariables, "Output");
            let theirs = theirs.map(|v| super::super::convert::from_jvalue(&v).unwrap());
            match (theirs, ours) {
                (Ok(t), Ok(o)) => assert_eq!(t, o, "{src}"),
                (t, o) => panic!("{src}: {t:?} / {o:?}"),
            }
        }
        // A million items in one pass.
        let expr = super::super::Expression::compile("$count($distinct([1..1000000]))").unwrap();
        let input = serde_json::json!({});
        let states = super::super::StatesBinding::new(&input, &input);
        let n = super::super::evaluate(&expr, &states, &crate::NoVariables, "Output").unwrap();
        assert_eq!(n, Some(serde_json::json!(1000000)));
    }

    #[test]
    fn pad_table() {
        let table: &[(&[Value], Option<Value>)] = &[
            (&[json!("abc"), json!(6)], Some(json!("abc   "))),
            (&[json!("abc"), json!(-6)], Some(json!("   abc"))),
            (
                &[json!("abc"), json!(6), json!("-+")],
                Some(json!("abc-+-")),
            ),
            (
                &[json!("abc"), json!(-5.9), json!("#")],
                Some(json!("##abc")),
            ),
            (&[json!("abc"), json!(2)], Some(json!("abc"))),
            (&[json!("été"), json!(4), json!("é")], Some(json!("étéé"))),
            (&[json!("abc"), json!(5), json!("")], Some(json!("abc  "))),
            (&[json!(null), json!(5)], Some(json!(null))),
        ];
        for (args, expected) in table {
            assert_eq!(call(pad, args), Ok(expected.clone()), "{args:?}");
        }
        for width in [1e9, -1e9, 9007199254740993.0, 1e308] {
            let e = call(pad, &[json!("x"), json!(width), json!("ab")]).unwrap_err();
            assert!(e.starts_with("U1004"), "{e}");
        }
        assert!(call(pad, &[json!(1), json!(5)]).is_err());
        assert!(call(pad, &[json!("x"), json!("5")]).is_err());
    }

    #[test]
    fn partition_table() {
        let table: &[(Value, Value, Value)] = &[
            (json!([0]), json!(1), json!([[0]])),
            (json!([0]), json!(5), json!([[0]])),
            (json!([0, 1, 2]), json!(2), json!([[0, 1], [2]])),
            (json!([0, 1, 2, 3]), json!(2), json!([[0, 1], [2, 3]])),
            (json!([0, 1, 2, 3]), json!(5), json!([[0, 1, 2, 3]])),
            (
                json!([1, 2, 3, 4, 5, 6, 7, 8, 9]),
                json!(3),
                json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
            ),
            (json!([]), json!(2), json!([])),
            (json!("x"), json!(2), json!([["x"]])),
        ];
        for (arr, size, expected) in table {
            assert_eq!(
                call(partition, &[arr.clone(), size.clone()]),
                Ok(Some(expected.clone())),
                "{arr} {size}"
            );
        }
        assert!(call(partition, &[json!([1]), json!(0)]).is_err());
        assert!(call(partition, &[json!([1]), json!(1.5)]).is_err());
        assert!(call(partition, &[json!([1]), json!(-1)]).is_err());
        assert_eq!(
            call(partition, &[json!([1]), json!("2")]),
            Err("T0410: Argument 2 of function partition does not match function signature".into())
        );
        assert_eq!(
            call(partition, &[json!([1]), json!(1), json!(1)]),
            Err("T0410: Argument 3 of function partition does not match function signature".into())
        );
    }

    #[test]
    fn range_table() {
        let table: &[(f64, f64, f64, Option<Value>)] = &[
            (0.0, 9.0, 3.0, Some(json!([0, 3, 6, 9]))),
            (0.0, 10.0, 3.0, Some(json!([0, 3, 6, 9]))),
            (1.0, 9.0, 2.0, Some(json!([1, 3, 5, 7, 9]))),
            (0.0, 10.0, 2.0, Some(json!([0, 2, 4, 6, 8, 10]))),
            (10.0, 0.0, -5.0, Some(json!([10, 5, 0]))),
            (0.0, 1.0, 0.5, Some(json!([0, 0.5, 1]))),
            (5.0, 1.0, 1.0, None),
        ];
        for (a, b, c, expected) in table {
            let r = range(&[JValue::Number(*a), JValue::Number(*b), JValue::Number(*c)]).unwrap();
            // Sequences are unwrapped by the evaluator, not here; compare the items.
            let got = super::super::convert::from_jvalue(&r).unwrap();
            let got = match (got, expected) {
                (Some(Value::Array(v)), _) if v.is_empty() => None,
                (g, _) => g,
            };
            assert_eq!(&got, expected, "{a} {b} {c}");
        }
        assert!(call(range, &[json!(0), json!(1), json!(0)]).is_err());
        assert!(call(range, &[json!(0), json!(1e12), json!(1)]).is_err());
        assert!(call(range, &[json!("0"), json!(1), json!(1)]).is_err());
    }

    #[test]
    fn hash_table() {
        let table = [
            ("MD5", "5d41402abc4b2a76b9719d911017c592"),
            ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
            (
                "SHA-256",
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            ),
            (
                "SHA-384",
                "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f",
            ),
            (
                "SHA-512",
                "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
            ),
        ];
        for (alg, digest) in table {
            assert_eq!(
                call(hash, &[json!("hello"), json!(alg)]),
                Ok(Some(json!(digest))),
                "{alg}"
            );
        }
        assert!(call(hash, &[json!("hello"), json!("sha256")]).is_err());
        assert!(call(hash, &[json!(1), json!("MD5")]).is_err());
        assert!(call(hash, &[Value::Null, json!("MD5")]).is_err());
    }

    #[test]
    fn random_and_uuid() {
        for _ in 0..100 {
            let Ok(Some(Value::Number(n))) = call(random, &[]) else {
                panic!()
            };
            let n = n.as_f64().unwrap();
            assert!((0.0..1.0).contains(&n));
        }
        let a = call(random, &[json!(42)]).unwrap();
        let b = call(random, &[json!(42.0)]).unwrap();
        let c = call(random, &[json!(43)]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(call(random, &[json!("x")]).is_err());
        let Ok(Some(Value::String(u))) = call(uuid, &[]) else {
            panic!()
        };
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(call(uuid, &[json!(1)]).is_err());
    }

    #[test]
    fn parse_table() {
        let table: &[(&str, Value)] = &[
            ("-0", json!(0)),
            ("1", json!(1)),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
            (
                "{\"Arg1\": 1, \"Arg2\": []}",
                json!({"Arg1": 1, "Arg2": []}),
            ),
            ("null", Value::Null),
        ];
        for (text, expected) in table {
            assert_eq!(
                call(parse, &[json!(text)]),
                Ok(Some(expected.clone())),
                "{text}"
            );
        }
        assert!(call(parse, &[json!("{")]).is_err());
        assert!(call(parse, &[json!(1)]).is_err());
    }
}
