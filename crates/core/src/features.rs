//! The feature contract: one definition of every model feature, shared by the feature store
//! (`ml_feature_store`, whose columns are generated from it), the trainer and the prediction
//! path. Each feature has a name (its column, the spec's name), a unit, its primary source, a
//! quality category, whether it is required, a window and the contract version that
//! introduced it.
//!
//! Order is the vector order; new features are only appended, and every change bumps
//! [`CONTRACT_VERSION`], which is stored with every feature row and every trained model.

use crate::schema::{ColType, ColumnDef};

/// The contract's version, stored with every feature row and trained model.
pub const CONTRACT_VERSION: &str = "v1";

/// How far back any window reaches: every player and team history is cut at this many days
/// before the date, so the batch and the on-the-fly paths read exactly the same games.
pub const LOOKBACK_DAYS: i64 = 365;

/// Where a feature's value came from, per row (spec §5.1 source tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// A phase-4 precompute table (daily cache, composite factors, shot zones, team defense).
    Phase4,
    /// A phase-3 table (the pre-game context, or a phase-3 fallback for a phase-4 value).
    Phase3,
    /// Computed in the feature store from earlier games.
    Calculated,
    /// From pre-game line snapshots.
    Vegas,
    /// No value: NULL in the table.
    Missing,
}

impl Tag {
    /// Every tag.
    pub const ALL: [Tag; 5] = [Tag::Phase4, Tag::Phase3, Tag::Calculated, Tag::Vegas, Tag::Missing];

    /// The tag's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Phase4 => "phase4",
            Tag::Phase3 => "phase3",
            Tag::Calculated => "calculated",
            Tag::Vegas => "vegas",
            Tag::Missing => "missing",
        }
    }

    /// The one-letter code used in `ml_feature_store.feature_sources`.
    pub fn code(self) -> char {
        match self {
            Tag::Phase4 => '4',
            Tag::Phase3 => '3',
            Tag::Calculated => 'c',
            Tag::Vegas => 'v',
            Tag::Missing => 'm',
        }
    }

    /// The tag of a code.
    pub fn from_code(c: char) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.code() == c)
    }

    /// Quality weight (spec §5.4): phase4, calculated and vegas 100, phase3 87, missing 0.
    pub fn weight(self) -> f64 {
        match self {
            Tag::Phase4 | Tag::Calculated | Tag::Vegas => 100.0,
            Tag::Phase3 => 87.0,
            Tag::Missing => 0.0,
        }
    }
}

/// Quality category of a feature (spec §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Composite factors and the opponent's defense.
    Matchup,
    /// The player's own history.
    PlayerHistory,
    /// The player's team.
    TeamContext,
    /// Lines.
    Vegas,
    /// Everything else about the game.
    GameContext,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 5] = [
        Category::Matchup,
        Category::PlayerHistory,
        Category::TeamContext,
        Category::Vegas,
        Category::GameContext,
    ];

    /// The category's place in [`Category::ALL`].
    pub const fn index(self) -> usize {
        match self {
            Category::Matchup => 0,
            Category::PlayerHistory => 1,
            Category::TeamContext => 2,
            Category::Vegas => 3,
            Category::GameContext => 4,
        }
    }

    /// The name (its quality column is `<name>_quality`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Matchup => "matchup",
            Category::PlayerHistory => "player_history",
            Category::TeamContext => "team_context",
            Category::Vegas => "vegas",
            Category::GameContext => "game_context",
        }
    }
}

/// One feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureDef {
    /// Name: the column in `ml_feature_store` (the spec's name).
    pub name: &'static str,
    /// Unit (points, games, 0-1, 0-100, flag, …).
    pub unit: &'static str,
    /// Where the value comes from when present (a fallback may tag a row `phase3`).
    pub source: Tag,
    /// Quality category.
    pub category: Category,
    /// Whether a missing value caps the row's quality (spec §5.4 "required").
    pub required: bool,
    /// The window of earlier data it summarises.
    pub window: &'static str,
    /// What it is, how it is computed, and when it is missing.
    pub doc: &'static str,
    /// The contract version that introduced it.
    pub since: &'static str,
}

macro_rules! contract {
    ($( $name:ident, $unit:literal, $src:ident, $cat:ident, $req:literal, $window:literal, $doc:literal; )*) => {
        /// Every feature of the contract, in vector order.
        pub const FEATURES: &[FeatureDef] = &[$(
            FeatureDef {
                name: stringify!($name),
                unit: $unit,
                source: Tag::$src,
                category: Category::$cat,
                required: $req,
                window: $window,
                doc: $doc,
                since: "v1",
            },
        )*];

        /// The feature columns of `ml_feature_store`, in vector order (all REAL, NULL when missing).
        pub const FEATURE_COLUMNS: &[ColumnDef] = &[$(
            ColumnDef {
                name: stringify!($name),
                ty: ColType::Real,
                nullable: true,
                doc: concat!("feature (", $unit, "; ", $window, "): ", $doc),
            },
        )*];

        /// Index of every feature in the vector, by name.
        #[allow(non_camel_case_types, missing_docs, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum F { $( $name, )* }
    };
}

contract! {
    points_avg_last_5, "points", Phase4, PlayerHistory, true, "last 5 games", "daily cache mean points of the last 5 games played; phase-3 fallback below 3 games";
    points_avg_last_10, "points", Phase4, PlayerHistory, true, "last 10 games", "daily cache mean points of the last 10 games played";
    points_avg_season, "points", Phase4, PlayerHistory, true, "this season", "mean points this season before the date; missing before the season's first game";
    points_std_last_10, "points", Phase4, PlayerHistory, true, "last 10 games", "sample standard deviation of points over the last 10 games (needs 2)";
    games_in_last_7_days, "games", Phase4, PlayerHistory, true, "D-7 < date < D", "games played in the 7 days before the date";
    fatigue_score, "0-100", Phase4, Matchup, true, "last 14 days", "composite fatigue score, 100 = fresh; missing without an earlier game";
    shot_zone_mismatch_score, "-10..10", Phase4, Matchup, false, "last 10 games / opponent last 15", "composite: opponent's defense against league (percentage points) in the player's primary zone, scaled by the player's rate there; positive favours the player; missing without shot zones";
    pace_score, "-3..3", Phase4, Matchup, true, "last 10 games", "composite: pace differential / 2";
    usage_spike_score, "-3..3", Phase4, Matchup, true, "last 7 games vs season", "composite: (usage last 7 games - season usage) x 0.3, x1.15/x1.30 with 1/2+ stars out when positive";
    rest_advantage, "days", Calculated, GameContext, true, "schedule", "player days of rest - opponent days of rest, clamped to +-2";
    injury_risk, "0-3", Phase3, GameContext, true, "pre-game", "pre-game status: available 0, out 3 (the inactive list is the only designation in history)";
    recent_trend, "-2..2", Calculated, GameContext, true, "last 5 games", "mean of the 2 latest games - mean of the 3 before, bucketed at +-2 and +-5 points (needs 5)";
    minutes_change, "-2..2", Calculated, GameContext, true, "last 10 games vs season", "(L10 minutes - season minutes) / season minutes, bucketed at +-10 % and +-20 %";
    opponent_def_rating, "points per 100 possessions", Phase4, Matchup, true, "opponent last 15 games", "opponent's defensive rating over its last 15 games this season (team defense zone analysis)";
    opponent_pace, "possessions per 48", Phase4, Matchup, true, "opponent last 15 games", "mean pace of the opponent's last 15 games this season";
    home_away, "flag", Phase3, GameContext, true, "schedule", "1 home, 0 away";
    back_to_back, "flag", Phase3, GameContext, true, "schedule", "1 if the player played yesterday";
    playoff_game, "flag", Phase3, GameContext, true, "schedule", "1 for a playoff game (season type from the schedule, not the month)";
    pct_paint, "0-1", Phase4, GameContext, false, "last 10 games this season", "share of zone attempts in the paint (shot zone analysis rate / 100); missing without shot zones";
    pct_mid_range, "0-1", Phase4, GameContext, false, "last 10 games this season", "share of zone attempts from mid-range";
    pct_three, "0-1", Phase4, GameContext, false, "last 10 games this season", "share of zone attempts from three";
    pct_free_throw, "0-0.5", Calculated, GameContext, true, "last 10 games", "free throws made / points over the last 10 games, clamped to 0-0.5 (needs 5 games)";
    team_pace, "possessions per 48", Phase4, TeamContext, true, "team last 10 games", "mean pace of the player's team's last 10 games (daily cache; phase-3 fallback)";
    team_off_rating, "points per 100 possessions", Phase4, TeamContext, true, "team last 10 games", "mean offensive rating of the team's last 10 games";
    team_win_pct, "0-1", Calculated, TeamContext, true, "this season", "team wins / games this season before the date (needs 5)";
    vegas_points_line, "points", Vegas, Vegas, false, "pre-tip snapshots", "consensus of each book's latest points line captured before tip-off";
    vegas_opening_line, "points", Vegas, Vegas, false, "pre-tip snapshots", "consensus of each book's earliest pre-tip line";
    vegas_line_move, "points", Vegas, Vegas, false, "pre-tip snapshots", "current - opening line";
    has_vegas_line, "flag", Vegas, Vegas, true, "pre-tip snapshots", "1 if a pre-tip points line exists";
    avg_points_vs_opponent, "points", Calculated, PlayerHistory, false, "365 days", "mean points against this opponent in the previous 365 days; missing without such a game";
    games_vs_opponent, "games", Calculated, PlayerHistory, true, "365 days", "games against this opponent in the previous 365 days";
    minutes_avg_last_10, "minutes", Calculated, PlayerHistory, true, "last 10 games", "mean minutes over the last 10 games played";
    ppm_avg_last_10, "points per minute", Calculated, PlayerHistory, true, "last 10 games", "mean of points / minutes over the last 10 games played";
    dnp_rate, "0-1", Calculated, PlayerHistory, true, "last 10 team games rostered", "share of did-not-play rows among the player's last 10 rows (needs 3)";
    pts_slope_10g, "points per game", Calculated, PlayerHistory, true, "last 10 games", "least-squares slope of points against game index over the last 10 games (needs 5)";
    pts_vs_season_zscore, "std devs", Calculated, PlayerHistory, true, "L5 vs season", "(L5 - season mean) / L10 std, clamped to +-3";
    breakout_flag, "flag", Calculated, PlayerHistory, true, "L5 vs season", "1 if L5 > season mean + 1.5 x L10 std";
    star_teammates_out, "players", Phase3, PlayerHistory, false, "pre-game", "teammates on the inactive list who are stars this season";
    days_rest, "days", Phase3, GameContext, false, "schedule", "days since the player's previous game";
    minutes_load_last_7d, "minutes", Phase3, GameContext, false, "D-7 < date < D", "minutes played in the 7 days before the date";
    points_avg_last_3, "points", Calculated, PlayerHistory, false, "last 3 games in 60 days", "mean points of the last 3 games within 60 days";
    scoring_trend_slope, "points per game", Calculated, PlayerHistory, false, "last 7 games in 60 days", "OLS slope of points over the last 7 games (x = 1..n, needs 4)";
    deviation_from_avg_last3, "std devs", Calculated, PlayerHistory, false, "60 days", "(L3 - 60-day mean) / 60-day sample std (needs 2 games and a non-zero std)";
    consecutive_games_below_avg, "games", Calculated, PlayerHistory, false, "60 days", "most recent consecutive games below the 60-day mean";
    teammate_usage_available, "usage points, 0-100 each", Calculated, GameContext, false, "teammates' last 30 days", "sum of the 30-day mean usage (games over 10 minutes) of teammates listed out";
    usage_rate_last_5, "0-100", Calculated, PlayerHistory, false, "last 5 games", "mean usage over the last 5 games (needs 3 with usage)";
    games_since_structural_change, "games", Calculated, PlayerHistory, false, "365 days", "games since a team change or a gap of more than 14 days, capped at 30";
    multi_book_line_std, "points", Vegas, GameContext, false, "pre-tip snapshots", "sample std of the books' latest pre-tip lines (needs 2 books)";
    prop_over_streak, "games", Vegas, GameContext, false, "earlier games", "most recent consecutive games above today's line";
    prop_under_streak, "games", Vegas, GameContext, false, "earlier games", "most recent consecutive games below today's line";
    line_vs_season_avg, "points", Vegas, GameContext, false, "this season", "vegas_points_line - points_avg_season";
    prop_line_delta, "points", Vegas, PlayerHistory, false, "14 days", "today's consensus line - the player's previous consensus line within 14 days";
    over_rate_last_10, "0-1", Vegas, PlayerHistory, false, "last 10 lined games in 60 days", "share of the last 10 earlier games with a line where points beat the line (needs 5)";
    margin_vs_line_avg_last_5, "points", Vegas, PlayerHistory, false, "last 5 lined games in 60 days", "mean (points - line) over the last 5 earlier games with a line (needs 3)";
    blowout_minutes_risk, "0-1", Calculated, TeamContext, false, "team last 10 games in 60 days", "share of the team's last 10 games decided by 15+ points";
    minutes_volatility_last_10, "minutes", Calculated, PlayerHistory, false, "last 10 games", "sample std of minutes over the last 10 games played (needs 2)";
    opponent_pace_mismatch, "possessions per 48", Calculated, GameContext, false, "last 10 / 15 games", "team_pace - opponent_pace";
}

/// Number of features.
pub const FEATURE_COUNT: usize = FEATURES.len();

/// The feature of this name.
pub fn feature(name: &str) -> Option<(usize, &'static FeatureDef)> {
    FEATURES.iter().enumerate().find(|(_, f)| f.name == name)
}

/// The contract as a Markdown table: the generated part of `docs/features.md` (a test keeps
/// the document in step; `propcast schema --contract` prints it).
pub fn markdown() -> String {
    let mut s = format!(
        "Contract version `{CONTRACT_VERSION}`, {FEATURE_COUNT} features, in vector order. Required features \
         cap the row's quality when missing.\n\n\
         | # | feature | unit | source | category | required | window | rule |\n|---|---|---|---|---|---|---|---|\n"
    );
    for (i, f) in FEATURES.iter().enumerate() {
        s.push_str(&format!(
            "| {i} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            f.name,
            f.unit,
            f.source.as_str(),
            f.category.as_str(),
            if f.required { "yes" } else { "no" },
            f.window,
            f.doc
        ));
    }
    s
}

/// Quality tier of a row (spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Below 50.
    Critical,
    /// 50 and above.
    Poor,
    /// 70 and above.
    Bronze,
    /// 85 and above.
    Silver,
    /// 95 and above.
    Gold,
}

impl Tier {
    /// The tier of a score (0-100).
    pub fn of(score: f64) -> Tier {
        match score {
            s if s >= 95.0 => Tier::Gold,
            s if s >= 85.0 => Tier::Silver,
            s if s >= 70.0 => Tier::Bronze,
            s if s >= 50.0 => Tier::Poor,
            _ => Tier::Critical,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Gold => "gold",
            Tier::Silver => "silver",
            Tier::Bronze => "bronze",
            Tier::Poor => "poor",
            Tier::Critical => "critical",
        }
    }
}

/// The quality of one feature row, computed from its source tags only.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Mean weight over the features that count (optional features count only when
    /// present), capped at 69 with a required feature missing and at 49 with five.
    pub score: f64,
    /// Tier of the score.
    pub tier: Tier,
    /// Per category, the same mean (100 when nothing counts).
    pub categories: [(Category, f64); 5],
    /// Required features missing.
    pub required_missing: usize,
    /// Features with a value.
    pub present: usize,
    /// Gold or silver, matchup ≥ 70 and player history ≥ 80.
    pub is_training_ready: bool,
    /// Bronze or better, score ≥ 70, matchup ≥ 50 and no required feature missing.
    pub is_quality_ready: bool,
}

impl Quality {
    /// Scores the tags of a row (one per feature, in contract order).
    pub fn score(tags: &[Tag]) -> Quality {
        debug_assert_eq!(tags.len(), FEATURE_COUNT);
        // One pass: the weights of the features that count, summed in contract order for
        // the row (slot 0) and for each category (slot 1 + its place in Category::ALL).
        let mut sums = [(0.0f64, 0usize); 1 + Category::ALL.len()];
        let mut required_missing = 0;
        for (f, t) in FEATURES.iter().zip(tags) {
            required_missing += usize::from(f.required && *t == Tag::Missing);
            if !(f.required || *t != Tag::Missing) {
                continue;
            }
            let c = 1 + f.category.index();
            for slot in [0, c] {
                sums[slot].0 += t.weight();
                sums[slot].1 += 1;
            }
        }
        let mean_of = |slot: usize| {
            let (sum, n) = sums[slot];
            if n == 0 {
                100.0
            } else {
                sum / n as f64
            }
        };
        let mut score = mean_of(0);
        if required_missing >= 5 {
            score = score.min(49.0);
        } else if required_missing >= 1 {
            score = score.min(69.0);
        }
        let categories: [(Category, f64); 5] = std::array::from_fn(|i| (Category::ALL[i], mean_of(1 + i)));
        let cat = |c: Category| categories.iter().find(|(k, _)| *k == c).map(|(_, v)| *v).unwrap_or(0.0);
        let tier = Tier::of(score);
        Quality {
            score,
            tier,
            categories,
            required_missing,
            present: tags.iter().filter(|t| **t != Tag::Missing).count(),
            is_training_ready: tier >= Tier::Silver
                && cat(Category::Matchup) >= 70.0
                && cat(Category::PlayerHistory) >= 80.0,
            is_quality_ready: tier >= Tier::Bronze
                && score >= 70.0
                && cat(Category::Matchup) >= 50.0
                && required_missing == 0,
        }
    }
}

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
    fn a_category_knows_its_place() {
        for (i, c) in Category::ALL.iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
        }
    }

    #[test]
    fn every_feature_is_a_column_of_the_feature_store_in_order() {
        let t = &crate::schema::ML_FEATURE_STORE;
        let first = t.columns.iter().position(|c| c.name == FEATURES[0].name).unwrap();
        for (i, f) in FEATURES.iter().enumerate() {
            assert_eq!(t.columns[first + i].name, f.name);
            assert_eq!(t.columns[first + i].ty, ColType::Real);
        }
        assert_eq!(F::opponent_pace_mismatch as usize, FEATURE_COUNT - 1);
        assert_eq!(feature("pace_score").map(|(i, _)| i), Some(F::pace_score as usize));
    }

    #[test]
    fn at_least_the_25_baseline_features_and_spec_names() {
        const { assert!(FEATURE_COUNT >= 25 + 25) };
        for n in ["points_avg_last_5", "points_avg_last_10", "vegas_points_line", "dnp_rate", "breakout_flag"]
        {
            assert!(feature(n).is_some(), "{n}");
        }
    }

    #[test]
    fn quality_from_tags() {
        let full: Vec<Tag> = FEATURES.iter().map(|f| f.source).collect();
        let q = Quality::score(&full);
        assert_eq!(q.required_missing, 0);
        assert!(q.score > 95.0 && q.tier == Tier::Gold, "{}", q.score);
        assert!(q.is_training_ready && q.is_quality_ready);
        // Optional features missing do not count.
        let mut no_line = full.clone();
        for f in [F::vegas_points_line, F::vegas_opening_line, F::vegas_line_move] {
            no_line[f as usize] = Tag::Missing;
        }
        let nl = Quality::score(&no_line);
        assert_eq!((nl.tier, nl.required_missing, nl.present), (Tier::Gold, 0, FEATURE_COUNT - 3));
        // One required feature missing caps at 69, five at 49.
        let mut one = full.clone();
        one[F::points_avg_last_10 as usize] = Tag::Missing;
        let q1 = Quality::score(&one);
        assert_eq!((q1.score, q1.tier, q1.is_training_ready), (69.0, Tier::Poor, false));
        let mut five = full.clone();
        for f in [F::points_avg_last_5, F::points_avg_last_10, F::pace_score, F::opponent_pace, F::dnp_rate] {
            five[f as usize] = Tag::Missing;
        }
        assert_eq!(Quality::score(&five).tier, Tier::Critical);
        for t in Tag::ALL {
            assert_eq!(Tag::from_code(t.code()), Some(t));
        }
    }

    #[test]
    fn docs_features_md_holds_the_contract() {
        // Compiled in: the file is then an input of the build, so a changed doc rebuilds the
        // test, and a build reused from another checkout never reads that checkout's doc.
        let doc = include_str!("../../../docs/features.md");
        assert!(
            doc.contains(&markdown()),
            "docs/features.md is stale: paste the output of `propcast schema --contract` into it"
        );
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
