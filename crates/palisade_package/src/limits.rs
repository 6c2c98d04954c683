use std::fmt;

/// Hard limits for reading one package. Defaults fit every real package we
/// have measured with room to spare; a user can raise them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Compressed archive size.
    pub max_archive_bytes: u64,
    /// Bytes an archive unpacks to (every entry, read or skipped, with its
    /// headers), and the sum of file sizes kept in memory.
    pub max_total_bytes: u64,
    /// Number of files.
    pub max_files: usize,
    /// One file's unpacked size; larger files are listed but not read.
    pub max_file_bytes: u64,
    /// Path components below the package root (`lib/a.js` is 2).
    pub max_path_depth: usize,
    /// Unpacked bytes per compressed byte, over the whole archive; checked
    /// while unpacking once more than [`Limits::RATIO_FLOOR_BYTES`] came out.
    pub max_compression_ratio: u64,
}

impl Limits {
    /// An archive may always unpack to this many bytes, whatever its ratio:
    /// small packages with a few repetitive files are not bombs.
    pub const RATIO_FLOOR_BYTES: u64 = 8 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_archive_bytes: 256 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
            max_files: 10_000,
            max_file_bytes: 32 * 1024 * 1024,
            max_path_depth: 32,
            max_compression_ratio: 200,
        }
    }
}

/// Which limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    ArchiveBytes,
    TotalBytes,
    Files,
    FileBytes,
    PathDepth,
    CompressionRatio,
}

impl LimitKind {
    /// A stable kebab-case name, for messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::ArchiveBytes => "archive-bytes",
            LimitKind::TotalBytes => "total-bytes",
            LimitKind::Files => "files",
            LimitKind::FileBytes => "file-bytes",
            LimitKind::PathDepth => "path-depth",
            LimitKind::CompressionRatio => "compression-ratio",
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
