//! Ingesting the data set directory: validate everything, then write once.

use crate::error::{Error, Result};
use crate::reader::{CsvFile, RawFile, Record, Scan};
use crate::registry;
use crate::resolve::{GameIndex, PlayerIndex};
use crate::tables::{self, Built};
use propcast_core::schema::{self, Partitioning, TableDef};
use propcast_core::{parse_date, PlayerId};
use propcast_store::{
    delete_partition, slot, Connection, Inserter, Query, RowHasher, Transaction, Value, Warehouse,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The raw tables in the order they are ingested (schedule first: everything resolves
/// against it; the crosswalk second: player ids resolve against it).
pub const RAW_TABLES: [&TableDef; 8] = [
    &schema::SCHEDULE,
    &schema::PLAYER_ID_CROSSWALK,
    &schema::TEAM_GAMES,
    &schema::PLAYER_GAMES,
    &schema::PLAYER_AVAILABILITY,
    &schema::SHOT_ZONES,
    &schema::SHOT_ZONES_SEASON,
    &schema::PROP_LINES,
];

/// What happened to one raw table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableStatus {
    /// Its file's hash matched the last ingest: nothing read, nothing written.
    Unchanged,
    /// Its partitions were compared and the changed ones rewritten.
    Written,
    /// The data set has no file for it: the table keeps what it had.
    Absent,
}

/// The outcome for one raw table.
#[derive(Debug, Clone)]
pub struct TableReport {
    /// The table.
    pub table: &'static str,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// What happened.
    pub status: TableStatus,
    /// Rows in the table after the ingest.
    pub rows: usize,
    /// Partitions parsed from the file (the others' source lines and dependencies were
    /// unchanged, so their stored rows stand).
    pub partitions_read: usize,
    /// Partitions rewritten (new or changed content).
    pub partitions_written: usize,
    /// Partitions removed (no longer in the file).
    pub partitions_deleted: usize,
    /// Rows kept out, with line and reason.
    pub quarantined: Vec<(u64, String)>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// The outcome of an ingest.
#[derive(Debug, Clone)]
pub struct IngestReport {
    /// Per raw table, in ingest order.
    pub tables: Vec<TableReport>,
}

impl IngestReport {
    /// Whether any partition was written or deleted.
    pub fn changed(&self) -> bool {
        self.tables.iter().any(|t| t.partitions_written > 0 || t.partitions_deleted > 0)
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One raw table's file in the data set and whether it changed since the last ingest.
struct SourceFile {
    def: &'static TableDef,
    path: Option<PathBuf>,
    unchanged: bool,
    /// The bytes, kept when they will be parsed (changed, or the schedule and crosswalk).
    raw: Option<RawFile>,
}

/// What is kept of a parsed file once its rows are built (its records are dropped at once:
/// they were half of the ingest's peak memory).
struct FileMeta {
    path: PathBuf,
    sha256: String,
    bytes: u64,
}

impl From<CsvFile> for FileMeta {
    fn from(f: CsvFile) -> FileMeta {
        FileMeta { path: f.path, sha256: f.sha256, bytes: f.bytes }
    }
}

/// One partition's rows in canonical order, with their hash.
struct Partition {
    rows: Vec<Vec<Value>>,
    hash: String,
}

/// A validated table split into its partitions (rows sorted and hashed): done on the thread
/// that built it, so the writing thread only compares and writes.
struct Parted {
    parts: BTreeMap<String, Partition>,
    quarantined: Vec<(u64, String)>,
    warnings: Vec<String>,
}

impl Parted {
    fn new(def: &TableDef, b: Built) -> Parted {
        Parted { parts: partition(def, b.rows), quarantined: b.quarantined, warnings: b.warnings }
    }
}

fn partition(def: &TableDef, rows: Vec<Vec<Value>>) -> BTreeMap<String, Partition> {
    let idx = def.partition_column().and_then(|c| def.columns.iter().position(|x| x.name == c));
    let mut groups: BTreeMap<String, Vec<Vec<Value>>> = BTreeMap::new();
    for r in rows {
        let key = match (idx, def.partitioning) {
            (Some(i), Partitioning::Date(_) | Partitioning::Season(_)) => match &r[i] {
                Value::Text(s) => s.clone(),
                _ => String::new(),
            },
            _ => "all".to_string(),
        };
        groups.entry(key).or_default().push(r);
    }
    let key = def.key_positions();
    groups
        .into_iter()
        .map(|(k, mut rows)| {
            let hash = propcast_store::canonical(&mut rows, &key);
            (k, Partition { rows, hash })
        })
        .collect()
}

/// A table to be written: its new partitions and which of them differ from the warehouse.
struct Pending {
    def: &'static TableDef,
    file: PathBuf,
    sha256: String,
    bytes: u64,
    parts: BTreeMap<String, Partition>,
    changed: Vec<String>,
    removed: Vec<String>,
    quarantined: Vec<(u64, String)>,
    kept: Kept,
    /// Rows in the table after the write (read and kept partitions).
    rows: usize,
}

/// Bump when building raw rows from source lines changes: every partition is read again.
const PARSER_VERSION: &str = "ingest-2";

/// What the warehouse holds of one raw partition.
#[derive(Debug, Clone, Default)]
struct Stored {
    rows: i64,
    content_hash: String,
    source_hash: Option<String>,
}

fn stored_partitions(conn: &Connection, table: &str) -> Result<HashMap<String, Stored>> {
    let mut stmt = conn.prepare(
        "SELECT partition, rows, content_hash, source_hash FROM ingest_partitions WHERE table_name = ?1",
    )?;
    let rows = stmt.query_map([table], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Stored { rows: r.get(1)?, content_hash: r.get(2)?, source_hash: r.get(3)? },
        ))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// What a partial read of a changed file leaves as the warehouse has it.
#[derive(Debug, Default)]
struct Kept {
    /// Partitions whose source lines and dependencies are unchanged: partition → rows.
    rows: HashMap<String, i64>,
    /// The lines of their records, sorted (quarantine rows on them stay).
    lines: Vec<u64>,
    /// The source hash of every partition read (stored with it).
    source_hashes: HashMap<String, String>,
}

/// What a date partition's rows are built from besides its own lines: the parser, the
/// header, the player index, and the schedule's games and season of that date.
struct Dependencies<'a> {
    players: &'a str,
    schedule: &'a HashMap<String, String>,
    games: &'a GameIndex,
}

impl Dependencies<'_> {
    fn source_hash(&self, header: &[u8], date: &str, records: &[Record], text: &[u8]) -> String {
        let mut h = RowHasher::new();
        for part in [PARSER_VERSION.as_bytes(), header, self.players.as_bytes(), date.as_bytes()] {
            h.bytes(part);
        }
        h.bytes(self.schedule.get(date).map_or(&b"-"[..], |s| s.as_bytes()));
        let season = parse_date(date).ok().and_then(|d| self.games.calendar.season_of(d));
        h.bytes(season.map(|s| s.season.to_string()).unwrap_or_default().as_bytes());
        for r in records {
            h.bytes(&r.line.to_le_bytes());
            h.bytes(&text[r.span.clone()]);
        }
        h.finish()
    }
}

/// Reads a changed date-partitioned file, parsing only the partitions whose source hash
/// differs from the stored one (and every record without a usable date, which the builder
/// places or quarantines itself). A file that cannot be scanned is parsed whole.
fn read_partial(
    def: &TableDef,
    raw: RawFile,
    deps: &Dependencies<'_>,
    stored: &HashMap<String, Stored>,
    build: impl Fn(&CsvFile) -> Result<Built>,
) -> Result<(Built, FileMeta, Kept)> {
    let column = def.partition_column().unwrap_or("game_date");
    let text = raw.text()?.into_owned();
    let Some(scan) = Scan::new(text, column, |s| parse_date(s).ok().map(|d| d.to_string())) else {
        let file = CsvFile::parse(raw)?;
        return Ok((build(&file)?, FileMeta::from(file), Kept::default()));
    };
    let header = &scan.text[scan.header.clone()];
    let hashes: HashMap<&str, String> = scan
        .groups
        .iter()
        .map(|(d, recs)| (d.as_str(), deps.source_hash(header, d, recs, &scan.text)))
        .collect();
    let mut dirty: std::collections::BTreeSet<&str> = hashes
        .iter()
        .filter(|(d, h)| stored.get(**d).and_then(|s| s.source_hash.as_ref()) != Some(*h))
        .map(|(d, _)| *d)
        .collect();
    let idx = def.columns.iter().position(|c| c.name == column);
    let built = loop {
        if dirty.len() == scan.groups.len() {
            let file = CsvFile::parse_text(&raw, &scan.text)?;
            break build(&file)?;
        }
        let mut records: Vec<Record> = dirty
            .iter()
            .flat_map(|d| scan.groups[*d].iter().cloned())
            .chain(scan.unkeyed.iter().cloned())
            .collect();
        records.sort_by_key(|r| r.line);
        let built = build(&CsvFile::parse_records(&raw, &scan, &records)?)?;
        // A record without a date that its game places on a date left unread makes that
        // date's partition read too (its rows and keys must be checked together).
        let more: Vec<&str> = built
            .rows
            .iter()
            .filter_map(|r| match idx.map(|i| &r[i]) {
                Some(Value::Text(d)) => scan.groups.get_key_value(d.as_str()).map(|(k, _)| k.as_str()),
                _ => None,
            })
            .filter(|d| !dirty.contains(d))
            .collect();
        if more.is_empty() {
            break built;
        }
        dirty.extend(more);
    };
    let mut kept = Kept::default();
    for (d, recs) in &scan.groups {
        if dirty.contains(d.as_str()) {
            kept.source_hashes.insert(d.clone(), hashes[d.as_str()].clone());
        } else {
            kept.rows.insert(d.clone(), stored.get(d).map_or(0, |s| s.rows));
            kept.lines.extend(recs.iter().map(|r| r.line));
        }
    }
    kept.lines.sort_unstable();
    let file = FileMeta { path: raw.path, sha256: raw.sha256, bytes: raw.bytes.len() as u64 };
    Ok((built, file, kept))
}

fn stored_file_hash(conn: &Connection, table: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare("SELECT sha256 FROM ingest_files WHERE table_name = ?1")?;
    let mut rows = stmt.query([table])?;
    Ok(match rows.next()? {
        Some(r) => r.get(0)?,
        None => None,
    })
}

/// Distinct (name, player) pairs, collected here rather than by `SELECT DISTINCT` (a sort of
/// every row).
#[derive(Default)]
struct NamePairs(rustc_hash::FxHashMap<String, Vec<String>>);

impl NamePairs {
    fn add(&mut self, lookup: &str, id: &str) {
        let ids = slot(&mut self.0, lookup);
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    }

    /// Adds the pairs of `player_games` rows dated in `dates` (every date when `None`).
    fn read(&mut self, conn: &Connection, dates: Option<&HashMap<String, i64>>) -> Result<()> {
        let mut rows = Query::new(
            conn,
            "SELECT player_lookup, player_id, game_date FROM player_games
             WHERE player_lookup IS NOT NULL AND player_id IS NOT NULL",
            &[],
        )?;
        while let Some(r) = rows.next()? {
            if dates.is_none_or(|d| r.get::<&str>(2).is_ok_and(|date| d.contains_key(date))) {
                self.add(r.get(0)?, r.get(1)?);
            }
        }
        Ok(())
    }

    /// Teaches `players` every pair (the result does not depend on the order).
    fn teach(&self, players: &mut PlayerIndex) {
        for (lookup, ids) in &self.0 {
            for id in ids.iter().filter_map(|i| PlayerId::parse(i).ok()) {
                players.add_name(lookup, &id);
            }
        }
    }
}

/// Every (name, player) pair of `player_games`, for resolving names in other tables.
fn names_from_warehouse(conn: &Connection, players: &mut PlayerIndex) -> Result<()> {
    let mut pairs = NamePairs::default();
    pairs.read(conn, None)?;
    pairs.teach(players);
    Ok(())
}

/// `players` with every (name, player) pair of `player_games` as this ingest writes it: the
/// partitions just built and those kept from the warehouse (read on a connection of their
/// own, which sees the warehouse as it was: kept partitions are not rewritten).
fn names_after_write(
    warehouse: &Path,
    players: &PlayerIndex,
    built: &Parted,
    kept: &Kept,
) -> Result<PlayerIndex> {
    let def = &schema::PLAYER_GAMES;
    let col = |name: &str| def.columns.iter().position(|c| c.name == name);
    let (Some(lookup), Some(id)) = (col("player_lookup"), col("player_id")) else {
        return Err(propcast_store::Error::UnknownTable("player_games.player_lookup".into()).into());
    };
    let mut pairs = NamePairs::default();
    for row in built.parts.values().flat_map(|p| &p.rows) {
        if let (Value::Text(l), Value::Text(i)) = (&row[lookup], &row[id]) {
            pairs.add(l, i);
        }
    }
    if !kept.rows.is_empty() {
        pairs.read(Warehouse::open_read_only(warehouse)?.conn(), Some(&kept.rows))?;
    }
    let mut players = players.clone();
    pairs.teach(&mut players);
    Ok(players)
}

/// Ingests the data set in `dir` into the warehouse.
///
/// One transaction rewrites exactly the partitions whose content changed, the registry and
/// the season calendar; each changed file is validated in full before any of its rows is
/// written, and files are validated in parallel while validated ones are written. Bad input
/// returns [`Error::Input`] naming file, line and column, and the transaction is rolled
/// back: the warehouse is left exactly as it was. Unchanged files (same SHA-256) are not
/// read.
pub fn ingest_dataset(wh: &mut Warehouse, dir: &Path) -> Result<IngestReport> {
    // A first ingest writes every page new: straight into the file, not through the WAL.
    if wh.count(schema::INGEST_PARTITIONS.name)? == 0 {
        wh.without_wal(|wh| ingest_into(wh, dir))
    } else {
        ingest_into(wh, dir)
    }
}

fn ingest_into(wh: &mut Warehouse, dir: &Path) -> Result<IngestReport> {
    let mut reports = Vec::new();
    let mut files: Vec<SourceFile> = Vec::new();
    for def in RAW_TABLES {
        let path = CsvFile::find(dir, def.name);
        let raw = path.as_deref().map(RawFile::load).transpose()?;
        let unchanged = match &raw {
            Some(r) => stored_file_hash(wh.conn(), def.name)?.as_deref() == Some(r.sha256.as_str()),
            None => false,
        };
        let index = files.len() < 2;
        files.push(SourceFile { def, path, unchanged, raw: raw.filter(|_| index || !unchanged) });
    }
    if files[0].path.is_none() {
        return Err(Error::MissingFile { dir: dir.to_path_buf(), table: schema::SCHEDULE.name.to_string() });
    }
    let all_unchanged = files.iter().all(|f| f.path.is_none() || f.unchanged);

    if !all_unchanged {
        // Indexes: the schedule and the crosswalk are always read (they are small).
        let sched = match files[0].raw.take() {
            Some(raw) => CsvFile::parse(raw)?,
            None => CsvFile::read(&files[0].path.clone().unwrap_or_default())?,
        };
        let (games, sched_built) = tables::schedule(&sched)?;
        let games = GameIndex::new(games);
        let sched_parted = Parted::new(&schema::SCHEDULE, sched_built);
        // The schedule's content per date: a dependency of every date partition.
        let schedule_hashes: HashMap<String, String> =
            sched_parted.parts.iter().map(|(k, p)| (k.clone(), p.hash.clone())).collect();
        let mut stored: HashMap<&str, HashMap<String, Stored>> = HashMap::new();
        for f in &files {
            stored.insert(f.def.name, stored_partitions(wh.conn(), f.def.name)?);
        }
        let mut players = PlayerIndex::default();
        let cw = match files[1].raw.take() {
            Some(raw) => {
                let f = CsvFile::parse(raw)?;
                let built = tables::crosswalk(&f, &mut players)?;
                Some((Parted::new(&schema::PLAYER_ID_CROSSWALK, built), FileMeta::from(f)))
            }
            None => None,
        };
        // Changed tables are read and validated in parallel while this thread writes each
        // one validated, all in one transaction: an invalid file anywhere rolls everything
        // back, so the warehouse is left as it was. prop_lines comes last, since it
        // resolves names against the players of player_games.
        let todo: Vec<(usize, &'static TableDef, RawFile)> = files
            .iter_mut()
            .enumerate()
            .filter(|(i, f)| *i >= 2 && !f.unchanged)
            .filter_map(|(i, f)| f.raw.take().map(|r| (i, f.def, r)))
            .collect();
        let (mut lines, mut others): (Vec<_>, Vec<_>) =
            todo.into_iter().partition(|(_, d, _)| d.name == schema::PROP_LINES.name);
        // When player_games is rebuilt here, the worker that builds it builds prop_lines right
        // after (names from the built rows), while this thread writes the box scores.
        let games_built = others.iter().any(|(_, d, _)| d.name == schema::PLAYER_GAMES.name);
        let early_lines = std::sync::Mutex::new(if games_built { lines.pop() } else { None });
        let warehouse_path = wh.path().to_path_buf();
        // The workers pop from the end: the largest file first, so the longest build (the box
        // scores) overlaps the writing of the others instead of following it.
        others.sort_by_key(|(_, _, raw)| raw.bytes.len());
        // `digest` is `players`' digest (PlayerIndex::digest), taken once per index state.
        let build = |def: &'static TableDef,
                     raw: RawFile,
                     players: &PlayerIndex,
                     digest: &str|
         -> Result<(Parted, FileMeta, Kept)> {
            let t0 = std::time::Instant::now();
            let b = if def.name == schema::SHOT_ZONES_SEASON.name {
                let file = CsvFile::parse(raw)?;
                (tables::season_table(&file, players)?, FileMeta::from(file), Kept::default())
            } else {
                let deps = Dependencies { players: digest, schedule: &schedule_hashes, games: &games };
                let stored = &stored[def.name];
                read_partial(def, raw, &deps, stored, |file| {
                    if def.name == schema::PROP_LINES.name {
                        tables::prop_lines(file, &games, players)
                    } else {
                        tables::game_table(def, file, &games, players)
                    }
                })?
            };
            tracing::debug!(
                "{}: read {} partition(s), kept {}, built {} rows in {:.2} s",
                def.name,
                b.2.source_hashes.len(),
                b.2.rows.len(),
                b.0.rows.len(),
                t0.elapsed().as_secs_f64()
            );
            let (t0, (built, file, kept)) = (std::time::Instant::now(), b);
            let parted = Parted::new(def, built);
            tracing::debug!("{}: partitioned and hashed in {:.2} s", def.name, t0.elapsed().as_secs_f64());
            Ok((parted, file, kept))
        };
        let t0 = std::time::Instant::now();
        let at = now();
        let wh_has_players = wh.count(schema::PLAYERS.name)? > 0;
        let mut delta = registry::Delta::default();
        let tx = wh.transaction()?;
        let mut changed_any = false;
        // Tables that failed validation, with their table index.
        let mut failed: Vec<(usize, Error)> = Vec::new();
        if !files[0].unchanged {
            let whole = (0, sched_parted, FileMeta::from(sched), Kept::default());
            changed_any |=
                stage(&tx, &files, &stored[files[0].def.name], whole, &at, &mut reports, &mut delta)?;
        }
        if let (Some((b, f)), false) = (cw, files[1].unchanged) {
            let whole = (1, b, f, Kept::default());
            changed_any |=
                stage(&tx, &files, &stored[files[1].def.name], whole, &at, &mut reports, &mut delta)?;
        }
        let crosswalk_digest = players.digest();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(others.len().max(1));
        let queue = std::sync::Mutex::new(others);
        std::thread::scope(|scope| -> Result<()> {
            let (sender, receiver) = std::sync::mpsc::channel();
            for _ in 0..workers {
                let sender = sender.clone();
                let (queue, build, players, digest) = (&queue, &build, &players, &crosswalk_digest);
                let (early_lines, warehouse_path) = (&early_lines, &warehouse_path);
                scope.spawn(move || {
                    while let Some((i, def, raw)) = queue.lock().ok().and_then(|mut q| q.pop()) {
                        let built = build(def, raw, players, digest);
                        let then = match &built {
                            Ok((b, _, kept)) if def.name == schema::PLAYER_GAMES.name => early_lines
                                .lock()
                                .ok()
                                .and_then(|mut l| l.take())
                                .map(|l| (l, names_after_write(warehouse_path, players, b, kept))),
                            _ => None,
                        };
                        if sender.send((i, built)).is_err() {
                            return;
                        }
                        if let Some(((li, ldef, lraw), index)) = then {
                            let lines = index.and_then(|index| build(ldef, lraw, &index, &index.digest()));
                            if sender.send((li, lines)).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
            drop(sender);
            for (i, r) in receiver {
                match r {
                    Ok((b, f, kept)) if failed.is_empty() => {
                        let stored = &stored[files[i].def.name];
                        changed_any |=
                            stage(&tx, &files, stored, (i, b, f, kept), &at, &mut reports, &mut delta)?;
                    }
                    Ok(_) => {}
                    Err(e) => failed.push((i, e)),
                }
            }
            Ok(())
        })?;
        if failed.is_empty() {
            for (i, def, raw) in lines {
                // player_games as this transaction has it (rewritten above if it changed).
                names_from_warehouse(&tx, &mut players)?;
                match build(def, raw, &players, &players.digest()) {
                    Ok((b, f, kept)) => {
                        let stored = &stored[files[i].def.name];
                        changed_any |=
                            stage(&tx, &files, stored, (i, b, f, kept), &at, &mut reports, &mut delta)?
                    }
                    Err(e) => failed.push((i, e)),
                }
            }
        }
        // The first failing table in table order is the error reported; dropping the
        // transaction rolls back every table written so far.
        if let Some((_, e)) = failed.into_iter().min_by_key(|(i, _)| *i) {
            return Err(e);
        }
        if changed_any {
            let t1 = std::time::Instant::now();
            // A few rewritten partitions patch the registry; more rebuild it.
            let patch = delta.usable() && wh_has_players;
            if patch {
                registry::apply(&tx, &delta)?;
            } else {
                registry::rebuild(&tx)?;
            }
            let how = if patch { "patched" } else { "rebuilt" };
            tracing::debug!("registry {how} and calendar rebuilt in {:.2} s", t1.elapsed().as_secs_f64());
        }
        tx.commit()?;
        tracing::debug!("built and wrote the changed tables in {:.2} s", t0.elapsed().as_secs_f64());
    }
    // Report the tables that were not rewritten.
    for f in &files {
        let def = f.def;
        if reports.iter().any(|r| r.table == def.name) {
            continue;
        }
        let status = if f.path.is_none() {
            tracing::warn!("the data set has no file for `{}`: the table keeps what it had", def.name);
            TableStatus::Absent
        } else {
            debug_assert!(f.unchanged);
            TableStatus::Unchanged
        };
        reports.push(TableReport {
            table: def.name,
            file: f.path.clone(),
            status,
            rows: wh.count(def.name)? as usize,
            partitions_read: 0,
            partitions_written: 0,
            partitions_deleted: 0,
            quarantined: vec![],
            warnings: vec![],
        });
    }
    reports.sort_by_key(|r| RAW_TABLES.iter().position(|d| d.name == r.table));
    Ok(IngestReport { tables: reports })
}

/// Compares one validated, partitioned table with what the warehouse holds
/// (`stored`, read before the transaction: nothing else writes a table's partition records),
/// writes its changed partitions and reports it. Returns whether anything changed.
fn stage(
    tx: &Transaction<'_>,
    files: &[SourceFile],
    stored: &HashMap<String, Stored>,
    (i, b, file, kept): (usize, Parted, FileMeta, Kept),
    at: &str,
    reports: &mut Vec<TableReport>,
    delta: &mut registry::Delta,
) -> Result<bool> {
    let def = files[i].def;
    let parts = b.parts;
    let changed: Vec<String> = parts
        .iter()
        .filter(|(k, p)| stored.get(*k).map(|s| &s.content_hash) != Some(&p.hash))
        .map(|(k, _)| k.clone())
        .collect();
    let removed: Vec<String> =
        stored.keys().filter(|k| !parts.contains_key(*k) && !kept.rows.contains_key(*k)).cloned().collect();
    for w in &b.warnings {
        tracing::warn!("{w}");
    }
    if !b.quarantined.is_empty() {
        tracing::warn!(
            "{}: {} row(s) kept out of `{}` (see table ingest_quarantine)",
            file.path.display(),
            b.quarantined.len(),
            def.name
        );
    }
    let rows = parts.values().map(|p| p.rows.len()).sum::<usize>() + kept.rows.values().sum::<i64>() as usize;
    let (partitions_read, partitions_written, partitions_deleted) =
        (parts.len(), changed.len(), removed.len());
    let p = Pending {
        def,
        file: file.path,
        sha256: file.sha256,
        bytes: file.bytes,
        rows,
        parts,
        changed,
        removed,
        quarantined: b.quarantined,
        kept,
    };
    let t0 = std::time::Instant::now();
    let quarantined = write_table(tx, &p, at, delta)?;
    tracing::debug!("{}: wrote the changed partitions in {:.2} s", def.name, t0.elapsed().as_secs_f64());
    let file = p.file.clone();
    // The rows are freed on a thread of their own: freeing a large table's millions of
    // values took the writing thread, the ingest's critical path, a tenth of a second and
    // more (session 11).
    std::thread::spawn(move || drop(p));
    reports.push(TableReport {
        table: def.name,
        file: Some(file),
        status: TableStatus::Written,
        rows,
        partitions_read,
        partitions_written,
        partitions_deleted,
        quarantined,
        warnings: b.warnings,
    });
    Ok(partitions_written > 0 || partitions_deleted > 0)
}

/// Rewrites one table's changed partitions and its ingest records; returns the quarantined
/// lines the table now has (those of records not read again stay).
fn write_table(
    tx: &Transaction<'_>,
    p: &Pending,
    at: &str,
    delta: &mut registry::Delta,
) -> Result<Vec<(u64, String)>> {
    let whole = p.def.partition_column().is_none();
    let patch = delta.room_for(p.def, p.removed.len() + p.changed.len());
    for key in p.removed.iter().chain(&p.changed) {
        if patch {
            delta.remove_stored(tx, p.def, (!whole).then_some(key.as_str()))?;
        }
        delete_partition(tx, p.def, (!whole).then_some(key.as_str()))?;
        tx.execute(
            "DELETE FROM ingest_partitions WHERE table_name = ?1 AND partition = ?2",
            [p.def.name, key.as_str()],
        )?;
    }
    // The partition index is kept through a bulk load: partitions are written in date order,
    // so its keys are appended, cheaper than dropping it and building it again by a sort
    // (1.2 % of a full ingest's instructions, all on this writing thread; session 11).
    let source = |key: &str| p.kept.source_hashes.get(key);
    let mut inserter = Inserter::new(tx, p.def)?;
    for key in &p.changed {
        let part = &p.parts[key];
        if patch {
            delta.add_rows(p.def, part.rows.iter().map(Vec::as_slice));
        }
        inserter.insert(part.rows.iter().map(Vec::as_slice))?;
        tx.execute(
            "INSERT INTO ingest_partitions (table_name, partition, rows, content_hash, source_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            propcast_store::params![p.def.name, key, part.rows.len() as i64, part.hash, source(key)],
        )?;
    }
    // Partitions read again whose rows came out the same: only their source hash is new
    // (tables read whole have none).
    if !p.kept.source_hashes.is_empty() {
        let changed: HashSet<&String> = p.changed.iter().collect();
        for key in p.parts.keys().filter(|k| !changed.contains(k)) {
            tx.execute(
                "UPDATE ingest_partitions SET source_hash = ?3 WHERE table_name = ?1 AND partition = ?2",
                propcast_store::params![p.def.name, key, source(key)],
            )?;
        }
    }
    tx.execute(
        "INSERT INTO ingest_files (table_name, file_path, sha256, bytes, rows, ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(table_name) DO UPDATE SET file_path = excluded.file_path,
           sha256 = excluded.sha256, bytes = excluded.bytes, rows = excluded.rows,
           ingested_at = excluded.ingested_at",
        propcast_store::params![
            p.def.name,
            p.file.display().to_string(),
            p.sha256,
            p.bytes as i64,
            p.rows as i64,
            at
        ],
    )?;
    // Quarantined lines of the records not read again stay; the rest are replaced.
    let mut quarantined = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT line, reason FROM ingest_quarantine WHERE table_name = ?1")?;
        let mut rows = stmt.query([p.def.name])?;
        while let Some(r) = rows.next()? {
            let line = r.get::<_, i64>(0)? as u64;
            if p.kept.lines.binary_search(&line).is_ok() {
                quarantined.push((line, r.get(1)?));
            }
        }
    }
    tx.execute("DELETE FROM ingest_quarantine WHERE table_name = ?1", [p.def.name])?;
    for (line, reason) in quarantined.iter().chain(&p.quarantined) {
        tx.execute(
            "INSERT INTO ingest_quarantine (table_name, file_path, line, reason) VALUES (?1, ?2, ?3, ?4)",
            propcast_store::params![p.def.name, p.file.display().to_string(), *line as i64, reason],
        )?;
    }
    quarantined.extend(p.quarantined.iter().cloned());
    quarantined.sort_unstable();
    Ok(quarantined)
}
