//! Text output for people, grouped by package.
//!
//! ```text
//! postmark-mcp@1.0.16  MALICIOUS  (score 50)
//!   source: postmark-mcp@1.0.16
//!
//! critical exfil/email-hardcoded-recipient: `sendEmail` copies every message to `Bcc` `x@evil.invalid` [deciding]
//!   --> index.js:12:5
//!    |
//! 12 |     Bcc: 'x@evil.invalid',
//!    |     ^^^
//!    = help: do not run this version
//!
//! 1 package: 1 malicious, 0 suspicious, 0 clean
//! ```
//!
//! Findings are sorted deciding first, then by severity (worst first), then
//! by place. `info` findings are context: one line each under a `context`
//! heading, or counted per rule when there are more than
//! [`MAX_LISTED_CONTEXT`].
//!
//! Everything that comes from the analysed package (names, paths, messages,
//! snippets) may be hostile: control characters, ANSI escapes and invisible
//! or bidirectional-override characters are shown as `<U+XXXX>` so that they
//! can neither drive the terminal nor hide code. Colour is plain ANSI and
//! only with [`RenderOptions::color`]; the text reads the same without it.

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::RenderOptions;
use crate::{Finding, PackageReport, Report, Severity, Verdict};

/// More `info` findings than this in one package are counted per rule
/// instead of listed.
pub const MAX_LISTED_CONTEXT: usize = 10;

/// Code excerpts wider than this (in characters) are cut to a window around
/// the column, marked with `…`.
const MAX_EXCERPT_CHARS: usize = 160;

/// Characters shown before the column when an excerpt is cut.
const EXCERPT_LEAD: usize = 40;

/// Lines of a multi-line snippet that are shown.
const MAX_EXCERPT_LINES: usize = 3;

/// Tabs in excerpts are expanded to this many spaces so the underline lines up.
const TAB_WIDTH: usize = 4;

/// Renders `report` for a terminal or a log.
pub fn render(report: &Report, options: RenderOptions<'_>) -> String {
    let paint = Paint(options.color);
    let mut out = String::new();
    for package in &report.packages {
        render_package(&mut out, package, paint);
        out.push('\n');
    }
    for error in &report.errors {
        let _ = writeln!(
            out,
            "{}: could not scan `{}`: {}",
            paint.paint(RED_BOLD, "error"),
            clean(&error.input),
            clean(&error.error)
        );
    }
    if !report.errors.is_empty() {
        out.push('\n');
    }
    summary(&mut out, report, paint);
    out
}

fn render_package(out: &mut String, package: &PackageReport, paint: Paint) {
    let verdict = package.verdict.as_str().to_ascii_uppercase();
    let verdict_style = match package.verdict {
        Verdict::Malicious => RED_BOLD,
        Verdict::Suspicious => YELLOW_BOLD,
        Verdict::Clean => GREEN_BOLD,
    };
    let _ = writeln!(
        out,
        "{}  {}  (score {})",
        paint.paint(
            BOLD,
            &format!("{}@{}", clean(&package.name), clean(&package.version))
        ),
        paint.paint(verdict_style, &verdict),
        package.score
    );
    let _ = writeln!(
        out,
        "  source: {}{}",
        clean(&package.source),
        if package.cached {
            "  (verdict from cache)"
        } else {
            ""
        }
    );

    if !package.dependency_path.is_empty() {
        let path: Vec<String> = package.dependency_path.iter().map(|p| clean(p)).collect();
        let _ = writeln!(out, "  via: {}", path.join(" > "));
    }

    let mut main: Vec<&Finding> = Vec::new();
    let mut context: Vec<&Finding> = Vec::new();
    for finding in &package.findings {
        if finding.severity == Severity::Info {
            context.push(finding);
        } else {
            main.push(finding);
        }
    }
    main.sort_by(|a, b| order(a, b));
    context.sort_by(|a, b| order(a, b));

    if main.is_empty() && context.is_empty() {
        out.push_str("  no findings\n");
        return;
    }
    for finding in main {
        out.push('\n');
        render_finding(out, finding, paint);
    }
    if !context.is_empty() {
        out.push('\n');
        render_context(out, &context, paint);
    }
}

/// Deciding first, then worst severity, then by place, then by rule id.
fn order(a: &Finding, b: &Finding) -> Ordering {
    b.deciding
        .cmp(&a.deciding)
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| match (&a.location, &b.location) {
            (Some(la), Some(lb)) => la.cmp(lb),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.message.cmp(&b.message))
}

fn tags(finding: &Finding) -> String {
    let mut tags = String::new();
    for (on, tag) in [
        (finding.deciding, "[deciding]"),
        (finding.install_time, "[install-time]"),
        (finding.preview, "[preview]"),
    ] {
        if on {
            tags.push(' ');
            tags.push_str(tag);
        }
    }
    tags
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => RED_BOLD,
        Severity::High => RED,
        Severity::Medium => YELLOW,
        Severity::Low => CYAN,
        Severity::Info => DIM,
    }
}

fn render_finding(out: &mut String, finding: &Finding, paint: Paint) {
    let style = severity_style(finding.severity);
    let _ = writeln!(
        out,
        "{} {}: {}{}",
        paint.paint(style, finding.severity.as_str()),
        paint.paint(BOLD, &clean(&finding.rule)),
        clean(&finding.message),
        paint.paint(BOLD, &tags(finding)),
    );

    let line = finding.location.as_ref().map_or(0, |l| l.line);
    let excerpt = finding
        .snippet
        .as_deref()
        .map(|snippet| excerpt(snippet, finding))
        .unwrap_or_default();
    let extra_lines = u32::try_from(excerpt.len().saturating_sub(1)).unwrap_or(0);
    let last_number = line.saturating_add(extra_lines);
    let width = if line == 0 {
        2
    } else {
        last_number.to_string().len().max(2)
    };
    let pad = " ".repeat(width);

    if let Some(location) = &finding.location {
        let _ = writeln!(
            out,
            "{pad}{} {}",
            paint.paint(BLUE_BOLD, "-->"),
            clean_location(location)
        );
    }
    if !excerpt.is_empty() {
        let _ = writeln!(out, "{pad} {}", paint.paint(BLUE_BOLD, "|"));
        for (i, excerpt_line) in excerpt.iter().enumerate() {
            let number = if line == 0 {
                String::new()
            } else {
                line.saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
                    .to_string()
            };
            let gutter = paint.paint(BLUE_BOLD, &format!("{number:>width$} |"));
            if excerpt_line.text.is_empty() {
                let _ = writeln!(out, "{gutter}");
            } else {
                let _ = writeln!(out, "{gutter} {}", excerpt_line.text);
            }
            if let Some((start, len)) = excerpt_line.underline {
                let _ = writeln!(
                    out,
                    "{pad} {} {}{}",
                    paint.paint(BLUE_BOLD, "|"),
                    " ".repeat(start),
                    paint.paint(style, &"^".repeat(len.max(1)))
                );
            }
        }
    }
    if let Some(help) = &finding.help {
        let _ = writeln!(
            out,
            "{pad} = {}: {}",
            paint.paint(BOLD, "help"),
            clean(help)
        );
    }
}

fn render_context(out: &mut String, context: &[&Finding], paint: Paint) {
    let noun = if context.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    if context.len() <= MAX_LISTED_CONTEXT {
        let _ = writeln!(out, "context: {} info {noun}", context.len());
        for finding in context {
            let place = finding
                .location
                .as_ref()
                .map(|l| format!(" ({})", clean_location(l)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}: {}{place}{}",
                paint.paint(DIM, "info"),
                paint.paint(BOLD, &clean(&finding.rule)),
                clean(&finding.message),
                tags(finding),
            );
        }
    } else {
        let _ = writeln!(
            out,
            "context: {} info {noun}, counted per rule (the JSON output lists them)",
            context.len()
        );
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for finding in context {
            match counts.iter_mut().find(|(rule, _)| *rule == finding.rule) {
                Some((_, n)) => *n += 1,
                None => counts.push((&finding.rule, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        for (rule, n) in counts {
            let _ = writeln!(
                out,
                "  {} {}: {n}",
                paint.paint(DIM, "info"),
                paint.paint(BOLD, &clean(rule))
            );
        }
    }
}

fn summary(out: &mut String, report: &Report, paint: Paint) {
    let count = |v: Verdict| report.packages.iter().filter(|p| p.verdict == v).count();
    let n = report.packages.len();
    let malicious = count(Verdict::Malicious);
    let suspicious = count(Verdict::Suspicious);
    let _ = write!(
        out,
        "{} {}: {}, {}, {} clean",
        n,
        if n == 1 { "package" } else { "packages" },
        paint.paint_if(malicious > 0, RED_BOLD, &format!("{malicious} malicious")),
        paint.paint_if(
            suspicious > 0,
            YELLOW_BOLD,
            &format!("{suspicious} suspicious")
        ),
        count(Verdict::Clean),
    );
    match report.errors.len() {
        0 => {}
        1 => out.push_str("; 1 input could not be scanned"),
        e => {
            let _ = write!(out, "; {e} inputs could not be scanned");
        }
    }
    out.push('\n');
}

fn clean_location(location: &crate::Location) -> String {
    let mut location = location.clone();
    location.path = clean(&location.path);
    location.to_string()
}

/// One line of a code excerpt, ready to print: the text (escaped, tabs
/// expanded, cut to a window) and the underline as (start, length) in
/// printed characters.
#[derive(Debug, Default)]
struct ExcerptLine {
    text: String,
    underline: Option<(usize, usize)>,
}

fn excerpt(snippet: &str, finding: &Finding) -> Vec<ExcerptLine> {
    let location = finding.location.as_ref();
    let column = location.map_or(0, |l| l.column);
    let line = location.map_or(0, |l| l.line);
    let mut lines: Vec<ExcerptLine> = Vec::new();
    for (i, raw) in snippet.split('\n').enumerate() {
        if i == MAX_EXCERPT_LINES {
            lines.push(ExcerptLine {
                text: "…".to_owned(),
                underline: None,
            });
            break;
        }
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let chars: Vec<char> = raw.chars().collect();
        // Only the first line carries the column; an unknown column (0) or
        // one past the text (the engine may have trimmed the line) gets no
        // underline rather than a wrong one.
        let span = if i == 0 && line > 0 && column > 0 {
            let start = usize::try_from(column - 1).unwrap_or(usize::MAX);
            (start <= chars.len()).then(|| {
                let len = underline_len(&chars, start, location);
                (start, len)
            })
        } else {
            None
        };
        lines.push(display_line(&chars, span));
    }
    // A trailing newline in the snippet is not an empty source line.
    if lines.len() > 1 && lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }
    lines
}

/// How many characters to underline from `start`: the span's end when it is
/// on the same line, else the token at `start` (an identifier or a quoted
/// string), at least one.
fn underline_len(chars: &[char], start: usize, location: Option<&crate::Location>) -> usize {
    let rest = chars.len().saturating_sub(start);
    if let Some(location) = location {
        match (location.end_line, location.end_column) {
            (Some(end_line), Some(end_column))
                if end_line == location.line && end_column > location.column =>
            {
                let len = usize::try_from(end_column - location.column).unwrap_or(usize::MAX);
                return len.min(rest).max(1);
            }
            (Some(end_line), _) if end_line > location.line => return rest.max(1),
            _ => {}
        }
    }
    let Some(&first) = chars.get(start) else {
        return 1;
    };
    let len = if matches!(first, '\'' | '"' | '`') {
        chars[start + 1..]
            .iter()
            .position(|&c| c == first)
            .map_or(rest, |end| end + 2)
    } else {
        chars[start..]
            .iter()
            .take_while(|&&c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'))
            .count()
    };
    len.max(1)
}

/// Cuts a line to a window around the span, escapes it and places the
/// underline in printed characters.
fn display_line(chars: &[char], span: Option<(usize, usize)>) -> ExcerptLine {
    let (from, to) = if chars.len() <= MAX_EXCERPT_CHARS {
        (0, chars.len())
    } else {
        let anchor = span.map_or(0, |(start, _)| start);
        let from = anchor
            .saturating_sub(EXCERPT_LEAD)
            .min(chars.len() - MAX_EXCERPT_CHARS);
        (from, from + MAX_EXCERPT_CHARS)
    };
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    let mut printed = usize::from(from > 0);
    let mut underline_start = None;
    let mut underline_end = None;
    let (span_start, span_end) = span.map_or((usize::MAX, usize::MAX), |(s, l)| (s, s + l));
    for (index, &c) in chars.iter().enumerate().take(to).skip(from) {
        if index == span_start {
            underline_start = Some(printed);
        }
        if index == span_end {
            underline_end = Some(printed);
        }
        printed += push_display_char(&mut text, c);
    }
    if to < chars.len() {
        text.push('…');
    }
    let underline = span.and_then(|(start, _)| {
        // The column points just past the text: mark the end of the line.
        let begin = underline_start.or((start == to && to == chars.len()).then_some(printed))?;
        let end = underline_end.unwrap_or(printed).max(begin + 1);
        Some((begin, end - begin))
    });
    ExcerptLine { text, underline }
}

/// Pushes one source character as it should be printed; returns how many
/// characters were printed.
fn push_display_char(out: &mut String, c: char) -> usize {
    if c == '\t' {
        out.push_str(&" ".repeat(TAB_WIDTH));
        TAB_WIDTH
    } else if needs_escape(c) {
        let escaped = format!("<U+{:04X}>", u32::from(c));
        out.push_str(&escaped);
        escaped.len()
    } else {
        out.push(c);
        1
    }
}

/// Control characters (ANSI escapes among them), bidirectional overrides
/// and invisible characters: what could drive a terminal or hide code.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}'
        )
}

/// Escapes untrusted text for one line of output (tabs become spaces).
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else {
            push_display_char(&mut out, c);
        }
    }
    out
}

const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "31";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const RED_BOLD: &str = "1;31";
const YELLOW_BOLD: &str = "1;33";
const GREEN_BOLD: &str = "1;32";
const BLUE_BOLD: &str = "1;34";

/// Plain ANSI styling, a no-op when colour is off.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, style: &str, text: &str) -> String {
        self.paint_if(true, style, text)
    }

    fn paint_if(self, on: bool, style: &str, text: &str) -> String {
        if self.0 && on && !text.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;

    fn finding_at(line: u32, column: u32, snippet: &str) -> Finding {
        Finding::new("test/rule", Severity::High, "message")
            .with_location(Location::new("a.js", line, column))
            .with_snippet(snippet)
    }

    fn excerpt_of(f: &Finding) -> Vec<ExcerptLine> {
        excerpt(f.snippet.as_deref().unwrap_or_default(), f)
    }

    #[test]
    fn underline_covers_identifier_or_string() {
        let f = finding_at(3, 5, "    Bcc: 'x@evil.invalid',");
        assert_eq!(excerpt_of(&f)[0].underline, Some((4, 3)));
        let f = finding_at(3, 10, "    Bcc: 'x@evil.invalid',");
        assert_eq!(excerpt_of(&f)[0].underline, Some((9, 16)));
    }

    #[test]
    fn underline_uses_end_column_on_the_same_line() {
        let mut f = finding_at(1, 2, "abcdefgh");
        if let Some(l) = f.location.as_mut() {
            l.end_line = Some(1);
            l.end_column = Some(6);
        }
        assert_eq!(excerpt_of(&f)[0].underline, Some((1, 4)));
    }

    #[test]
    fn column_past_the_snippet_has_no_underline() {
        let f = finding_at(1, 500, "short");
        let lines = excerpt_of(&f);
        assert_eq!(lines[0].text, "short");
        assert_eq!(lines[0].underline, None);
    }

    #[test]
    fn long_line_is_cut_around_the_column() {
        let line = format!("{}BAD{}", " ".repeat(700), " ".repeat(300));
        let f = finding_at(1, 701, &line);
        let lines = excerpt_of(&f);
        let text = &lines[0].text;
        assert!(text.starts_with('…') && text.ends_with('…'), "{text:?}");
        assert_eq!(text.chars().count(), MAX_EXCERPT_CHARS + 2);
        let (start, len) = lines[0].underline.expect("underline");
        let shown: String = text.chars().skip(start).take(len).collect();
        assert_eq!(shown, "BAD");
    }

    #[test]
    fn tabs_and_escapes_keep_the_underline_aligned() {
        let f = finding_at(1, 3, "\t\u{1b}eval(x)");
        let lines = excerpt_of(&f);
        assert_eq!(lines[0].text, "    <U+001B>eval(x)");
        let (start, len) = lines[0].underline.expect("underline");
        assert_eq!(&lines[0].text[start..start + len], "eval");
    }

    #[test]
    fn hostile_characters_are_escaped() {
        assert_eq!(
            clean("a\u{1b}[31mb\u{202e}c\nd"),
            "a<U+001B>[31mb<U+202E>c<U+000A>d"
        );
    }

    #[test]
    fn multi_line_snippets_are_capped() {
        let f = finding_at(10, 1, "a\nb\nc\nd\ne\n");
        let texts: Vec<String> = excerpt_of(&f).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["a", "b", "c", "…"]);
    }

    #[test]
    fn column_at_end_of_line_marks_the_end() {
        let f = finding_at(1, 4, "abc");
        assert_eq!(excerpt_of(&f)[0].underline, Some((3, 1)));
    }
}
