//! P(over) from a residual distribution by scoring tier, fitted on out-of-sample rows only
//! (a model's validation rows, a rule's previous season).

/// Scoring tier of a player from his pre-game L10 points average.
pub fn tier(l10: Option<f64>) -> usize {
    match l10 {
        Some(p) if p >= 20.0 => 3,
        Some(p) if p >= 12.0 => 2,
        Some(p) if p >= 5.0 => 1,
        _ => 0,
    }
}

/// Tier names, by [`tier`] index.
pub const TIERS: [&str; 4] = ["bench", "role", "starter", "star"];

/// Residuals a tier needs to be used on its own; below it, the largest tier stands in.
pub const MIN_TIER_RESIDUALS: usize = 200;

/// Residuals (actual − predicted) per tier, sorted once filled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Residuals([Vec<f64>; 4]);

impl Residuals {
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
}
