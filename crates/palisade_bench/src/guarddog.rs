//! Reading GuardDog's results, as written by `scripts/guarddog-eval.py`.

use serde::Deserialize;

use crate::model::GuardDogSummary;
use crate::stats::quantile;

/// One set's GuardDog report (the script's JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct GuardDogReport {
    pub version: String,
    pub set: String,
    #[serde(default)]
    pub complete: bool,
    pub packages: Vec<GuardDogPackage>,
}

/// GuardDog's result for one package.
#[derive(Debug, Clone, Deserialize)]
pub struct GuardDogPackage {
    pub entry: String,
    /// `ok`, `timeout` or `error`.
    pub status: String,
    /// `risk_score.score` (0..=10).
    pub score: Option<f64>,
    /// `score >= 5`, GuardDog's own threshold.
    pub detected: bool,
    /// Whole-process wall time.
    pub seconds: f64,
}

impl GuardDogReport {
    pub fn from_json(text: &str) -> serde_json::Result<Self> {
        serde_json::from_str(text)
    }

    /// Detection or flag rate and median whole-process time. `palisade_ms`
    /// is palisade's whole-process median, for the speed ratio.
    pub fn summary(&self, palisade_ms: Option<f64>) -> GuardDogSummary {
        let packages = self.packages.len();
        let detected = self.packages.iter().filter(|p| p.detected).count();
        let mut times: Vec<f64> = self
            .packages
            .iter()
            .filter(|p| p.status == "ok")
            .map(|p| p.seconds * 1000.0)
            .collect();
        times.sort_by(f64::total_cmp);
        let median_ms = quantile(&times, 0.5);
        let speed_ratio = match (median_ms, palisade_ms) {
            (Some(g), Some(p)) if p > 0.0 => Some(g / p),
            _ => None,
        };
        GuardDogSummary {
            version: self.version.clone(),
            complete: self.complete,
            packages,
            detected,
            rate: if packages == 0 {
                0.0
            } else {
                detected as f64 / packages as f64
            },
            timeouts: self
                .packages
                .iter()
                .filter(|p| p.status == "timeout")
                .count(),
            errors: self.packages.iter().filter(|p| p.status == "error").count(),
            median_ms,
            speed_ratio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"tool": "guarddog", "version": "3.2.0", "set": "mal",
      "label": "malicious", "threshold": 5.0, "complete": false, "packages": [
      {"entry": "a.tgz", "status": "ok", "score": 7.4, "label": "high_risk", "detected": true, "seconds": 0.8, "rules": ["x"], "risks": 2},
      {"entry": "b.tgz", "status": "ok", "score": 1.0, "label": "low", "detected": false, "seconds": 0.4, "rules": [], "risks": 0},
      {"entry": "c.tgz", "status": "timeout", "score": null, "label": null, "detected": false, "seconds": 120.0, "rules": [], "risks": 0},
      {"entry": "d.tgz", "status": "ok", "score": 5.0, "label": "suspicious", "detected": true, "seconds": 0.6, "rules": [], "risks": 1}
    ]}"#;

    #[test]
    fn summarises_the_script_output() -> serde_json::Result<()> {
        let report = GuardDogReport::from_json(SAMPLE)?;
        assert_eq!(report.set, "mal");
        let s = report.summary(Some(20.0));
        assert_eq!((s.packages, s.detected, s.timeouts, s.errors), (4, 2, 1, 0));
        assert!(!s.complete);
        assert!((s.rate - 0.5).abs() < 1e-9);
        // Median over the three runs that finished, timeouts excluded.
        assert_eq!(s.median_ms, Some(600.0));
        assert_eq!(s.speed_ratio, Some(30.0));
        assert_eq!(report.summary(None).speed_ratio, None);
        Ok(())
    }
}
