//! The verdict cache: a package report per tarball integrity and engine version.

use palisade_diagnostics::PackageReport;
use rusqlite::{OptionalExtension as _, params};

use crate::error::{Error, sql};
use crate::store::Store;
use crate::time::now_unix;

impl Store {
    /// The cached report of the tarball with this integrity, analysed by this
    /// engine version. A stored report that no longer deserialises (the
    /// report model changed) is a miss.
    ///
    /// # Errors
    /// [`Error::Sqlite`] when the query fails.
    pub fn verdict(&self, integrity: &str, engine: &str) -> Result<Option<PackageReport>, Error> {
        let json: Option<String> = self
            .conn()
            .prepare_cached("SELECT report FROM verdicts WHERE integrity = ?1 AND engine = ?2")
            .and_then(|mut stmt| {
                stmt.query_row(params![integrity, engine], |row| row.get(0))
                    .optional()
            })
            .map_err(sql("reading the verdict cache"))?;
        Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Stores `report` as the analysis of the tarball with this integrity by
    /// this engine version, replacing any earlier one.
    ///
    /// # Errors
    /// [`Error::Json`] or [`Error::Sqlite`].
    pub fn put_verdict(
        &self,
        integrity: &str,
        engine: &str,
        report: &PackageReport,
    ) -> Result<(), Error> {
        let json = serde_json::to_string(report).map_err(|source| Error::Json {
            what: "a package report",
            source,
        })?;
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO verdicts \
                 (integrity, engine, name, version, report, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    integrity,
                    engine,
                    report.name,
                    report.version,
                    json,
                    now_unix()
                ])
            })
            .map_err(sql("writing the verdict cache"))?;
        Ok(())
    }

    /// Removes cached verdicts of every engine version but `keep`; returns how many.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn prune_verdicts(&self, keep: &str) -> Result<usize, Error> {
        self.conn()
            .execute("DELETE FROM verdicts WHERE engine <> ?1", params![keep])
            .map_err(sql("pruning the verdict cache"))
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use palisade_diagnostics::{Finding, ScanStats, Severity, Verdict};

    use super::*;

    fn report(name: &str) -> PackageReport {
        let mut findings = vec![Finding::new(
            "exec/decode-and-run",
            Severity::Critical,
            "decoded data is run",
        )];
        let (verdict, score) = Verdict::decide(&mut findings);
        PackageReport {
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
            source: format!("{name}@1.0.0"),
            integrity: Some("sha512-AAAA".to_owned()),
            verdict,
            score,
            findings,
            stats: ScanStats::default(),
            facts: None,
            cached: false,
            dependency_path: Vec::new(),
        }
    }

    #[test]
    fn keyed_by_integrity_and_engine() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        assert_eq!(store.verdict("sha512-AAAA", "e1").unwrap(), None);
        let r = report("a");
        store.put_verdict("sha512-AAAA", "e1", &r).unwrap();
        assert_eq!(store.verdict("sha512-AAAA", "e1").unwrap(), Some(r.clone()));
        assert_eq!(store.verdict("sha512-AAAA", "e2").unwrap(), None);
        assert_eq!(store.verdict("sha512-BBBB", "e1").unwrap(), None);

        // Replacing keeps one row.
        let mut r2 = r.clone();
        r2.source = "elsewhere".into();
        store.put_verdict("sha512-AAAA", "e1", &r2).unwrap();
        assert_eq!(store.verdict("sha512-AAAA", "e1").unwrap(), Some(r2));
        store.put_verdict("sha512-AAAA", "e2", &r).unwrap();
        assert_eq!(store.status().unwrap().verdicts, 2);
        assert_eq!(store.prune_verdicts("e2").unwrap(), 1);
        assert_eq!(store.status().unwrap().verdicts, 1);
    }

    #[test]
    fn an_unreadable_stored_report_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO verdicts VALUES ('sha512-X', 'e', 'n', '1', '{\"old\":true}', 0)",
                [],
            )
            .unwrap();
        assert_eq!(store.verdict("sha512-X", "e").unwrap(), None);
    }
}
