//! Finds where a JSON pointer points in the source text, without building a second tree.
//!
//! The model stores pointers only; when a diagnostic is rendered, this small scanner walks the
//! text to the node. It tolerates any input: on malformed text it returns `None`.

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// Line and column of byte `offset` in `source`.
pub fn line_col_at(source: &str, offset: usize) -> LineCol {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line,
        column: before[line_start..].chars().count() + 1,
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Line and column of the node at `pointer`. For an object member, the position of its key
/// (that is where editors point for "this field"); for an array element, the element itself.
pub fn locate(source: &str, pointer: &str) -> Option<LineCol> {
    locate_offset(source, pointer).map(|o| line_col_at(source, o))
}

/// Byte offset of the node at `pointer` (see [`locate`]).
///
/// One pass over the text; to place many pointers, [`locate_all`] makes one pass for all.
pub fn locate_offset(source: &str, pointer: &str) -> Option<usize> {
    locate_all(source, &[pointer])[0]
        .filter(|f| f.exact)
        .map(|f| f.offset)
}

/// Where [`locate_all`] found a pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Byte offset of the node (see [`locate`]), or of its nearest ancestor in the text.
    pub offset: usize,
    /// Whether it is the node itself rather than an ancestor.
    pub exact: bool,
}

/// Places every pointer of `pointers` in `source`, in one pass over the text: the node's
/// offset, or else its nearest ancestor's (a pointer to a default, or to a key a decoder
/// merged, falls back to its parent). The document itself is always found; a pointer that does
/// not start with `/` is not. Malformed text is read up to where it goes wrong.
///
/// The work is the size of the text plus the length of the pointers: placing each diagnostic
/// of a definition with its own pass would cost their number times the size.
pub fn locate_all(source: &str, pointers: &[&str]) -> Vec<Option<Found>> {
    let mut trie = Trie {
        nodes: vec![TrieNode::default()],
    };
    let ends: Vec<Option<(Vec<usize>, usize)>> = pointers.iter().map(|p| trie.insert(p)).collect();
    trie.walk(source.as_bytes(), source);
    ends.into_iter()
        .map(|end| {
            let (path, last) = end?;
            // The deepest node of the path the text has.
            let at = path.iter().rposition(|&n| trie.nodes[n].offset.is_some())?;
            Some(Found {
                offset: trie.nodes[path[at]].offset?,
                exact: path[at] == last,
            })
        })
        .collect()
}

/// The pointers asked for, one node per token (the document first), with what the walk found.
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    /// Children by object key (the unescaped token).
    keys: std::collections::HashMap<String, usize>,
    /// Children by array index (the tokens that are numbers).
    indices: std::collections::HashMap<usize, usize>,
    offset: Option<usize>,
}

impl TrieNode {
    fn is_leaf(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A container the walk is inside, at a node of the trie.
struct Frame {
    node: usize,
    array: bool,
    index: usize,
}

/// What the walk reads next.
enum Step {
    /// A value, at a node of the trie or outside it.
    Value(Option<usize>),
    /// `,` or the end of the container.
    After,
    /// An object member, or `}`.
    Member,
    /// An array element, or `]`.
    Element,
}

impl Trie {
    /// Adds `pointer`; returns the nodes of its path (the root first) and its own node.
    fn insert(&mut self, pointer: &str) -> Option<(Vec<usize>, usize)> {
        let mut path = vec![0];
        if pointer.is_empty() {
            return Some((path, 0));
        }
        let mut node = 0;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            super::work::count(1 + token.len());
            node = match self.nodes[node].keys.get(&token) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    if let Ok(i) = token.parse::<usize>() {
                        self.nodes[node].indices.insert(i, child);
                    }
                    self.nodes[node].keys.insert(token, child);
                    child
                }
            };
            path.push(node);
        }
        Some((path, node))
    }

    /// Reads the text once, recording where each node of the trie is. Only the containers on
    /// the way to a pointer are entered; every other value is skipped without a stack.
    fn walk(&mut self, b: &[u8], source: &str) {
        let mut i = ws(b, 0);
        self.nodes[0].offset = Some(i);
        let mut stack: Vec<Frame> = Vec::new();
        let mut step = Step::Value(Some(0));
        loop {
            step = match step {
                Step::Value(node) => {
                    i = ws(b, i);
                    match (node.filter(|&n| !self.nodes[n].is_leaf()), b.get(i)) {
                        (Some(node), Some(&c @ (b'{' | b'['))) => {
                            let array = c == b'[';
                            stack.push(Frame {
                                node,
                                array,
                                index: 0,
                            });
                            i += 1;
                            if array { Step::Element } else { Step::Member }
                        }
                        _ => match skip_value(b, i) {
                            Some(end) => {
                                i = end;
                                Step::After
                            }
                            None => break,
                        },
                    }
                }
                Step::After => {
                    i = ws(b, i);
                    let Some(top) = stack.last_mut() else { break };
                    match (b.get(i), top.array) {
                        (Some(b','), true) => {
                            top.index += 1;
                            i += 1;
                            Step::Element
                        }
                        (Some(b','), false) => {
                            i += 1;
                            Step::Member
                        }
                        (Some(b']'), true) | (Some(b'}'), false) => {
                            stack.pop();
                            i += 1;
                            Step::After
                        }
                        _ => break,
                    }
                }
                Step::Member => {
                    i = ws(b, i);
                    if b.get(i) == Some(&b'}') {
                        stack.pop();
                        i += 1;
                        Step::After
                    } else {
                        let Some(node) = stack.last().map(|f| f.node) else {
                            break;
                        };
                        let key_start = i;
                        let Some(key_end) = skip_string(b, i) else {
                            break;
                        };
                        let raw = &b[key_start + 1..key_end - 1];
                        let child = if raw.contains(&b'\\') {
                            let Some(key) = source
                                .get(key_start..key_end)
                                .and_then(|k| serde_json::from_str::<String>(k).ok())
                            else {
                                break;
                            };
                            self.nodes[node].keys.get(&key).copied()
                        } else {
                            std::str::from_utf8(raw)
                                .ok()
                                .and_then(|k| self.nodes[node].keys.get(k).copied())
                        };
                        i = ws(b, key_end);
                        if b.get(i) != Some(&b':') {
                            break;
                        }
                        i += 1;
                        // A repeated key: the first one is the node (as a reader that stops
                        // at the first match finds it).
                        let child = child.filter(|&c| self.nodes[c].offset.is_none());
                        if let Some(c) = child {
                            self.nodes[c].offset = Some(key_start);
                        }
                        Step::Value(child)
                    }
                }
                Step::Element => {
                    i = ws(b, i);
                    let Some(top) = stack.last() else { break };
                    if b.get(i) == Some(&b']') {
                        stack.pop();
                        i += 1;
                        Step::After
                    } else {
                        let child = self.nodes[top.node].indices.get(&top.index).copied();
                        let child = child.filter(|&c| self.nodes[c].offset.is_none());
                        if let Some(c) = child {
                            self.nodes[c].offset = Some(i);
                        }
                        Step::Value(child)
                    }
                }
            };
        }
        super::work::count(i);
    }
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end of the JSON string token at byte `i` (after its closing quote), or `None` when `i`
/// is not at a quote or the string does not close.
pub fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the value at `i`. Containers are skipped by counting brackets (no recursion,
/// no stack): `{` one million times deep costs one million steps.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let mut i = ws(b, i);
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match *b.get(i)? {
                    b'"' => i = skip_string(b, i)?,
                    b'{' | b'[' => {
                        depth += 1;
                        i += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        i += 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => i += 1,
                }
            }
        }
        _ => {
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Line and column of byte offsets of one text, each found in `O(log n)` steps: a diagnostic
/// placed with [`line_col_at`] costs its offset, so placing all of them could cost their number
/// times the size of the text.
#[derive(Debug)]
pub struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset of each line's start.
    line_starts: Vec<usize>,
    /// Characters before each block of [`BLOCK`] bytes.
    chars_before: Vec<usize>,
}

/// Characters are counted from the start of a block of this many bytes.
const BLOCK: usize = 256;

impl<'a> LineIndex<'a> {
    /// Indexes `source` (one pass).
    pub fn new(source: &'a str) -> Self {
        let b = source.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr_all(b'\n', b).map(|i| i + 1));
        let mut chars_before = Vec::with_capacity(b.len() / BLOCK + 1);
        let mut chars = 0;
        for block in b.chunks(BLOCK) {
            chars_before.push(chars);
            chars += block.iter().filter(|&&c| !is_continuation(c)).count();
        }
        chars_before.push(chars);
        super::work::count(b.len());
        LineIndex {
            source,
            line_starts,
            chars_before,
        }
    }

    /// Characters before byte `offset` (a character boundary).
    fn chars_to(&self, offset: usize) -> usize {
        let block = offset / BLOCK;
        let b = self.source.as_bytes();
        self.chars_before[block]
            + b[block * BLOCK..offset]
                .iter()
                .filter(|&&c| !is_continuation(c))
                .count()
    }

    /// Line and column of byte `offset`, as [`line_col_at`] gives them.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(self.source, offset.min(self.source.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        LineCol {
            line,
            column: self.chars_to(offset) - self.chars_to(start) + 1,
        }
    }

    /// The text of line `line` (from 1), without its line break.
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        let text = &self.source[start..end];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// Byte offset of a line and column, if the line is that long (its line break counts).
    pub fn offset(&self, at: LineCol) -> Option<usize> {
        let start = *self.line_starts.get(at.line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(at.line)
            .map_or(self.source.len(), |next| next - 1);
        let target = self.chars_to(start) + at.column.checked_sub(1)?;
        // The last block that starts at or before the character, then at most a block of bytes.
        let block = self.chars_before.partition_point(|&c| c <= target) - 1;
        let b = self.source.as_bytes();
        let mut i = (block * BLOCK).max(start).min(b.len());
        while !self.source.is_char_boundary(i) {
            i += 1;
        }
        let mut chars = self.chars_to(i);
        while chars < target {
            i += 1;
            while i < b.len() && is_continuation(b[i]) {
                i += 1;
            }
            chars += 1;
        }
        (i <= end).then_some(i)
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

fn memchr_all(needle: u8, haystack: &[u8]) -> impl Iterator<Item = usize> + '_ {
    haystack
        .iter()
        .enumerate()
        .filter(move |&(_, &c)| c == needle)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n    \"a/b\": [1, {\"x\": 2}]\n  }\n}";

    #[test]
    fn finds_keys_and_elements() {
        assert_eq!(locate(SRC, ""), Some(LineCol { line: 1, column: 1 }));
        assert_eq!(
            locate(SRC, "/StartAt"),
            Some(LineCol { line: 2, column: 3 })
        );
        assert_eq!(
            locate(SRC, "/States/A/Next"),
            Some(LineCol {
                line: 4,
                column: 27
            })
        );
        assert_eq!(
            locate(SRC, "/States/a~1b/1/x"),
            Some(LineCol {
                line: 5,
                column: 17
            })
        );
        assert_eq!(locate(SRC, "/States/Missing"), None);
        assert_eq!(locate(SRC, "/States/a~1b/7"), None);
    }

    #[test]
    fn many_pointers_in_one_pass() {
        let found = locate_all(
            SRC,
            &[
                "/States/A/Next",
                "/States/A/Nope/x",
                "",
                "/StartAt",
                "nope",
                "/States/a~1b/1/x",
            ],
        );
        let offsets: Vec<_> = found
            .iter()
            .map(|f| f.map(|f| (f.offset, f.exact)))
            .collect();
        let a = locate_offset(SRC, "/States/A").unwrap();
        assert_eq!(
            offsets,
            [
                Some((locate_offset(SRC, "/States/A/Next").unwrap(), true)),
                Some((a, false)),
                Some((0, true)),
                Some((4, true)),
                None,
                Some((locate_offset(SRC, "/States/a~1b/1/x").unwrap(), true)),
            ]
        );
    }

    #[test]
    fn repeated_keys_and_deep_text() {
        let src = r#"{"a": {"x": 1}, "a": {"y": 2}}"#;
        assert_eq!(locate_offset(src, "/a"), Some(1));
        assert_eq!(locate_offset(src, "/a/y"), None);
        // A million brackets are skipped without recursion.
        let deep = format!("{{\"a\": {}, \"b\": 1}}", "[".repeat(1 << 20));
        assert_eq!(locate_offset(&deep, "/b"), None);
        let deep = format!("[{}1{}, 2]", "[".repeat(1 << 20), "]".repeat(1 << 20));
        assert_eq!(locate_offset(&deep, "/1"), Some(deep.len() - 2));
    }

    #[test]
    fn line_index_agrees_with_line_col_at() {
        let src = "ab\né\r\n\u{1F600}x\n\nlast";
        let index = LineIndex::new(src);
        for offset in 0..=src.len() + 2 {
            assert_eq!(
                index.line_col(offset),
                line_col_at(src, offset),
                "at {offset}"
            );
            if src.is_char_boundary(offset) {
                assert_eq!(index.offset(line_col_at(src, offset)), Some(offset));
            }
        }
        assert_eq!(index.line(2), Some("é"));
        assert_eq!(index.line(5), Some("last"));
        assert_eq!(index.line(6), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(src in ".{0,200}", ptr in "(/[a-z0-9~]{0,3}){0,4}") {
            let _ = locate(&src, &ptr);
        }

        #[test]
        fn line_index_on_any_text(src in "(.|\n){0,600}", offset in 0usize..700) {
            let index = LineIndex::new(&src);
            proptest::prop_assert_eq!(index.line_col(offset), line_col_at(&src, offset));
        }
    }
}
