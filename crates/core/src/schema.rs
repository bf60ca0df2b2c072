//! The schema of every warehouse table, declared once.
//!
//! `store` creates the tables from these definitions, `ingest` types the data set's columns
//! with them, and `propcast schema` renders `docs/warehouse.md` from them (a test keeps the
//! document in step). Units are part of each column's doc.

use crate::tables as t;

/// The SQL type of a column (SQLite storage class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 text (ids, names, dates as `YYYY-MM-DD`, timestamps as RFC 3339 UTC).
    Text,
    /// 64-bit integer (counts, flags 0/1).
    Int,
    /// 64-bit float.
    Real,
}

impl ColType {
    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            ColType::Text => "TEXT",
            ColType::Int => "INTEGER",
            ColType::Real => "REAL",
        }
    }
}

/// One column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDef {
    /// Column name.
    pub name: &'static str,
    /// Storage type.
    pub ty: ColType,
    /// Whether NULL is allowed (missing is NULL, never a default).
    pub nullable: bool,
    /// What it holds, with its unit.
    pub doc: &'static str,
}

/// How a table is partitioned: the unit of idempotent rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitioning {
    /// By a date column (`YYYY-MM-DD`).
    Date(&'static str),
    /// By a season column ("2024-25").
    Season(&'static str),
    /// The whole table is one partition.
    Whole,
}

/// One warehouse table.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// Table name.
    pub name: &'static str,
    /// The room (phase) that owns it.
    pub layer: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Columns in order.
    pub columns: &'static [ColumnDef],
    /// Primary key columns (empty: no natural key).
    pub primary_key: &'static [&'static str],
    /// Partitioning.
    pub partitioning: Partitioning,
}

impl TableDef {
    /// The column of this name.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The partition column, if any.
    pub fn partition_column(&self) -> Option<&'static str> {
        match self.partitioning {
            Partitioning::Date(c) | Partitioning::Season(c) => Some(c),
            Partitioning::Whole => None,
        }
    }

    /// The positions of the primary key's columns, in key order.
    pub fn key_positions(&self) -> Vec<usize> {
        self.primary_key.iter().filter_map(|k| self.columns.iter().position(|c| c.name == *k)).collect()
    }

    /// `CREATE TABLE` and index statements.
    pub fn ddl(&self) -> String {
        let mut cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                let nn = if c.nullable && !self.primary_key.contains(&c.name) { "" } else { " NOT NULL" };
                format!("  {} {}{}", c.name, c.ty.sql(), nn)
            })
            .collect();
        if !self.primary_key.is_empty() {
            cols.push(format!("  PRIMARY KEY ({})", self.primary_key.join(", ")));
        }
        let mut sql = format!("CREATE TABLE IF NOT EXISTS {} (\n{}\n);\n", self.name, cols.join(",\n"));
        // A key that starts with the partition column already indexes it: a second index
        // would only be written on every insert (docs/decisions.md, "Phases 2-4 under 10 s").
        if let Some(p) = self.partition_column().filter(|p| self.primary_key.first() != Some(p)) {
            sql.push_str(&format!("CREATE INDEX IF NOT EXISTS idx_{0}_{1} ON {0} ({1});\n", self.name, p));
        }
        sql
    }
}

const fn c(name: &'static str, ty: ColType, doc: &'static str) -> ColumnDef {
    ColumnDef { name, ty, nullable: true, doc }
}
const fn k(name: &'static str, ty: ColType, doc: &'static str) -> ColumnDef {
    ColumnDef { name, ty, nullable: false, doc }
}

use ColType::{Int, Real, Text};

const GAME_ID: ColumnDef = k("game_id", Text, "canonical game id `YYYYMMDD_AWAY_HOME`");
const NBA_GAME_ID: ColumnDef = c("nba_game_id", Text, "NBA.com 10-digit game id (crosswalk)");
const SEASON: ColumnDef = k("season", Text, "season, `2024-25`");
const SEASON_YEAR: ColumnDef = k("season_year", Int, "calendar year the season starts in (2024 for 2024-25)");
const SEASON_TYPE: ColumnDef = k("season_type", Text, "`Regular Season`, `PlayIn`, `Playoffs` or `CupFinal`");
const GAME_DATE: ColumnDef = k("game_date", Text, "game date, US Eastern, `YYYY-MM-DD`");
const PLAYER_ID: ColumnDef = k("player_id", Text, "canonical player id: bbref slug, else `nba:<person id>`");
const NBA_PLAYER_ID: ColumnDef = c("nba_player_id", Text, "NBA.com person id (crosswalk)");
const PLAYER_NAME: ColumnDef = c("player_name", Text, "player name as the source wrote it");
const PLAYER_LOOKUP: ColumnDef =
    c("player_lookup", Text, "normalized name key (NFKD, no diacritics, a-z0-9 only)");
const TEAM: ColumnDef = k("team_abbr", Text, "team, NBA tricode");
const OPP: ColumnDef = k("opp_abbr", Text, "opponent, NBA tricode");

/// `schedule`: one row per game.
pub const SCHEDULE: TableDef = TableDef {
    name: t::SCHEDULE,
    layer: "raw",
    doc: "One row per game, every season type. The game-id crosswalk lives here.",
    columns: &[
        GAME_ID,
        NBA_GAME_ID,
        k("bbref_game_id", Text, "basketball-reference id `YYYYMMDD0HHH` (crosswalk)"),
        SEASON,
        SEASON_YEAR,
        SEASON_TYPE,
        GAME_DATE,
        k("home_abbr", Text, "home team, NBA tricode (bbref's home for neutral sites)"),
        k("away_abbr", Text, "away team, NBA tricode"),
        c("home_pts", Int, "home points (NULL before the game is played)"),
        c("away_pts", Int, "away points"),
        c("title", Text, "source page heading"),
    ],
    primary_key: &["game_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `team_games`: one row per team per game.
pub const TEAM_GAMES: TableDef = TableDef {
    name: t::TEAM_GAMES,
    layer: "raw",
    doc: "One row per team per game (box-score totals).",
    columns: &[
        GAME_ID,
        NBA_GAME_ID,
        SEASON,
        SEASON_YEAR,
        SEASON_TYPE,
        GAME_DATE,
        TEAM,
        OPP,
        k("is_home", Int, "1 home, 0 away"),
        c("win", Int, "1 win, 0 loss"),
        c("pts", Int, "points scored"),
        c("opp_pts", Int, "points allowed"),
        c("minutes", Real, "team player-minutes: 240 + 25 per overtime"),
        c("fgm", Int, "field goals made"),
        c("fga", Int, "field goals attempted"),
        c("fg3m", Int, "threes made"),
        c("fg3a", Int, "threes attempted"),
        c("ftm", Int, "free throws made"),
        c("fta", Int, "free throws attempted"),
        c("oreb", Int, "offensive rebounds"),
        c("dreb", Int, "defensive rebounds"),
        c("reb", Int, "rebounds"),
        c("ast", Int, "assists"),
        c("stl", Int, "steals"),
        c("blk", Int, "blocks"),
        c("tov", Int, "turnovers"),
        c("pf", Int, "personal fouls"),
        c("pts_q1", Int, "points, 1st quarter"),
        c("pts_q2", Int, "points, 2nd quarter"),
        c("pts_q3", Int, "points, 3rd quarter"),
        c("pts_q4", Int, "points, 4th quarter"),
        c("pts_ot", Int, "points, all overtimes"),
        c("pace", Real, "bbref pace estimate, possessions per 48 minutes"),
        c("possessions", Real, "NBA.com possessions count"),
        c("off_rtg", Real, "points per 100 possessions"),
        c("efg_pct", Real, "effective FG%, 0-1"),
        c("tov_pct", Real, "turnover %, 0-100"),
        c("orb_pct", Real, "offensive rebound %, 0-100"),
        c("ft_rate", Real, "FTA per FGA, ratio"),
    ],
    primary_key: &["game_id", "team_abbr"],
    partitioning: Partitioning::Date("game_date"),
};

/// `player_games`: one row per player per game played.
pub const PLAYER_GAMES: TableDef = TableDef {
    name: t::PLAYER_GAMES,
    layer: "raw",
    doc: "One row per player per game actually played (box score).",
    columns: &[
        GAME_ID,
        NBA_GAME_ID,
        SEASON,
        SEASON_YEAR,
        SEASON_TYPE,
        GAME_DATE,
        PLAYER_ID,
        NBA_PLAYER_ID,
        PLAYER_NAME,
        PLAYER_LOOKUP,
        TEAM,
        OPP,
        k("is_home", Int, "1 home, 0 away"),
        c("starter", Int, "1 if in the starting lineup (box score)"),
        c("minutes", Real, "decimal minutes (30:31 = 30.517)"),
        c("pts", Int, "points"),
        c("fgm", Int, "field goals made"),
        c("fga", Int, "field goals attempted"),
        c("fg3m", Int, "threes made"),
        c("fg3a", Int, "threes attempted"),
        c("ftm", Int, "free throws made"),
        c("fta", Int, "free throws attempted"),
        c("oreb", Int, "offensive rebounds"),
        c("dreb", Int, "defensive rebounds"),
        c("reb", Int, "rebounds"),
        c("ast", Int, "assists"),
        c("stl", Int, "steals"),
        c("blk", Int, "blocks"),
        c("tov", Int, "turnovers"),
        c("pf", Int, "personal fouls"),
        c("plus_minus", Int, "plus-minus, points"),
        c("game_score", Real, "Hollinger game score"),
        c("ts_pct", Real, "true shooting %, 0-1 (NULL without attempts)"),
        c("efg_pct", Real, "effective FG%, 0-1 (NULL without attempts)"),
        c("usg_pct", Real, "usage %, 0-100 (source's)"),
        c("off_rtg", Real, "offensive rating, points per 100 possessions"),
        c("def_rtg", Real, "defensive rating, points per 100 possessions"),
        c("bpm", Real, "box plus-minus"),
        c("source", Text, "source tag (`bbref`)"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `player_availability`: rostered players who did not play.
pub const PLAYER_AVAILABILITY: TableDef = TableDef {
    name: t::PLAYER_AVAILABILITY,
    layer: "raw",
    doc: "One row per rostered player who did not play in a game (official inactive list, DNP, ...). Post-game facts.",
    columns: &[
        GAME_ID, NBA_GAME_ID, SEASON, SEASON_YEAR, SEASON_TYPE, GAME_DATE, TEAM, PLAYER_ID,
        NBA_PLAYER_ID, PLAYER_NAME, PLAYER_LOOKUP,
        k("status", Text, "`Inactive`, `Did Not Play`, `Did Not Dress`, `Not With Team` or `Player Suspended`"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `shot_zones`: per player per game shot zones.
pub const SHOT_ZONES: TableDef = TableDef {
    name: t::SHOT_ZONES,
    layer: "raw",
    doc: "Per player per game shot zones (regular season; seasons the source has).",
    columns: &[
        GAME_ID,
        NBA_GAME_ID,
        SEASON,
        SEASON_YEAR,
        SEASON_TYPE,
        GAME_DATE,
        PLAYER_ID,
        NBA_PLAYER_ID,
        PLAYER_NAME,
        PLAYER_LOOKUP,
        TEAM,
        c("fga", Int, "field goals attempted"),
        c("fgm", Int, "field goals made"),
        c("ra_fga", Int, "restricted-area attempts"),
        c("ra_fgm", Int, "restricted-area makes"),
        c("paint_fga", Int, "paint (non-RA) attempts"),
        c("paint_fgm", Int, "paint (non-RA) makes"),
        c("mid_fga", Int, "mid-range attempts"),
        c("mid_fgm", Int, "mid-range makes"),
        c("lc3_fga", Int, "left-corner 3 attempts"),
        c("lc3_fgm", Int, "left-corner 3 makes"),
        c("rc3_fga", Int, "right-corner 3 attempts"),
        c("rc3_fgm", Int, "right-corner 3 makes"),
        c("atb3_fga", Int, "above-the-break 3 attempts"),
        c("atb3_fgm", Int, "above-the-break 3 makes"),
        c("bc_fga", Int, "backcourt attempts"),
        c("bc_fgm", Int, "backcourt makes"),
        c("avg_shot_distance", Real, "mean shot distance, feet"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `shot_zones_season`: season shot-zone totals (end of season: leakage hazard).
pub const SHOT_ZONES_SEASON: TableDef = TableDef {
    name: t::SHOT_ZONES_SEASON,
    layer: "raw",
    doc: "Per player per season shot-zone totals. End-of-season numbers: never a feature for a game of the same season.",
    columns: &[
        SEASON, SEASON_YEAR, SEASON_TYPE, PLAYER_ID, NBA_PLAYER_ID, PLAYER_NAME, PLAYER_LOOKUP,
        c("team_id", Text, "NBA.com team id"),
        c("team_abbr", Text, "team, NBA tricode"),
        c("ra_fgm", Real, "ra makes, season total"),
        c("ra_fga", Real, "ra attempts, season total"),
        c("ra_fg_pct", Real, "ra FG%, 0-1"),
        c("paint_fgm", Real, "paint makes, season total"),
        c("paint_fga", Real, "paint attempts, season total"),
        c("paint_fg_pct", Real, "paint FG%, 0-1"),
        c("mid_fgm", Real, "mid makes, season total"),
        c("mid_fga", Real, "mid attempts, season total"),
        c("mid_fg_pct", Real, "mid FG%, 0-1"),
        c("lc3_fgm", Real, "lc3 makes, season total"),
        c("lc3_fga", Real, "lc3 attempts, season total"),
        c("lc3_fg_pct", Real, "lc3 FG%, 0-1"),
        c("rc3_fgm", Real, "rc3 makes, season total"),
        c("rc3_fga", Real, "rc3 attempts, season total"),
        c("rc3_fg_pct", Real, "rc3 FG%, 0-1"),
        c("atb3_fgm", Real, "atb3 makes, season total"),
        c("atb3_fga", Real, "atb3 attempts, season total"),
        c("atb3_fg_pct", Real, "atb3 FG%, 0-1"),
        c("bc_fgm", Real, "bc makes, season total"),
        c("bc_fga", Real, "bc attempts, season total"),
        c("bc_fg_pct", Real, "bc FG%, 0-1"),
        c("c3_fgm", Real, "c3 makes, season total"),
        c("c3_fga", Real, "c3 attempts, season total"),
        c("c3_fg_pct", Real, "c3 FG%, 0-1"),
    ],
    primary_key: &["season", "season_type", "player_id"],
    partitioning: Partitioning::Season("season"),
};

/// `prop_lines`: prop-line snapshots.
pub const PROP_LINES: TableDef = TableDef {
    name: t::PROP_LINES,
    layer: "raw",
    doc:
        "One row per line offer (snapshot, book, market, player). No natural key: the source repeats offers.",
    columns: &[
        SEASON,
        SEASON_YEAR,
        GAME_DATE,
        c("game_id", Text, "canonical game id; NULL when the game cannot be placed"),
        c("player_id", Text, "canonical player id; NULL when the name matches no known player"),
        PLAYER_NAME,
        PLAYER_LOOKUP,
        c("team_abbr", Text, "player's team, NBA tricode"),
        c("opp_abbr", Text, "opponent, NBA tricode"),
        c("home_abbr", Text, "home team, NBA tricode"),
        c("away_abbr", Text, "away team, NBA tricode"),
        k("market", Text, "`player_points`, `player_points_rebounds_assists`, ..."),
        k("book", Text, "bookmaker or DFS site"),
        k("line", Real, "the line, in points (or PRA, ...)"),
        c("over_price", Real, "American odds for the over"),
        c("under_price", Real, "American odds for the under"),
        c("is_main_line", Int, "1 if the main line of its player/book/market/snapshot"),
        c("player_played", Int, "1 if the player has a box-score row (post-game; never a feature)"),
        c("avail_status", Text, "availability status of an unmatched player (post-game)"),
        c("snapshot_utc", Text, "when the line was captured, UTC RFC 3339"),
        c("commence_utc", Text, "scheduled tip-off, UTC RFC 3339"),
        c("source", Text, "source repository"),
    ],
    primary_key: &[],
    partitioning: Partitioning::Date("game_date"),
};

/// `player_id_crosswalk`: bbref slug ↔ NBA.com person id.
pub const PLAYER_ID_CROSSWALK: TableDef = TableDef {
    name: t::PLAYER_ID_CROSSWALK,
    layer: "raw",
    doc: "The data set's one-to-one crosswalk of bbref slugs and NBA.com person ids.",
    columns: &[
        k("player_id", Text, "bbref slug"),
        k("nba_player_id", Text, "NBA.com person id"),
        PLAYER_NAME,
    ],
    primary_key: &["player_id"],
    partitioning: Partitioning::Whole,
};

/// `players`: the registry.
pub const PLAYERS: TableDef = TableDef {
    name: t::PLAYERS,
    layer: "reference",
    doc: "One row per canonical player, with every id known for them.",
    columns: &[
        PLAYER_ID,
        c("bbref_id", Text, "basketball-reference slug, if known"),
        NBA_PLAYER_ID,
        k("display_name", Text, "the most used spelling of the name"),
        PLAYER_LOOKUP,
        c("first_game_date", Text, "first game played, `YYYY-MM-DD`"),
        c("last_game_date", Text, "last game played, `YYYY-MM-DD`"),
    ],
    primary_key: &["player_id"],
    partitioning: Partitioning::Whole,
};

/// `player_aliases`: every spelling seen.
pub const PLAYER_ALIASES: TableDef = TableDef {
    name: t::PLAYER_ALIASES,
    layer: "reference",
    doc: "Every (player, name spelling, source table) seen at ingest.",
    columns: &[
        PLAYER_ID,
        k("alias_name", Text, "the name as written"),
        k("alias_lookup", Text, "its normalized key"),
        k("source_table", Text, "the raw table it was seen in"),
        k("rows", Int, "how many rows carry it"),
    ],
    primary_key: &["player_id", "alias_name", "source_table"],
    partitioning: Partitioning::Whole,
};

/// `season_calendar`: derived from the schedule.
pub const SEASON_CALENDAR: TableDef = TableDef {
    name: t::SEASON_CALENDAR,
    layer: "reference",
    doc: "One row per season, derived from the schedule at ingest (never hard-coded).",
    columns: &[
        SEASON,
        SEASON_YEAR,
        k("regular_start", Text, "first regular-season game date"),
        k("regular_end", Text, "last regular-season game date"),
        c("playin_start", Text, "first play-in date"),
        c("playoffs_start", Text, "first playoff date"),
        k("season_end", Text, "last game date"),
        k("bootstrap_end", Text, "last date of the bootstrap window (first 14 days of the regular season)"),
        k("regular_games", Int, "regular-season games (Cup games before the final included)"),
        k("playin_games", Int, "play-in games"),
        k("playoff_games", Int, "playoff games"),
        k("cup_final_games", Int, "NBA Cup final games"),
        k("game_dates", Int, "dates with at least one game"),
    ],
    primary_key: &["season"],
    partitioning: Partitioning::Whole,
};

/// `game_dates`: the calendar, one row per date with games.
pub const GAME_DATES: TableDef = TableDef {
    name: t::GAME_DATES,
    layer: "reference",
    doc: "One row per date with at least one game, derived from the schedule at ingest: the date partitions every step runs over.",
    columns: &[
        GAME_DATE,
        SEASON,
        SEASON_YEAR,
        k("games", Int, "games on the date"),
        k("regular_games", Int, "regular-season games"),
        k("playin_games", Int, "play-in games"),
        k("playoff_games", Int, "playoff games"),
        k("cup_final_games", Int, "NBA Cup final games"),
        k("day_of_season", Int, "days since the first regular-season game (0 on opening night)"),
        k("is_bootstrap", Int, "1 inside the bootstrap window (first 14 days of the regular season)"),
    ],
    primary_key: &["game_date"],
    partitioning: Partitioning::Whole,
};

/// `player_game_summary` (phase 3).
pub const PLAYER_GAME_SUMMARY: TableDef = TableDef {
    name: t::PLAYER_GAME_SUMMARY,
    layer: "analytics",
    doc: "One row per player per game: every player who played (box score) and every rostered player who did not (availability, `is_dnp` = 1).",
    columns: &[
        GAME_ID, GAME_DATE, SEASON, SEASON_YEAR, SEASON_TYPE, PLAYER_ID, PLAYER_LOOKUP, PLAYER_NAME,
        TEAM, OPP,
        k("is_home", Int, "1 home, 0 away"),
        k("is_dnp", Int, "1 if the player did not play (status below)"),
        k("player_status", Text, "`active`, `inactive`, `dnp`, `dnd`, `not_with_team` or `suspended`"),
        c("dnp_category", Text, "`injury_or_rest` (official inactive list), `coach_decision`, `did_not_dress`, `not_with_team`, `suspension`; NULL when played"),
        c("starter_flag", Int, "1 if in the starting lineup (box score); NULL for DNP rows"),
        c("win_flag", Int, "1 if the team won (team result)"),
        c("minutes_played", Real, "decimal minutes; NULL for DNP rows"),
        c("points", Int, "points"),
        c("fg_attempts", Int, "field goals attempted"),
        c("fg_makes", Int, "field goals made"),
        c("three_pt_attempts", Int, "threes attempted"),
        c("three_pt_makes", Int, "threes made"),
        c("ft_attempts", Int, "free throws attempted"),
        c("ft_makes", Int, "free throws made"),
        c("offensive_rebounds", Int, "offensive rebounds"),
        c("defensive_rebounds", Int, "defensive rebounds"),
        c("rebounds", Int, "rebounds"),
        c("assists", Int, "assists"),
        c("steals", Int, "steals"),
        c("blocks", Int, "blocks"),
        c("turnovers", Int, "turnovers"),
        c("personal_fouls", Int, "personal fouls"),
        c("plus_minus", Int, "plus-minus"),
        c("usage_rate", Real, "usage %, 0-100, from this game's team totals and the team's real minutes (240 + 25 per OT); NULL when above 100 or without minutes"),
        c("usage_rate_raw", Real, "usage before rejection (kept when above 100), 0-100+"),
        c("ts_pct", Real, "true shooting %, 0-1: PTS / (2 (FGA + 0.44 FTA)); NULL without attempts"),
        c("efg_pct", Real, "effective FG %, 0-1: (FGM + 0.5 3PM) / FGA; NULL without attempts"),
        c("paint_attempts", Int, "restricted area + paint (non-RA) attempts; NULL without shot zones"),
        c("paint_makes", Int, "restricted area + paint makes"),
        c("mid_range_attempts", Int, "mid-range attempts"),
        c("mid_range_makes", Int, "mid-range makes"),
        c("three_attempts_zones", Int, "corner + above-the-break 3 attempts (shot chart)"),
        c("three_makes_zones", Int, "corner + above-the-break 3 makes (shot chart)"),
        k("has_complete_shot_zones", Int, "1 if the shot-chart zones sum to the box score's FGA"),
        k("source", Text, "`bbref` box score (+ `nba_shot_chart` zones) or `availability`"),
        k("quality_tier", Text, "`gold` (box score, usage and complete zones), `silver` (box score and usage), `bronze` (box score only), `dnp`"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

const TEAM_OPP: ColumnDef = k("opponent_team_abbr", Text, "opponent, NBA tricode");

/// `team_offense_game_summary` (phase 3).
pub const TEAM_OFFENSE_GAME_SUMMARY: TableDef = TableDef {
    name: "team_offense_game_summary",
    layer: "analytics",
    doc: "One row per team per game: the team's offense, possessions, pace and rating, and its shot zones.",
    columns: &[
        GAME_ID,
        NBA_GAME_ID,
        GAME_DATE,
        SEASON,
        SEASON_YEAR,
        SEASON_TYPE,
        TEAM,
        TEAM_OPP,
        k("home_game", Int, "1 home, 0 away"),
        k("win_flag", Int, "1 if the team won"),
        k("points_scored", Int, "points"),
        k("points_allowed", Int, "opponent's points"),
        k("margin_of_victory", Int, "points − opponent's points"),
        k("overtime_periods", Int, "overtimes: (player-minutes − 240) / 25"),
        k("game_minutes", Real, "game length in minutes: 48 + 5 per overtime"),
        c("fg_attempts", Int, "field goals attempted"),
        c("fg_makes", Int, "field goals made"),
        c("three_pt_attempts", Int, "threes attempted"),
        c("three_pt_makes", Int, "threes made"),
        c("ft_attempts", Int, "free throws attempted"),
        c("ft_makes", Int, "free throws made"),
        c("offensive_rebounds", Int, "offensive rebounds"),
        c("defensive_rebounds", Int, "defensive rebounds"),
        c("rebounds", Int, "rebounds"),
        c("assists", Int, "assists"),
        c("turnovers", Int, "turnovers"),
        c("steals", Int, "steals"),
        c("blocks", Int, "blocks"),
        c("personal_fouls", Int, "personal fouls"),
        c("points_q1", Int, "points, 1st quarter"),
        c("points_q2", Int, "points, 2nd quarter"),
        c("points_q3", Int, "points, 3rd quarter"),
        c("points_q4", Int, "points, 4th quarter"),
        c("points_ot", Int, "points, all overtimes"),
        c("possessions", Real, "FGA + 0.44 FTA + TOV − OREB"),
        c("possessions_nba", Real, "NBA.com possessions count (source)"),
        c("pace", Real, "possessions per 48 minutes: possessions × 48 / game_minutes"),
        c("offensive_rating", Real, "points per 100 possessions"),
        c("ts_pct", Real, "true shooting %, 0-1"),
        c("efg_pct", Real, "effective FG %, 0-1"),
        c(
            "paint_attempts",
            Int,
            "restricted area + paint attempts (players' shot charts); NULL without complete zones",
        ),
        c("paint_makes", Int, "restricted area + paint makes"),
        c("mid_range_attempts", Int, "mid-range attempts"),
        c("mid_range_makes", Int, "mid-range makes"),
        c("three_attempts_zones", Int, "corner + above-the-break 3 attempts"),
        c("three_makes_zones", Int, "corner + above-the-break 3 makes"),
        k("has_complete_shot_zones", Int, "1 if the players' zones sum to the team's FGA"),
    ],
    primary_key: &["game_id", "team_abbr"],
    partitioning: Partitioning::Date("game_date"),
};

/// `team_defense_game_summary` (phase 3).
pub const TEAM_DEFENSE_GAME_SUMMARY: TableDef = TableDef {
    name: "team_defense_game_summary",
    layer: "analytics",
    doc: "One row per defending team per game: the opponent's offense seen from the defense, with the zones it allowed.",
    columns: &[
        GAME_ID, GAME_DATE, SEASON, SEASON_YEAR, SEASON_TYPE,
        k("defending_team_abbr", Text, "defending team, NBA tricode"),
        TEAM_OPP,
        k("home_game", Int, "1 if the defending team was at home"),
        k("win_flag", Int, "1 if the defending team won"),
        k("points_allowed", Int, "opponent's points"),
        k("margin_of_victory", Int, "defending team's points − opponent's"),
        k("overtime_periods", Int, "overtimes"),
        c("opp_fg_attempts", Int, "opponent FGA"),
        c("opp_fg_makes", Int, "opponent FGM"),
        c("opp_three_pt_attempts", Int, "opponent 3PA"),
        c("opp_three_pt_makes", Int, "opponent 3PM"),
        c("opp_ft_attempts", Int, "opponent FTA"),
        c("opp_ft_makes", Int, "opponent FTM"),
        c("opp_rebounds", Int, "opponent rebounds"),
        c("opp_assists", Int, "opponent assists"),
        c("turnovers_forced", Int, "opponent turnovers"),
        c("fouls_committed", Int, "defending team's personal fouls"),
        c("steals", Int, "defending team's steals"),
        c("blocks", Int, "defending team's blocks"),
        c("defensive_rebounds", Int, "defending team's defensive rebounds"),
        c("defensive_rating", Real, "opponent points per 100 opponent possessions"),
        c("opponent_possessions", Real, "opponent possessions (FGA + 0.44 FTA + TOV − OREB)"),
        c("opponent_pace", Real, "opponent possessions per 48 minutes (overtime-normalised)"),
        c("opponent_ts_pct", Real, "opponent true shooting %, 0-1"),
        c("opp_paint_attempts", Int, "opponent paint attempts (zones); NULL without complete zones"),
        c("opp_paint_makes", Int, "opponent paint makes"),
        c("opp_mid_range_attempts", Int, "opponent mid-range attempts"),
        c("opp_mid_range_makes", Int, "opponent mid-range makes"),
        c("opp_three_attempts_zones", Int, "opponent corner + above-the-break 3 attempts"),
        c("opp_three_makes_zones", Int, "opponent corner + above-the-break 3 makes"),
        c("points_in_paint_allowed", Int, "2 × opponent paint makes"),
        c("mid_range_points_allowed", Int, "2 × opponent mid-range makes"),
        c("three_pt_points_allowed", Int, "3 × opponent threes made (box score)"),
        k("has_complete_shot_zones", Int, "1 if the opponent's zones are complete"),
    ],
    primary_key: &["game_id", "defending_team_abbr"],
    partitioning: Partitioning::Date("game_date"),
};

/// `upcoming_team_game_context` (phase 3, pre-game).
pub const UPCOMING_TEAM_GAME_CONTEXT: TableDef = TableDef {
    name: "upcoming_team_game_context",
    layer: "analytics",
    doc: "One row per team per scheduled game, from what was known before tip-off: earlier games only, plus the schedule.",
    columns: &[
        GAME_ID, GAME_DATE, SEASON, SEASON_YEAR, SEASON_TYPE, TEAM, TEAM_OPP,
        k("home_game", Int, "1 home, 0 away"),
        k("game_number_in_season", Int, "this game's number for the team in the season (1 = opener)"),
        c("days_since_last_game", Int, "days since the team's previous game this season; NULL at the opener"),
        k("is_back_to_back", Int, "1 if the team played yesterday"),
        k("games_in_last_7_days", Int, "team games with D − 7 < date < D"),
        k("games_in_last_14_days", Int, "team games with D − 14 < date < D"),
        c("opponent_days_rest", Int, "the opponent's days since its previous game this season"),
        k("team_win_streak_entering", Int, "consecutive wins entering the game, this season"),
        k("team_loss_streak_entering", Int, "consecutive losses entering the game, this season"),
        c("last_game_margin", Int, "points margin of the previous game this season"),
        c("last_game_result", Text, "`W` or `L`"),
        c("travel_miles", Real, "great-circle miles from the previous game's arena to this one's (statute miles)"),
        c("time_zones_crossed", Int, "time zones between the previous game's arena and this one's"),
        k("consecutive_road_games", Int, "road games in a row including this one (0 at home)"),
        k("miles_last_14_days", Real, "miles travelled between games in the 14 days up to this game"),
        k("time_zones_crossed_last_14_days", Int, "time zones crossed between games in the 14 days up to this game"),
        c("pace_last_10", Real, "mean pace of the team's last 10 games (possessions per 48)"),
        c("opponent_pace_last_10", Real, "mean pace of the opponent's last 10 games"),
        c("pace_differential", Real, "pace_last_10 − opponent_pace_last_10"),
        c("opponent_def_rating_last_10", Real, "opponent's mean defensive rating, last 10 games (points per 100 possessions)"),
    ],
    primary_key: &["game_id", "team_abbr"],
    partitioning: Partitioning::Date("game_date"),
};

/// `upcoming_player_game_context` (phase 3, pre-game).
pub const UPCOMING_PLAYER_GAME_CONTEXT: TableDef = TableDef {
    name: "upcoming_player_game_context",
    layer: "analytics",
    doc: "One row per player of a team's recent rotation (or listed inactive) per scheduled game, from what was known before tip-off. `outcome_*` columns are the post-game label, never a feature.",
    columns: &[
        GAME_ID, GAME_DATE, SEASON, PLAYER_ID, TEAM, TEAM_OPP,
        k("home_game", Int, "1 home, 0 away"),
        k("in_population_because", Text, "`rotation` (played for the team in its last 10 games) or `listed` (on the official inactive list)"),
        k("pre_game_status", Text, "`out` (official inactive list, which stands in for the injury report in history) or `available`"),
        c("days_rest", Int, "days since the player's previous game; NULL without one"),
        k("back_to_back", Int, "1 if the player played yesterday"),
        c("days_rest_before_last_game", Int, "days between the player's last two games"),
        c("days_since_2_plus_days_rest", Int, "days since the player last had 2+ days of rest between games"),
        k("games_in_last_7_days", Int, "player games with D − 7 < date < D"),
        k("games_in_last_14_days", Int, "player games with D − 14 < date < D"),
        k("minutes_in_last_7_days", Real, "minutes in those games"),
        k("minutes_in_last_14_days", Real, "minutes in those games"),
        c("avg_minutes_last_7_games", Real, "mean minutes over the last 7 games"),
        k("back_to_backs_last_14_days", Int, "consecutive-day pairs of games in the 14 days before D"),
        c("avg_usage_rate_last_7_games", Real, "mean usage over the last 7 games, 0-100"),
        c("points_avg_last_5", Real, "mean points, last 5 games"),
        c("points_avg_last_10", Real, "mean points, last 10 games"),
        c("travel_miles", Real, "team travel to this game, miles (team context)"),
        c("time_zones_crossed", Int, "team time zones crossed to this game"),
        k("consecutive_road_games", Int, "team road games in a row including this one"),
        c("opening_points_line", Real, "consensus (median over books) of each book's earliest pre-game points line"),
        c("current_points_line", Real, "consensus of each book's latest pre-game points line"),
        c("line_movement", Real, "current − opening, points"),
        c("line_source", Text, "`consensus`"),
        c("line_books", Int, "books in the consensus"),
        c("lines_by_book", Text, "JSON: per book, its opening and latest pre-game line"),
        k("prop_over_streak", Int, "most recent consecutive games above today's line (a push neither breaks nor extends); 0 without a line"),
        k("prop_under_streak", Int, "most recent consecutive games below today's line"),
        k("star_teammates_out", Int, "teammates on the inactive list with 10+ games this season averaging 18+ points, or 28+ minutes and 12+ points"),
        c("outcome_played", Int, "label, post-game: 1 played, 0 did not, NULL before the game"),
        c("outcome_points", Int, "label, post-game: points (NULL if did not play)"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

const ANALYSIS_DATE: ColumnDef =
    k("analysis_date", Text, "the date analysed: only games before it count, `YYYY-MM-DD`");
const EARLY: ColumnDef =
    k("early_season_flag", Int, "1 in the first 21 days of the regular season (dynamic minimum games)");
const MIN_GAMES: ColumnDef = k(
    "min_games_required",
    Int,
    "games needed for metrics on this date: the spec's early-season minimum in the first 21 days, else the full window",
);
const REASON: ColumnDef =
    c("insufficient_data_reason", Text, "why the metrics are NULL; NULL when they are present");

/// `team_defense_zone_analysis` (phase 4).
pub const TEAM_DEFENSE_ZONE_ANALYSIS: TableDef = TableDef {
    name: "team_defense_zone_analysis",
    layer: "precompute",
    doc: "One row per team playing on analysis_date: its defense over its last 15 games this season before the date, per shot zone against the league.",
    columns: &[
        TEAM,
        ANALYSIS_DATE,
        SEASON,
        k("games_in_sample", Int, "games this season before the date in the window (at most 15)"),
        k("zone_games_in_sample", Int, "of which with complete opponent shot zones"),
        MIN_GAMES,
        c("paint_pct_allowed_last_15", Real, "opponent paint FG %, 0-1"),
        c("paint_attempts_allowed_per_game", Real, "opponent paint attempts per zone game"),
        c("paint_points_allowed_per_game", Real, "2 x opponent paint makes per zone game, points"),
        c("paint_defense_vs_league_avg", Real, "(paint FG % allowed - league paint FG %) x 100, percentage points; positive = worse defense"),
        c("mid_range_pct_allowed_last_15", Real, "opponent mid-range FG %, 0-1"),
        c("mid_range_attempts_allowed_per_game", Real, "opponent mid-range attempts per zone game"),
        c("mid_range_defense_vs_league_avg", Real, "percentage points against the league, positive = worse"),
        c("three_pt_pct_allowed_last_15", Real, "opponent three FG % (shot-chart threes), 0-1"),
        c("three_pt_attempts_allowed_per_game", Real, "opponent three attempts per zone game"),
        c("three_pt_defense_vs_league_avg", Real, "percentage points against the league, positive = worse"),
        k("league_avg_source", Text, "`computed` (mean over 10+ teams with 10+ zone games in the last 30 days) or `fallback` (paint 0.580, mid 0.410, three 0.355)"),
        c("league_teams", Int, "teams in the league average (NULL for the fallback)"),
        c("defensive_rating_last_15", Real, "mean defensive rating, points per 100 opponent possessions"),
        c("opponent_points_per_game", Real, "mean points allowed"),
        c("opponent_pace", Real, "mean pace of those games, possessions per 48"),
        c("strongest_zone", Text, "zone with the most negative vs-league value: `paint`, `mid_range` or `perimeter`"),
        c("weakest_zone", Text, "zone with the most positive vs-league value"),
        k("data_quality_tier", Text, "`high` (15 games), `medium` (10-14), `low` (fewer)"),
        EARLY,
        REASON,
    ],
    primary_key: &["analysis_date", "team_abbr"],
    partitioning: Partitioning::Date("analysis_date"),
};

/// `player_shot_zone_analysis` (phase 4).
pub const PLAYER_SHOT_ZONE_ANALYSIS: TableDef = TableDef {
    name: "player_shot_zone_analysis",
    layer: "precompute",
    doc: "One row per player of the date's pre-game population with a game this season: where he shot over his last 10 and 20 games this season before the date.",
    columns: &[
        PLAYER_ID,
        ANALYSIS_DATE,
        SEASON,
        k("games_in_sample_10", Int, "games played this season before the date, at most 10"),
        k("zone_games_10", Int, "of which with complete shot zones"),
        MIN_GAMES,
        c("paint_rate_last_10", Real, "paint attempts / zone attempts x 100, percent 0-100"),
        c("mid_range_rate_last_10", Real, "mid-range share of zone attempts, percent 0-100"),
        c("three_pt_rate_last_10", Real, "three share of zone attempts, percent 0-100"),
        c("total_shots_last_10", Int, "zone attempts over the zone games"),
        k("sample_quality_10", Text, "`excellent` (10 games), `good` (7-9), `limited` (fewer)"),
        c("paint_pct_last_10", Real, "paint FG %, 0-1"),
        c("mid_range_pct_last_10", Real, "mid-range FG %, 0-1"),
        c("three_pt_pct_last_10", Real, "three FG %, 0-1"),
        c("paint_attempts_per_game", Real, "per zone game"),
        c("mid_range_attempts_per_game", Real, "per zone game"),
        c("three_pt_attempts_per_game", Real, "per zone game"),
        c("paint_rate_last_20", Real, "paint share over the last 20 games, percent 0-100"),
        c("paint_pct_last_20", Real, "paint FG % over the last 20 games, 0-1"),
        k("games_in_sample_20", Int, "games played this season before the date, at most 20"),
        k("sample_quality_20", Text, "`excellent` (20), `good` (15-19), `limited` (fewer)"),
        c("primary_scoring_zone", Text, "`paint` (rate 40+), else `perimeter` (three rate 40+), else `mid_range` (35+), else `balanced`"),
        k("data_quality_tier", Text, "`high` (10+ games), `medium` (5-9), `low` (fewer)"),
        EARLY,
        REASON,
    ],
    primary_key: &["analysis_date", "player_id"],
    partitioning: Partitioning::Date("analysis_date"),
};

/// `player_daily_cache` (phase 4).
pub const PLAYER_DAILY_CACHE: TableDef = TableDef {
    name: "player_daily_cache",
    layer: "precompute",
    doc: "One row per player and team of the date's pre-game population with 3+ games in the previous 365 days: his and his team's recent form before the date (a player traded that day can be in two teams' populations).",
    columns: &[
        PLAYER_ID,
        k("cache_date", Text, "the date: only games before it count"),
        SEASON,
        TEAM,
        k("games_in_lookback", Int, "games played in the 365 days before the date (3 or more)"),
        k("points_avg_last_5", Real, "mean points, last 5 games played, points"),
        k("points_avg_last_10", Real, "mean points, last 10 games played, points"),
        c("points_avg_season", Real, "mean points this season; NULL before the season's first game"),
        c("points_std_last_10", Real, "sample std of points, last 10 games, points"),
        k("minutes_avg_last_10", Real, "mean minutes, last 10 games"),
        c("usage_rate_last_10", Real, "mean usage, last 10 games with usage, 0-100"),
        c("ts_pct_last_10", Real, "true shooting over the last 10 games (sum of points / 2 (FGA + 0.44 FTA)), 0-1"),
        k("games_played_season", Int, "games played this season before the date"),
        c("team_pace_last_10", Real, "mean pace of the team's last 10 games, possessions per 48"),
        c("team_off_rating_last_10", Real, "mean offensive rating of the team's last 10 games"),
        c("player_usage_rate_season", Real, "mean usage this season, 0-100"),
        k("games_in_last_7_days", Int, "from the pre-game context"),
        k("games_in_last_14_days", Int, "from the pre-game context"),
        k("minutes_in_last_7_days", Real, "from the pre-game context"),
        k("minutes_in_last_14_days", Real, "from the pre-game context"),
        k("back_to_backs_last_14_days", Int, "from the pre-game context"),
        c("avg_minutes_per_game_last_7", Real, "minutes_in_last_7_days / games_in_last_7_days; NULL without a game"),
        c("primary_scoring_zone", Text, "from the shot zone analysis"),
        c("paint_rate_last_10", Real, "from the shot zone analysis, percent 0-100"),
        c("three_pt_rate_last_10", Real, "from the shot zone analysis, percent 0-100"),
        k("shot_zone_data_available", Int, "1 if the shot zone rates are present"),
        k("early_season_flag", Int, "1 with fewer than 10 games this season"),
    ],
    primary_key: &["cache_date", "player_id", "team_abbr"],
    partitioning: Partitioning::Date("cache_date"),
};

/// `player_composite_factors` (phase 4).
pub const PLAYER_COMPOSITE_FACTORS: TableDef = TableDef {
    name: "player_composite_factors",
    layer: "precompute",
    doc: "One row per player of the date's pre-game population: the four v1 adjustment factors with their breakdowns (the spec's defects fixed; no placeholder factors).",
    columns: &[
        PLAYER_ID,
        GAME_ID,
        GAME_DATE,
        c("fatigue_score", Real, "0-100, 100 = fresh; NULL without an earlier game"),
        c("fatigue_adjustment", Real, "(fatigue_score - 100) / 20, points, -5..0"),
        c("shot_zone_mismatch_score", Real, "-10..10; NULL without the player's zones or the opponent's"),
        c("pace_score", Real, "pace differential / 2, clamped to -3..3"),
        c("usage_spike_score", Real, "(usage last 7 games - season usage) x 0.3 with the stars-out multiplier, -3..3"),
        c("total_composite_adjustment", Real, "fatigue adjustment + mismatch + pace + usage spike, points; NULL when any is missing"),
        k("fatigue_context_json", Text, "JSON breakdown of the fatigue score"),
        k("shot_zone_context_json", Text, "JSON breakdown of the mismatch"),
        k("pace_context_json", Text, "JSON breakdown of the pace score"),
        k("usage_context_json", Text, "JSON breakdown of the usage spike"),
        c("missing_factors", Text, "comma-separated factors that are NULL, or NULL"),
        k("calculation_version", Text, "`v1_4factors_fixed`"),
    ],
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// The leading (key and context) columns of `ml_feature_store`.
const ML_KEYS: &[ColumnDef] = &[
    PLAYER_ID,
    GAME_ID,
    GAME_DATE,
    SEASON,
    TEAM,
    TEAM_OPP,
    k("pre_game_status", Text, "`available` or `out` (pre-game)"),
    k("feature_version", Text, "feature contract version (`crates/core/src/features.rs`)"),
];

/// The trailing (quality) columns of `ml_feature_store`.
const ML_QUALITY: &[ColumnDef] = &[
    k("feature_sources", Text, "one code per feature in contract order: `4` phase4, `3` phase3, `c` calculated, `v` vegas, `m` missing"),
    k("feature_count", Int, "features with a value"),
    k("required_missing_count", Int, "required features without a value"),
    k("feature_quality_score", Real, "mean source weight (phase4/calculated/vegas 100, phase3 87, missing 0; optional features only when present), capped at 69 / 49 with 1 / 5 required missing, 0-100"),
    k("quality_tier", Text, "`gold` 95+, `silver` 85+, `bronze` 70+, `poor` 50+, `critical`"),
    k("matchup_quality", Real, "the same mean over the matchup features, 0-100"),
    k("player_history_quality", Real, "over the player-history features, 0-100"),
    k("team_context_quality", Real, "over the team-context features, 0-100"),
    k("vegas_quality", Real, "over the vegas features, 0-100"),
    k("game_context_quality", Real, "over the game-context features, 0-100"),
    k("is_training_ready", Int, "1 if gold or silver, matchup 70+ and player history 80+"),
    k("is_quality_ready", Int, "1 if bronze or better, score 70+, matchup 50+ and no required feature missing"),
    k("early_season_flag", Int, "1 in the first 21 days of the regular season"),
];

const fn concat<const N: usize>(parts: [&[ColumnDef]; 3]) -> [ColumnDef; N] {
    let mut out = [GAME_ID; N];
    let (mut n, mut p) = (0, 0);
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == N, "ml_feature_store column count");
    out
}

const ML_COLUMNS: [ColumnDef; ML_KEYS.len() + crate::features::FEATURE_COUNT + ML_QUALITY.len()] =
    concat([ML_KEYS, crate::features::FEATURE_COLUMNS, ML_QUALITY]);

/// `ml_feature_store` (phase 4): the feature contract's columns.
pub const ML_FEATURE_STORE: TableDef = TableDef {
    name: "ml_feature_store",
    layer: "precompute",
    doc: "One row per player of the date's pre-game population (outside the bootstrap window): every contract feature as a named column (NULL when missing), its source tag and the row's quality. Training and serving read the same rows.",
    columns: &ML_COLUMNS,
    primary_key: &["game_id", "player_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `player_prop_predictions` (phase 5A, slice).
pub const PLAYER_PROP_PREDICTIONS: TableDef = TableDef {
    name: t::PLAYER_PROP_PREDICTIONS,
    layer: "predictions",
    doc: "One row per system, player, game and version.",
    columns: &[
        k("system_id", Text, "prediction system (`moving_average`, `zone_matchup`, `similarity`, `gbm`, `ensemble`)"),
        PLAYER_ID,
        GAME_ID,
        GAME_DATE,
        k("version", Int, "prediction version for this system, player and game"),
        k("predicted_points", Real, "predicted points, clamped to 0-60"),
        c("p_over", Real, "P(points > line) from the system's out-of-sample residual distribution, 0-1; NULL without a line or for systems without one"),
        c("line", Real, "consensus (median) pre-game points line, points"),
        c("line_source", Text, "`consensus` of n books, or NULL without a line"),
        c("line_books", Int, "number of books in the consensus"),
        c("edge", Real, "predicted_points − line, points"),
        k("confidence", Real, "confidence, 0-1"),
        k("recommendation", Text, "OVER, UNDER, PASS or NO_LINE"),
        k("model_id", Text, "model or rule version"),
        c("key_factors", Text, "JSON object: what moved the prediction (a rule's terms in points, a model's largest feature contributions, an ensemble's weights)"),
        c("warnings", Text, "what the prediction lacked, e.g. features dropped from the model for low coverage in the predicted dates"),
        k("is_active", Int, "1 for the live version"),
        c("superseded_by", Int, "the version that replaced this one; NULL for the live version"),
    ],
    primary_key: &["system_id", "player_id", "game_id", "version"],
    partitioning: Partitioning::Date("game_date"),
};

/// `prediction_accuracy` (phase 5B, slice).
pub const PREDICTION_ACCURACY: TableDef = TableDef {
    name: t::PREDICTION_ACCURACY,
    layer: "grading",
    doc: "One row per active prediction, judged against the box score and the line.",
    columns: &[
        k("system_id", Text, "prediction system"),
        PLAYER_ID,
        GAME_ID,
        GAME_DATE,
        SEASON,
        k("predicted_points", Real, "predicted points"),
        c("actual_points", Int, "points scored; NULL if the player did not play"),
        c("minutes_played", Real, "decimal minutes; NULL if the player did not play"),
        c("absolute_error", Real, "|predicted − actual|, points"),
        c("signed_error", Real, "predicted − actual, points"),
        c("line", Real, "the line predicted against"),
        k("recommendation", Text, "OVER, UNDER, PASS or NO_LINE"),
        c("prediction_correct", Int, "1/0 for OVER/UNDER; NULL for PASS, NO_LINE, push or void"),
        k("is_voided", Int, "1 if the player did not play"),
        c("void_reason", Text, "why voided"),
    ],
    primary_key: &["system_id", "player_id", "game_id"],
    partitioning: Partitioning::Date("game_date"),
};

/// `ingest_files`: the content hash of every data-set file ingested.
pub const INGEST_FILES: TableDef = TableDef {
    name: "ingest_files",
    layer: "system",
    doc: "One row per raw table: the file last ingested into it and its content hash. Unchanged files are skipped.",
    columns: &[
        k("table_name", Text, "raw table"),
        k("file_path", Text, "file read"),
        k("sha256", Text, "SHA-256 of the file's bytes, as `sha256sum` prints it"),
        k("bytes", Int, "file size, bytes"),
        k("rows", Int, "rows kept"),
        k("ingested_at", Text, "when, UTC RFC 3339"),
    ],
    primary_key: &["table_name"],
    partitioning: Partitioning::Whole,
};

/// `ingest_partitions`: content hash of every raw partition.
pub const INGEST_PARTITIONS: TableDef = TableDef {
    name: "ingest_partitions",
    layer: "system",
    doc: "One row per raw table partition: its row count and content hash. A changed file rewrites exactly the partitions whose hash changed; downstream staleness reads these hashes.",
    columns: &[
        k("table_name", Text, "raw table"),
        k("partition", Text, "partition value (date, season or `all`)"),
        k("rows", Int, "rows in the partition"),
        k("content_hash", Text, "XXH3-128 of the partition's canonical rows (hex)"),
        c(
            "source_hash",
            Text,
            "XXH3-128 of the partition's source lines (with their line numbers) and of what they resolve against; an ingest parses only the partitions whose source hash changed",
        ),
    ],
    primary_key: &["table_name", "partition"],
    partitioning: Partitioning::Whole,
};

/// `ingest_quarantine`: source rows that could not be placed.
pub const INGEST_QUARANTINE: TableDef = TableDef {
    name: "ingest_quarantine",
    layer: "system",
    doc: "Source rows kept out of the raw tables because they cannot be placed (e.g. no game id and no date), with the reason. Replaced on each ingest of the table.",
    columns: &[
        k("table_name", Text, "raw table"),
        k("file_path", Text, "file"),
        k("line", Int, "1-based line number in the file (header = 1)"),
        k("reason", Text, "why the row was kept out"),
    ],
    primary_key: &["table_name", "line"],
    partitioning: Partitioning::Whole,
};

/// `asset_partitions`: the run ledger, one row per asset partition.
pub const ASSET_PARTITIONS: TableDef = TableDef {
    name: "asset_partitions",
    layer: "system",
    doc: "The ledger: per (asset, partition) the fingerprint of its inputs and code version when it last succeeded, rows written and output hash. Written in the same transaction as the partition's rows.",
    columns: &[
        k("asset", Text, "asset name"),
        k("partition", Text, "partition value"),
        k("status", Text, "`ok`, `skipped` (expected empty: bootstrap window) or `failed`"),
        c("reason", Text, "why skipped or failed (`bootstrap`, `check <name> failed`, `blocked by <asset> <date>`, an error)"),
        k("fingerprint", Text, "hash of code version and upstream partition hashes"),
        k("code_version", Text, "asset code version"),
        k("rows", Int, "rows written"),
        k("content_hash", Text, "XXH3-128 of the rows written (or file bytes; hex)"),
        k("run_id", Text, "run that wrote it"),
        k("finished_at", Text, "UTC RFC 3339"),
        c("error", Text, "error message and sample rows when failed (JSON)"),
    ],
    primary_key: &["asset", "partition"],
    partitioning: Partitioning::Whole,
};

/// `partition_runs`: the ledger's history, one row per partition a run executed.
pub const PARTITION_RUNS: TableDef = TableDef {
    name: "partition_runs",
    layer: "system",
    doc: "Every (run, asset, partition) executed: status, times, rows, input fingerprint, code version, error.",
    columns: &[
        k("run_id", Text, "run"),
        k("asset", Text, "asset"),
        k("partition", Text, "partition value"),
        k("status", Text, "`ok`, `skipped` or `failed`"),
        c("reason", Text, "why it ran (`missing`, `stale: code`, `stale: upstream`, `failed before`, `forced`) and how it ended"),
        k("started_at", Text, "UTC RFC 3339"),
        k("finished_at", Text, "UTC RFC 3339"),
        k("rows", Int, "rows written"),
        k("fingerprint", Text, "hash of the code version and the input partitions' content hashes"),
        k("code_version", Text, "asset code version"),
        c("error", Text, "error, with sample failing rows for a failed check (JSON)"),
    ],
    primary_key: &["run_id", "asset", "partition"],
    partitioning: Partitioning::Whole,
};

/// `check_results`: every gate check on every partition computed.
pub const CHECK_RESULTS: TableDef = TableDef {
    name: "check_results",
    layer: "system",
    doc: "The latest result of every gate check of every asset partition (replaced when the partition is recomputed).",
    columns: &[
        k("asset", Text, "asset"),
        k("partition", Text, "partition value"),
        k("check_name", Text, "check"),
        k("severity", Text, "`error` or `warn`"),
        k("passed", Int, "1 passed, 0 failed"),
        c("observed", Real, "measured value (share 0-1, ratio, or count of violations)"),
        k("message", Text, "what was measured against what"),
        c("sample", Text, "up to five offending rows (JSON array)"),
        k("run_id", Text, "run"),
    ],
    primary_key: &["asset", "partition", "check_name"],
    partitioning: Partitioning::Whole,
};

/// `model_registry`: every model `propcast train` trained, with its governance verdict.
pub const MODEL_REGISTRY: TableDef = TableDef {
    name: "model_registry",
    layer: "models",
    doc: "One row per model trained by `propcast train`: its data, contract, hyper-parameters, metrics on the held-out test season, and the governance gates it passed or failed.",
    columns: &[
        k("model_id", Text, "`gbm-<test season>-<UTC timestamp>`"),
        k("system_id", Text, "`gbm`"),
        k("created_at", Text, "UTC RFC 3339"),
        k("train_seasons", Text, "seasons trained on (comma-separated)"),
        k("valid_season", Text, "season (or date range) used for early stopping"),
        k("test_season", Text, "held-out season the metrics are measured on"),
        k("feature_version", Text, "feature contract version"),
        k("features_used", Text, "contract features used (comma-separated)"),
        c("features_dropped", Text, "features left out for coverage below 50 % in the test season"),
        k("hyper_params", Text, "LightGBM parameters (JSON)"),
        k("code_version", Text, "trainer code version"),
        k("rows_train", Int, "training rows"),
        k("rows_valid", Int, "validation rows"),
        k("rows_test", Int, "test rows"),
        k("iterations", Int, "trees kept by early stopping"),
        k("test_mae", Real, "MAE on the test season, points"),
        c("baseline_mae", Real, "the moving average's MAE on the same test rows"),
        c("line_bias", Real, "mean (predicted − line) on test rows with a line"),
        c("hit_rate_edge3", Real, "hit rate at edge ≥ 3 on test rows with a line, 0-1"),
        c("hit_rate_ci_low", Real, "its 95 % Wilson interval, low"),
        c("hit_rate_ci_high", Real, "high"),
        k("hit_n", Int, "picks at edge ≥ 3"),
        k("max_tier_bias", Real, "largest |mean(predicted − actual)| over scoring tiers, points"),
        k("gates", Text, "JSON: each governance gate, its value and verdict"),
        k("status", Text, "`promoted` or `refused`"),
        c("reason", Text, "why refused"),
        k("model_path", Text, "model file under the home"),
    ],
    primary_key: &["model_id"],
    partitioning: Partitioning::Whole,
};

/// `runs`: one row per command run.
pub const RUNS: TableDef = TableDef {
    name: "runs",
    layer: "system",
    doc: "One row per pipeline run: what ran, when, and its summary.",
    columns: &[
        k("run_id", Text, "run id"),
        k("command", Text, "the command"),
        k("started_at", Text, "UTC RFC 3339"),
        c("finished_at", Text, "UTC RFC 3339"),
        k("status", Text, "`running`, `ok` or `failed`"),
        c("summary", Text, "JSON summary"),
    ],
    primary_key: &["run_id"],
    partitioning: Partitioning::Whole,
};

/// Every table the store creates, in dependency order.
pub const ALL_TABLES: &[TableDef] = &[
    SCHEDULE,
    TEAM_GAMES,
    PLAYER_GAMES,
    PLAYER_AVAILABILITY,
    SHOT_ZONES,
    SHOT_ZONES_SEASON,
    PROP_LINES,
    PLAYER_ID_CROSSWALK,
    PLAYERS,
    PLAYER_ALIASES,
    SEASON_CALENDAR,
    GAME_DATES,
    PLAYER_GAME_SUMMARY,
    TEAM_OFFENSE_GAME_SUMMARY,
    TEAM_DEFENSE_GAME_SUMMARY,
    UPCOMING_TEAM_GAME_CONTEXT,
    UPCOMING_PLAYER_GAME_CONTEXT,
    TEAM_DEFENSE_ZONE_ANALYSIS,
    PLAYER_SHOT_ZONE_ANALYSIS,
    PLAYER_DAILY_CACHE,
    PLAYER_COMPOSITE_FACTORS,
    ML_FEATURE_STORE,
    PLAYER_PROP_PREDICTIONS,
    PREDICTION_ACCURACY,
    INGEST_FILES,
    INGEST_PARTITIONS,
    INGEST_QUARANTINE,
    ASSET_PARTITIONS,
    PARTITION_RUNS,
    CHECK_RESULTS,
    RUNS,
    MODEL_REGISTRY,
];

/// The definition of a table by name.
pub fn table(name: &str) -> Option<&'static TableDef> {
    ALL_TABLES.iter().find(|t| t.name == name)
}

/// The warehouse schema as Markdown: the content of `docs/warehouse.md`.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Warehouse tables\n\n\
         Generated by `propcast schema` from `crates/core/src/schema.rs`; a test fails when this\n\
         file and the code disagree. The warehouse is one SQLite file, `<home>/warehouse.sqlite`\n\
         (WAL mode), readable by the `sqlite3` shell, Python's `sqlite3` module or DuckDB.\n\n\
         Conventions: `game_id` is `YYYYMMDD_AWAY_HOME`; `player_id` is the basketball-reference\n\
         slug, else `nba:<person id>`; team codes are NBA tricodes; dates are US Eastern\n\
         `YYYY-MM-DD`; missing is NULL, never a default. Derived tables are rewritten one date\n\
         partition at a time, each in one transaction with its ledger row (`asset_partitions`);\n\
         an ingest validates every changed file in full, then writes all its partitions in one\n\
         transaction, so bad input leaves the warehouse exactly as it was. A run (`up`,\n\
         `backfill`) writes without syncs and syncs the file once when it ends, while\n\
         `<home>/warehouse.sqlite.unsynced` marks it under way: a killed run loses nothing, and\n\
         after the machine itself went down during one, the next run checks the file and\n\
         recomputes everything from the data set (docs/decisions.md, session 9).\n",
    );
    for t in ALL_TABLES {
        let part = match t.partitioning {
            Partitioning::Date(c) => format!("by date (`{c}`)"),
            Partitioning::Season(c) => format!("by season (`{c}`)"),
            Partitioning::Whole => "whole table".to_string(),
        };
        let key = if t.primary_key.is_empty() {
            "none".to_string()
        } else {
            t.primary_key.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        };
        s.push_str(&format!(
            "\n## `{}` ({})\n\n{}\n\nKey: {}. Partitioned: {}.\n\n| column | type | null | meaning |\n|---|---|---|---|\n",
            t.name, t.layer, t.doc, key, part
        ));
        for c in t.columns {
            let null = if c.nullable && !t.primary_key.contains(&c.name) { "yes" } else { "no" };
            s.push_str(&format!("| `{}` | {} | {} | {} |\n", c.name, c.ty.sql(), null, c.doc));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_warehouse_md_is_up_to_date() {
        // Compiled in: the file is then an input of the build, so a changed doc rebuilds the
        // test, and a build reused from another checkout never reads that checkout's doc.
        let doc = include_str!("../../../docs/warehouse.md");
        assert!(
            doc == markdown(),
            "docs/warehouse.md is stale: run `cargo run --release -- schema > docs/warehouse.md`"
        );
    }

    #[test]
    fn keys_and_partitions_are_columns() {
        for t in ALL_TABLES {
            for k in t.primary_key {
                assert!(t.column(k).is_some(), "{}: key {k}", t.name);
            }
            if let Some(p) = t.partition_column() {
                assert!(t.column(p).is_some(), "{}: partition {p}", t.name);
            }
            let mut names: Vec<_> = t.columns.iter().map(|c| c.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{}: duplicate column", t.name);
        }
    }
}
