//! Phase-2 assets: the raw tables the ingest wrote, gated per date partition.
//!
//! The ingest validates every row (types, ids, keys) before it writes; these gates check what
//! only makes sense per date against the schedule (two team rows per game, minutes and points
//! in range). Downstream assets read the raw tables through them, so a raw partition that
//! fails an `error` check blocks everything computed from it.

use propcast_core::{schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, RowHasher, Step, Value, Warehouse,
    Window, SAMPLE_COLUMNS,
};
use std::collections::{BTreeMap, HashMap, HashSet};

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
        let (first, last) = (first.to_string(), last.to_string());
        let part = self.table.partition_column().unwrap_or("game_date");
        // The content hash of each partition as the ingest wrote it (the same canonical hash
        // of the same rows the engine would compute from reading them back).
        let mut hashes: HashMap<String, String> = HashMap::new();
        let mut q = Query::new(
            wh.conn(),
            "SELECT partition, content_hash FROM ingest_partitions
             WHERE table_name = ?1 AND partition BETWEEN ?2 AND ?3",
            &[self.table.name, &first, &last],
        )?;
        while let Some(r) = q.next()? {
            hashes.insert(r.get(0)?, r.get(1)?);
        }
        // Only the columns the checks and their samples read: the partition, the key, the
        // checked columns and the ids a failing row is shown by (a raw table is read back
        // only to be gated; reading every column was most of the gate's cost).
        let mut columns: Vec<&'static str> = vec![part];
        let checked = self.checks.iter().flat_map(|c| match c.kind {
            CheckKind::NotNull { column, skip_if } => vec![Some(column), skip_if],
            CheckKind::Range { column } => vec![Some(column)],
            CheckKind::UniqueKey | CheckKind::RowsVsExpected { .. } => vec![],
        });
        for c in self.table.primary_key.iter().copied().chain(checked.flatten()).chain(SAMPLE_COLUMNS) {
            if !columns.contains(&c) && self.table.columns.iter().any(|d| d.name == c) {
                columns.push(c);
            }
        }
        let sql =
            format!("SELECT {} FROM {} WHERE {part} BETWEEN ?1 AND ?2", columns.join(", "), self.table.name);
        let wanted: HashSet<String> = dates.iter().map(Date::to_string).collect();
        let mut by_date: BTreeMap<String, Vec<Vec<Value>>> = BTreeMap::new();
        let mut rows = Query::new(wh.conn(), &sql, &[&first, &last])?;
        while let Some(r) = rows.next()? {
            let date: &str = r.get(0)?;
            if !wanted.contains(date) {
                continue;
            }
            let mut row = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                row.push(r.value(i)?);
            }
            match by_date.get_mut(date) {
                Some(v) => v.push(row),
                None => {
                    by_date.insert(date.to_string(), vec![row]);
                }
            }
        }
        dates
            .iter()
            .map(|d| {
                let ds = d.to_string();
                let rows = by_date.remove(&ds).unwrap_or_default();
                // A partition with rows has its ingest record; one without rows has none and
                // the empty hash.
                let hash = match hashes.remove(&ds) {
                    Some(h) => h,
                    None if rows.is_empty() => RowHasher::new().finish(),
                    None => {
                        return Err(propcast_store::Error::Step {
                            step: self.table.name,
                            message: format!(
                                "{ds}: stored rows without an ingest record; run `propcast ingest` again"
                            ),
                        })
                    }
                };
                Ok((*d, PartitionData::Stored { columns: columns.clone(), rows, hash }))
            })
            .collect()
    }
}
