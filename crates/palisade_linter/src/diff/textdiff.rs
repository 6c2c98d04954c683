//! A line diff (Myers' O(ND) algorithm over hashed lines) and unified hunks
//! cut around one line of the new file.
//!
//! Bounded: past [`MAX_EDITS`] edits the middle of the file (after the common
//! prefix and suffix) is reported as replaced, so a rewritten bundle costs
//! linear time.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use palisade_package::PackageFile;

/// Most edits Myers' search explores before giving up on a minimal diff.
const MAX_EDITS: usize = 1_000;
/// Lines of context around a change.
const CONTEXT: usize = 3;
/// Largest number of changed lines shown in one hunk.
const MAX_CHANGED_SHOWN: usize = 7;
/// Longest line shown, in characters.
const MAX_LINE_CHARS: usize = 160;

/// One step of a line diff; indices are 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// A line diff of two texts.
pub(crate) struct LineDiff {
    old: Vec<String>,
    new: Vec<String>,
    ops: Vec<Op>,
}

fn hash(line: &str) -> u64 {
    let mut h = DefaultHasher::new();
    line.hash(&mut h);
    h.finish()
}

impl LineDiff {
    /// The diff of a file between two versions; `None` when the new version
    /// has no such file.
    pub(crate) fn of(old: Option<&PackageFile>, new: Option<&PackageFile>) -> Option<Self> {
        let new = String::from_utf8_lossy(&new?.data).into_owned();
        let old = old
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .unwrap_or_default();
        Some(Self::new(&old, &new))
    }

    pub(crate) fn new(old: &str, new: &str) -> Self {
        let old: Vec<String> = old.lines().map(str::to_owned).collect();
        let new: Vec<String> = new.lines().map(str::to_owned).collect();
        let a: Vec<u64> = old.iter().map(|l| hash(l)).collect();
        let b: Vec<u64> = new.iter().map(|l| hash(l)).collect();
        let ops = diff_ops(&a, &b);
        Self { old, new, ops }
    }

    /// Whether the texts have the same lines.
    #[cfg(test)]
    pub(crate) fn is_equal(&self) -> bool {
        self.ops.iter().all(|op| matches!(op, Op::Equal(..)))
    }

    /// A unified hunk (`@@ -a,b +c,d @@` and the lines) around `line`
    /// (1-based, in the new text): the change block holding that line, or
    /// the nearest one, with [`CONTEXT`] lines either side. `None` when the
    /// texts are equal or the line is not in the new text.
    pub(crate) fn hunk(&self, line: u32) -> Option<String> {
        if self.ops.iter().all(|op| matches!(op, Op::Equal(..))) {
            return None;
        }
        let target = usize::try_from(line).ok()?.checked_sub(1)?;
        let at = self.ops.iter().position(|op| match op {
            Op::Equal(_, j) | Op::Insert(j) => *j == target,
            Op::Delete(_) => false,
        })?;
        let changed = |i: usize| !matches!(self.ops[i], Op::Equal(..));
        // The change block holding `at`, or the nearest one.
        let centre = if changed(at) {
            at
        } else {
            let after = (at..self.ops.len()).find(|&i| changed(i));
            let before = (0..at).rev().find(|&i| changed(i));
            match (before, after) {
                (Some(b), Some(a)) => {
                    if at - b <= a - at {
                        b
                    } else {
                        a
                    }
                }
                (Some(b), None) => b,
                (None, Some(a)) => a,
                (None, None) => return None,
            }
        };
        let mut start = centre;
        while start > 0 && changed(start - 1) {
            start -= 1;
        }
        let mut end = centre + 1;
        while end < self.ops.len() && changed(end) {
            end += 1;
        }
        // A long block is cut to the lines around the one that matters.
        if end - start > MAX_CHANGED_SHOWN {
            let focus = if changed(at) { at } else { centre };
            start = start.max(focus.saturating_sub(MAX_CHANGED_SHOWN / 2));
            end = end.min(start + MAX_CHANGED_SHOWN);
        }
        // Context, and the target line when it lies outside the block.
        let from = start.saturating_sub(CONTEXT).min(at);
        let to = (end + CONTEXT).min(self.ops.len()).max(at + 1);
        Some(self.render(from, to))
    }

    fn render(&self, from: usize, to: usize) -> String {
        let slice = &self.ops[from..to];
        // Where the hunk starts in each file: the first index it shows, or
        // the position it would have.
        let old_start = self.ops[from..]
            .iter()
            .find_map(|op| match op {
                Op::Equal(i, _) | Op::Delete(i) => Some(*i),
                Op::Insert(_) => None,
            })
            .unwrap_or(self.old.len());
        let new_start = self.ops[from..]
            .iter()
            .find_map(|op| match op {
                Op::Equal(_, j) | Op::Insert(j) => Some(*j),
                Op::Delete(_) => None,
            })
            .unwrap_or(self.new.len());
        let old_count = slice
            .iter()
            .filter(|op| !matches!(op, Op::Insert(_)))
            .count();
        let new_count = slice
            .iter()
            .filter(|op| !matches!(op, Op::Delete(_)))
            .count();
        let start = |s: usize, n: usize| if n == 0 { s } else { s + 1 };
        let mut out = format!(
            "@@ -{},{old_count} +{},{new_count} @@\n",
            start(old_start, old_count),
            start(new_start, new_count)
        );
        for op in slice {
            let (mark, text) = match *op {
                Op::Equal(_, j) => (' ', self.new[j].as_str()),
                Op::Delete(i) => ('-', self.old[i].as_str()),
                Op::Insert(j) => ('+', self.new[j].as_str()),
            };
            let shown: String = text.chars().take(MAX_LINE_CHARS).collect();
            let more = if text.chars().nth(MAX_LINE_CHARS).is_some() {
                "…"
            } else {
                ""
            };
            let _ = writeln!(out, "{mark}{shown}{more}");
        }
        out
    }
}

/// The edit script turning `a` into `b`.
fn diff_ops(a: &[u64], b: &[u64]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    match myers(ma, mb) {
        Some(middle) => ops.extend(middle.into_iter().map(|op| match op {
            Op::Equal(i, j) => Op::Equal(i + prefix, j + prefix),
            Op::Delete(i) => Op::Delete(i + prefix),
            Op::Insert(j) => Op::Insert(j + prefix),
        })),
        None => {
            ops.extend((0..ma.len()).map(|i| Op::Delete(i + prefix)));
            ops.extend((0..mb.len()).map(|j| Op::Insert(j + prefix)));
        }
    }
    let (oa, ob) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Equal(oa + k, ob + k)));
    ops
}

/// Myers' greedy forward search with a trace for backtracking. `None` past
/// [`MAX_EDITS`].
fn myers(a: &[u64], b: &[u64]) -> Option<Vec<Op>> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        let mut ops: Vec<Op> = (0..n).map(Op::Delete).collect();
        ops.extend((0..m).map(Op::Insert));
        return Some(ops);
    }
    let max = (n + m).min(MAX_EDITS);
    let offset = max + 1;
    let mut v = vec![0usize; 2 * max + 3];
    let mut trace: Vec<Vec<usize>> = Vec::new();
    let idx = |k: isize| usize::try_from(k + offset as isize).unwrap_or(0);
    for d in 0..=max {
        // Only diagonals -d-1..=d+1 matter when backtracking from step d.
        trace.push(v[offset - d - 1..=offset + d + 1].to_vec());
        let d_i = d as isize;
        let mut k = -d_i;
        while k <= d_i {
            let mut x = if k == -d_i || (k != d_i && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = usize::try_from(x as isize - k).unwrap_or(0);
            while x < n && y < m && a[x] == b[y] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<usize>], n: usize, m: usize) -> Vec<Op> {
    let (mut x, mut y) = (n as isize, m as isize);
    let mut ops = Vec::new();
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let idx = |k: isize| usize::try_from(k + d + 1).unwrap_or(0);
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[idx(prev_k)] as isize;
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Op::Equal(x as usize, y as usize));
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Insert(prev_y as usize));
            } else {
                ops.push(Op::Delete(prev_x as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, new: &str) {
        let d = LineDiff::new(old, new);
        let rebuilt: Vec<&str> = d
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Equal(_, j) | Op::Insert(j) => Some(d.new[*j].as_str()),
                Op::Delete(_) => None,
            })
            .collect();
        assert_eq!(rebuilt, new.lines().collect::<Vec<_>>());
        let kept: Vec<&str> = d
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Equal(i, _) | Op::Delete(i) => Some(d.old[*i].as_str()),
                Op::Insert(_) => None,
            })
            .collect();
        assert_eq!(kept, old.lines().collect::<Vec<_>>());
    }

    #[test]
    fn edit_scripts_rebuild_both_sides() {
        apply("a\nb\nc\n", "a\nb\nc\n");
        apply("", "a\nb\n");
        apply("a\nb\n", "");
        apply("a\nb\nc\nd\n", "a\nx\nc\ny\nd\nz\n");
        apply("x\na\nb\n", "a\nb\nx\n");
    }

    #[test]
    fn one_added_line() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nadded\n5\n6\n7\n8\n";
        let d = LineDiff::new(old, new);
        assert!(!d.is_equal());
        insta::assert_snapshot!(d.hunk(5).unwrap_or_default(), @r"
        @@ -2,6 +2,7 @@
         2
         3
         4
        +added
         5
         6
         7
        ");
        // A line outside the change shows the nearest change.
        assert!(d.hunk(1).is_some_and(|h| h.contains("+added")));
        assert!(LineDiff::new(old, old).hunk(2).is_none());
    }

    #[test]
    fn new_file_is_cut_around_the_line() {
        let new: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let h = LineDiff::new("", &new).hunk(20).unwrap_or_default();
        assert!(h.contains("+line 20"), "{h}");
        assert!(
            h.lines().count() <= 1 + MAX_CHANGED_SHOWN + 2 * CONTEXT,
            "{h}"
        );
    }

    #[test]
    fn large_rewrites_are_bounded() {
        let old: String = (0..20_000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..20_000).map(|i| format!("b{i}\n")).collect();
        let d = LineDiff::new(&old, &new);
        assert!(d.hunk(10_000).is_some());
    }
}
