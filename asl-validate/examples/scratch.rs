use std::time::Instant;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

struct Count(usize, usize, usize);
impl MarkedEventReceiver for Count {
    fn on_event(&mut self, ev: Event, _m: Marker) {
        self.0 += 1;
        match ev {
            Event::MappingStart(..) | Event::SequenceStart(..) => { self.1 += 1; self.2 = self.2.max(self.1) }
            Event::MappingEnd | Event::SequenceEnd => self.1 -= 1,
            _ => {}
        }
    }
}

fn yaml(name: &str, text: &str) {
    let t = Instant::now();
    let mut c = Count(0, 0, 0);
    let mut p = Parser::new_from_str(text);
    let r = loop {
        match p.next_token() {
            Ok((Event::StreamEnd, _)) => break Ok(()),
            Ok((ev, m)) => c.on_event(ev, m),
            Err(e) => break Err(e),
        }
    };
    println!("yaml {name}: {} bytes, {:?}, events {} maxdepth {} err {:?}", text.len(), t.elapsed(), c.0, c.2, r.err().map(|e| e.to_string()));
}

fn chain(n: usize) -> String {
    let mut s = String::from("{\"StartAt\":\"S0\",\"States\":{");
    for i in 0..n {
        if i > 0 { s.push(','); }
        if i + 1 < n { s.push_str(&format!("\"S{i}\":{{\"Type\":\"Pass\",\"Next\":\"S{}\"}}", i + 1)); }
        else { s.push_str(&format!("\"S{i}\":{{\"Type\":\"Pass\",\"End\":true}}")); }
    }
    s.push_str("}}");
    s
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let mib = 1 << 20;
    match which.as_str() {
        "yaml1" => {
            let n: usize = std::env::args().nth(3).unwrap().parse().unwrap();
            let k = std::env::args().nth(2).unwrap();
            let text = match k.as_str() {
                "dash" => "- ".repeat(n),
                "qmark" => "? ".repeat(n),
                "dashmap" => "- a: ".repeat(n),
                "flow" => "[".repeat(n),
                "anchors" => "- &a [*a, *a]\n".repeat(n),
                _ => String::new(),
            };
            yaml(&k, &text);
        }
        "yaml" => {
            yaml("dash", &"- ".repeat(mib / 2));
            yaml("qmark", &"? ".repeat(mib / 2));
            yaml("flow[", &"[".repeat(mib));
            yaml("flow{", &"{".repeat(mib));
            let mut s = String::new();
            for i in 0..1400 { s.push_str(&" ".repeat(i)); s.push_str("a:\n"); }
            yaml("stair", &s);
            let mut s = String::new();
            for i in 0..1400 { s.push_str(&" ".repeat(i)); s.push_str("-\n"); }
            yaml("stairseq", &s);
            yaml("dashmap", &"- a: ".repeat(mib / 5));
            yaml("quote", &format!("\"{}", "a".repeat(mib)));
            yaml("anchors", &"- &a [*a, *a]\n".repeat(mib / 16));
        }
        "chain" => {
            for n in [1000, 2000, 6000, 16000] {
                let s = chain(n);
                let t = Instant::now();
                let d = asl_validate::validate(&s);
                println!("chain {n}: {} bytes {:?} {} diags", s.len(), t.elapsed(), d.len());
            }
        }
        "steps" => {
            for (name, text) in shapes() {
                let (d, steps) = asl_core::parse::work::measure(|| asl_validate::validate(&text));
                let w = asl_validate::fuzz_input(text.as_bytes());
                let db: usize = d.iter().map(|d| d.pointer.len() + d.message.len()).sum();
                println!("{name}: {} bytes, validate {:.2}/byte ({} diags {db} bytes; {:.2}/all), fuzz {:.2}/(in+out) {:?}", text.len(), steps as f64 / text.len() as f64, d.len(), steps as f64 / (text.len() + db) as f64, w.steps as f64 / (text.len() + w.diagnostic_bytes) as f64, w);
            }
        }
        "one" => {
            let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
            let s = chain(n);
            let d = asl_validate::validate(&s);
            println!("{}", d.len());
        }
        "phases" => {
            for n in [2000, 16000] {
                let s = chain(n);
                let t = Instant::now();
                let v: serde_json::Value = serde_json::from_str(&s).unwrap();
                println!("serde {n}: {:?}", t.elapsed());
                let t = Instant::now();
                let m = asl_core::StateMachine::from_value(&v).unwrap();
                println!("from_value {n}: {:?}", t.elapsed());
                let t = Instant::now();
                let d = asl_validate::validate_value(&v);
                println!("validate_value {n}: {:?} {}", t.elapsed(), d.len());
                let t = Instant::now();
                let (_, steps) = asl_core::parse::work::measure(|| asl_validate::validate(&s));
                println!("validate {n}: {:?} steps {steps} per byte {}", t.elapsed(), steps as f64 / s.len() as f64);
                drop(m);
            }
        }
        "deep" => {
            for n in [2000, 5000, 20000] {
                let s = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
                let t = Instant::now();
                let d = asl_validate::validate(&s);
                println!("deep obj {n}: {} bytes {:?} {:?}", s.len(), t.elapsed(), d.iter().map(|d| d.code).collect::<Vec<_>>());
                let s = format!("{}{}", "[".repeat(n), "]".repeat(n));
                let t = Instant::now();
                let d = asl_validate::validate(&s);
                println!("deep arr {n}: {} bytes {:?} {:?}", s.len(), t.elapsed(), d.iter().map(|d| d.code).collect::<Vec<_>>());
            }
        }
        "strings" => {
            let run = |name: &str, f: &(dyn Fn() + Sync)| {
                let t = Instant::now();
                std::thread::scope(|s| { std::thread::Builder::new().stack_size(2 << 20).spawn_scoped(s, f).unwrap().join().ok(); });
                println!("{name}: {:?}", t.elapsed());
            };
            for n in [1000usize, 10000, 100000] {
                let intr = format!("{}{}", "States.Array(".repeat(n), ")".repeat(n));
                run(&format!("intrinsic {n}"), &|| { let _ = asl_core::intrinsics::parse(&intr); });
                let p = format!("$.a{}{}", "[?(@.a[?(@.b".repeat(n), ")]".repeat(n));
                run(&format!("jsonpath {n}"), &|| { let _ = asl_core::path::JsonPath::parse(&p); });
                let j = format!("{}1{}", "(".repeat(n), ")".repeat(n));
                run(&format!("jsonata paren {n}"), &|| { let _ = asl_core::jsonata::Expression::compile(&j); });
                let j = format!("{}1{}", "[".repeat(n), "]".repeat(n));
                run(&format!("jsonata arr {n}"), &|| { let _ = asl_core::jsonata::Expression::compile(&j); });
                let j = format!("{}1", "-".repeat(n));
                run(&format!("jsonata neg {n}"), &|| { let _ = asl_core::jsonata::Expression::compile(&j); });
            }
        }
        _ => {}
    }
}

pub fn shapes() -> Vec<(String, String)> {
    let mib = 1 << 20;
    let mut v = vec![];
    v.push(("chain2000".into(), chain(2000)));
    let mut s = String::from("{\"StartAt\":\"S0\",\"States\":{");
    for i in 0..2000 { if i > 0 { s.push(','); } s.push_str(&format!("\"S{i}\":{{\"Type\":\"Pass\",\"End\":true}}")); }
    s.push_str("}}");
    v.push(("wide2000".into(), s));
    v.push(("deepobj".into(), format!("{}1{}", "{\"a\":".repeat(20000), "}".repeat(20000))));
    v.push(("braces".into(), "{".repeat(mib / 8)));
    v.push(("brackets".into(), "[".repeat(mib / 8)));
    v.push(("quote".into(), format!("\"{}", "a".repeat(mib / 8))));
    v.push(("yamldash".into(), "- ".repeat(mib / 16)));
    let mut m = "{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Pass\",\"End\":true}}}".to_string();
    for _ in 0..16 { m = format!("{{\"StartAt\":\"P\",\"States\":{{\"P\":{{\"Type\":\"Parallel\",\"Branches\":[{m},{m}],\"End\":true}}}}}}"); if m.len() > 200000 { break; } }
    v.push(("parallel".into(), m));
    let key = "k".repeat(100000);
    let fields: Vec<String> = (0..5000).map(|i| format!("\"f{i}\":\"$.a\",\"g{i}.$\":7")).collect();
    v.push(("longkey".into(), format!("{{\"StartAt\":\"A\",\"States\":{{\"A\":{{\"Type\":\"Pass\",\"End\":true,\"Parameters\":{{\"{key}\":{{{}}}}}}}}}}}", fields.join(","))));
    v.push(("chainloop".into(), chain(2000).replace("\"End\":true", "\"Next\":\"S0\"")));
    v
}
