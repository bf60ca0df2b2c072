//! Phase-2 assets: the raw tables the ingest wrote, gated per date partition.
//!
//! The ingest validates every row (types, ids, keys) before it writes; these gates check what
//! only makes sense per date against the schedule (two team rows per game, minutes and points
//! in range). Downstream assets read the raw tables through them, so a raw partition that
//! fails an `error` check blocks everything computed from it.

use propcast_core::{schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use std::collections::BTreeMap;

/// The gate of one raw table.
#[derive(Debug, Clone, Copy)]
pub struct RawGate {
    table: &'static schema::TableDef,
    inputs: &'static [Input],
    checks: &'static [CheckSpec],
}

const SCHEDULE_CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "points_range", kind: CheckKind::Range { column: "home_pts" } },
];

const TEAM_GAMES_CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "two_rows_per_game",
        kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "minutes_range", kind: CheckKind::Range { column: "minutes" } },
    CheckSpec { name: "points_range", kind: CheckKind::Range { column: "pts" } },
    CheckSpec {
        name: "possessions_not_null",
        kind: CheckKind::NotNull { column: "possessions", skip_if: None },
    },
];

const PLAYER_GAMES_CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "rows_per_team_game",
        kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "minutes_not_null", kind: CheckKind::NotNull { column: "minutes", skip_if: None } },
    CheckSpec { name: "minutes_range", kind: CheckKind::Range { column: "minutes" } },
    CheckSpec { name: "usage_range", kind: CheckKind::Range { column: "usg_pct" } },
];

impl RawGate {
    /// `schedule`.
    pub const SCHEDULE: RawGate = RawGate {
        table: &schema::SCHEDULE,
        inputs: &[Input { name: "schedule", window: Window::SameDate, why: "the ingested games" }],
        checks: SCHEDULE_CHECKS,
    };
    /// `team_games`.
    pub const TEAM_GAMES: RawGate = RawGate {
        table: &schema::TEAM_GAMES,
        inputs: &[Input {
            name: "team_games",
            window: Window::SameDate,
            why: "the ingested team box scores",
        }],
        checks: TEAM_GAMES_CHECKS,
    };
    /// `player_games`.
    pub const PLAYER_GAMES: RawGate = RawGate {
        table: &schema::PLAYER_GAMES,
        inputs: &[Input {
            name: "player_games",
            window: Window::SameDate,
            why: "the ingested player box scores",
        }],
        checks: PLAYER_GAMES_CHECKS,
    };
}

impl Step for RawGate {
    fn code_version(&self) -> &'static str {
        "raw-gate-1"
    }

    fn phase(&self) -> u8 {
        2
    }

    fn inputs(&self) -> &'static [Input] {
        self.inputs
    }

    fn output(&self) -> Output {
        Output::Verify { table: self.table }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        self.checks
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
            return Ok(vec![]);
        };
        let part = self.table.partition_column().unwrap_or("game_date");
        let cols: Vec<&str> = self.table.columns.iter().map(|c| c.name).collect();
        let pi = cols.iter().position(|c| *c == part).unwrap_or(0);
        let sql =
            format!("SELECT {} FROM {} WHERE {part} BETWEEN ?1 AND ?2", cols.join(", "), self.table.name);
        let wanted: std::collections::HashSet<String> = dates.iter().map(Date::to_string).collect();
        let mut by_date: BTreeMap<String, Vec<Vec<Value>>> = BTreeMap::new();
        let mut rows = Query::new(wh.conn(), &sql, &[&first.to_string(), &last.to_string()])?;
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                row.push(r.value(i)?);
            }
            if let Value::Text(d) = &row[pi] {
                if wanted.contains(d) {
                    by_date.entry(d.clone()).or_default().push(row);
                }
            }
        }
        Ok(dates
            .iter()
            .map(|d| (*d, PartitionData::Rows(by_date.remove(&d.to_string()).unwrap_or_default())))
            .collect())
    }
}
