//! P(over) from a residual distribution by scoring tier, fitted on out-of-sample rows only
//! (a model's validation rows, a rule's previous season); and the hit-rate rule with its
//! Wilson interval.

use propcast_core::features::F;

/// Scoring tier of a player from his pre-game L10 points average.
pub fn tier(l10: Option<f64>) -> usize {
    match l10 {
        Some(p) if p >= 20.0 => 3,
        Some(p) if p >= 12.0 => 2,
        Some(p) if p >= 5.0 => 1,
        _ => 0,
    }
}

/// Scoring tier of a full-width feature row (contract order, NaN when missing).
pub fn row_tier(x: &[f64]) -> usize {
    tier(Some(x[F::points_avg_last_10 as usize]).filter(|v| !v.is_nan()))
}

/// Whether the side a prediction takes against the line won: `None` for a push, no edge, or
/// an edge below `min_edge`.
pub fn side_hit(predicted: f64, line: f64, actual: f64, min_edge: f64) -> Option<bool> {
    let edge = predicted - line;
    (actual != line && edge != 0.0 && edge.abs() >= min_edge).then_some((edge > 0.0) == (actual > line))
}

/// 95 % Wilson score interval of k successes in n.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, n, p) = (1.96f64, n as f64, k as f64 / n as f64);
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / d;
    (c - h, c + h)
}

/// Tier names, by [`tier`] index.
pub const TIERS: [&str; 4] = ["bench", "role", "starter", "star"];

/// Residuals a tier needs to be used on its own; below it, the largest tier stands in.
pub const MIN_TIER_RESIDUALS: usize = 200;

/// Residuals (actual − predicted) per tier, sorted once filled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Residuals([Vec<f64>; 4]);

impl Residuals {
    /// Residuals already sorted per tier (a stored model's).
    pub fn from_tiers(tiers: [Vec<f64>; 4]) -> Residuals {
        Residuals(tiers)
    }

    /// The residuals of each tier.
    pub fn tiers(&self) -> &[Vec<f64>; 4] {
        &self.0
    }

    /// Adds one residual of a tier.
    pub fn push(&mut self, tier: usize, residual: f64) {
        if residual.is_finite() {
            self.0[tier.min(3)].push(residual);
        }
    }

    /// Sorts (call once, after the last push).
    pub fn finish(mut self) -> Residuals {
        for r in self.0.iter_mut() {
            r.sort_by(f64::total_cmp);
        }
        self
    }

    /// Residuals in all tiers.
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    /// No residuals at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// P(points > line) from the tier's residual distribution: the share of residuals above
    /// line − predicted, pushes (equal) counted half. `None` without residuals.
    pub fn p_over(&self, predicted: f64, line: f64, tier: usize) -> Option<f64> {
        let r = if self.0[tier.min(3)].len() >= MIN_TIER_RESIDUALS {
            &self.0[tier.min(3)]
        } else {
            self.0.iter().max_by_key(|r| r.len())?
        };
        if r.is_empty() {
            return None;
        }
        let t = line - predicted;
        let below = r.partition_point(|v| *v < t);
        let at_or_below = r.partition_point(|v| *v <= t);
        let above = r.len() - at_or_below;
        Some((above as f64 + 0.5 * (at_or_below - below) as f64) / r.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_over_counts_residuals_above_the_gap() {
        let mut r = Residuals::default();
        for i in -200..=200 {
            r.push(2, i as f64 / 10.0);
        }
        let r = r.finish();
        assert_eq!(r.p_over(20.0, 20.0, 2), Some(0.5));
        let p = r.p_over(20.0, 25.0, 2).unwrap();
        assert!((p - 150.5 / 401.0).abs() < 1e-12, "{p}");
        // A tier with too few residuals borrows the largest one.
        assert_eq!(r.p_over(20.0, 20.0, 0), Some(0.5));
        assert_eq!(Residuals::default().finish().p_over(1.0, 1.0, 0), None);
        assert_eq!(tier(Some(25.0)), 3);
        assert_eq!(tier(None), 0);
    }

    #[test]
    fn wilson_interval_and_hits() {
        let (lo, hi) = wilson(53, 100);
        assert!((lo - 0.4323).abs() < 1e-3 && (hi - 0.6254).abs() < 1e-3, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        assert_eq!(side_hit(25.0, 20.5, 22.0, 3.0), Some(true));
        assert_eq!(side_hit(25.0, 20.5, 19.0, 3.0), Some(false));
        assert_eq!(side_hit(22.0, 20.5, 19.0, 3.0), None, "edge below the minimum");
        assert_eq!(side_hit(25.0, 20.0, 20.0, 0.0), None, "a push");
    }
}
