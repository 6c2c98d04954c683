//! Byte offsets to 1-based lines and columns, and source snippets.

use palisade_diagnostics::Location;

/// Line starts of one file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

/// Longest snippet shown, in characters.
const SNIPPET_CHARS: usize = 200;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self { starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1] as usize;
        let end = (offset as usize).min(text.len());
        let col = text
            .get(start..end)
            .map_or(end.saturating_sub(start), |s| s.chars().count());
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }

    pub fn location(&self, path: &str, text: &str, offset: u32) -> Location {
        let (line, column) = self.line_col(text, offset);
        Location::new(path, line, column)
    }

    /// The text of a 1-based line, trimmed; long lines are cut to a window
    /// around `column`.
    pub fn snippet(&self, text: &str, line: u32, column: u32) -> Option<String> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)? as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(text.len(), |e| (*e as usize).saturating_sub(1));
        let raw = text.get(start..end.max(start))?.trim_end_matches('\r');
        Some(window(raw, column as usize))
    }
}

/// Cuts a long line to [`SNIPPET_CHARS`] around a 1-based column.
pub fn window(line: &str, column: usize) -> String {
    let count = line.chars().count();
    if count <= SNIPPET_CHARS {
        // Keep the indentation: renderers place the caret by column.
        return line.trim_end().to_owned();
    }
    let center = column.saturating_sub(1).min(count);
    let from = center.saturating_sub(SNIPPET_CHARS / 4);
    let s: String = line.chars().skip(from).take(SNIPPET_CHARS).collect();
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(s.trim());
    if from + SNIPPET_CHARS < count {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "a\nbc\n  déf";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 2));
        let f = text.find('f').expect("f") as u32;
        assert_eq!(idx.line_col(text, f), (3, 5));
        assert_eq!(idx.snippet(text, 3, 1).as_deref(), Some("  déf"));
        assert_eq!(idx.snippet(text, 9, 1), None);
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = "x".repeat(100_000);
        let s = window(&line, 50_000);
        assert!(s.chars().count() <= SNIPPET_CHARS + 2);
    }
}
