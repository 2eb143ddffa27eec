//! A small regular-expression engine for the filter operator `=~ /pattern/flags`.
//!
//! Jayway hands the pattern to `java.util.regex.Pattern` and calls `matcher(input).matches()`,
//! i.e. the whole input must match. This engine supports the subset of Java syntax that is
//! useful in filters (literals, `.`, classes with ranges and `\d \w \s` escapes, anchors,
//! `\b`, groups, alternation, greedy/lazy/possessive quantifiers treated alike, `{n,m}`) and the
//! flags `i` (case-insensitive), `s` (dot matches newlines) and `m` (multiline anchors).
//! It is a Pike VM (NFA simulation), so matching time is linear in the input and hostile
//! patterns cannot hang the interpreter. Back-references and look-around are rejected.

use std::fmt;

/// A compiled pattern.
#[derive(Clone)]
pub(crate) struct Regex {
    source: String,
    prog: Vec<Inst>,
    icase: bool,
    dotall: bool,
    multiline: bool,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}/", self.source)
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.icase == other.icase
            && self.dotall == other.dotall
            && self.multiline == other.multiline
    }
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    Split(usize, usize),
    Jmp(usize),
    AssertStart,
    AssertEnd,
    WordBoundary(bool),
    Match,
}

#[derive(Clone, Debug)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Clone, Debug)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Debug)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    WordBoundary(bool),
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, u32, Option<u32>),
}

const MAX_PROGRAM: usize = 20_000;

impl Regex {
    /// Compiles `pattern` with Java-style `flags` letters.
    pub(crate) fn new(pattern: &str, flags: &str) -> Result<Regex, String> {
        let mut icase = false;
        let mut dotall = false;
        let mut multiline = false;
        for f in flags.chars() {
            match f {
                'i' => icase = true,
                's' => dotall = true,
                'm' => multiline = true,
                'u' | 'U' | 'x' | 'd' | 'g' => {}
                other => return Err(format!("Unsupported regex flag '{other}'")),
            }
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = RParser { s: &chars, i: 0 };
        let alt = p.alt(0)?;
        if p.i < chars.len() {
            return Err(format!("Unmatched ')' in regex {pattern}"));
        }
        let mut prog = Vec::new();
        compile_alt(&alt, &mut prog)?;
        prog.push(Inst::Match);
        Ok(Regex {
            source: pattern.to_owned(),
            prog,
            icase,
            dotall,
            multiline,
        })
    }

    /// Whether the whole of `input` matches (Java `Matcher.matches()`).
    pub(crate) fn full_match(&self, input: &str) -> bool {
        let text: Vec<char> = input.chars().collect();
        let n = self.prog.len();
        let mut clist: Vec<usize> = Vec::with_capacity(n);
        let mut nlist: Vec<usize> = Vec::with_capacity(n);
        let mut seen = vec![usize::MAX; n];
        let mut stack = Vec::new();
        self.add(&mut clist, &mut seen, &mut stack, 0, 0, &text);
        for pos in 0..=text.len() {
            if clist.is_empty() {
                return false;
            }
            let ch = text.get(pos).copied();
            nlist.clear();
            for &pc in &clist {
                let ok = match (&self.prog[pc], ch) {
                    (Inst::Match, None) => return true,
                    (Inst::Char(c), Some(x)) => self.char_eq(*c, x),
                    (Inst::Any, Some(x)) => self.dotall || (x != '\n' && x != '\r'),
                    (Inst::Class(cl), Some(x)) => self.class_match(cl, x),
                    _ => false,
                };
                if ok {
                    self.add(&mut nlist, &mut seen, &mut stack, pc + 1, pos + 1, &text);
                }
            }
            std::mem::swap(&mut clist, &mut nlist);
        }
        false
    }

    fn add(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [usize],
        stack: &mut Vec<usize>,
        pc: usize,
        pos: usize,
        text: &[char],
    ) {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::AssertStart => {
                    if pos == 0 || (self.multiline && text[pos - 1] == '\n') {
                        stack.push(pc + 1);
                    }
                }
                Inst::AssertEnd => {
                    let at_end = pos == text.len()
                        || (pos + 1 == text.len() && text[pos] == '\n')
                        || (self.multiline && text[pos] == '\n');
                    if at_end {
                        stack.push(pc + 1);
                    }
                }
                Inst::WordBoundary(want) => {
                    let before = pos > 0 && is_word(text[pos - 1]);
                    let after = pos < text.len() && is_word(text[pos]);
                    if (before != after) == *want {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    fn char_eq(&self, c: char, x: char) -> bool {
        c == x || (self.icase && fold(c) == fold(x))
    }

    fn class_match(&self, cl: &Class, x: char) -> bool {
        let hit = |x: char| {
            cl.items.iter().any(|it| match *it {
                ClassItem::Range(a, b) => a <= x && x <= b,
                ClassItem::Digit(neg) => x.is_ascii_digit() != neg,
                ClassItem::Word(neg) => is_word(x) != neg,
                ClassItem::Space(neg) => is_space(x) != neg,
            })
        };
        let found =
            hit(x) || (self.icase && (hit(fold(x)) || x.to_uppercase().next().is_some_and(hit)));
        found != cl.negated
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

struct RParser<'s> {
    s: &'s [char],
    i: usize,
}

impl RParser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alt(&mut self, depth: usize) -> Result<Vec<Vec<Node>>, String> {
        if depth > 64 {
            return Err("Regex nested too deeply".into());
        }
        let mut alts = vec![self.seq(depth)?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.seq(depth)?);
        }
        Ok(alts)
    }

    fn seq(&mut self, depth: usize) -> Result<Vec<Node>, String> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom(depth)?;
            let atom = self.quantifier(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn quantifier(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let start = self.i;
                self.i += 1;
                let a = self.number();
                let (min, max) = match (a, self.peek()) {
                    (Some(a), Some('}')) => (a, Some(a)),
                    (Some(a), Some(',')) => {
                        self.i += 1;
                        (a, self.number())
                    }
                    _ => {
                        self.i = start;
                        return Err("Illegal repetition".into());
                    }
                };
                if self.peek() != Some('}') {
                    return Err("Unclosed counted closure".into());
                }
                if max.is_some_and(|m| m < min) {
                    return Err("Illegal repetition range".into());
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.i += 1;
        if matches!(self.peek(), Some('?' | '+')) {
            self.i += 1;
        }
        if matches!(atom, Node::Start | Node::End | Node::WordBoundary(_)) {
            return Ok(atom);
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn atom(&mut self, depth: usize) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Err("Unexpected end of regex".into());
        };
        self.i += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.peek() == Some('?') {
                    if self.s.get(self.i + 1) == Some(&':') {
                        self.i += 2;
                    } else {
                        return Err("Unsupported group construct in regex".into());
                    }
                }
                let alt = self.alt(depth + 1)?;
                if self.peek() != Some(')') {
                    return Err("Unclosed group".into());
                }
                self.i += 1;
                Node::Group(alt)
            }
            '[' => Node::Class(self.class()?),
            '\\' => self.escape(false)?,
            '*' | '+' | '?' | '{' => return Err(format!("Dangling meta character '{c}'")),
            other => Node::Char(other),
        })
    }

    /// After a backslash. Inside a class, `\b` is not an anchor.
    fn escape(&mut self, in_class: bool) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Err("Unexpected internal error: trailing backslash".into());
        };
        self.i += 1;
        let class = |item| {
            Node::Class(Class {
                negated: false,
                items: vec![item],
            })
        };
        Ok(match c {
            'd' => class(ClassItem::Digit(false)),
            'D' => class(ClassItem::Digit(true)),
            'w' => class(ClassItem::Word(false)),
            'W' => class(ClassItem::Word(true)),
            's' => class(ClassItem::Space(false)),
            'S' => class(ClassItem::Space(true)),
            'b' if !in_class => Node::WordBoundary(true),
            'B' if !in_class => Node::WordBoundary(false),
            'A' if !in_class => Node::Start,
            'z' | 'Z' if !in_class => Node::End,
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            'r' => Node::Char('\r'),
            'f' => Node::Char('\x0C'),
            'e' => Node::Char('\x1B'),
            '0'..='9' if !in_class => return Err("Back-references are not supported".into()),
            'u' => {
                let hex: String = self
                    .s
                    .get(self.i..self.i + 4)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| "Illegal Unicode escape")?;
                self.i += 4;
                Node::Char(char::from_u32(code).ok_or("Illegal Unicode escape")?)
            }
            c if c.is_ascii_alphabetic() => {
                return Err(format!("Illegal/unsupported escape \\{c}"));
            }
            other => Node::Char(other),
        })
    }

    fn class(&mut self) -> Result<Class, String> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.i += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("Unclosed character class".into());
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            self.i += 1;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    Node::Char(ch) => ch,
                    Node::Class(cl) => {
                        items.extend(cl.items);
                        continue;
                    }
                    _ => return Err("Illegal escape in character class".into()),
                }
            } else if c == '[' {
                return Err("Nested character classes are not supported".into());
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let Some(h) = self.peek() else {
                    return Err("Unclosed character class".into());
                };
                self.i += 1;
                let hi = if h == '\\' {
                    match self.escape(true)? {
                        Node::Char(ch) => ch,
                        _ => return Err("Illegal character range".into()),
                    }
                } else {
                    h
                };
                if hi < lo {
                    return Err("Illegal character range".into());
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Class { negated, items })
    }
}

fn compile_alt(alts: &[Vec<Node>], prog: &mut Vec<Inst>) -> Result<(), String> {
    // Split(L1, next-split) ... each branch ends with a Jmp to the end.
    let mut jumps = Vec::new();
    for (k, seq) in alts.iter().enumerate() {
        let last = k + 1 == alts.len();
        let split_at = prog.len();
        if !last {
            prog.push(Inst::Split(split_at + 1, 0));
        }
        for node in seq {
            compile_node(node, prog)?;
        }
        if !last {
            jumps.push(prog.len());
            prog.push(Inst::Jmp(0));
            let next = prog.len();
            prog[split_at] = Inst::Split(split_at + 1, next);
        }
    }
    let end = prog.len();
    for j in jumps {
        prog[j] = Inst::Jmp(end);
    }
    if prog.len() > MAX_PROGRAM {
        return Err("Regex too large".into());
    }
    Ok(())
}

fn compile_node(node: &Node, prog: &mut Vec<Inst>) -> Result<(), String> {
    if prog.len() > MAX_PROGRAM {
        return Err("Regex too large".into());
    }
    match node {
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(c) => prog.push(Inst::Class(c.clone())),
        Node::Start => prog.push(Inst::AssertStart),
        Node::End => prog.push(Inst::AssertEnd),
        Node::WordBoundary(b) => prog.push(Inst::WordBoundary(*b)),
        Node::Group(alts) => compile_alt(alts, prog)?,
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile_node(inner, prog)?;
            }
            match max {
                None => {
                    let l1 = prog.len();
                    prog.push(Inst::Split(l1 + 1, 0));
                    compile_node(inner, prog)?;
                    prog.push(Inst::Jmp(l1));
                    let l3 = prog.len();
                    prog[l1] = Inst::Split(l1 + 1, l3);
                }
                Some(max) => {
                    for _ in *min..*max {
                        let l1 = prog.len();
                        prog.push(Inst::Split(l1 + 1, 0));
                        compile_node(inner, prog)?;
                        let l3 = prog.len();
                        prog[l1] = Inst::Split(l1 + 1, l3);
                        if prog.len() > MAX_PROGRAM {
                            return Err("Regex too large".into());
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(p: &str, f: &str, s: &str) -> bool {
        Regex::new(p, f).unwrap().full_match(s)
    }

    #[test]
    fn regex_table() {
        let cases: &[(&str, &str, &str, bool)] = &[
            ("abc", "", "abc", true),
            ("abc", "", "abcd", false),
            ("a.c", "", "abc", true),
            ("a.*", "", "abcdef", true),
            (".*bar.*", "", "foobarbaz", true),
            ("ABC", "i", "abc", true),
            ("[a-c]+", "", "abcabc", true),
            ("[^a-c]+", "", "xyz", true),
            ("[^a-c]+", "", "xaz", false),
            ("\\d{3}-\\d{2}", "", "123-45", true),
            ("\\d{3}-\\d{2}", "", "123-4", false),
            ("(foo|bar)+", "", "foobarfoo", true),
            ("colou?r", "", "color", true),
            ("a{2,}", "", "aaaa", true),
            ("a{2,3}", "", "aaaa", false),
            ("^\\w+$", "", "hello_1", true),
            ("\\s*x\\s*", "", "  x ", true),
            ("(a*)*b", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false),
            ("a.b", "", "a\nb", false),
            ("a.b", "s", "a\nb", true),
            ("\\bfoo\\b.*", "", "foo bar", true),
            ("(?:ab)+", "", "abab", true),
            ("[\\d.]+", "", "1.5", true),
        ];
        for &(p, f, s, want) in cases {
            assert_eq!(m(p, f, s), want, "/{p}/{f} on {s:?}");
        }
    }

    #[test]
    fn regex_errors() {
        for p in ["(", "a)", "[a", "*a", "a{3,2}", "\\1", "(?=a)", "[z-a]"] {
            assert!(Regex::new(p, "").is_err(), "{p}");
        }
        assert!(Regex::new("a", "q").is_err());
    }
}
