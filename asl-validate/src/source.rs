//! From command-line arguments to definitions with their diagnostics located in their files.
//!
//! A file is a definition (JSON or YAML with `StartAt`/`States`), a template (with
//! `Resources`, see [`crate::template`]), or, when it was found by walking a folder, something
//! else that is skipped quietly (`package.json`, `cdk.out/manifest.json`, ...).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_core::parse::{LineCol, line_col_at, locate_offset};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::origin::{Assembled, json_string_offset, yaml_scalar_position};
use crate::template::{self, FoundKind};
use crate::{validate, validate_value, yaml};

/// The diagnostics of one definition, located in the file that holds it.
#[derive(Debug)]
pub(crate) struct Report {
    /// The file, as the user named it (or as found under a folder they named).
    pub file: String,
    /// The file's text, for showing the offending line.
    pub source: Arc<str>,
    /// The template resource that holds the definition, if any.
    pub definition: Option<String>,
    /// The findings, in the order the rules made them.
    pub diagnostics: Vec<Located>,
}

/// A diagnostic and where it is in its file.
#[derive(Debug)]
pub(crate) struct Located {
    pub diag: Diagnostic,
    pub at: Option<LineCol>,
}

/// How pointers of a definition map to places in its file.
enum Locator<'a> {
    /// The definition is the file (JSON).
    Text(&'a str),
    /// The definition is embedded at `prefix` in a template.
    Embedded(File<'a>, String),
    /// The definition was assembled from strings of a template (`DefinitionString`); what
    /// cannot be traced to one of them is reported at `fallback`.
    Assembled {
        asm: &'a Assembled,
        file: File<'a>,
        fallback: Option<LineCol>,
    },
    /// Everything is reported at one place.
    Fixed(Option<LineCol>),
}

/// A template file, as text and as read.
#[derive(Clone, Copy)]
enum File<'a> {
    Json(&'a str),
    Yaml(&'a yaml::YamlDoc, &'a str),
}

impl File<'_> {
    /// The node at `pointer` (a member's key, an element itself).
    fn node(&self, pointer: &str) -> Option<LineCol> {
        match self {
            File::Json(text) => locate_offset(text, pointer).map(|o| line_col_at(text, o)),
            File::Yaml(doc, _) => doc.positions.get(pointer).copied(),
        }
    }

    /// Byte `offset` of the value of the string at `pointer`.
    fn in_string(&self, pointer: &str, offset: usize) -> Option<LineCol> {
        match self {
            File::Json(text) => {
                json_string_offset(text, pointer, offset).map(|o| line_col_at(text, o))
            }
            File::Yaml(doc, text) => {
                let (at, style) = doc.scalars.get(pointer)?;
                let value = doc.value.pointer(pointer)?.as_str()?;
                yaml_scalar_position(text, *at, *style, value, offset)
            }
        }
    }
}

impl Locator<'_> {
    fn locate(&self, d: &Diagnostic) -> Option<LineCol> {
        match self {
            Locator::Text(text) => match d.offset {
                Some(o) => Some(line_col_at(text, o)),
                None => with_parents(&d.pointer, |p| locate_offset(text, p))
                    .map(|o| line_col_at(text, o)),
            },
            Locator::Embedded(file, prefix) => {
                with_parents(&d.pointer, |p| file.node(&format!("{prefix}{p}")))
            }
            Locator::Assembled {
                asm,
                file,
                fallback,
            } => d
                .offset
                .or_else(|| with_parents(&d.pointer, |p| locate_offset(&asm.text, p)))
                .and_then(|o| asm.origin(o))
                .and_then(|(pointer, within)| file.in_string(pointer, within))
                .or(*fallback),
            Locator::Fixed(at) => *at,
        }
    }
}

/// `find` at `pointer`, or else at its nearest ancestor the file has (a pointer to a default,
/// or to a key a decoder merged, falls back to its parent).
fn with_parents<T>(pointer: &str, find: impl Fn(&str) -> Option<T>) -> Option<T> {
    let mut pointer = pointer;
    loop {
        if let Some(found) = find(pointer) {
            return Some(found);
        }
        pointer = &pointer[..pointer.rfind('/')?];
    }
}

/// Validates everything in a file read as bytes: text that is not UTF-8 cannot be a
/// definition, and is reported as such when the file was meant as one.
pub(crate) fn check_bytes(
    display: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
    explicit: bool,
) -> Vec<Report> {
    match String::from_utf8(bytes) {
        Ok(text) => check_file(display, path, text, explicit),
        Err(e) if explicit || display.ends_with(".asl.json") => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut d = Diagnostic::new(
                crate::Code::InvalidJsonDescription,
                "",
                format!("The file is not UTF-8 text (invalid byte at offset {at})"),
            );
            d.offset = Some(at);
            let source: Arc<str> = Arc::from(text);
            let located = Located {
                at: Some(line_col_at(&source, at)),
                diag: d,
            };
            vec![Report {
                file: display.to_string(),
                source,
                definition: None,
                diagnostics: vec![located],
            }]
        }
        Err(_) => Vec::new(),
    }
}

/// Validates everything in one file. `explicit` is false for files found by walking a folder.
pub(crate) fn check_file(
    display: &str,
    path: Option<&Path>,
    text: String,
    explicit: bool,
) -> Vec<Report> {
    let source: Arc<str> = Arc::from(text);
    // Stdin has no extension: YAML is recognised by not looking like JSON.
    let is_yaml = match path {
        Some(p) => matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")),
        None => !source.trim_start().starts_with(['{', '[']) && !source.trim().is_empty(),
    };
    let report = |definition: Option<String>, diags: Vec<Diagnostic>, loc: &Locator| Report {
        file: display.to_string(),
        source: source.clone(),
        definition,
        diagnostics: diags
            .into_iter()
            .map(|diag| Located {
                at: loc.locate(&diag),
                diag,
            })
            .collect(),
    };
    if is_yaml {
        let doc = match yaml::parse(&source) {
            Ok(doc) => doc,
            Err(e) if explicit => {
                let d = Diagnostic::new(
                    crate::Code::InvalidJsonDescription,
                    "",
                    format!("Invalid YAML: {e}"),
                );
                return vec![report(None, vec![d], &Locator::Fixed(None))];
            }
            Err(_) => return Vec::new(),
        };
        let file = File::Yaml(&doc, &source);
        if template::is_template(&doc.value) {
            return from_template(display, path, &source, &doc.value, file);
        }
        if explicit || is_definition(&doc.value) {
            let diags = validate_value(&doc.value);
            return vec![report(None, diags, &Locator::Embedded(file, String::new()))];
        }
        return Vec::new();
    }
    let value: Option<Value> = serde_json::from_str(&source).ok();
    match value {
        Some(v) if template::is_template(&v) => {
            from_template(display, path, &source, &v, File::Json(&source))
        }
        Some(v) if !explicit && !is_definition(&v) => Vec::new(),
        None if !explicit && !looks_like_definition(display, &source) => Vec::new(),
        _ => vec![report(None, validate(&source), &Locator::Text(&source))],
    }
}

fn is_definition(v: &Value) -> bool {
    v.get("StartAt").is_some() || v.get("States").is_some()
}

/// A broken JSON file found in a folder is reported only when it was meant as a definition.
fn looks_like_definition(name: &str, text: &str) -> bool {
    name.ends_with(".asl.json") || text.contains("\"StartAt\"")
}

fn from_template(
    display: &str,
    path: Option<&Path>,
    source: &Arc<str>,
    template: &Value,
    file: File<'_>,
) -> Vec<Report> {
    let mut out = Vec::new();
    for found in template::definitions(template) {
        let at = file.node(&found.pointer);
        let diags = match &found.kind {
            FoundKind::Value(v) => template::validate_definition(v),
            FoundKind::Text(t) => validate(&t.text),
            FoundKind::Unreadable(why) => {
                eprintln!("note: {display}: {}: {why}; skipped", found.name);
                continue;
            }
            FoundKind::File(rel) => {
                let base = path.and_then(Path::parent).unwrap_or(Path::new(""));
                let target: PathBuf = base.join(rel);
                let shown = target.to_string_lossy().into_owned();
                match std::fs::read(&target) {
                    Ok(bytes) => out.extend(check_bytes(&shown, Some(&target), bytes, true)),
                    Err(e) => {
                        let d = Diagnostic::new(
                            crate::Code::MissingDescription,
                            "",
                            format!("DefinitionUri '{rel}' cannot be read: {e}"),
                        );
                        out.push(Report {
                            file: display.to_string(),
                            source: source.clone(),
                            definition: Some(found.name),
                            diagnostics: vec![Located { diag: d, at }],
                        });
                    }
                }
                continue;
            }
        };
        let loc = match &found.kind {
            FoundKind::Text(asm) => Locator::Assembled {
                asm,
                file,
                fallback: at,
            },
            _ => Locator::Embedded(file, found.pointer.clone()),
        };
        out.push(Report {
            file: display.to_string(),
            source: source.clone(),
            definition: Some(found.name.clone()),
            diagnostics: diags
                .into_iter()
                .map(|diag| Located {
                    at: loc.locate(&diag),
                    diag,
                })
                .collect(),
        });
    }
    out
}

/// Expands the arguments into files: `-` is stdin, folders are walked, globs are matched.
/// Returns `(display name, path)`; `None` is stdin. The bool says whether it was named.
pub(crate) fn expand(args: &[String]) -> Result<Vec<(String, Option<PathBuf>, bool)>, String> {
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" {
            out.push(("<stdin>".to_string(), None, true));
        } else if arg.contains(['*', '?', '[']) {
            let matches = glob(arg)?;
            if matches.is_empty() {
                return Err(format!("{arg}: no file matches this pattern"));
            }
            out.extend(
                matches
                    .into_iter()
                    .map(|p| (p.to_string_lossy().into_owned(), Some(p), true)),
            );
        } else {
            let p = PathBuf::from(arg);
            if p.is_dir() {
                let mut files = Vec::new();
                walk(&p, &mut files)?;
                out.extend(
                    files
                        .into_iter()
                        .map(|f| (f.to_string_lossy().into_owned(), Some(f), false)),
                );
            } else if p.exists() {
                out.push((arg.clone(), Some(p), true));
            } else {
                return Err(format!("{arg}: no such file or directory"));
            }
        }
    }
    Ok(out)
}

const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "asl"];
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target", ".venv", "__pycache__"];

/// The entries of `dir`, sorted. A folder that cannot be read is an I/O problem: skipping it
/// quietly would let CI pass without looking at what it holds.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let read = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        paths.push(entry.map_err(read)?.path());
    }
    paths.sort();
    Ok(paths)
}

/// Every candidate file under `dir`, sorted, skipping dependency and VCS folders.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for p in entries(dir)? {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            if !SKIP_DIRS.contains(&name) {
                walk(&p, out)?;
            }
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Files matching a glob: `*` and `?` within a path segment, `**` across segments.
fn glob(pattern: &str) -> Result<Vec<PathBuf>, String> {
    let segments: Vec<&str> = pattern.split('/').collect();
    let fixed = segments
        .iter()
        .take_while(|s| !s.contains(['*', '?', '[']))
        .count();
    let base: PathBuf = if fixed == 0 {
        PathBuf::from(".")
    } else {
        segments[..fixed].join("/").into()
    };
    let base = if base.as_os_str().is_empty() {
        PathBuf::from("/")
    } else {
        base
    };
    let mut files = Vec::new();
    walk_all(&base, &mut files)?;
    let rest = &segments[fixed..];
    Ok(files
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(&base).unwrap_or(f);
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            match_segments(rest, &parts)
        })
        .map(|f| {
            if fixed == 0 {
                f.strip_prefix("./").map(Path::to_path_buf).unwrap_or(f)
            } else {
                f
            }
        })
        .collect())
}

/// Every file under `dir` (for globs), skipping dependency and VCS folders.
fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    for p in entries(dir)? {
        if p.is_dir() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !SKIP_DIRS.contains(&name) {
                walk_all(&p, out)?;
            }
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn match_segments(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(&"**"), _) => {
            match_segments(&pattern[1..], path)
                || (!path.is_empty() && match_segments(pattern, &path[1..]))
        }
        (Some(p), Some(s)) => {
            match_name(p.as_bytes(), s.as_bytes()) && match_segments(&pattern[1..], &path[1..])
        }
        _ => false,
    }
}

/// `*`, `?` and `[abc]` / `[a-z]` within one name.
fn match_name(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| match_name(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && match_name(&p[1..], &s[1..]),
        Some(b'[') => {
            let Some(end) = p.iter().position(|&c| c == b']') else {
                return s.first() == Some(&b'[') && match_name(&p[1..], &s[1..]);
            };
            let Some(&c) = s.first() else { return false };
            let class = &p[1..end];
            let hit = class.iter().enumerate().any(|(i, &x)| {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    (x..=class[i + 2]).contains(&c)
                } else {
                    x == c
                }
            });
            hit && match_name(&p[end + 1..], &s[1..])
        }
        Some(&c) => s.first() == Some(&c) && match_name(&p[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matching() {
        let m = |p: &str, s: &str| {
            match_segments(
                &p.split('/').collect::<Vec<_>>(),
                &s.split('/').collect::<Vec<_>>(),
            )
        };
        assert!(m("**/*.json", "a/b/c.json"));
        assert!(m("**/*.json", "c.json"));
        assert!(m("a/*.asl.json", "a/x.asl.json"));
        assert!(!m("a/*.json", "a/b/x.json"));
        assert!(m("s?.[jy]aml", "s1.yaml"));
        assert!(!m("*.yaml", "x.json"));
    }

    const DEFINITION: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"x.$": "States.Format('{}', $.a)"}, "Next": "B"}, "B": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "A"}], "Default": "C"}, "C": {"Type": "Fail", "Error": "$.e"}}}"#;

    /// A CloudFormation template whose `DefinitionString` joins `parts`, once as JSON and once
    /// read as YAML (JSON is YAML too).
    fn check_template(parts: &[String]) -> Vec<Report> {
        let template = serde_json::json!({"Resources": {"M": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionString": {"Fn::Join": ["", parts]}},
        }}})
        .to_string();
        let mut reports = check_file("t.json", Some(Path::new("t.json")), template.clone(), true);
        reports.extend(check_file(
            "t.yaml",
            Some(Path::new("t.yaml")),
            template,
            true,
        ));
        reports
    }

    proptest::proptest! {
        #[test]
        fn any_file_is_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            for name in ["x.json", "x.yaml", "x.asl.json"] {
                let _ = check_bytes(name, Some(Path::new(name)), bytes.clone(), true);
            }
            let _ = check_bytes("<stdin>", None, bytes, true);
        }

        #[test]
        fn any_text_is_read_without_panic(text in ".{0,300}") {
            for name in ["x.json", "x.yaml"] {
                let _ = check_file(name, Some(Path::new(name)), text.clone(), true);
            }
            let _ = check_file("<stdin>", None, text, true);
        }

        /// However a definition is cut into `Fn::Join` parts (and whatever is mixed in), every
        /// finding is placed somewhere in the template file.
        #[test]
        fn joined_definitions_are_located(
            cuts in proptest::collection::vec(0usize..400, 0..6),
            noise in "[\\\"{}\\[\\]a-z$:, ]{0,6}",
            at in 0usize..8,
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| DEFINITION.is_char_boundary(*c)).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut last = 0;
            for c in cuts {
                parts.push(DEFINITION[last..c].to_string());
                last = c;
            }
            parts.push(DEFINITION[last..].to_string());
            let i = at.min(parts.len());
            parts.insert(i, noise);
            for r in check_template(&parts) {
                for l in &r.diagnostics {
                    proptest::prop_assert!(l.at.is_some(), "{} unlocated: {:?}", r.file, l.diag);
                }
            }
        }
    }

    #[test]
    fn joined_definition_points_into_its_part() {
        let parts = [
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "#.to_string(),
            r#""Next": "Nowhere"}}}"#.to_string(),
        ];
        let reports = check_template(&parts);
        let at: Vec<_> = reports.iter().map(|r| r.diagnostics[0].at).collect();
        // `"Next"` is the first byte of the second part: in the JSON text, right after its quote.
        let json = &reports[0].source;
        let column = json.find(r#""\"Next"#).unwrap() + 2;
        assert_eq!(at[0], Some(LineCol { line: 1, column }));
        assert_eq!(at[1], at[0]);
    }
}
