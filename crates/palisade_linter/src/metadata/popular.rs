//! Popular npm package names and the ways another name can resemble one.
//!
//! The list ships as data (`data/popular-npm.txt`, from the `npm-high-impact`
//! package; its header names the source and how to regenerate it). Every name
//! in it counts as popular and is never reported as an impersonation; the
//! first [`FUZZY_TARGETS`] are also the targets of the edit-distance check.
//!
//! A lookup is a handful of hash look-ups plus a banded edit distance against
//! the targets whose length is within two of the query's, within the same
//! scope: about ten microseconds (see `lookup_cost` in the tests).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The shipped list, most popular first.
pub const POPULAR_NPM: &str = include_str!("../../data/popular-npm.txt");

/// How many of the most popular names are edit-distance targets.
pub const FUZZY_TARGETS: usize = 5000;

/// Prefixes that turn a popular name into a plausible copy (`node-chalk`).
const PREFIXES: &[&str] = &["node-", "js-", "mcp-"];
/// Suffixes that turn a popular name into a plausible copy (`chalk-js`,
/// `postmark-mcp`). Longest first.
const SUFFIXES: &[&str] = &["-mcp-server", "-official", "-mcp", "-node", "-js", ".js"];
/// Suffixes a scoped package's bare name may lose in an unscoped copy
/// (`@acme/mcp-server` → `acme-mcp`).
const SCOPED_SUFFIXES: &[&str] = &["-server", "-sdk", "-js", "-client", "-node"];

/// How a name resembles a popular one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resemblance {
    /// The same name once separators are dropped and look-alike digits read
    /// as letters (`lodash_merge`, `1odash`).
    Lookalike,
    /// The popular name with a prefix or suffix (`node-chalk`, `postmark-mcp`).
    Affix(&'static str),
    /// An unscoped copy of a scoped package (`acme-mcp` for `@acme/mcp-server`).
    ScopedCopy,
    /// A typo: this many edits away (insert, delete, substitute, swap).
    Typo(usize),
}

impl Resemblance {
    /// One sentence for messages: how `name` resembles `target`.
    pub fn sentence(&self, name: &str, target: &str) -> String {
        match self {
            Resemblance::Lookalike => format!(
                "`{name}` differs from `{target}` only by separators or look-alike characters"
            ),
            Resemblance::Affix(a) => format!("`{name}` is `{target}` with `{a}` added"),
            Resemblance::ScopedCopy => format!("`{name}` is an unscoped copy of `{target}`"),
            Resemblance::Typo(1) => format!("`{name}` is one edit away from `{target}`"),
            Resemblance::Typo(n) => format!("`{name}` is {n} edits away from `{target}`"),
        }
    }
}

/// A popular name another name resembles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resembled {
    /// The popular name.
    pub target: String,
    /// Its rank in the list (0 = most popular).
    pub rank: usize,
    pub how: Resemblance,
}

/// An index over popular names.
#[derive(Debug, Default)]
pub struct PopularIndex {
    names: Vec<String>,
    rank: HashMap<String, usize>,
    /// Folded name → ranks.
    folded: HashMap<String, Vec<usize>>,
    /// Folded unscoped copies of scoped names → ranks of the scoped names.
    scoped_copies: HashMap<String, Vec<usize>>,
    /// Name length → ranks of unscoped fuzzy targets.
    by_length: Vec<Vec<usize>>,
    /// Bare name → ranks of scoped popular names with it.
    scoped_by_bare: HashMap<String, Vec<usize>>,
}

impl PopularIndex {
    /// The index over the shipped list, built on first use.
    pub fn shipped() -> &'static PopularIndex {
        static INDEX: OnceLock<PopularIndex> = OnceLock::new();
        INDEX.get_or_init(|| PopularIndex::new(POPULAR_NPM.lines()))
    }

    /// Builds an index from names, most popular first. Blank lines and lines
    /// starting with `#` are skipped; names are compared lower-cased.
    pub fn new<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = PopularIndex::default();
        for line in lines {
            let name = line.trim().to_ascii_lowercase();
            if name.is_empty() || name.starts_with('#') || index.rank.contains_key(&name) {
                continue;
            }
            index.add(name);
        }
        index
    }

    fn add(&mut self, name: String) {
        let rank = self.names.len();
        self.rank.insert(name.clone(), rank);
        self.folded.entry(fold(&name)).or_default().push(rank);
        let (scope, bare) = split_scope(&name);
        if let Some(scope) = scope {
            self.scoped_by_bare
                .entry(bare.to_owned())
                .or_default()
                .push(rank);
            for key in scoped_copy_keys(scope, bare) {
                let ranks = self.scoped_copies.entry(key).or_default();
                if !ranks.contains(&rank) {
                    ranks.push(rank);
                }
            }
        }
        if rank < FUZZY_TARGETS && scope.is_none() && bare.len() >= 5 {
            if self.by_length.len() <= bare.len() {
                self.by_length.resize(bare.len() + 1, Vec::new());
            }
            self.by_length[bare.len()].push(rank);
        }
        self.names.push(name);
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The rank of a popular name (0 = most popular).
    pub fn rank(&self, name: &str) -> Option<usize> {
        self.rank.get(&name.to_ascii_lowercase()).copied()
    }

    /// Whether any popular package is in this scope (`postmark` for `@postmark/...`).
    pub fn has_scope(&self, scope: &str) -> bool {
        let prefix = format!("@{}/", scope.to_ascii_lowercase());
        self.names.iter().any(|n| n.starts_with(&prefix))
    }

    /// The popular names `name` resembles, best evidence first. Empty for a
    /// popular name itself.
    pub fn resembles(&self, name: &str) -> Vec<Resembled> {
        let name = name.to_ascii_lowercase();
        if self.rank.contains_key(&name) {
            return Vec::new();
        }
        let mut out: Vec<Resembled> = Vec::new();
        let mut push = |rank: usize, how: Resemblance| {
            if !out.iter().any(|r| r.rank == rank) {
                out.push(Resembled {
                    target: self.names[rank].clone(),
                    rank,
                    how,
                });
            }
        };
        let (scope, bare) = split_scope(&name);
        let folded = fold(&name);
        if scope.is_none()
            && let Some(ranks) = self.scoped_copies.get(&folded)
        {
            for &r in ranks {
                push(r, Resemblance::ScopedCopy);
            }
        }
        if let Some(ranks) = self.folded.get(&folded) {
            for &r in ranks {
                push(r, Resemblance::Lookalike);
            }
        }
        if scope.is_none() {
            for (base, affix) in strip_affixes(bare) {
                if base.len() < 4 {
                    continue;
                }
                if let Some(&r) = self.rank.get(base) {
                    push(r, Resemblance::Affix(affix));
                }
            }
        }
        match scope {
            None => {
                let max = max_edits(bare.len());
                let lo = bare.len().saturating_sub(max);
                let hi = bare.len() + max;
                for len in lo..=hi {
                    for &r in self
                        .by_length
                        .get(len)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        if let Some(d) = typo(bare, &self.names[r]) {
                            push(r, Resemblance::Typo(d));
                        }
                    }
                }
            }
            // Inside a scope only its organisation publishes, so a name one
            // edit from a sibling is the organisation's own: only a scope
            // resembling a popular scope (`@typescript_eslint/parser`) counts.
            Some(scope) => {
                for &r in self
                    .scoped_by_bare
                    .get(bare)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    let other = split_scope(&self.names[r]).0.unwrap_or_default();
                    if other == scope {
                        continue;
                    }
                    if fold(other) == fold(scope) {
                        push(r, Resemblance::Lookalike);
                    } else if let Some(d) = typo(scope, other) {
                        push(r, Resemblance::Typo(d));
                    }
                }
            }
        }
        out.sort_by_key(|r| {
            let kind = match r.how {
                Resemblance::ScopedCopy => 0,
                Resemblance::Lookalike => 1,
                Resemblance::Affix(_) => 2,
                Resemblance::Typo(d) => 2 + d,
            };
            (kind, r.rank)
        });
        out
    }
}

/// `@scope/name` → (`Some("scope")`, `name`); `name` → (`None`, `name`).
pub fn split_scope(name: &str) -> (Option<&str>, &str) {
    match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, bare)) => (Some(scope), bare),
        None => (None, name),
    }
}

/// Lower-cases, drops separators and reads look-alike digits as letters.
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .map(|c| match c.to_ascii_lowercase() {
            '1' => 'l',
            '0' => 'o',
            c => c,
        })
        .collect()
}

/// The folded unscoped names a copy of `@scope/bare` would use.
pub(crate) fn scoped_copy_keys(scope: &str, bare: &str) -> Vec<String> {
    let mut bares = vec![bare];
    for suffix in SCOPED_SUFFIXES {
        if let Some(b) = bare.strip_suffix(suffix).filter(|b| !b.is_empty()) {
            bares.push(b);
        }
    }
    let mut keys = Vec::new();
    for b in bares {
        keys.push(fold(&format!("{scope}{b}")));
        keys.push(fold(&format!("{b}{scope}")));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The name without one known prefix or suffix, with what was removed.
fn strip_affixes(name: &str) -> Vec<(&str, &'static str)> {
    let mut out = Vec::new();
    for p in PREFIXES {
        if let Some(base) = name.strip_prefix(p) {
            out.push((base, *p));
        }
    }
    for s in SUFFIXES {
        if let Some(base) = name.strip_suffix(s) {
            out.push((base, *s));
        }
    }
    out
}

/// Edits allowed for a (bare) name of this length: none under 5 characters
/// (`ms`, `ws`, `nx` are all real), one up to 9, two from 10.
fn max_edits(len: usize) -> usize {
    match len {
        0..5 => 0,
        5..10 => 1,
        _ => 2,
    }
}

/// Whether `name` is a typo of `target`, and how many edits away.
///
/// The edits must fall inside one word (the parts between `-`, `_`, `.`,
/// `/`) long enough for a slip rather than another word: an insertion,
/// deletion or swap in a word of five or more characters, a substitution in
/// one of seven or more, two edits in one of eight or more
/// (`expresss`, `loadsh`, `reqeusts`, but not `ejs-loader` for
/// `css-loader`, `watch` for `batch`). Names that differ only in digits are a
/// family (`mysql2`, `http2-proxy`, `es6-ext`), not typos.
fn typo(name: &str, target: &str) -> Option<usize> {
    let max = max_edits(name.len()).min(max_edits(target.len()));
    if max == 0 {
        return None;
    }
    let d = edit_distance(name.as_bytes(), target.as_bytes(), max)?;
    if d == 0 || without_digits(name) == without_digits(target) {
        return None;
    }
    let words =
        |s: &str| -> Vec<String> { s.split(['-', '_', '.', '/']).map(str::to_owned).collect() };
    let (a, b) = (words(name), words(target));
    let word_len = if a.len() == b.len() {
        let differing: Vec<(&String, &String)> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
        let [(x, y)] = differing.as_slice() else {
            return None;
        };
        let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
        if d == 1 && x.len() == y.len() && !is_swap(x, y) && x.len() < 7 {
            return None;
        }
        // A letter added at either end makes another word (`prompts`,
        // `cryptr`, `vasync`, `jstransformer`); only a doubled end letter
        // (`expresss`, `ttypescript`) is a slip.
        let (sb, lb) = (short.as_bytes(), long.as_bytes());
        if long.starts_with(short.as_str())
            && (d == 2 || sb.last() != lb.get(sb.len().wrapping_sub(1) + 1))
        {
            return None;
        }
        if long.ends_with(short.as_str()) && (d == 2 || sb.first() != lb.first()) {
            return None;
        }
        short.len()
    } else {
        // A word added (`abort-controller-x`) is another name; a separator
        // added or dropped with a slip beside it counts the joined word.
        let (short, long) = if a.len() < b.len() {
            (&a, &b)
        } else {
            (&b, &a)
        };
        if d == 2
            || (long.len() == short.len() + 1
                && (0..long.len()).any(|skip| {
                    long.iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, w)| w)
                        .eq(short.iter())
                }))
        {
            return None;
        }
        name.len().min(target.len())
    };
    let needed = if d == 1 { 5 } else { 8 };
    (word_len >= needed).then_some(d)
}

fn without_digits(s: &str) -> String {
    s.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Two equal-length words that differ by one swap of neighbours.
fn is_swap(a: &str, b: &str) -> bool {
    let diff: Vec<usize> = a
        .bytes()
        .zip(b.bytes())
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .collect();
    matches!(diff.as_slice(), [i, j] if *j == i + 1
        && a.as_bytes()[*i] == b.as_bytes()[*j]
        && a.as_bytes()[*j] == b.as_bytes()[*i])
}

/// Optimal-string-alignment distance (insert, delete, substitute, swap of two
/// neighbours), or `None` when it is over `max`.
pub fn edit_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![usize::MAX / 2; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> PopularIndex {
        PopularIndex::new(
            "# comment\nchalk\nlodash.merge\nexpress\npostmark\n@acme/mcp-server\n@babel/core\nbabel-core\nms\nreact-dom\n"
                .lines(),
        )
    }

    fn how(index: &PopularIndex, name: &str) -> Vec<(String, Resemblance)> {
        index
            .resembles(name)
            .into_iter()
            .map(|r| (r.target, r.how))
            .collect()
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance(b"express", b"expres", 2), Some(1));
        assert_eq!(edit_distance(b"express", b"exrpess", 2), Some(1));
        assert_eq!(edit_distance(b"express", b"expression", 2), None);
        assert_eq!(edit_distance(b"abc", b"abc", 0), Some(0));
        assert_eq!(edit_distance(b"", b"ab", 2), Some(2));
    }

    #[test]
    fn resemblances() {
        let i = index();
        assert_eq!(how(&i, "chalk"), vec![]);
        assert_eq!(how(&i, "babel-core"), vec![]);
        assert_eq!(
            how(&i, "exprss"),
            vec![("express".into(), Resemblance::Typo(1))]
        );
        assert_eq!(
            how(&i, "lodash_merge"),
            vec![("lodash.merge".into(), Resemblance::Lookalike)]
        );
        assert_eq!(
            how(&i, "cha1k"),
            vec![("chalk".into(), Resemblance::Lookalike)]
        );
        assert_eq!(
            how(&i, "postmark-mcp"),
            vec![("postmark".into(), Resemblance::Affix("-mcp"))]
        );
        assert_eq!(
            how(&i, "node-chalk"),
            vec![("chalk".into(), Resemblance::Affix("node-"))]
        );
        assert_eq!(
            how(&i, "acme-mcp"),
            vec![("@acme/mcp-server".into(), Resemblance::ScopedCopy)]
        );
        assert_eq!(
            how(&i, "acme-mcp-server"),
            vec![("@acme/mcp-server".into(), Resemblance::ScopedCopy)]
        );
        // Short names get no edit-distance matches; names that differ only
        // in digits are a family; scopes are compared within themselves.
        assert_eq!(how(&i, "mx"), vec![]);
        assert_eq!(how(&i, "chalk-animation"), vec![]);
        assert_eq!(how(&i, "@other/core"), vec![]);
        assert_eq!(how(&i, "@babel/cor"), vec![]);
        assert_eq!(
            how(&i, "@babe1/core"),
            vec![("@babel/core".into(), Resemblance::Lookalike)]
        );
        assert_eq!(
            how(&i, "@bable/core"),
            vec![("@babel/core".into(), Resemblance::Typo(1))]
        );
        // Another word, not a slip; a digit family.
        assert_eq!(how(&i, "react-dnd"), vec![]);
        assert_eq!(how(&i, "chalk2"), vec![]);
    }

    #[test]
    fn the_shipped_list_loads() {
        let i = PopularIndex::shipped();
        assert!(i.len() > 10_000, "{}", i.len());
        assert!(i.rank("semver").is_some());
        assert!(i.rank("postmark").is_some());
        assert!(i.has_scope("babel"));
        assert!(i.resembles("semver").is_empty());
        assert!(!i.resembles("semvre").is_empty());
    }

    /// Measures a lookup; prints the figure (`--nocapture`) and bounds it
    /// loosely so a quadratic regression fails.
    #[test]
    fn lookup_cost() {
        let i = PopularIndex::shipped();
        let names = [
            "expresss",
            "reqeusts-promise",
            "my-internal-company-package",
            "@types/nodde",
            "left-pad",
            "postmark-mcp",
        ];
        let rounds = 200;
        let start = std::time::Instant::now();
        let mut found = 0;
        for _ in 0..rounds {
            for n in names {
                found += i.resembles(n).len();
            }
        }
        let per = start.elapsed() / (rounds * names.len() as u32);
        println!("popular-name lookup: {per:?} per name ({found} matches)");
        assert!(per < std::time::Duration::from_millis(5), "{per:?}");
    }
}
