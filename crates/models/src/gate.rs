//! The quality gate before a pick (spec §6.1): a prediction is still made (and graded, so the
//! evaluation sets stay whole), but an OVER or UNDER pick needs a feature row of sufficient
//! quality for the mode, and none of the hard floors: a required feature missing, or the
//! matchup features below 50.

/// When a run predicts (spec §6.1 modes), with the minimum feature-quality score each needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 08:00 ET, and retries until noon: 85.
    First,
    /// 13:00 ET: 80.
    FinalRetry,
    /// 16:00 ET: 70.
    LastCall,
    /// The next day, for the record (every historical date): 70.
    Backfill,
}

impl Mode {
    /// Minimum `feature_quality_score`, 0-100.
    pub fn min_score(self) -> f64 {
        match self {
            Mode::First => 85.0,
            Mode::FinalRetry => 80.0,
            Mode::LastCall | Mode::Backfill => 70.0,
        }
    }

    /// The mode of a name (`first`, `final_retry`, `last_call`, `backfill`).
    pub fn parse(name: &str) -> Option<Mode> {
        [Mode::First, Mode::FinalRetry, Mode::LastCall, Mode::Backfill]
            .into_iter()
            .find(|m| m.as_str() == name)
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::First => "first",
            Mode::FinalRetry => "final_retry",
            Mode::LastCall => "last_call",
            Mode::Backfill => "backfill",
        }
    }
}

/// The quality of a feature row, as the gate reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowQuality {
    /// `feature_quality_score`, 0-100.
    pub score: f64,
    /// `matchup_quality`, 0-100.
    pub matchup: f64,
    /// `required_missing_count`.
    pub required_missing: i64,
}

/// Why a row may not be picked; `None` when it may.
pub fn blocked(mode: Mode, q: RowQuality) -> Option<String> {
    let mut why = Vec::new();
    if q.required_missing > 0 {
        why.push(format!("{} required feature(s) missing", q.required_missing));
    }
    if q.matchup < 50.0 {
        why.push(format!("matchup quality {:.0} < 50", q.matchup));
    }
    if q.score < mode.min_score() {
        why.push(format!("feature quality {:.0} < {:.0}", q.score, mode.min_score()));
    }
    (!why.is_empty()).then(|| format!("quality gate ({}): {}", mode.as_str(), why.join(", ")))
}

/// The pick after the gate: an OVER or UNDER of a blocked row becomes PASS.
pub fn gated(recommendation: &'static str, block: &Option<String>) -> &'static str {
    match recommendation {
        "OVER" | "UNDER" if block.is_some() => "PASS",
        r => r,
    }
}

/// Joins warnings (either may be absent).
pub fn join(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_and_modes() {
        let good = RowQuality { score: 97.0, matchup: 100.0, required_missing: 0 };
        assert_eq!(blocked(Mode::Backfill, good), None);
        let capped = RowQuality { score: 69.0, matchup: 80.0, required_missing: 1 };
        let b = blocked(Mode::Backfill, capped).unwrap();
        assert!(b.contains("1 required") && b.contains("69 < 70"), "{b}");
        let mid = RowQuality { score: 82.0, matchup: 90.0, required_missing: 0 };
        assert_eq!(blocked(Mode::FinalRetry, mid), None);
        assert!(blocked(Mode::First, mid).is_some());
        assert_eq!(gated("OVER", &Some("x".into())), "PASS");
        assert_eq!(gated("NO_LINE", &Some("x".into())), "NO_LINE");
        assert_eq!(gated("UNDER", &None), "UNDER");
    }
}
