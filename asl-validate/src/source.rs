//! From command-line arguments to definitions with their diagnostics located in their files.
//!
//! A file is a definition (JSON or YAML with `StartAt`/`States`), a template (with
//! `Resources`, see [`crate::template`]), or, when it was found by walking a folder, something
//! else that is skipped quietly (`package.json`, `cdk.out/manifest.json`, ...).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_core::limits::MAX_DEFINITION_CHARS;
use asl_core::parse::{LineCol, LineIndex, line_col_at, locate_all};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::origin::{Assembled, json_string_offsets, yaml_scalar_positions};
use crate::template::{self, FoundKind};
use crate::yaml::YamlError;
use crate::{rules, validate, validate_value, yaml};

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

/// How the diagnostics of one definition are placed in their file.
enum Place<'a> {
    /// The definition is the file (JSON): by byte offset, or by pointer.
    Text,
    /// The definition is embedded at this pointer of the file.
    Embedded(String),
    /// The definition was assembled from strings of a template (`DefinitionString`); what
    /// cannot be traced to one of them is placed at the fallback.
    Assembled(&'a Assembled, Option<LineCol>),
    /// Everything is placed at one place.
    Fixed(Option<LineCol>),
}

/// A file, as text and as read.
#[derive(Clone, Copy)]
enum File<'a> {
    Json(&'a str),
    Yaml(&'a yaml::YamlDoc, &'a str),
}

impl<'a> File<'a> {
    fn text(&self) -> &'a str {
        match self {
            File::Json(text) | File::Yaml(_, text) => text,
        }
    }

    /// The node at each pointer (a member's key, an element itself).
    fn nodes(&self, lines: &LineIndex, pointers: &[&str]) -> Vec<Option<LineCol>> {
        match self {
            File::Json(text) => locate_all(text, pointers)
                .into_iter()
                .map(|f| f.filter(|f| f.exact).map(|f| lines.line_col(f.offset)))
                .collect(),
            File::Yaml(doc, _) => pointers.iter().map(|p| doc.position(p)).collect(),
        }
    }

    /// For each `(prefix, pointer)`: the node at `prefix` + `pointer`, or else its nearest
    /// ancestor that the file has (a pointer to a default, or to a key a decoder merged, falls
    /// back to its parent).
    fn nearest(&self, lines: &LineIndex, wanted: &[(&str, &str)]) -> Vec<Option<LineCol>> {
        match self {
            File::Json(text) => {
                let full: Vec<String> = wanted.iter().map(|(a, b)| format!("{a}{b}")).collect();
                let refs: Vec<&str> = full.iter().map(String::as_str).collect();
                locate_all(text, &refs)
                    .into_iter()
                    .map(|f| f.map(|f| lines.line_col(f.offset)))
                    .collect()
            }
            File::Yaml(doc, _) => wanted
                .iter()
                .map(|(prefix, pointer)| doc.nearest(prefix, pointer))
                .collect(),
        }
    }

    /// For each `(pointer, offset)`: where byte `offset` of the value of the string at
    /// `pointer` is. One pass over the file, and one over each string.
    fn in_strings(&self, lines: &LineIndex, wanted: &[(&str, usize)]) -> Vec<Option<LineCol>> {
        let mut out = vec![None; wanted.len()];
        // The offsets asked for in each string, with where their answers go.
        let mut by_pointer: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
        for (k, (pointer, offset)) in wanted.iter().enumerate() {
            let entry = by_pointer.entry(pointer).or_default();
            entry.0.push(*offset);
            entry.1.push(k);
        }
        let pointers: Vec<&str> = by_pointer.keys().copied().collect();
        match self {
            File::Json(text) => {
                let found = locate_all(text, &pointers);
                for (pointer, node) in pointers.iter().zip(found) {
                    let Some(node) = node.filter(|f| f.exact) else {
                        continue;
                    };
                    let (offsets, slots) = &by_pointer[pointer];
                    let at = json_string_offsets(text, node.offset, offsets);
                    for (slot, o) in slots.iter().zip(at) {
                        out[*slot] = o.map(|o| lines.line_col(o));
                    }
                }
            }
            File::Yaml(doc, _) => {
                for pointer in pointers {
                    let (Some((at, style)), Some(value)) = (
                        doc.scalar(pointer),
                        doc.value.pointer(pointer).and_then(Value::as_str),
                    ) else {
                        continue;
                    };
                    let (offsets, slots) = &by_pointer[pointer];
                    let found = yaml_scalar_positions(lines, at, style, value, offsets);
                    for (slot, lc) in slots.iter().zip(found) {
                        out[*slot] = lc;
                    }
                }
            }
        }
        out
    }
}

/// Places the diagnostics of every definition of one file: all of them together, in a few
/// passes over the file (and one over each assembled text). Placing each diagnostic with its
/// own pass would cost their number times the size of the file.
fn place_all(file: File<'_>, jobs: &[(Place<'_>, Vec<Diagnostic>)]) -> Vec<Vec<Option<LineCol>>> {
    let lines = LineIndex::new(file.text());
    let mut out: Vec<Vec<Option<LineCol>>> =
        jobs.iter().map(|(_, d)| vec![None; d.len()]).collect();
    let mut nearest: Vec<(&str, &str)> = Vec::new();
    let mut nearest_slots = Vec::new();
    let mut strings: Vec<(&str, usize)> = Vec::new();
    let mut string_slots = Vec::new();
    for (j, (place, diags)) in jobs.iter().enumerate() {
        match place {
            Place::Fixed(at) => out[j].fill(*at),
            Place::Text => {
                for (k, d) in diags.iter().enumerate() {
                    match d.offset {
                        Some(o) => out[j][k] = Some(lines.line_col(o)),
                        None => {
                            nearest.push(("", &d.pointer));
                            nearest_slots.push((j, k));
                        }
                    }
                }
            }
            Place::Embedded(prefix) => {
                for (k, d) in diags.iter().enumerate() {
                    nearest.push((prefix, &d.pointer));
                    nearest_slots.push((j, k));
                }
            }
            Place::Assembled(asm, fallback) => {
                out[j].fill(*fallback);
                let pointers: Vec<&str> = diags
                    .iter()
                    .map(|d| if d.offset.is_some() { "" } else { &d.pointer })
                    .collect();
                let found = locate_all(&asm.text, &pointers);
                for (k, (d, f)) in diags.iter().zip(found).enumerate() {
                    if let Some(origin) =
                        d.offset.or(f.map(|f| f.offset)).and_then(|o| asm.origin(o))
                    {
                        strings.push(origin);
                        string_slots.push((j, k));
                    }
                }
            }
        }
    }
    for ((j, k), at) in nearest_slots
        .into_iter()
        .zip(file.nearest(&lines, &nearest))
    {
        out[j][k] = at;
    }
    for ((j, k), at) in string_slots
        .into_iter()
        .zip(file.in_strings(&lines, &strings))
    {
        if at.is_some() {
            out[j][k] = at;
        }
    }
    out
}

/// Pairs the diagnostics of one definition with where they are.
fn located(file: File<'_>, place: Place<'_>, diags: Vec<Diagnostic>) -> Vec<Located> {
    let jobs = [(place, diags)];
    let at = place_all(file, &jobs);
    let [(_, diags)] = jobs;
    diags
        .into_iter()
        .zip(at.into_iter().flatten())
        .map(|(diag, at)| Located { diag, at })
        .collect()
}

/// A definition is at most [`MAX_DEFINITION_CHARS`] characters, so at most four times as many
/// bytes: a file is read no further (`/dev/zero` named as a `DefinitionUri` is not read
/// forever), and a longer one is reported as too long.
const MAX_FILE_BYTES: u64 = 4 * MAX_DEFINITION_CHARS as u64;

/// Reads at most [`MAX_FILE_BYTES`] + 1 bytes of `reader`.
pub(crate) fn read_limited(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether a template's `DefinitionUri` files are read (not when fuzzing: the input would name
/// files on the machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Uris {
    Read,
    Skip,
}

/// Validates everything in a file read as bytes: text that is not UTF-8 cannot be a
/// definition, and is reported as such when the file was meant as one.
pub(crate) fn check_bytes(
    display: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
    explicit: bool,
    uris: Uris,
) -> Vec<Report> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        if !explicit {
            return Vec::new();
        }
        let mut diags = Vec::new();
        rules::definition_too_long::report(
            &format!("more than {MAX_FILE_BYTES} bytes, so over"),
            &mut diags,
        );
        return vec![Report {
            file: display.to_string(),
            source: Arc::from(""),
            definition: None,
            diagnostics: located(File::Json(""), Place::Fixed(None), diags),
        }];
    }
    match String::from_utf8(bytes) {
        Ok(text) => check_file(display, path, text, explicit, uris),
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
    uris: Uris,
) -> Vec<Report> {
    let source: Arc<str> = Arc::from(text);
    let report = |diags: Vec<Diagnostic>, file: File<'_>, place: Place<'_>| Report {
        file: display.to_string(),
        source: source.clone(),
        definition: None,
        diagnostics: located(file, place, diags),
    };
    // No definition (nor template) is longer; a longer file found in a folder is something else.
    let mut too_long = Vec::new();
    if rules::definition_too_long::check_text(&source, &mut too_long) {
        return if explicit {
            vec![report(too_long, File::Json(""), Place::Fixed(None))]
        } else {
            Vec::new()
        };
    }
    if template::is_yaml(path, &source) {
        let doc = match yaml::parse(&source) {
            Ok(doc) => doc,
            Err(e) if explicit => {
                let mut diags = Vec::new();
                match e {
                    YamlError::TooDeep => rules::too_deeply_nested::report_yaml(&mut diags),
                    YamlError::Syntax(e) => diags.push(Diagnostic::new(
                        crate::Code::InvalidJsonDescription,
                        "",
                        format!("Invalid YAML: {e}"),
                    )),
                }
                return vec![report(diags, File::Json(""), Place::Fixed(None))];
            }
            Err(_) => return Vec::new(),
        };
        let file = File::Yaml(&doc, &source);
        if template::is_template(&doc.value) {
            return from_template(display, path, &source, &doc.value, file, uris);
        }
        if explicit || is_definition(&doc.value) {
            let diags = if source.contains("${") {
                template::validate_definition(&doc.value)
            } else {
                validate_value(&doc.value)
            };
            return vec![report(diags, file, Place::Embedded(String::new()))];
        }
        return Vec::new();
    }
    let value: Option<Value> = serde_json::from_str(&source).ok();
    match value {
        Some(v) if template::is_template(&v) => {
            from_template(display, path, &source, &v, File::Json(&source), uris)
        }
        Some(v) if !explicit && !is_definition(&v) => Vec::new(),
        None if !explicit && !looks_like_definition(display, &source) => Vec::new(),
        // A definition file with `${...}` placeholders is a template's fragment (a SAM
        // `DefinitionUri`, a file read into `DefinitionString`): its placeholders are replaced
        // before AWS sees it, so they are read as a template's are.
        _ if source.contains("${") => vec![report(
            crate::validate::validate_text_with(&source, template::validate_definition),
            File::Json(&source),
            Place::Text,
        )],
        _ => vec![report(validate(&source), File::Json(&source), Place::Text)],
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
    uris: Uris,
) -> Vec<Report> {
    let found = template::definitions(template);
    let lines = LineIndex::new(file.text());
    let pointers: Vec<&str> = found.iter().map(|f| f.pointer.as_str()).collect();
    let nodes = file.nodes(&lines, &pointers);
    // Reports in resource order; `None` for a definition read here, placed together with the
    // others once all are validated.
    let mut out: Vec<Option<Report>> = Vec::new();
    let mut jobs: Vec<(Place<'_>, Vec<Diagnostic>)> = Vec::new();
    let mut names = Vec::new();
    for (found, at) in found.iter().zip(nodes) {
        let diags = match &found.kind {
            FoundKind::Value(v) => template::validate_definition(v),
            FoundKind::Text(t) => {
                crate::validate::validate_text_with(&t.text, template::validate_definition)
            }
            FoundKind::Unreadable(why) => {
                if uris == Uris::Read {
                    eprintln!("note: {display}: {}: {why}; skipped", found.name);
                }
                continue;
            }
            FoundKind::File(_) if uris == Uris::Skip => continue,
            FoundKind::File(rel) => {
                let base = path.and_then(Path::parent).unwrap_or(Path::new(""));
                let target: PathBuf = base.join(rel);
                let shown = target.to_string_lossy().into_owned();
                match std::fs::File::open(&target).and_then(read_limited) {
                    Ok(bytes) => {
                        out.extend(
                            check_bytes(&shown, Some(&target), bytes, true, uris)
                                .into_iter()
                                .map(Some),
                        );
                    }
                    Err(e) => {
                        let d = Diagnostic::new(
                            crate::Code::MissingDescription,
                            "",
                            format!("DefinitionUri '{rel}' cannot be read: {e}"),
                        );
                        out.push(Some(Report {
                            file: display.to_string(),
                            source: source.clone(),
                            definition: Some(found.name.clone()),
                            diagnostics: vec![Located { diag: d, at }],
                        }));
                    }
                }
                continue;
            }
        };
        let place = match &found.kind {
            FoundKind::Text(asm) => Place::Assembled(asm, at),
            _ => Place::Embedded(found.pointer.clone()),
        };
        jobs.push((place, diags));
        names.push(found.name.clone());
        out.push(None);
    }
    let placed = place_all(file, &jobs);
    let mut read_here = jobs
        .into_iter()
        .zip(placed)
        .zip(names)
        .map(|(((_, diags), at), name)| Report {
            file: display.to_string(),
            source: source.clone(),
            definition: Some(name),
            diagnostics: diags
                .into_iter()
                .zip(at)
                .map(|(diag, at)| Located { diag, at })
                .collect(),
        });
    out.into_iter()
        .filter_map(|r| r.or_else(|| read_here.next()))
        .collect()
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
        let mut reports = check_file(
            "t.json",
            Some(Path::new("t.json")),
            template.clone(),
            true,
            Uris::Skip,
        );
        reports.extend(check_file(
            "t.yaml",
            Some(Path::new("t.yaml")),
            template,
            true,
            Uris::Skip,
        ));
        reports
    }

    proptest::proptest! {
        #[test]
        fn any_file_is_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            for name in ["x.json", "x.yaml", "x.asl.json"] {
                let _ = check_bytes(name, Some(Path::new(name)), bytes.clone(), true, Uris::Skip);
            }
            let _ = check_bytes("<stdin>", None, bytes, true, Uris::Skip);
        }

        #[test]
        fn any_text_is_read_without_panic(text in ".{0,300}") {
            for name in ["x.json", "x.yaml"] {
                let _ = check_file(name, Some(Path::new(name)), text.clone(), true, Uris::Skip);
            }
            let _ = check_file("<stdin>", None, text, true, Uris::Skip);
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
