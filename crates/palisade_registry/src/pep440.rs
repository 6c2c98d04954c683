//! Python version numbers (PEP 440), enough to compare and order them.

use std::cmp::Ordering;

/// A parsed PEP 440 version. Equality and order follow the PEP: `1.0` equals
/// `1.0.0`, `1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1`. The local part
/// (`+abc`) is kept but only breaks ties.
#[derive(Debug, Clone)]
pub struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    /// `a` = 0, `b` = 1, `rc` = 2, with its number.
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: String,
}

impl Pep440 {
    /// Parses a version, leniently as pip does (`v1.0`, `1.0-1`, `1.0alpha2`,
    /// upper case); `None` when it is not a PEP 440 version.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        let text = lower.strip_prefix('v').unwrap_or(&lower);
        let (public, local) = match text.split_once('+') {
            Some((p, l)) if !l.is_empty() => (p, l.to_owned()),
            Some(_) => return None,
            None => (text, String::new()),
        };
        let (epoch, rest) = match public.split_once('!') {
            Some((e, r)) => (e.parse().ok()?, r),
            None => (0, public),
        };
        let bytes = rest.as_bytes();
        let mut i = 0;
        let number = |i: &mut usize| -> Option<u64> {
            let start = *i;
            while *i < bytes.len() && bytes[*i].is_ascii_digit() {
                *i += 1;
            }
            if start == *i {
                return None;
            }
            rest[start..*i].parse().ok()
        };
        let mut release = vec![number(&mut i)?];
        while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
            i += 1;
            release.push(number(&mut i)?);
        }
        let sep = |i: &mut usize| {
            if *i < bytes.len() && matches!(bytes[*i], b'.' | b'-' | b'_') {
                *i += 1;
            }
        };
        let word = |i: &mut usize, words: &[(&str, u8)]| -> Option<u8> {
            words.iter().find_map(|(w, k)| {
                rest[*i..].starts_with(w).then(|| {
                    *i += w.len();
                    *k
                })
            })
        };
        let mut pre = None;
        let mut post = None;
        let mut dev = None;
        let save = i;
        sep(&mut i);
        let pre_words = [
            ("alpha", 0),
            ("beta", 1),
            ("preview", 2),
            ("pre", 2),
            ("rc", 2),
            ("a", 0),
            ("b", 1),
            ("c", 2),
        ];
        if let Some(kind) = word(&mut i, &pre_words) {
            sep(&mut i);
            pre = Some((kind, number(&mut i).unwrap_or(0)));
        } else {
            i = save;
        }
        let save = i;
        if i < bytes.len() && bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            post = Some(number(&mut i)?);
        } else {
            sep(&mut i);
            if word(&mut i, &[("post", 0), ("rev", 0), ("r", 0)]).is_some() {
                sep(&mut i);
                post = Some(number(&mut i).unwrap_or(0));
            } else {
                i = save;
            }
        }
        let save = i;
        sep(&mut i);
        if word(&mut i, &[("dev", 0)]).is_some() {
            sep(&mut i);
            dev = Some(number(&mut i).unwrap_or(0));
        } else {
            i = save;
        }
        if i != bytes.len() {
            return None;
        }
        while release.len() > 1 && release.last() == Some(&0) {
            release.pop();
        }
        Some(Self {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// A pre-release or development release (`1.0a1`, `1.0.dev0`).
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    fn key(&self) -> SortKey<'_> {
        let pre = match (self.pre, self.post, self.dev) {
            (Some((kind, n)), _, _) => (0, kind, n),
            // `1.0.dev1` sorts before `1.0a1`.
            (None, None, Some(_)) => (-1, 0, 0),
            (None, _, _) => (1, 0, 0),
        };
        let post = self.post.map_or(-1, i128::from);
        let dev = self.dev.map_or((1, 0), |n| (0, n));
        (self.epoch, &self.release, pre, post, dev)
    }
}

/// Epoch, release, pre-release rank, post number, dev rank: PEP 440's order.
type SortKey<'a> = (u64, &'a [u64], (i8, u8, u64), i128, (u8, u64));

impl PartialEq for Pep440 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440 {}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.local.cmp(&other.local))
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn v(text: &str) -> Pep440 {
        Pep440::parse(text).unwrap()
    }

    #[test]
    fn orders_as_the_pep_says() {
        let ordered = [
            "0.9",
            "1.0.dev1",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1.10",
            "2!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn normal_forms_are_equal() {
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("v1.0-1"), v("1.0.post1"));
        assert_eq!(v("1.0ALPHA2"), v("1.0a2"));
        assert_eq!(v("1.0-rc.3"), v("1.0rc3"));
        assert!(v("2.0b1").is_prerelease());
        assert!(!v("2.0.post1").is_prerelease());
    }

    #[test]
    fn rejects_what_is_not_a_version() {
        for bad in ["", "abc", "1.0-", "1..0", "1.0+", "1.0 beta"] {
            assert!(Pep440::parse(bad).is_none(), "{bad}");
        }
    }
}
