//! `player_game_summary`: one row per player per game played.

use propcast_core::schema;
use propcast_core::Date;
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Value, Warehouse, Window,
};
use std::collections::{BTreeMap, HashSet};

/// Builds `player_game_summary` for a date from that date's box scores.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerGameSummary;

const INPUTS: &[Input] = &[
    Input { name: "player_games", window: Window::SameDate, why: "the box score of each player" },
    Input { name: "team_games", window: Window::SameDate, why: "the team result (win flag)" },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "rows_vs_box_score",
        kind: CheckKind::RowsVsExpected { sql: "SELECT count(*) FROM player_games WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "minutes_not_null", kind: CheckKind::NotNull { column: "minutes_played" } },
    CheckSpec { name: "minutes_range", kind: CheckKind::Range { column: "minutes_played" } },
    CheckSpec { name: "points_range", kind: CheckKind::Range { column: "points" } },
];

impl Step for PlayerGameSummary {
    fn code_version(&self) -> &'static str {
        "pgs-1"
    }

    fn phase(&self) -> u8 {
        3
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::PLAYER_GAME_SUMMARY, scope: None }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
            return Ok(vec![]);
        };
        let wanted: HashSet<String> = dates.iter().map(|d| d.to_string()).collect();
        let mut stmt = wh.conn().prepare(
            "SELECT p.game_id, p.game_date, p.season, p.season_year, p.season_type, p.player_id,
                    p.player_lookup, p.player_name, p.team_abbr, p.opp_abbr, p.is_home, p.starter,
                    t.win, p.minutes, p.pts, p.fga, p.fgm, p.fg3a, p.fg3m, p.fta, p.ftm, p.reb,
                    p.ast, p.tov, p.plus_minus
             FROM player_games p
             LEFT JOIN team_games t ON t.game_id = p.game_id AND t.team_abbr = p.team_abbr
             WHERE p.game_date BETWEEN ?1 AND ?2
             ORDER BY p.game_date, p.game_id, p.player_id",
        )?;
        let n = schema::PLAYER_GAME_SUMMARY.columns.len();
        let mut by_date: BTreeMap<Date, Vec<Vec<Value>>> = BTreeMap::new();
        let mut rows = stmt.query([first.to_string(), last.to_string()])?;
        while let Some(r) = rows.next()? {
            let date: String = r.get(1)?;
            if !wanted.contains(&date) {
                continue;
            }
            let d = propcast_core::parse_date(&date).map_err(|e| propcast_store::Error::Step {
                step: "player_game_summary",
                message: e.to_string(),
            })?;
            let row = (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<std::result::Result<Vec<_>, propcast_store::SqliteError>>()?;
            by_date.entry(d).or_default().push(row);
        }
        Ok(by_date.into_iter().map(|(d, r)| (d, PartitionData::Rows(r))).collect())
    }
}
