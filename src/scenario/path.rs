//! Field paths (`components.web.workers`, `traffic.classes[1].weight`): their parts, and a
//! path kept as a chain of steps on the stack and written out only when needed.

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> `` -> none.
pub fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    Some(&path[..path.rfind(['.', '[']).unwrap_or(0)])
}

/// `parent.key`, or `key` at the top.
pub fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Whether `a` is `b`, inside `b`, or contains `b`.
pub fn related(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| {
        y.is_empty()
            || x == y
            || (x.starts_with(y) && matches!(x.as_bytes().get(y.len()), Some(b'.' | b'[')))
    };
    inside(a, b) || inside(b, a)
}

/// One step of a path: a key or a list index.
#[derive(Clone, Copy)]
pub(crate) enum Seg<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

/// A node's path as a chain of steps on the stack, written out only when a message or the
/// poison set needs it: a valid file allocates no path at all.
#[derive(Clone, Copy)]
pub(crate) struct PathRef<'p> {
    pub(crate) parent: Option<&'p PathRef<'p>>,
    pub(crate) seg: Seg<'p>,
}

impl PathRef<'_> {
    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relate_to_their_ancestors_and_descendants() {
        assert!(related("a.b", "a"));
        assert!(related("a", "a.b[1]"));
        assert!(!related("ab", "a"));
    }
}
