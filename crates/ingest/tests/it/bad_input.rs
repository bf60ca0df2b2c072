//! Bad input stops the ingest with file, line and column, and leaves the warehouse as it was;
//! what real sources legitimately do (other id forms, absent files, empty columns, extra
//! columns) is accepted.

use crate::util::*;
use propcast_ingest::{ingest_dataset, Error, TableStatus};
use propcast_store::{Value, Warehouse};
use std::path::Path;

/// A small data set (first week of 2017-18) ingested into a fresh warehouse.
fn setup() -> (tempfile::TempDir, tempfile::TempDir, Warehouse) {
    let data = tempfile::tempdir().unwrap();
    small_dataset(data.path(), "2017-10-25");
    let home = tempfile::tempdir().unwrap();
    let mut wh = Warehouse::open(&home.path().join("warehouse.sqlite")).unwrap();
    ingest_dataset(&mut wh, data.path()).unwrap();
    (data, home, wh)
}

/// Ingests the edited data set, expects bad input at `file`/`line`/`column`, and checks that
/// no table changed. Returns the message.
fn expect_bad(wh: &mut Warehouse, dir: &Path, file: &str, line: u64, column: Option<&str>) -> String {
    let before = fingerprint(wh);
    let err = ingest_dataset(wh, dir).expect_err("bad input must fail");
    let msg = err.to_string();
    let Error::Input { location, .. } = &err else { panic!("not an input error: {msg}") };
    assert!(location.file.ends_with(file), "{msg}");
    assert_eq!(location.line, line, "{msg}");
    assert_eq!(location.column.as_deref(), column, "{msg}");
    assert!(msg.contains(file), "message names the file: {msg}");
    if line > 0 {
        assert!(msg.contains(&format!("line {line}")), "message names the line: {msg}");
    }
    if let Some(c) = column {
        assert!(msg.contains(&format!("`{c}`")), "message names the column: {msg}");
    }
    assert_eq!(before, fingerprint(wh), "the warehouse changed after bad input: {msg}");
    msg
}

#[test]
fn truncated_gzip() {
    let (data, _h, mut wh) = setup();
    let p = data.path().join("player_games.csv.gz");
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let msg = expect_bad(&mut wh, data.path(), "player_games.csv.gz", 0, None);
    assert!(msg.contains("gzip"), "{msg}");
}

#[test]
fn non_numeric_value() {
    let (data, _h, mut wh) = setup();
    edit_csv(data.path(), "player_games", |h, rows| {
        let i = col(h, "pts");
        rows[3][i] = "twelve".into();
    });
    // Header is line 1, so record index 3 is line 5.
    let msg = expect_bad(&mut wh, data.path(), "player_games.csv.gz", 5, Some("pts"));
    assert!(msg.contains("\"twelve\" is not an integer"), "{msg}");
}

#[test]
fn duplicate_key() {
    let (data, _h, mut wh) = setup();
    let mut n = 0;
    edit_csv(data.path(), "player_games", |_, rows| {
        rows.push(rows[0].clone());
        n = rows.len() + 1;
    });
    let msg = expect_bad(&mut wh, data.path(), "player_games.csv.gz", n as u64, Some("player_id"));
    assert!(msg.contains("duplicate key") && msg.contains("first seen on line 2"), "{msg}");
}

#[test]
fn unknown_team_code() {
    let (data, _h, mut wh) = setup();
    edit_csv(data.path(), "team_games", |h, rows| {
        let i = col(h, "team_abbr");
        rows[6][i] = "XYZ".into();
    });
    let msg = expect_bad(&mut wh, data.path(), "team_games.csv.gz", 8, Some("team_abbr"));
    assert!(msg.contains("XYZ") && msg.contains("team code"), "{msg}");
}

#[test]
fn date_outside_any_season() {
    let (data, _h, mut wh) = setup();
    edit_csv(data.path(), "player_availability", |h, rows| {
        let i = col(h, "game_date");
        rows[0][i] = "2017-08-15".into();
    });
    let msg = expect_bad(&mut wh, data.path(), "player_availability.csv.gz", 2, Some("game_date"));
    assert!(msg.contains("outside every season"), "{msg}");
    // In the schedule itself, a date that cannot belong to the season the row names.
    let (data, _h, mut wh) = setup();
    edit_csv(data.path(), "schedule", |h, rows| {
        let i = col(h, "game_date");
        rows[2][i] = "2030-01-01".into();
    });
    expect_bad(&mut wh, data.path(), "schedule.csv.gz", 4, Some("game_date"));
}

#[test]
fn missing_required_column() {
    let (data, _h, mut wh) = setup();
    edit_csv(data.path(), "team_games", |h, rows| {
        let i = col(h, "team_abbr");
        h.remove(i);
        for r in rows {
            r.remove(i);
        }
    });
    let msg = expect_bad(&mut wh, data.path(), "team_games.csv.gz", 1, Some("team_abbr"));
    assert!(msg.contains("missing required column"), "{msg}");
}

#[test]
fn first_ingest_of_bad_input_leaves_an_empty_warehouse() {
    let data = tempfile::tempdir().unwrap();
    small_dataset(data.path(), "2017-10-20");
    edit_csv(data.path(), "prop_lines", |h, rows| {
        h.push("extra".into());
        for r in rows.iter_mut() {
            r.push(String::new());
        }
    });
    edit_csv(data.path(), "shot_zones", |h, rows| {
        let i = col(h, "fga");
        rows[1][i] = "1.5".into();
    });
    let home = tempfile::tempdir().unwrap();
    let mut wh = Warehouse::open(&home.path().join("w.sqlite")).unwrap();
    let empty = fingerprint(&wh);
    let msg = expect_bad(&mut wh, data.path(), "shot_zones.csv.gz", 3, Some("fga"));
    assert!(msg.contains("not an integer"), "{msg}");
    assert_eq!(empty, fingerprint(&wh));
}

#[test]
fn other_id_forms_give_the_same_rows() {
    let (data, _h, mut wh) = setup();
    let before = fingerprint(&wh);
    let content = |wh: &Warehouse| {
        wh.query("SELECT table_name, partition, rows, content_hash FROM ingest_partitions ORDER BY 1, 2", &[])
            .unwrap()
            .rows
    };
    let content_before = content(&wh);
    // NBA.com game ids instead of bbref ones, and nba:<id> player ids.
    edit_csv(data.path(), "player_games", |h, rows| {
        let (g, n, p, pn) =
            (col(h, "game_id"), col(h, "nba_game_id"), col(h, "player_id"), col(h, "nba_player_id"));
        for r in rows.iter_mut() {
            r[g] = r[n].clone();
            if !r[pn].is_empty() {
                r[p] = format!("nba:{}", r[pn]);
            }
        }
    });
    // The canonical form is accepted too.
    edit_csv(data.path(), "team_games", |h, rows| {
        let (g, d, t, o, home) = (
            col(h, "game_id"),
            col(h, "game_date"),
            col(h, "team_abbr"),
            col(h, "opp_abbr"),
            col(h, "is_home"),
        );
        for r in rows.iter_mut() {
            let (hm, aw) = if r[home] == "1" { (&r[t], &r[o]) } else { (&r[o], &r[t]) };
            r[g] = format!("{}_{}_{}", r[d].replace('-', ""), aw, hm);
        }
    });
    let report = ingest_dataset(&mut wh, data.path()).unwrap();
    assert!(!report.changed(), "same canonical rows: nothing to rewrite");
    let after = fingerprint(&wh);
    let differing: Vec<_> =
        before.iter().zip(&after).filter(|(a, b)| a != b).map(|(a, _)| a.0.clone()).collect();
    // The files' hashes and the partitions' source hashes (other lines), nothing else.
    assert_eq!(differing, vec!["ingest_files".to_string(), "ingest_partitions".to_string()]);
    assert_eq!(content(&wh), content_before, "every partition's rows are the same");
}

#[test]
fn absent_file_empty_column_and_extra_column_are_accepted() {
    let data = tempfile::tempdir().unwrap();
    small_dataset(data.path(), "2017-10-25");
    std::fs::remove_file(data.path().join("player_availability.csv.gz")).unwrap();
    edit_csv(data.path(), "player_games", |h, rows| {
        let i = col(h, "usg_pct");
        for r in rows.iter_mut() {
            r[i] = String::new();
        }
        h.push("wingspan".into());
        for r in rows.iter_mut() {
            r.push("7'0\"".into());
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mut wh = Warehouse::open(&home.path().join("w.sqlite")).unwrap();
    let report = ingest_dataset(&mut wh, data.path()).unwrap();
    let t = |name: &str| report.tables.iter().find(|t| t.table == name).unwrap();
    assert_eq!(t("player_availability").status, TableStatus::Absent);
    assert!(t("player_games").warnings.iter().any(|w| w.contains("wingspan")));
    let r = wh.query("select count(*), count(usg_pct) from player_games", &[]).unwrap();
    assert!(matches!(r.rows[0][0], Value::Integer(n) if n > 100));
    assert_eq!(r.rows[0][1], Value::Integer(0), "an empty column is NULL, never zero");
}

#[test]
fn changed_file_rewrites_exactly_its_changed_partitions() {
    let (data, _h, mut wh) = setup();
    let mut date = String::new();
    edit_csv(data.path(), "player_games", |h, rows| {
        let (p, d) = (col(h, "pts"), col(h, "game_date"));
        let last = rows.len() - 1;
        rows[last][p] = "99".into();
        date = rows[last][d].clone();
    });
    let report = ingest_dataset(&mut wh, data.path()).unwrap();
    let pg = report.tables.iter().find(|t| t.table == "player_games").unwrap();
    assert_eq!((pg.partitions_written, pg.partitions_deleted), (1, 0));
    let others: usize =
        report.tables.iter().filter(|t| t.table != "player_games").map(|t| t.partitions_written).sum();
    assert_eq!(others, 0);
    let r = wh
        .query("select count(*) from player_games where pts = 99 and game_date = ?1", &[Value::Text(date)])
        .unwrap();
    assert_eq!(r.rows[0][0], Value::Integer(1));
}
