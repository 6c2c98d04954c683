//! The text report `palisade-eval` prints.

use std::fmt::Write as _;

use crate::Label;
use crate::model::{EvalReport, FiredRule, FlaggedPackage, SetReport};

/// Renders the report as text. With `timings` false, every figure that
/// depends on the machine (times, rates per second, memory) is left out, so
/// the output of two runs can be compared line by line.
pub fn render(report: &EvalReport, timings: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "palisade {} evaluation{}",
        report.palisade_version,
        if report.preview {
            " (preview rules decide)"
        } else {
            ""
        }
    );
    if timings {
        let _ = writeln!(
            out,
            "packages read and scanned one at a time; engine threads: {}",
            report.engine_threads
        );
    }
    for set in &report.sets {
        out.push('\n');
        render_set(&mut out, set, timings);
    }
    render_rules(&mut out, report);
    render_side_by_side(&mut out, report, timings);
    if timings && let Some(kib) = report.peak_memory_kib {
        let _ = writeln!(
            out,
            "\npeak memory: {:.1} MiB (VmHWM, whole evaluation process)",
            kib as f64 / 1024.0
        );
    }
    out
}

fn pct(part: usize, total: usize) -> String {
    let share = if total == 0 {
        0.0
    } else {
        100.0 * part as f64 / total as f64
    };
    format!("{share:.1}% ({part}/{total})")
}

fn mb(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} KB", bytes as f64 / 1e3)
    } else {
        format!("{:.2} MB", bytes as f64 / 1e6)
    }
}

fn render_set(out: &mut String, set: &SetReport, timings: bool) {
    let c = &set.counts;
    let _ = writeln!(
        out,
        "== `{}` ({}, {} packages) `{}`",
        set.name, set.label, c.total, set.path
    );
    let _ = writeln!(
        out,
        "verdicts: clean {}, suspicious {}, malicious {}, unreadable {}",
        c.clean, c.suspicious, c.malicious, c.errors
    );
    match set.label {
        Label::Malicious => {
            let _ = writeln!(
                out,
                "detection: malicious {}, suspicious or worse {}",
                pct(c.malicious, c.total),
                pct(c.malicious + c.suspicious, c.total)
            );
        }
        Label::Benign => {
            let _ = writeln!(
                out,
                "false positives: malicious {}, suspicious {}",
                pct(c.malicious, c.total),
                pct(c.suspicious, c.total)
            );
        }
    }
    let p = &set.perf;
    if let Some(largest) = &p.largest {
        let _ = writeln!(
            out,
            "size: {} unpacked; largest `{}` {}",
            mb(p.bytes),
            largest.entry,
            mb(largest.bytes)
        );
    }
    if timings {
        let _ = writeln!(
            out,
            "speed (in process, one package at a time, read + scan): {:.1} packages/s, {:.1} MB/s; per package p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms{}",
            p.packages_per_sec,
            p.mb_per_sec,
            p.p50_ms,
            p.p95_ms,
            p.max_ms,
            p.slowest
                .as_deref()
                .map_or_else(String::new, |s| format!(" (`{s}`)"))
        );
        if let Some(w) = &set.whole_process {
            match w.median_ms {
                Some(m) => {
                    let _ = writeln!(
                        out,
                        "whole process (`{}`): median {m:.1} ms, p95 {:.1} ms over {} runs, {} failed",
                        w.command,
                        w.p95_ms.unwrap_or(m),
                        w.runs,
                        w.failures
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "whole process (`{}`): skipped, no run succeeded ({})",
                        w.command,
                        w.first_failure.as_deref().unwrap_or("no runs")
                    );
                }
            }
        }
    }
    if let Some(g) = &set.guarddog {
        let what = match set.label {
            Label::Malicious => "detection",
            Label::Benign => "flagged",
        };
        let _ = write!(
            out,
            "guarddog {}: {what} {} at score >= 5, {} timeouts, {} errors{}",
            g.version,
            pct(g.detected, g.packages),
            g.timeouts,
            g.errors,
            if g.complete { "" } else { " (partial run)" }
        );
        if timings && let Some(m) = g.median_ms {
            let _ = write!(out, "; median {m:.0} ms per package");
        }
        out.push('\n');
    }
    if !set.flagged.is_empty() {
        let _ = writeln!(
            out,
            "{}:",
            match set.label {
                Label::Malicious => "not rated malicious (rules that fired)",
                Label::Benign => "rated suspicious or malicious (rules at high or critical)",
            }
        );
        for f in &set.flagged {
            let _ = writeln!(out, "  {}", flagged_line(f));
        }
    }
}

fn flagged_line(f: &FlaggedPackage) -> String {
    let Some(verdict) = f.verdict else {
        return format!(
            "`{}` unreadable: {}",
            f.entry,
            f.error.as_deref().unwrap_or("")
        );
    };
    let rules = if f.rules.is_empty() {
        "no rules fired".to_owned()
    } else {
        f.rules.iter().map(rule_note).collect::<Vec<_>>().join(", ")
    };
    format!(
        "`{}@{}` ({}) {verdict}: {rules}",
        f.name, f.version, f.entry
    )
}

fn rule_note(r: &FiredRule) -> String {
    let mut tags = vec![r.severity.as_str()];
    if r.deciding {
        tags.push("deciding");
    }
    if r.preview {
        tags.push("preview");
    }
    if r.findings > 1 {
        format!("`{}` ({}, x{})", r.rule, tags.join(", "), r.findings)
    } else {
        format!("`{}` ({})", r.rule, tags.join(", "))
    }
}

fn render_rules(out: &mut String, report: &EvalReport) {
    let _ = writeln!(
        out,
        "\n== rules: packages each rule fired on, per set (stable / preview / at high or critical)"
    );
    if report.rules.is_empty() {
        let _ = writeln!(out, "no rule fired");
        return;
    }
    let width = report
        .rules
        .iter()
        .map(|r| r.rule.len())
        .chain(std::iter::once(4))
        .max()
        .unwrap_or(4);
    let mut header = format!("{:width$}", "rule");
    for set in &report.sets {
        let _ = write!(header, "  {:>20}", set.name);
    }
    let _ = writeln!(out, "{}", header.trim_end());
    for row in &report.rules {
        let mut line = format!("{:width$}", row.rule);
        for c in &row.sets {
            let cell = format!("{} / {} / {}", c.stable, c.preview, c.high);
            let _ = write!(line, "  {cell:>20}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn render_side_by_side(out: &mut String, report: &EvalReport, timings: bool) {
    if !report.sets.iter().any(|s| s.guarddog.is_some()) {
        return;
    }
    let _ = writeln!(
        out,
        "\n== side by side (detection on malicious sets, flag rate on benign sets; whole process per package)"
    );
    let _ = writeln!(
        out,
        "{:20}  {:9}  {:>8}  {:>9}  {:>14}  {:>12}",
        "set", "tool", "packages", "rate", "median ms/pkg", "vs palisade"
    );
    for set in &report.sets {
        let c = &set.counts;
        let ours = match set.label {
            Label::Malicious => c.malicious,
            Label::Benign => c.malicious + c.suspicious,
        };
        let palisade_ms = set.whole_process.as_ref().and_then(|w| w.median_ms);
        let fmt_ms = |m: Option<f64>| {
            if timings {
                m.map_or_else(|| "-".to_owned(), |m| format!("{m:.1}"))
            } else {
                "-".to_owned()
            }
        };
        let _ = writeln!(
            out,
            "{:20}  {:9}  {:>8}  {:>8.1}%  {:>14}  {:>12}",
            set.name,
            "palisade",
            c.total,
            rate(ours, c.total),
            fmt_ms(palisade_ms),
            if timings && palisade_ms.is_some() {
                "1.0x"
            } else {
                "-"
            }
        );
        if let Some(g) = &set.guarddog {
            let ratio = match g.speed_ratio {
                Some(r) if timings => format!("{r:.1}x slower"),
                _ => "-".to_owned(),
            };
            let _ = writeln!(
                out,
                "{:20}  {:9}  {:>8}  {:>8.1}%  {:>14}  {:>12}",
                "",
                "guarddog",
                g.packages,
                100.0 * g.rate,
                fmt_ms(g.median_ms),
                ratio
            );
        }
    }
}

fn rate(part: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * part as f64 / total as f64
    }
}
