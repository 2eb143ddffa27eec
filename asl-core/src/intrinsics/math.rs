//! `States.MathAdd` and `States.MathRandom`.

use serde_json::Value;

use super::{Args, Function, int_arg, invalid_args};
use crate::error::StatesResult;

/// `States.MathAdd(a, b)`: both operands rounded half up (Java's `Math.round`: 2.5 -> 3,
/// -2.5 -> -2), then added; operands and sum must fit a 32-bit int.
pub(super) fn add(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::MathAdd;
    let [a, b] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let int = |v: &Value| -> StatesResult<i64> {
        let n = v.as_number().ok_or_else(|| invalid_args(f))?;
        let rounded = match n.as_i64() {
            Some(i) => i,
            None => java_round(n.as_f64().ok_or_else(|| invalid_args(f))?)
                .ok_or_else(|| invalid_args(f))?,
        };
        i32::try_from(rounded)
            .map(i64::from)
            .map_err(|_| invalid_args(f))
    };
    let sum = int(a)? + int(b)?;
    i32::try_from(sum)
        .map(Value::from)
        .map_err(|_| invalid_args(f))
}

/// Java's `Math.round(double)`: `floor(x + 0.5)` computed exactly, or `None` when out of range.
fn java_round(x: f64) -> Option<i64> {
    let floor = x.floor();
    // x - floor(x) is exact for every finite double, so the half-way test is exact too.
    let rounded = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    (rounded.is_finite() && rounded.abs() < 9.2e18).then_some(rounded as i64)
}

/// `States.MathRandom(start, end[, seed])`: an integer in `[start, end)`.
///
/// Bounds are truncated to ints and `start` must be below `end`. With a seed the result is
/// deterministic: it is `java.util.Random(seed).nextInt(end - start) + start`, the obvious Java
/// implementation (AWS's exact sequence is unverified). Without one the seed is random.
pub(super) fn random(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::MathRandom;
    let (start, end, seed) = match args.as_slice() {
        [start, end] => (start, end, None),
        [start, end, seed] => (start, end, Some(seed)),
        _ => return Err(invalid_args(f)),
    };
    let (start, end) = (int_arg(start, f)?, int_arg(end, f)?);
    let seed = match seed {
        Some(seed) => seed_arg(seed).ok_or_else(|| invalid_args(f))?,
        None => random_seed(),
    };
    let bound = i32::try_from(end - start)
        .ok()
        .filter(|b| *b > 0)
        .ok_or_else(|| invalid_args(f))?;
    let value = JavaRandom::new(seed).next_int(bound);
    Ok(Value::from(start + i64::from(value)))
}

/// A seed is any number, truncated to a Java `long`.
fn seed_arg(seed: &Value) -> Option<i64> {
    let n = seed.as_number()?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.trunc() as i64)
    })
}

/// 64 random bits from the operating system, borrowed from a version 4 UUID.
fn random_seed() -> i64 {
    let bits = uuid::Uuid::new_v4().as_u128();
    (bits as u64 ^ (bits >> 64) as u64) as i64
}

/// `java.util.Random`'s 48-bit linear congruential generator.
struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom {
            state: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.state = self
            .state
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::ADDEND)
            & Self::MASK;
        (self.state >> (48 - bits)) as u32 as i32
    }

    /// `Random.nextInt(bound)` for a positive bound, rejection loop included.
    fn next_int(&mut self, bound: i32) -> i32 {
        let m = bound - 1;
        let mut r = self.next(31);
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, eval, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn add_table() {
        let bad = || Err(invalid(Function::MathAdd));
        let a = "States.MathAdd($.a, $.b)";
        check(&[
            // Recorded AWS cases: each operand is rounded half up before the addition.
            (a, json!({"a": -9, "b": 3}), Ok(json!(-6))),
            (a, json!({"a": 1.49, "b": 1.5}), Ok(json!(3))),
            (a, json!({"a": 1.5, "b": 1.51}), Ok(json!(4))),
            (a, json!({"a": -1.49, "b": -1.5}), Ok(json!(-2))),
            (a, json!({"a": -1.5, "b": -1.51}), Ok(json!(-3))),
            (a, json!({"a": 1.49, "b": -1.49}), Ok(json!(0))),
            (a, json!({"a": 0.5, "b": 0}), Ok(json!(1))),
            (a, json!({"a": 2.5, "b": 0}), Ok(json!(3))),
            (a, json!({"a": -0.5, "b": 0}), Ok(json!(0))),
            (a, json!({"a": -0.5, "b": 0.5}), Ok(json!(1))),
            (a, json!({"a": -2.5, "b": 0}), Ok(json!(-2))),
            (a, json!({"a": -3.5, "b": 0}), Ok(json!(-3))),
            (a, json!({"a": -1.51, "b": 0}), Ok(json!(-2))),
            (a, json!({"a": 0.49999999999999994, "b": 0}), Ok(json!(0))),
            ("States.MathAdd(5, 3)", json!({}), Ok(json!(8))),
            ("States.MathAdd($.v, -1)", json!({"v": 111}), Ok(json!(110))),
            (
                "States.MathAdd(States.MathAdd(5, 1), 2)",
                json!({}),
                Ok(json!(8)),
            ),
            (
                "States.MathAdd(2147483646, 1)",
                json!({}),
                Ok(json!(2147483647)),
            ),
            (
                "States.MathAdd(-2147483647, -1)",
                json!({}),
                Ok(json!(-2147483648_i64)),
            ),
            ("States.MathAdd(2147483647, 1)", json!({}), bad()),
            ("States.MathAdd(-2147483648, -1)", json!({}), bad()),
            ("States.MathAdd(3000000000, 1)", json!({}), bad()),
            ("States.MathAdd(2147483647.6, 0)", json!({}), bad()),
            ("States.MathAdd(1e300, 0)", json!({}), bad()),
            ("States.MathAdd('1', 2)", json!({}), bad()),
            ("States.MathAdd(1, '2')", json!({}), bad()),
            ("States.MathAdd(null, 1)", json!({}), bad()),
            ("States.MathAdd(true, 1)", json!({}), bad()),
            ("States.MathAdd($.a, 1)", json!({"a": [1]}), bad()),
        ]);
    }

    #[test]
    fn random_stays_in_range() {
        for (text, low, high) in [
            ("States.MathRandom(1, 999)", 1, 999),
            ("States.MathRandom(12.5, 44.51)", 12, 44),
            ("States.MathRandom(-99999, -9999)", -99999, -9999),
            ("States.MathRandom(1.6, 5.4)", 1, 5),
            ("States.MathRandom(0, 1)", 0, 1),
            (
                "States.MathRandom(2147483640, 2147483647, 1)",
                2147483640,
                2147483647,
            ),
            ("States.MathRandom(-2147483647, 0)", -2147483647, 0),
        ] {
            for _ in 0..50 {
                let value = eval(text, json!({})).unwrap().as_i64().unwrap();
                assert!((low..high).contains(&value), "{text} gave {value}");
            }
        }
    }

    #[test]
    fn random_with_seed_is_deterministic() {
        let first = eval("States.MathRandom(0, 999, 3)", json!({}));
        for _ in 0..10 {
            assert_eq!(eval("States.MathRandom(0, 999, 3)", json!({})), first);
        }
        let negative = eval("States.MathRandom(1, 10, -10)", json!({})).unwrap();
        assert!((1..10).contains(&negative.as_i64().unwrap()));
    }

    #[test]
    fn java_random_sequence() {
        // Well-known first values: new Random(42).nextInt() = -1170105035,
        // new Random(0).nextInt() = -1155484576; bounded calls reuse the top 31 bits.
        assert_eq!(JavaRandom::new(42).next(32), -1170105035);
        assert_eq!(JavaRandom::new(0).next(32), -1155484576);
        assert_eq!(JavaRandom::new(42).next_int(10), 1562431130 % 10);
        assert_eq!(JavaRandom::new(42).next_int(100), 1562431130 % 100);
        // Power-of-two bound: (16 * 1569741360) >> 31.
        assert_eq!(JavaRandom::new(0).next_int(16), 11);
    }

    #[test]
    fn random_errors() {
        let bad = || Err(invalid(Function::MathRandom));
        check(&[
            ("States.MathRandom(1, 1)", json!({}), bad()),
            ("States.MathRandom(10, 5)", json!({}), bad()),
            ("States.MathRandom(1.4, 1.6)", json!({}), bad()),
            ("States.MathRandom('a', 10)", json!({}), bad()),
            ("States.MathRandom(1, 'b')", json!({}), bad()),
            ("States.MathRandom(1, 10, 'seed')", json!({}), bad()),
            ("States.MathRandom(1, 10, null)", json!({}), bad()),
            // end - start must fit an int, as Java's nextInt(bound) requires.
            (
                "States.MathRandom(-2147483648, 2147483647)",
                json!({}),
                bad(),
            ),
            ("States.MathRandom(-2147483648, 0)", json!({}), bad()),
        ]);
    }
}
