//! JSON pointers built while walking a tree, written out only when an error needs one.
//!
//! Formatting `"{parent}/{key}"` at every node of a walk costs the depth of the tree times its
//! size: 20,000 levels of `{"a": ...}` make 400 MB of pointers. A [`Trail`] is one token per
//! level, kept on the walker's stack; [`Trail::render`] writes the pointer when it is asked for,
//! and [`Trail::len`] says how long it would be without writing it, so that a diagnostic budget
//! can be checked first. (Writing is not counted by [`work`]: what diagnostics hold is bounded
//! by [`MAX_DIAGNOSTIC_BYTES`](crate::limits::MAX_DIAGNOSTIC_BYTES) instead.)

use super::work;

/// The pointer of the node a walk is at: its parent's trail and one more token.
#[derive(Debug, Clone, Copy)]
pub struct Trail<'a> {
    parent: Option<&'a Trail<'a>>,
    token: Token<'a>,
    /// Bytes of the rendered pointer.
    len: usize,
}

#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    /// An already written pointer the trail starts from.
    Start(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> Trail<'a> {
    /// A trail starting at an already written pointer (`""` for the document).
    pub fn start(pointer: &'a str) -> Self {
        Trail {
            parent: None,
            token: Token::Start(pointer),
            len: pointer.len(),
        }
    }

    /// The member `key` of the object at this trail.
    pub fn key(&'a self, key: &'a str) -> Trail<'a> {
        let escapes = key.bytes().filter(|b| matches!(b, b'~' | b'/')).count();
        work::count(1 + key.len());
        Trail {
            parent: Some(self),
            token: Token::Key(key),
            len: self.len + 1 + key.len() + escapes,
        }
    }

    /// The element `index` of the array at this trail.
    pub fn index(&'a self, index: usize) -> Trail<'a> {
        work::count(1);
        Trail {
            parent: Some(self),
            token: Token::Index(index),
            len: self.len + 1 + digits(index),
        }
    }

    /// The length of the pointer, in bytes, without writing it.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the pointer is `""` (the document).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pointer, escaped (`~0`, `~1`).
    pub fn render(&self) -> String {
        let mut chain = Vec::new();
        let mut at = Some(self);
        while let Some(t) = at {
            chain.push(t.token);
            at = t.parent;
        }
        let mut out = String::with_capacity(self.len);
        for token in chain.iter().rev() {
            match token {
                Token::Start(p) => out.push_str(p),
                Token::Key(k) => {
                    out.push('/');
                    for c in k.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Token::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
            }
        }
        out
    }
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_it_measures() {
        let root = Trail::start("/States/A");
        let p = root.key("Parameters");
        let k = p.key("a/b~c");
        let i = k.index(10);
        assert_eq!(i.render(), "/States/A/Parameters/a~1b~0c/10");
        assert_eq!(i.len(), i.render().len());
        assert!(Trail::start("").is_empty());
        assert_eq!(Trail::start("").key("").render(), "/");
    }
}
