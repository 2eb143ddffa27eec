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
    /// The definition is embedded at `prefix` in a JSON file.
    Json(&'a str, String),
    /// The definition is embedded at `prefix` in a YAML file.
    Yaml(&'a yaml::YamlDoc, String),
    /// Everything is reported at one place (a definition assembled from strings).
    Fixed(Option<LineCol>),
}

impl Locator<'_> {
    fn locate(&self, d: &Diagnostic) -> Option<LineCol> {
        // A pointer the file does not have (a default, a merged key) falls back to its parent.
        let mut pointer = d.pointer.as_str();
        loop {
            let found = match self {
                Locator::Text(text) => match d.offset {
                    Some(o) => return Some(line_col_at(text, o)),
                    None => locate_offset(text, pointer).map(|o| line_col_at(text, o)),
                },
                Locator::Json(text, prefix) => {
                    locate_offset(text, &format!("{prefix}{pointer}")).map(|o| line_col_at(text, o))
                }
                Locator::Yaml(doc, prefix) => {
                    doc.positions.get(&format!("{prefix}{pointer}")).copied()
                }
                Locator::Fixed(at) => return *at,
            };
            if found.is_some() {
                return found;
            }
            pointer = &pointer[..pointer.rfind('/')?];
        }
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
    let is_yaml = path
        .is_some_and(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")));
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
        if template::is_template(&doc.value) {
            return from_template(display, path, &source, &doc.value, |prefix| {
                Locator::Yaml(&doc, prefix)
            });
        }
        if explicit || is_definition(&doc.value) {
            let diags = validate_value(&doc.value);
            return vec![report(None, diags, &Locator::Yaml(&doc, String::new()))];
        }
        return Vec::new();
    }
    let value: Option<Value> = serde_json::from_str(&source).ok();
    match value {
        Some(v) if template::is_template(&v) => {
            from_template(display, path, &source, &v, |prefix| {
                Locator::Json(&source, prefix)
            })
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

fn from_template<'s>(
    display: &str,
    path: Option<&Path>,
    source: &'s Arc<str>,
    template: &Value,
    locator: impl Fn(String) -> Locator<'s>,
) -> Vec<Report> {
    let mut out = Vec::new();
    for found in template::definitions(template) {
        let here = locator(found.pointer.clone());
        let at = here.locate(&Diagnostic::new(crate::Code::MissingDescription, "", ""));
        let (diags, loc) = match found.kind {
            FoundKind::Value(v) => (validate_value(&v), here),
            FoundKind::Text(t) => (validate(&t), Locator::Fixed(at)),
            FoundKind::Unreadable(why) => {
                eprintln!("note: {display}: {}: {why}; skipped", found.name);
                continue;
            }
            FoundKind::File(rel) => {
                let base = path.and_then(Path::parent).unwrap_or(Path::new(""));
                let target: PathBuf = base.join(&rel);
                let shown = target.to_string_lossy().into_owned();
                match std::fs::read_to_string(&target) {
                    Ok(text) => out.extend(check_file(&shown, Some(&target), text, true)),
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
        out.push(Report {
            file: display.to_string(),
            source: source.clone(),
            definition: Some(found.name),
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
            let matches = glob(arg);
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
                walk(&p, &mut files);
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

/// Every candidate file under `dir`, sorted, skipping dependency and VCS folders.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            if !SKIP_DIRS.contains(&name) {
                walk(&p, out);
            }
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(p);
        }
    }
}

/// Files matching a glob: `*` and `?` within a path segment, `**` across segments.
fn glob(pattern: &str) -> Vec<PathBuf> {
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
    walk_all(&base, &mut files);
    let rest = &segments[fixed..];
    files
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
        .collect()
}

fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !SKIP_DIRS.contains(&name) {
                walk_all(&p, out);
            }
        } else {
            out.push(p);
        }
    }
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
}
