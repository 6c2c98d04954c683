//! Python string literals and the constant decoders constant folding applies.

use base64::Engine as _;

/// The value of the text inside quotes, with escapes applied unless `raw`.
pub(super) fn unescape(s: &str, raw: bool) -> String {
    if raw || !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| {
            let digits: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.extend(char::from_u32(v));
            }
            'x' => out.extend(hex(&mut chars, 2)),
            'u' => out.extend(hex(&mut chars, 4)),
            'U' => out.extend(hex(&mut chars, 8)),
            '\n' => {}
            '\\' | '\'' | '"' => out.push(e),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// Base64 (standard or URL-safe, padding optional) decoded to text, when it
/// decodes to mostly printable UTF-8.
pub(super) fn decode_base64(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let trimmed = clean.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
        .ok()?;
    printable(bytes)
}

/// Hex digits decoded to text.
pub(super) fn decode_hex(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !clean.len().is_multiple_of(2) || !clean.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    printable(bytes)
}

/// ROT13 of ASCII letters.
pub(super) fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from(b'a' + (c as u8 - b'a' + 13) % 26),
            'A'..='Z' => char::from(b'A' + (c as u8 - b'A' + 13) % 26),
            _ => c,
        })
        .collect()
}

fn printable(bytes: Vec<u8>) -> Option<String> {
    let s = String::from_utf8(bytes).ok()?;
    let good = s
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (!s.is_empty() && good * 10 >= s.chars().count() * 9).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_decoders() {
        assert_eq!(unescape(r"a\x41\n\\", false), "aA\n\\");
        assert_eq!(unescape(r"a\x41", true), r"a\x41");
        assert_eq!(unescape(r"\101\u0042", false), "AB");
        assert_eq!(decode_base64("aW1wb3J0IG9z").as_deref(), Some("import os"));
        assert_eq!(decode_hex("6f73").as_deref(), Some("os"));
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(rot13("vzcbeg bf"), "import os");
    }
}
