//! Subresource integrity (`dist.integrity`) and `dist.shasum` verification.

use std::fmt;

use base64::Engine as _;
use sha2::Digest as _;

/// A hash algorithm npm uses, weakest first (the order is the strength order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// SHA-1 (`dist.shasum`, old integrity strings).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512, what npm records today.
    Sha512,
}

impl Algorithm {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The SRI name (`sha512`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The digest of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Expected digests of a tarball, from `dist.integrity` or `dist.shasum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    hashes: Vec<(Algorithm, Vec<u8>)>,
    /// Came from `dist.shasum`: shown as hex like npm shows it.
    hex: bool,
}

/// A digest mismatch: what was expected and what the bytes hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The expected digest(s) of the strongest algorithm, as recorded.
    pub expected: String,
    /// The digest of the bytes, in the same notation.
    pub actual: String,
}

impl Integrity {
    /// Parses an SRI string: space-separated `alg-base64[?options]` entries.
    /// Unknown algorithms and malformed entries are skipped; `None` when no
    /// entry is usable.
    pub fn parse(sri: &str) -> Option<Self> {
        let hashes: Vec<(Algorithm, Vec<u8>)> = sri
            .split_ascii_whitespace()
            .filter_map(|entry| {
                let (name, rest) = entry.split_once('-')?;
                let algorithm = Algorithm::from_name(name)?;
                let encoded = rest.split('?').next().unwrap_or(rest);
                let digest = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded))
                    .ok()?;
                (digest.len() == algorithm.digest_len()).then_some((algorithm, digest))
            })
            .collect();
        (!hashes.is_empty()).then_some(Self { hashes, hex: false })
    }

    /// From a hex SHA-1 (`dist.shasum`); `None` when it is not 40 hex digits.
    pub fn from_shasum(shasum: &str) -> Option<Self> {
        let digest = hex::decode(shasum.trim()).ok()?;
        (digest.len() == Algorithm::Sha1.digest_len()).then_some(Self {
            hashes: vec![(Algorithm::Sha1, digest)],
            hex: true,
        })
    }

    /// The strongest algorithm present: the one that must match.
    pub fn strongest(&self) -> Algorithm {
        self.hashes
            .iter()
            .map(|(algorithm, _)| *algorithm)
            .max()
            .unwrap_or(Algorithm::Sha1)
    }

    /// The first digest of the strongest algorithm: what a cache files the
    /// bytes under.
    pub fn strongest_digest(&self) -> (Algorithm, &[u8]) {
        let algorithm = self.strongest();
        let digest = self
            .hashes
            .iter()
            .find(|(a, _)| *a == algorithm)
            .map_or(&[][..], |(_, d)| d.as_slice());
        (algorithm, digest)
    }

    fn render(&self, algorithm: Algorithm, digest: &[u8]) -> String {
        if self.hex {
            hex::encode(digest)
        } else {
            format!(
                "{algorithm}-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        }
    }

    /// Checks `bytes` against the hashes of the strongest algorithm (any of them may match).
    ///
    /// # Errors
    /// The expected and actual digests when none matches.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), Mismatch> {
        let algorithm = self.strongest();
        let actual = algorithm.digest(bytes);
        let mut expected = Vec::new();
        for (candidate, digest) in &self.hashes {
            if *candidate != algorithm {
                continue;
            }
            if *digest == actual {
                return Ok(());
            }
            expected.push(self.render(algorithm, digest));
        }
        Err(Mismatch {
            expected: expected.join(" "),
            actual: self.render(algorithm, &actual),
        })
    }
}

impl fmt::Display for Integrity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered: Vec<String> = self
            .hashes
            .iter()
            .map(|(algorithm, digest)| self.render(*algorithm, digest))
            .collect();
        f.write_str(&rendered.join(" "))
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn sri(algorithm: Algorithm, bytes: &[u8]) -> String {
        format!(
            "{algorithm}-{}",
            base64::engine::general_purpose::STANDARD.encode(algorithm.digest(bytes))
        )
    }

    #[test]
    fn verifies_each_algorithm() {
        for algorithm in [
            Algorithm::Sha1,
            Algorithm::Sha256,
            Algorithm::Sha384,
            Algorithm::Sha512,
        ] {
            let integrity = Integrity::parse(&sri(algorithm, b"abc")).unwrap();
            assert_eq!(integrity.strongest(), algorithm);
            assert_eq!(integrity.verify(b"abc"), Ok(()));
            assert!(integrity.verify(b"abd").is_err());
        }
    }

    #[test]
    fn the_strongest_hash_must_match() {
        // A correct sha1 does not rescue a wrong sha512.
        let wrong = format!(
            "{} {}",
            sri(Algorithm::Sha1, b"abc"),
            sri(Algorithm::Sha512, b"x")
        );
        let integrity = Integrity::parse(&wrong).unwrap();
        let mismatch = integrity.verify(b"abc").unwrap_err();
        assert_eq!(mismatch.expected, sri(Algorithm::Sha512, b"x"));
        assert_eq!(mismatch.actual, sri(Algorithm::Sha512, b"abc"));
        // A wrong sha1 does not matter when the sha512 matches.
        let right = format!(
            "{} {}",
            sri(Algorithm::Sha1, b"x"),
            sri(Algorithm::Sha512, b"abc")
        );
        assert_eq!(Integrity::parse(&right).unwrap().verify(b"abc"), Ok(()));
        // Any of several hashes of the strongest algorithm may match.
        let either = format!(
            "{} {}",
            sri(Algorithm::Sha512, b"x"),
            sri(Algorithm::Sha512, b"abc")
        );
        assert_eq!(Integrity::parse(&either).unwrap().verify(b"abc"), Ok(()));
    }

    #[test]
    fn skips_unusable_entries() {
        assert_eq!(Integrity::parse(""), None);
        assert_eq!(Integrity::parse("md5-AAAA"), None);
        assert_eq!(Integrity::parse("sha512-notbase64!!"), None);
        assert_eq!(Integrity::parse("sha512-AAAA"), None, "wrong length");
        let with_options = format!("{}?opt md5-xyz", sri(Algorithm::Sha256, b"abc"));
        let integrity = Integrity::parse(&with_options).unwrap();
        assert_eq!(integrity.verify(b"abc"), Ok(()));
    }

    #[test]
    fn shasum_is_hex_sha1() {
        let integrity = Integrity::from_shasum("a9993e364706816aba3e25717850c26c9cd0d89d").unwrap();
        assert_eq!(integrity.verify(b"abc"), Ok(()));
        let mismatch = integrity.verify(b"abd").unwrap_err();
        assert_eq!(
            mismatch.expected,
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(mismatch.actual.len(), 40);
        assert_eq!(Integrity::from_shasum("xyz"), None);
        assert_eq!(Integrity::from_shasum("abcd"), None);
    }
}
