//! `team_defense_game_summary`: the opponent's offense seen from the defending team.

use crate::util::{by_date, DateRange};
use propcast_core::{schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};

/// Builds `team_defense_game_summary` from the two offense rows of each game.
#[derive(Debug, Default, Clone, Copy)]
pub struct TeamDefenseGameSummary;

const INPUTS: &[Input] =
    &[Input { name: "team_offense_game_summary", window: Window::SameDate, why: "both teams' offense rows" }];

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "two_rows_per_game",
        kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "defensive_rating_range", kind: CheckKind::Range { column: "defensive_rating" } },
];

impl Step for TeamDefenseGameSummary {
    fn name(&self) -> &'static str {
        "team_defense_game_summary"
    }

    fn code_version(&self) -> &'static str {
        "team-defense-1"
    }

    fn phase(&self) -> u8 {
        3
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::TEAM_DEFENSE_GAME_SUMMARY, scope: None }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let Some(range) = DateRange::of(dates) else { return Ok(vec![]) };
        // Defensive rating and opponent pace are the opponent's offensive rating and pace:
        // points per 100 opponent possessions, and opponent possessions per 48 minutes with
        // overtime counted (the original used raw possessions).
        let sql = "SELECT d.game_id, d.game_date, d.season, d.season_year, d.season_type, d.team_abbr, o.team_abbr,
                    d.home_game, d.win_flag, o.points_scored, d.margin_of_victory, d.overtime_periods,
                    o.fg_attempts, o.fg_makes, o.three_pt_attempts, o.three_pt_makes, o.ft_attempts, o.ft_makes,
                    o.rebounds, o.assists, o.turnovers, d.personal_fouls, d.steals, d.blocks,
                    d.defensive_rebounds, o.offensive_rating, o.possessions, o.pace, o.ts_pct,
                    o.paint_attempts, o.paint_makes, o.mid_range_attempts, o.mid_range_makes,
                    o.three_attempts_zones, o.three_makes_zones, 2 * o.paint_makes, 2 * o.mid_range_makes,
                    3 * o.three_pt_makes, o.has_complete_shot_zones
             FROM team_offense_game_summary d
             JOIN team_offense_game_summary o ON o.game_id = d.game_id AND o.team_abbr = d.opponent_team_abbr
             WHERE d.game_date BETWEEN ?1 AND ?2";
        let n = schema::TEAM_DEFENSE_GAME_SUMMARY.columns.len();
        let mut out = Vec::new();
        let mut rows = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = rows.next()? {
            out.push((0..n).map(|i| r.get::<Value>(i)).collect::<std::result::Result<Vec<_>, _>>()?);
        }
        Ok(by_date(out, 1))
    }
}
