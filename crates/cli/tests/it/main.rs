//! The `propcast` binary: exit codes, output formats, and errors a user reads.

mod resume;

use std::path::Path;
use std::process::{Command, Output};

/// The binary with a home and arguments.
pub fn propcast_cmd(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_propcast"));
    c.arg("--home").arg(home).args(args).env_remove("PROPCAST_HOME").env_remove("PROPCAST_DATA");
    c
}

fn propcast(home: &Path, args: &[&str]) -> Output {
    propcast_cmd(home, args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A small data set: the bundled schedule and crosswalk, and the tables cut to one date.
fn small_data(dir: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba");
    for t in ["schedule", "player_id_crosswalk"] {
        std::fs::copy(src.join(format!("{t}.csv.gz")), dir.join(format!("{t}.csv.gz"))).unwrap();
    }
}

#[test]
fn usage_errors_exit_2_and_help_works_everywhere() {
    let home = tempfile::tempdir().unwrap();
    let o = propcast(home.path(), &["no-such-command"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = propcast(home.path(), &["sql"]);
    assert_eq!(o.status.code(), Some(2), "a missing argument is a usage error");
    for sub in [
        &["up", "--help"][..],
        &["ingest", "dataset", "--help"],
        &["sql", "--help"],
        &["schema", "--help"],
        &["--help"],
    ] {
        let o = propcast(home.path(), sub);
        assert_eq!(o.status.code(), Some(0), "{sub:?}");
        assert!(stdout(&o).contains("Usage:"), "{sub:?}");
    }
}

#[test]
fn failures_exit_1_with_a_message() {
    let home = tempfile::tempdir().unwrap();
    let o = propcast(home.path(), &["sql", "select 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("run `propcast up` first"), "{}", stderr(&o));
    let data = tempfile::tempdir().unwrap();
    let o = propcast(home.path(), &["ingest", "dataset", "--dir", &data.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no schedule file"), "{}", stderr(&o));
}

#[test]
fn ingest_then_query_as_table_csv_and_json() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    small_data(data.path());
    let d = data.path().display().to_string();
    let o = propcast(home.path(), &["ingest", "dataset", "--dir", &d]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("schedule"), "{}", stdout(&o));
    let o = propcast(home.path(), &["--json", "ingest", "dataset", "--dir", &d]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["changed"], false, "re-ingest is a no-op");

    let q = "select season, count(*) as games from schedule group by season order by season limit 2";
    let o = propcast(home.path(), &["sql", q]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("season   games\n-------  -----\n2017-18   1312\n"), "{out}");
    let o = propcast(home.path(), &["sql", "--csv", q]);
    assert_eq!(stdout(&o), "season,games\n2017-18,1312\n2018-19,1312\n");
    let o = propcast(home.path(), &["--json", "sql", q]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[1]["season"], "2018-19");
    assert_eq!(v[1]["games"], 1312);
    // The warehouse is read-only through `sql`.
    let o = propcast(home.path(), &["sql", "delete from schedule"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("readonly"), "{}", stderr(&o));
}

#[test]
fn features_report_gives_coverage_and_drift_per_season() {
    let data = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba");
    propcast_pipeline::copy_dataset_before(&src, data.path(), "2017-12-01").unwrap();
    let home = tempfile::tempdir().unwrap();
    let d = data.path().display().to_string();
    let o = propcast(home.path(), &["-q", "up", "--data", &d]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = propcast(home.path(), &["--json", "features", "report"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["features"].as_array().unwrap();
    assert_eq!(rows.len(), propcast_core::features::FEATURES.len(), "one season, every feature");
    let season = &v["seasons"][0];
    assert_eq!(season["season"], "2017-18");
    assert!(season["bootstrap_dates"].as_i64().unwrap() >= 10, "{season}");
    assert!(season["bootstrap_player_games"].as_i64().unwrap() > 1000, "{season}");
    let tiers: i64 = season["tiers"].as_array().unwrap().iter().map(|t| t[1].as_i64().unwrap()).sum();
    assert_eq!(tiers, season["rows"].as_i64().unwrap());
    let l10 = rows.iter().find(|r| r["feature"] == "points_avg_last_10").unwrap();
    let cov = l10["coverage"].as_f64().unwrap();
    assert!(cov > 0.8 && cov < 1.0, "{l10}");
    assert!(l10["drift"].is_null(), "no previous season to compare with");
    // Sources: the daily cache, with the phase-3 fallback for players with fewer than 3 games.
    let src: Vec<&str> = l10["sources"].as_array().unwrap().iter().map(|s| s[0].as_str().unwrap()).collect();
    assert!(src.contains(&"phase4") && src.contains(&"phase3"), "{l10}");
    // One row on the fly, equal to the stored one.
    let wh = propcast_store::Warehouse::open(&home.path().join("warehouse.sqlite")).unwrap();
    let r = wh
        .query(
            "select game_id, player_id from ml_feature_store where points_avg_last_10 is not null limit 1",
            &[],
        )
        .unwrap();
    let (propcast_store::Value::Text(g), propcast_store::Value::Text(p)) = (&r.rows[0][0], &r.rows[0][1])
    else {
        panic!()
    };
    let o = propcast(home.path(), &["--json", "features", "row", g, p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stored_row_equal"], true, "{v}");
}
