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

/// `propcast train`: a model trained on a chronological split is gated; a deliberately bad
/// one (a single tiny boosting step) is refused and registered as refused.
#[test]
fn train_gates_models_and_refuses_a_bad_one() {
    let data = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba");
    propcast_pipeline::copy_dataset_before(&src, data.path(), "2024-11-20").unwrap();
    // Keep two seasons only: 2023-24 (train and validation) and the start of 2024-25 (test).
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let p = entry.unwrap().path();
        let text = {
            let mut s = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(&p).unwrap()),
                &mut s,
            )
            .unwrap();
            s
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default().to_string();
        let Some(di) = header.split(',').position(|c| c == "game_date") else { continue };
        let mut out = header.clone() + "\n";
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let mut w = csv::Writer::from_writer(Vec::new());
        for (i, r) in rdr.records().enumerate() {
            let r = r.unwrap();
            if i > 0 && r.get(di).unwrap_or("") >= "2023-10-01" {
                w.write_record(&r).unwrap();
            }
        }
        out.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        let mut e =
            flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, out.as_bytes()).unwrap();
        e.finish().unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let d = data.path().display().to_string();
    let o = propcast(home.path(), &["-q", "up", "--data", &d]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let gate = |v: &serde_json::Value, name: &str| {
        v["gates"].as_array().unwrap().iter().find(|g| g["gate"] == name).unwrap()["verdict"].clone()
    };
    // A real model beats the moving average on the held-out season (its other gates, like the
    // hit rate against the lines, are what they are: the exit code says promoted or refused).
    let o = propcast(home.path(), &["--json", "train"]);
    let good: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(if good["status"] == "promoted" { 0 } else { 1 }), "{}", stderr(&o));
    assert_eq!(gate(&good, "mae_vs_baseline"), "pass", "{good}");
    assert!(good["test_mae"].as_f64().unwrap() < good["baseline_mae"].as_f64().unwrap(), "{good}");
    // 2024-25 has no shot zones: the model is trained without them.
    assert!(good["dropped"].as_array().unwrap().iter().any(|f| f == "pct_paint"), "{good}");
    assert!(home.path().join(good["model_path"].as_str().unwrap()).is_file());

    let o = propcast(home.path(), &["--json", "train", "--rounds", "1", "--learning-rate", "0.001"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let bad: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(bad["status"], "refused", "{bad}");
    assert_eq!(gate(&bad, "mae_vs_baseline"), "fail", "{bad}");
    assert!(stderr(&o).contains("refused by the governance gates"), "{}", stderr(&o));
    let wh = propcast_store::Warehouse::open(&home.path().join("warehouse.sqlite")).unwrap();
    let r = wh.query("select status, reason from model_registry order by created_at", &[]).unwrap();
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1][0], propcast_store::Value::Text("refused".into()));
    let propcast_store::Value::Text(reason) = &r.rows[1][1] else { panic!("{:?}", r.rows[1]) };
    assert!(reason.contains("mae_vs_baseline"), "{reason}");
}
