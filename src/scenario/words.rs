//! The words of messages about names: the nearest valid name to a typo ("did you mean
//! `workers`?") and the "expected one of ..." lists, shared by every parsing stage.

/// The closest of `names` to `word`, when it is close enough to be a likely typo.
pub fn suggest<'n>(word: &str, names: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
    let limit = (word.chars().count() / 3).max(1);
    names
        .into_iter()
        .filter(|n| *n != word)
        .map(|n| (distance(&word.to_lowercase(), &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Optimal string alignment distance (Levenshtein with adjacent swaps).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 3 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// `did you mean `x`? ` (with its trailing space) or nothing.
pub fn did_you_mean<'n>(word: &str, names: impl IntoIterator<Item = &'n str>) -> String {
    suggest(word, names)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default()
}

/// `; did you mean `x`?` or nothing: the end of a message that names what was found.
pub fn mean(found: &str, names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let names: Vec<_> = names.into_iter().collect();
    suggest(found, names.iter().map(|n| n.as_ref()))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

pub(crate) fn one_of(what: &str, found: &str, expected: &[&str]) -> String {
    let what = if what.is_empty() { "one of" } else { what };
    format!(
        "expected {what} {}, found `{found}`{}",
        expected.join(", "),
        mean(found, expected)
    )
}

pub(crate) fn unknown_key(key: &str, expected: &[&str]) -> String {
    let hint = did_you_mean(key, expected.iter().copied());
    format!(
        "unknown field `{key}`; {hint}expected one of: {}",
        expected.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_or_absent() {
        assert_eq!(suggest("wokers", ["workers", "count"]), Some("workers"));
        assert_eq!(suggest("replcias", ["replicas"]), Some("replicas"));
        assert_eq!(suggest("Workers", ["workers"]), Some("workers"));
        assert_eq!(suggest("zzz", ["workers", "count"]), None);
        assert_eq!(mean("dbb", ["db", "web"]), "; did you mean `db`?");
        assert_eq!(mean("cache", ["db", "web"]), "");
    }
}
