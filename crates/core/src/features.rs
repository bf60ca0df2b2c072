//! The feature contract: one definition of every model feature, shared by the feature store,
//! the trainer and the prediction path. Each feature has a name (its column in
//! `player_features`), a unit, a source, a window and the contract version that introduced it.
//!
//! Status: the scoring features of the first slice. The phase-4 issue extends the list to the
//! spec's v1_baseline_25 and later features; every addition bumps [`CONTRACT_VERSION`].

/// The contract's version, stored with every trained model.
pub const CONTRACT_VERSION: &str = "v0.1-slice";

/// Where a feature's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSource {
    /// Computed from phase-3 tables (box scores of earlier games).
    Phase3,
    /// From pre-game lines.
    Vegas,
    /// From the pre-game context.
    Context,
}

impl FeatureSource {
    /// The source tag.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureSource::Phase3 => "phase3",
            FeatureSource::Vegas => "vegas",
            FeatureSource::Context => "context",
        }
    }
}

/// One feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureDef {
    /// Name: the column in `player_features`.
    pub name: &'static str,
    /// Unit (points, games, 0-1, 0-100, …).
    pub unit: &'static str,
    /// Where it comes from.
    pub source: FeatureSource,
    /// The window of earlier data it summarises.
    pub window: &'static str,
    /// The contract version that introduced it.
    pub since: &'static str,
}

/// Every feature of the contract, in vector order.
pub const FEATURES: &[FeatureDef] = &[
    FeatureDef {
        name: "games_before",
        unit: "games",
        source: FeatureSource::Phase3,
        window: "all earlier games",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "games_played_season",
        unit: "games",
        source: FeatureSource::Phase3,
        window: "this season before D",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "points_avg_last_5",
        unit: "points",
        source: FeatureSource::Phase3,
        window: "last 5 games",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "points_avg_last_10",
        unit: "points",
        source: FeatureSource::Phase3,
        window: "last 10 games",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "points_avg_season",
        unit: "points",
        source: FeatureSource::Phase3,
        window: "this season before D",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "points_std_last_10",
        unit: "points",
        source: FeatureSource::Phase3,
        window: "last 10 games (sample std, 2+)",
        since: "v0.1-slice",
    },
    FeatureDef {
        name: "games_last_7_days",
        unit: "games",
        source: FeatureSource::Phase3,
        window: "D − 7 < date < D",
        since: "v0.1-slice",
    },
];

/// Drift of a feature's coverage against a baseline (spec §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// Below 0.90 × baseline coverage.
    Regression,
    /// Below 0.95 × baseline.
    Degradation,
    /// At least 1.05 × baseline, or a baseline of zero.
    Improvement,
    /// Within the band.
    Ok,
}

impl Drift {
    /// Classifies `coverage` (0-1) against `baseline` (0-1).
    pub fn classify(coverage: f64, baseline: f64) -> Drift {
        if baseline == 0.0 {
            return if coverage > 0.0 { Drift::Improvement } else { Drift::Ok };
        }
        let r = coverage / baseline;
        if r < 0.90 {
            Drift::Regression
        } else if r < 0.95 {
            Drift::Degradation
        } else if r >= 1.05 {
            Drift::Improvement
        } else {
            Drift::Ok
        }
    }

    /// The label.
    pub fn as_str(self) -> &'static str {
        match self {
            Drift::Regression => "REGRESSION",
            Drift::Degradation => "DEGRADATION",
            Drift::Improvement => "IMPROVEMENT",
            Drift::Ok => "OK",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feature_is_a_column_of_the_feature_table() {
        for f in FEATURES {
            assert!(crate::schema::PLAYER_FEATURES.column(f.name).is_some(), "{}", f.name);
        }
    }

    #[test]
    fn drift_rule() {
        assert_eq!(Drift::classify(0.80, 1.0), Drift::Regression);
        assert_eq!(Drift::classify(0.93, 1.0), Drift::Degradation);
        assert_eq!(Drift::classify(0.97, 1.0), Drift::Ok);
        assert_eq!(Drift::classify(0.50, 0.45), Drift::Improvement);
        assert_eq!(Drift::classify(0.2, 0.0), Drift::Improvement);
    }
}
