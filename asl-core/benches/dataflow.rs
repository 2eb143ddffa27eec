//! `cargo bench -p asl-core`: JSONPath evaluation and payload templates (std timing, no deps).

use std::hint::black_box;
use std::time::Instant;

use asl_core::dataflow::eval_payload;
use asl_core::model::Template;
use asl_core::path::JsonPath;
use asl_core::{NoVariables, Scope, StateMachine};
use serde_json::json;

fn bench(name: &str, iters: u32, mut f: impl FnMut()) {
    for _ in 0..iters / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    let ns = t.elapsed().as_nanos() as f64 / iters as f64;
    println!("{name:<40} {ns:>10.1} ns/iter");
}

fn main() {
    let input = json!({"a": {"b": {"c": [1, 2, 3, {"d": "x"}]}}, "items": (0..100).map(|i| json!({"id": i, "tag": "t"})).collect::<Vec<_>>()});
    let ctx = json!({"Execution": {"Id": "arn"}});
    let scope = Scope::new(&input, &ctx, &NoVariables);
    for (name, p) in [
        ("path $.a.b", "$.a.b"),
        ("path $.a.b.c[3].d", "$.a.b.c[3].d"),
        ("path $.items[*].id (100)", "$.items[*].id"),
        ("path $.items[?(@.id > 90)]", "$.items[?(@.id > 90)]"),
        ("path $$.Execution.Id", "$$.Execution.Id"),
    ] {
        let path = JsonPath::parse(p).unwrap();
        bench(name, 200_000, || {
            black_box(path.evaluate(&scope).unwrap());
        });
    }
    bench("parse $.a.b.c[3].d", 200_000, || {
        black_box(JsonPath::parse("$.a.b.c[3].d").unwrap());
    });
    let sm = StateMachine::from_value(&json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
        "Parameters": {"k.$": "$.a.b", "n.$": "States.MathAdd(1, 2)", "s.$": "States.Format('x{}', $.a.b.c[3].d)", "lit": {"x": [1, 2]}}}}}))
    .unwrap();
    let Some(Template::Payload(t)) = &sm.start_state().io.parameters else {
        unreachable!()
    };
    bench("payload template (4 fields, 2 intrinsics)", 200_000, || {
        black_box(eval_payload(t, &scope).unwrap());
    });
}
