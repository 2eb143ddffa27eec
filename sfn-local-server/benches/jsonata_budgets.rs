//! `cargo bench -p sfn-local-server --bench jsonata_budgets`: what the JSONata limits cost an
//! ordinary expression, and how soon each kind of bomb is stopped (std timing, under the
//! `sfn-local` allocator, default limits).

use std::hint::black_box;
use std::time::Instant;

use asl_core::NoVariables;
use asl_core::jsonata::{self, Expression, StatesBinding};
use serde_json::json;

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

fn main() {
    let input =
        json!({"items": (0..100).map(|i| json!({"id": i, "price": i * 3})).collect::<Vec<_>>()});
    let context = json!({"Execution": {"Id": "arn"}});
    let states = StatesBinding::new(&input, &context);
    for (name, src, iters) in [
        (
            "$states.input.items[3].id",
            "$states.input.items[3].id",
            200_000u32,
        ),
        (
            "$sum($states.input.items.price)",
            "$sum($states.input.items.price)",
            50_000,
        ),
        (
            "{'n': $count(...), 'max': $max(...)}",
            "{'n': $count($states.input.items), 'max': $max($states.input.items.price)}",
            50_000,
        ),
    ] {
        let e = Expression::compile(src).unwrap();
        for _ in 0..iters / 10 {
            black_box(jsonata::evaluate(&e, &states, &NoVariables, "Output").unwrap());
        }
        let t = Instant::now();
        for _ in 0..iters {
            black_box(jsonata::evaluate(&e, &states, &NoVariables, "Output").unwrap());
        }
        let ns = t.elapsed().as_nanos() as f64 / iters as f64;
        println!("{name:<45} {ns:>10.1} ns/eval");
    }
    println!();
    for (name, src) in [
        (
            "string doubled 40 times (memory)",
            "$reduce([1..40], function($a, $i){ $a & $a }, 'xxxxxxxxxxxxxxxx')",
        ),
        (
            "$pad('x', 1e9) (memory, before building)",
            "$pad('x', 1000000000)",
        ),
        (
            "$map over 1,000 ranges of 10^7 (sequence)",
            "$map([1..1000], function($i){ [1..10000000] })",
        ),
        ("$count([1..5000000]) (sequence)", "$count([1..5000000])"),
        (
            "recursion 200,000 deep (depth)",
            "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200000))",
        ),
        (
            "endless tail calls (time)",
            "($f := function($n){ $f($n + 1) }; $f(0))",
        ),
    ] {
        let e = Expression::compile(src).unwrap();
        let t = Instant::now();
        let r = jsonata::evaluate(&e, &states, &NoVariables, "Output");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let cause = r.err().map(|e| e.cause).unwrap_or_default();
        // The JSONata code in the cause (`D1012`, `U1004`, ...).
        let code = cause
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| {
                w.len() == 5
                    && w.starts_with(['D', 'U'])
                    && w[1..].bytes().all(|b| b.is_ascii_digit())
            })
            .unwrap_or("none")
            .to_string();
        println!("{name:<45} stopped in {ms:>8.1} ms ({code})");
    }
}
