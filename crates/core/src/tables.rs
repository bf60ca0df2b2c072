//! Names of the warehouse tables, so that no room spells one by hand.

/// Raw: one row per game (the data set's `schedule`).
pub const SCHEDULE: &str = "schedule";
/// Raw: one row per team per game.
pub const TEAM_GAMES: &str = "team_games";
/// Raw: one row per player per game played.
pub const PLAYER_GAMES: &str = "player_games";
/// Raw: every rostered player who did not play in a game.
pub const PLAYER_AVAILABILITY: &str = "player_availability";
/// Raw: per player per game shot zones.
pub const SHOT_ZONES: &str = "shot_zones";
/// Raw: per player per season shot zones (end-of-season totals).
pub const SHOT_ZONES_SEASON: &str = "shot_zones_season";
/// Raw: prop lines, one row per snapshot, book, market and player.
pub const PROP_LINES: &str = "prop_lines";
/// Raw: the data set's bbref ↔ NBA.com player id crosswalk.
pub const PLAYER_ID_CROSSWALK: &str = "player_id_crosswalk";
/// Reference: one row per canonical player.
pub const PLAYERS: &str = "players";
/// Reference: every (player, name) alias seen, with the table it was seen in.
pub const PLAYER_ALIASES: &str = "player_aliases";
/// Reference: the season calendar derived from the schedule.
pub const SEASON_CALENDAR: &str = "season_calendar";
/// Reference: one row per date with games, derived from the schedule.
pub const GAME_DATES: &str = "game_dates";
/// Phase 3: one row per player per game.
pub const PLAYER_GAME_SUMMARY: &str = "player_game_summary";
/// Phase 4: the ML feature store, one row per player per game.
pub const ML_FEATURE_STORE: &str = "ml_feature_store";
/// Phase 5A: predictions.
pub const PLAYER_PROP_PREDICTIONS: &str = "player_prop_predictions";
/// Phase 5B: graded predictions.
pub const PREDICTION_ACCURACY: &str = "prediction_accuracy";
