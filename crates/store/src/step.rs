//! The contract every pipeline step implements: a name, a code version, declared inputs
//! with their time windows, one output, and a computation over date partitions.
//!
//! The trait lives here, beside the warehouse it reads, so that step crates implement it
//! without knowing each other; only `pipeline` knows the order.

use crate::error::Result;
use crate::warehouse::Warehouse;
use propcast_core::schema::TableDef;
use propcast_core::Date;
use rusqlite::types::Value;

/// Which partitions of an input a partition on date D reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Only the partition of D itself.
    SameDate,
    /// Every partition strictly before D (rolling history: point in time).
    AllBefore,
    /// The partition of D, read only for the post-game label of a pre-game row (an outcome),
    /// never for a feature. The engine treats it as `SameDate`.
    Outcome,
}

/// One declared input.
#[derive(Debug, Clone, Copy)]
pub struct Input {
    /// A raw table or another step's output table / name.
    pub name: &'static str,
    /// The partitions read for date D.
    pub window: Window,
    /// Why the step reads it (shown by `propcast graph`-style listings and docs).
    pub why: &'static str,
}

/// Where a step's output goes.
#[derive(Debug, Clone, Copy)]
pub enum Output {
    /// Rows of a warehouse table partitioned by date; with a scope, only the rows whose
    /// column equals the value belong to this step (several systems share one table).
    Table {
        /// The table.
        table: &'static TableDef,
        /// `(column, value)` that marks this step's rows, if the table is shared.
        scope: Option<(&'static str, &'static str)>,
    },
    /// A raw table the ingest wrote: the step reads each partition, runs its checks and
    /// records it in the ledger; it writes no rows. Downstream assets read the table through
    /// it, so a raw partition that fails a gate blocks them.
    Verify {
        /// The raw table.
        table: &'static TableDef,
    },
    /// Files under the home directory (published exports).
    Files {
        /// A name for the output (the asset's name).
        name: &'static str,
        /// The path pattern under the home, `{date}` replaced.
        pattern: &'static str,
    },
}

impl Output {
    /// The output's name (the table name for tables).
    pub fn name(&self) -> &'static str {
        match self {
            Output::Table { table, .. } | Output::Verify { table } => table.name,
            Output::Files { name, .. } => name,
        }
    }
}

/// What a step computed for one date.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionData {
    /// Rows in the output table's column order.
    Rows(Vec<Vec<Value>>),
    /// Files: path relative to the home, and content.
    Files(Vec<(String, Vec<u8>)>),
    /// Rows already stored by another stage, for an [`Output::Verify`] gate: every row of
    /// the partition, with only the columns its checks read (named in `columns`, in the
    /// rows' order), and the stored rows' content hash (the hash of the whole rows).
    Stored {
        /// The columns of `rows`.
        columns: Vec<&'static str>,
        /// The partition's rows, those columns only.
        rows: Vec<Vec<Value>>,
        /// The content hash of the stored rows.
        hash: String,
    },
}

impl PartitionData {
    /// Rows or files produced.
    pub fn len(&self) -> usize {
        match self {
            PartitionData::Rows(r) | PartitionData::Stored { rows: r, .. } => r.len(),
            PartitionData::Files(f) => f.len(),
        }
    }

    /// Whether nothing was produced.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The columns a failing check's sample rows are shown by (those a table has).
pub const SAMPLE_COLUMNS: [&str; 5] = ["game_id", "player_id", "game_date", "system_id", "team_abbr"];

/// What a gate check measures. Thresholds and severity are not here: they come from the
/// checks TOML (`config/checks.toml`, overridable per home), keyed by asset and check name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Share of rows where `column` is not NULL must be at least `min` (0-1).
    NotNull {
        /// The column.
        column: &'static str,
        /// Rows whose column of this name is 1 are not counted (e.g. `is_dnp`).
        skip_if: Option<&'static str>,
    },
    /// Every non-NULL value of `column` must lie in `[min, max]`.
    Range {
        /// The column.
        column: &'static str,
    },
    /// No two rows share the output table's primary key.
    UniqueKey,
    /// Rows written / rows expected must lie in `[min, max]`; `sql` counts the expected rows
    /// for date `?1` (for example, the players in the box score).
    RowsVsExpected {
        /// A query returning one integer for the date `?1`.
        sql: &'static str,
    },
}

/// One declared gate check of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckSpec {
    /// Name, unique within the asset (the TOML key).
    pub name: &'static str,
    /// What it measures.
    pub kind: CheckKind,
}

/// A pipeline step, computed per date partition.
pub trait Step: Send + Sync {
    /// The asset's name (its output table's name for table outputs).
    fn name(&self) -> &'static str {
        self.output().name()
    }
    /// Bumped whenever the computation changes: every partition becomes stale.
    fn code_version(&self) -> &'static str;
    /// The version the ledger records: the code version, plus a fingerprint of the step's
    /// configuration when it has one (a changed threshold in a config file makes the
    /// partitions stale exactly as a code change does).
    fn version(&self) -> String {
        self.code_version().to_string()
    }
    /// What it reads.
    fn inputs(&self) -> &'static [Input];
    /// What it writes.
    fn output(&self) -> Output;
    /// The phase it belongs to (2 raw, 3 analytics, 4 features, 5 predictions and grading,
    /// 6 publishing), for `--phase`.
    fn phase(&self) -> u8;
    /// Whether its rows are known before tip-off of their date (pre-game context and
    /// features). A pre-game step may read post-game tables of its own date only through
    /// [`Window::Outcome`]; `pipeline` refuses a graph that breaks this.
    fn pre_game(&self) -> bool {
        false
    }
    /// Whether the step reads its history through a load shared by the whole run
    /// ([`crate::memo`]), so that its cost does not grow with the number of chunks: the
    /// engine then computes it in smaller chunks (less memory in flight, the two workers
    /// finishing closer together). Steps that load a window per chunk keep large chunks.
    fn shares_history(&self) -> bool {
        false
    }
    /// Its gate checks, run on every partition before it is written.
    fn checks(&self) -> &'static [CheckSpec] {
        &[]
    }
    /// Computes the partitions of `dates` (ascending). Dates without output may be omitted.
    /// Must be a pure function of the declared input partitions.
    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>>;
}
