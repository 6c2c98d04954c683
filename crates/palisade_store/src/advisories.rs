//! Known-malicious advisories: storage and version matching.

use std::cmp::Ordering;
use std::fmt;

use nodejs_semver::Version;
use rusqlite::{OptionalExtension as _, Transaction, params};

use crate::error::{Error, sql};
use crate::osv::{Advisory, AffectedPackage, Event, VersionRange, lookup_name};
use crate::store::Store;
use crate::time::parse_rfc3339;

/// An advisory that names a package version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryMatch {
    /// The advisory id, e.g. `MAL-2024-1234`.
    pub id: String,
    /// Its summary, when it has one.
    pub summary: Option<String>,
    /// Its other ids.
    pub aliases: Vec<String>,
    /// When it was last modified (RFC 3339).
    pub modified: String,
    /// Why the version matches.
    pub reason: MatchReason,
}

/// Why a version matches an advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MatchReason {
    /// The version is listed in `versions`.
    Listed,
    /// Every version is affected (`introduced: "0"` and no upper bound).
    AllVersions,
    /// The version falls in a range, shown as `>=1.0.0 <1.0.5`.
    Range(String),
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listed => f.write_str("the version is listed"),
            Self::AllVersions => f.write_str("every version is affected"),
            Self::Range(range) => write!(f, "the version is in `{range}`"),
        }
    }
}

impl AffectedPackage {
    /// Whether `version` is affected, and why. A listed version matches by
    /// text or as the same semver; ranges are evaluated with npm's semver
    /// ordering (`ECOSYSTEM` ranges too, since npm's ecosystem ordering is
    /// semver). A range with a bound that is not a version is ignored.
    pub fn matches(&self, version: &str) -> Option<MatchReason> {
        self.matches_by(version, |v| Version::parse(v).ok())
    }

    /// [`Self::matches`] with the ecosystem's own version ordering: `parse`
    /// reads a version (PEP 440 for PyPI), `None` when it is not one.
    pub fn matches_by<V: Ord>(
        &self,
        version: &str,
        parse: impl Fn(&str) -> Option<V>,
    ) -> Option<MatchReason> {
        let parsed = parse(version);
        let listed = self.versions.iter().any(|v| {
            v == version
                || parsed
                    .as_ref()
                    .is_some_and(|p| parse(v).is_some_and(|v| v == *p))
        });
        if listed {
            return Some(MatchReason::Listed);
        }
        let parsed = parsed?;
        self.ranges
            .iter()
            .find_map(|r| range_matches(r, &parsed, &parse))
    }
}

/// A lower bound: OSV's `"0"` (before every version) or a version, with
/// its text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lower<'a, V> {
    Zero,
    At(V, &'a str),
}

#[derive(Debug, Clone)]
enum Upper<'a, V> {
    /// `fixed` or `limit`: exclusive.
    Before(V, &'a str),
    /// `last_affected`: inclusive.
    Through(V, &'a str),
    /// No upper bound.
    Open,
}

fn range_matches<'a, V: Ord>(
    range: &'a VersionRange,
    version: &V,
    parse: &impl Fn(&str) -> Option<V>,
) -> Option<MatchReason> {
    // Parse and sort the events along the version line (OSV does not require
    // them in order); "0" sorts first.
    let mut events: Vec<(Lower<'a, V>, &'a Event)> = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let text = match event {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        };
        let point = if text == "0" && matches!(event, Event::Introduced(_)) {
            Lower::Zero
        } else {
            Lower::At(parse(text)?, text.as_str())
        };
        events.push((point, event));
    }
    events.sort_by(|a, b| match (&a.0, &b.0) {
        (Lower::Zero, Lower::Zero) => Ordering::Equal,
        (Lower::Zero, _) => Ordering::Less,
        (_, Lower::Zero) => Ordering::Greater,
        (Lower::At(x, _), Lower::At(y, _)) => x.cmp(y),
    });
    let mut intervals: Vec<(Lower<'a, V>, Upper<'a, V>)> = Vec::new();
    let mut open: Option<Lower<'a, V>> = None;
    for (point, event) in events {
        match (event, point) {
            (Event::Introduced(_), point) => {
                open.get_or_insert(point);
            }
            (Event::Fixed(_) | Event::Limit(_), Lower::At(v, t)) => {
                if let Some(start) = open.take() {
                    intervals.push((start, Upper::Before(v, t)));
                }
            }
            (Event::LastAffected(_), Lower::At(v, t)) => {
                if let Some(start) = open.take() {
                    intervals.push((start, Upper::Through(v, t)));
                }
            }
            (_, Lower::Zero) => {}
        }
    }
    if let Some(start) = open {
        intervals.push((start, Upper::Open));
    }
    intervals.into_iter().find_map(|(lower, upper)| {
        let above = match &lower {
            Lower::Zero => true,
            Lower::At(v, _) => version >= v,
        };
        let below = match &upper {
            Upper::Before(v, _) => version < v,
            Upper::Through(v, _) => version <= v,
            Upper::Open => true,
        };
        (above && below).then(|| describe(&lower, &upper))
    })
}

fn describe<V>(lower: &Lower<'_, V>, upper: &Upper<'_, V>) -> MatchReason {
    let upper_text = match upper {
        Upper::Before(_, t) => Some(format!("<{t}")),
        Upper::Through(_, t) => Some(format!("<={t}")),
        Upper::Open => None,
    };
    match (lower, upper_text) {
        (Lower::Zero, None) => MatchReason::AllVersions,
        (Lower::Zero, Some(u)) => MatchReason::Range(u),
        (Lower::At(_, t), None) => MatchReason::Range(format!(">={t}")),
        (Lower::At(_, t), Some(u)) => MatchReason::Range(format!(">={t} {u}")),
    }
}

/// What importing one record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Imported,
    Updated,
    /// The store already has this version of the record, or a newer one.
    Unchanged,
    /// Withdrawn; `removed` when it replaced a record in force.
    Withdrawn {
        removed: bool,
    },
    /// Not a malicious-package record (a vulnerability advisory).
    NotMalicious,
    /// No package of an ecosystem palisade checks (npm, PyPI): the
    /// ecosystems it names instead.
    OtherEcosystems(Vec<String>),
}

/// Whether `new` is a later `modified` time than `old`.
fn newer(new: &str, old: &str) -> bool {
    match (parse_rfc3339(new), parse_rfc3339(old)) {
        (Some(n), Some(o)) => n > o,
        _ => new > old,
    }
}

/// Applies one record inside an import transaction.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    advisory: &Advisory,
    source: &str,
    now: i64,
) -> Result<Outcome, Error> {
    if !advisory.malicious {
        return Ok(Outcome::NotMalicious);
    }
    let existing: Option<(String, Option<String>)> = tx
        .prepare_cached("SELECT modified, withdrawn FROM advisories WHERE id = ?1")
        .and_then(|mut stmt| {
            stmt.query_row(params![advisory.id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(sql("reading an advisory"))?;
    if let Some((modified, _)) = &existing
        && !newer(&advisory.modified, modified)
    {
        return Ok(Outcome::Unchanged);
    }
    let checked: Vec<&AffectedPackage> = advisory.checked().collect();
    if advisory.withdrawn.is_none() && checked.is_empty() {
        let mut ecosystems: Vec<String> = advisory
            .affected
            .iter()
            .map(|a| a.ecosystem.clone())
            .collect();
        ecosystems.sort();
        ecosystems.dedup();
        if existing.is_some() {
            // It named a checked ecosystem before and does not any more.
            delete(tx, &advisory.id)?;
        }
        return Ok(Outcome::OtherEcosystems(ecosystems));
    }
    tx.prepare_cached("DELETE FROM advisory_packages WHERE advisory_id = ?1")
        .and_then(|mut stmt| stmt.execute(params![advisory.id]))
        .map_err(sql("replacing an advisory"))?;
    let aliases = serde_json::to_string(&advisory.aliases).map_err(|source| Error::Json {
        what: "advisory aliases",
        source,
    })?;
    tx.prepare_cached(
        "INSERT INTO advisories (id, modified, published, withdrawn, summary, aliases, source, imported_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, published = excluded.published, \
         withdrawn = excluded.withdrawn, summary = excluded.summary, aliases = excluded.aliases, \
         source = excluded.source, imported_at = excluded.imported_at",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            advisory.id,
            advisory.modified,
            advisory.published,
            advisory.withdrawn,
            advisory.summary,
            aliases,
            source,
            now
        ])
    })
    .map_err(sql("writing an advisory"))?;
    if advisory.withdrawn.is_some() {
        // A tombstone: an older copy imported later cannot bring it back.
        let removed = existing.is_some_and(|(_, withdrawn)| withdrawn.is_none());
        return Ok(Outcome::Withdrawn { removed });
    }
    for package in checked {
        let ecosystem = package.checked_ecosystem().unwrap_or("npm");
        let name = lookup_name(ecosystem, &package.name);
        let versions = serde_json::to_string(&package.versions).map_err(|source| Error::Json {
            what: "affected versions",
            source,
        })?;
        let ranges = serde_json::to_string(&package.ranges).map_err(|source| Error::Json {
            what: "affected ranges",
            source,
        })?;
        tx.prepare_cached(
            "INSERT INTO advisory_packages (advisory_id, ecosystem, name, versions, ranges) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| stmt.execute(params![advisory.id, ecosystem, name, versions, ranges]))
        .map_err(sql("writing an affected package"))?;
    }
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Imported
    })
}

fn delete(tx: &Transaction<'_>, id: &str) -> Result<(), Error> {
    tx.execute(
        "DELETE FROM advisory_packages WHERE advisory_id = ?1",
        params![id],
    )
    .and_then(|_| tx.execute("DELETE FROM advisories WHERE id = ?1", params![id]))
    .map(|_| ())
    .map_err(sql("removing an advisory"))
}

impl Store {
    /// The malicious-package advisories in force that name npm package
    /// `name` at `version`, by id.
    ///
    /// # Errors
    /// [`Error::Sqlite`] when the query fails.
    pub fn malicious_advisories(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Vec<AdvisoryMatch>, Error> {
        self.malicious_advisories_in("npm", name, version, |v| Version::parse(v).ok())
    }

    /// The malicious-package advisories in force that name `name` at
    /// `version` in `ecosystem` (`npm`, `PyPI`; PyPI names are compared
    /// normalised), by id; `parse` reads the ecosystem's versions for
    /// ranges and for listed versions written another way (`1.0` and
    /// `1.0.0` under PEP 440).
    ///
    /// # Errors
    /// [`Error::Sqlite`] when the query fails.
    pub fn malicious_advisories_in<V: Ord>(
        &self,
        ecosystem: &str,
        name: &str,
        version: &str,
        parse: impl Fn(&str) -> Option<V>,
    ) -> Result<Vec<AdvisoryMatch>, Error> {
        type Row = (String, Option<String>, String, String, String, String);
        let name = lookup_name(ecosystem, name);
        let rows: Vec<Row> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT a.id, a.summary, a.aliases, a.modified, p.versions, p.ranges \
                     FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id \
                     WHERE p.ecosystem = ?1 AND p.name = ?2 AND a.withdrawn IS NULL \
                     ORDER BY a.id",
                )
                .map_err(sql("looking up advisories"))?;
            let rows = stmt
                .query_map(params![ecosystem, name], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })
                .map_err(sql("looking up advisories"))?;
            rows.collect::<Result<_, _>>()
                .map_err(sql("looking up advisories"))?
        };
        let mut out: Vec<AdvisoryMatch> = Vec::new();
        for (id, summary, aliases, modified, versions, ranges) in rows {
            let package = AffectedPackage {
                ecosystem: ecosystem.to_owned(),
                name: name.clone(),
                versions: serde_json::from_str(&versions).unwrap_or_default(),
                ranges: serde_json::from_str(&ranges).unwrap_or_default(),
            };
            if out.iter().any(|m| m.id == id) {
                continue;
            }
            if let Some(reason) = package.matches_by(version, &parse) {
                out.push(AdvisoryMatch {
                    id,
                    summary,
                    aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                    modified,
                    reason,
                });
            }
        }
        Ok(out)
    }

    /// Whether any advisory is in force (a cheap check before per-package lookups).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn has_advisories(&self) -> Result<bool, Error> {
        self.conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM advisories WHERE withdrawn IS NULL)",
                [],
                |row| row.get(0),
            )
            .map_err(sql("counting advisories"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::RangeKind;

    fn package(versions: &[&str], ranges: Vec<Vec<Event>>) -> AffectedPackage {
        AffectedPackage {
            ecosystem: "npm".into(),
            name: "p".into(),
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
            ranges: ranges
                .into_iter()
                .map(|events| VersionRange {
                    kind: RangeKind::Semver,
                    events,
                })
                .collect(),
        }
    }

    fn intro(v: &str) -> Event {
        Event::Introduced(v.into())
    }
    fn fixed(v: &str) -> Event {
        Event::Fixed(v.into())
    }
    fn last(v: &str) -> Event {
        Event::LastAffected(v.into())
    }

    #[test]
    fn listed_versions() {
        let p = package(&["1.0.0", "1.0.2"], vec![]);
        assert_eq!(p.matches("1.0.0"), Some(MatchReason::Listed));
        assert_eq!(p.matches("v1.0.2"), Some(MatchReason::Listed));
        assert_eq!(p.matches("1.0.1"), None);
        assert_eq!(p.matches("not a version"), None);
    }

    #[test]
    fn introduced_zero_without_fix_is_every_version() {
        let p = package(&[], vec![vec![intro("0")]]);
        for v in ["0.0.1", "1.0.0", "99.10.9", "2.0.0-beta.1"] {
            assert_eq!(p.matches(v), Some(MatchReason::AllVersions), "{v}");
        }
    }

    #[test]
    fn introduced_fixed_and_last_affected() {
        let p = package(&[], vec![vec![intro("1.0.0"), fixed("1.0.5")]]);
        assert_eq!(p.matches("0.9.9"), None);
        assert_eq!(
            p.matches("1.0.0"),
            Some(MatchReason::Range(">=1.0.0 <1.0.5".into()))
        );
        assert!(p.matches("1.0.4").is_some());
        assert_eq!(p.matches("1.0.5"), None);
        // Pre-releases order below their release.
        assert!(p.matches("1.0.5-rc.1").is_some());

        let p = package(&[], vec![vec![intro("0"), last("2.1.0")]]);
        assert_eq!(
            p.matches("2.1.0"),
            Some(MatchReason::Range("<=2.1.0".into()))
        );
        assert_eq!(p.matches("2.1.1"), None);
    }

    #[test]
    fn unsorted_events_and_several_intervals() {
        let p = package(
            &[],
            vec![vec![
                fixed("1.2.0"),
                intro("3.0.0"),
                intro("1.0.0"),
                fixed("3.1.0"),
            ]],
        );
        assert!(p.matches("1.1.0").is_some());
        assert_eq!(p.matches("2.0.0"), None);
        assert!(p.matches("3.0.9").is_some());
        assert_eq!(p.matches("3.1.0"), None);
    }

    #[test]
    fn a_range_with_a_bad_bound_is_ignored() {
        let p = package(&[], vec![vec![intro("0"), fixed("not-a-version")]]);
        assert_eq!(p.matches("1.0.0"), None);
        // Other ranges still count.
        let p = package(&[], vec![vec![intro("garbage")], vec![intro("2.0.0")]]);
        assert!(p.matches("2.0.1").is_some());
    }

    #[test]
    fn modified_times_compare_as_times() {
        assert!(newer("2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00Z"));
        assert!(!newer("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"));
        assert!(newer("2024-01-02T00:00:00+01:00", "2024-01-01T22:00:00Z"));
    }
}
