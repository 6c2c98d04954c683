//! Where palisade keeps its cache and store.

use std::ffi::OsString;
use std::path::PathBuf;

/// The database file's name inside the palisade home folder.
pub const STORE_FILE: &str = "palisade.db";

/// The palisade home folder from the process environment; see [`home_from`].
pub fn default_home() -> Option<PathBuf> {
    home_from(|key| std::env::var_os(key))
}

/// The store file in [`default_home`].
pub fn default_store_path() -> Option<PathBuf> {
    default_home().map(|home| home.join(STORE_FILE))
}

/// The palisade home folder, with the environment read through `env`:
///
/// 1. `PALISADE_HOME`, when set and not empty;
/// 2. Windows: `%LOCALAPPDATA%\palisade`;
/// 3. macOS: `$HOME/Library/Caches/palisade`;
/// 4. elsewhere: `$XDG_CACHE_HOME/palisade` when it is an absolute path
///    (as the XDG specification requires), else `$HOME/.cache/palisade`.
///
/// `None` when none of these variables is usable.
pub fn home_from(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let non_empty = |key: &str| env(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(home) = non_empty("PALISADE_HOME") {
        return Some(home);
    }
    if cfg!(windows) {
        return non_empty("LOCALAPPDATA").map(|p| p.join("palisade"));
    }
    if cfg!(target_os = "macos") {
        return non_empty("HOME").map(|p| p.join("Library/Caches/palisade"));
    }
    if let Some(xdg) = non_empty("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("palisade"));
    }
    non_empty("HOME").map(|p| p.join(".cache/palisade"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn palisade_home_wins() {
        let vars = [
            ("PALISADE_HOME", "/tmp/ph"),
            ("HOME", "/home/u"),
            ("XDG_CACHE_HOME", "/x"),
        ];
        assert_eq!(home_from(env(&vars)), Some(PathBuf::from("/tmp/ph")));
    }

    #[test]
    fn empty_values_are_ignored() {
        let vars = [("PALISADE_HOME", ""), ("HOME", "")];
        assert_eq!(home_from(env(&vars)), None);
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn xdg_cache_home_then_home() {
        let vars = [("HOME", "/home/u"), ("XDG_CACHE_HOME", "/var/cache/u")];
        assert_eq!(
            home_from(env(&vars)),
            Some(PathBuf::from("/var/cache/u/palisade"))
        );
        // A relative XDG_CACHE_HOME is invalid and ignored.
        let vars = [("HOME", "/home/u"), ("XDG_CACHE_HOME", "rel")];
        assert_eq!(
            home_from(env(&vars)),
            Some(PathBuf::from("/home/u/.cache/palisade"))
        );
    }
}
