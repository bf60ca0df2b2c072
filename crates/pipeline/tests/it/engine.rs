//! The engine: dry-run reasons, gates that block downstream, modes, the home lock.

use crate::util::*;
use propcast_pipeline::{run_backfill, up, BackfillOptions, Error, Home, Mode, NoProgress, TableStatus};
use propcast_store::{Value, Warehouse};

const UNTIL: &str = "2017-12-01";

fn setup() -> (tempfile::TempDir, tempfile::TempDir, Home) {
    let data = tempfile::tempdir().unwrap();
    dataset(data.path(), UNTIL, |_, _, _| {});
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    up(&home, data.path(), 2, &NoProgress).unwrap();
    (data, dir, home)
}

fn dry(home: &Home, opts: BackfillOptions) -> Vec<(String, String, String)> {
    let r = run_backfill(home, &BackfillOptions { dry_run: true, ..opts }, &NoProgress).unwrap();
    r.plan.iter().map(|p| (p.asset.to_string(), p.date.to_string(), p.reason.clone())).collect()
}

#[test]
fn dry_run_says_why_each_partition_would_run() {
    let (data, _d, home) = setup();
    assert!(dry(&home, BackfillOptions::default()).is_empty(), "fresh after up");
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    wh.conn()
        .execute("UPDATE asset_partitions SET code_version = 'feature-store-0' WHERE asset = 'ml_feature_store' AND partition = '2017-11-20'", [])
        .unwrap();
    wh.conn()
        .execute(
            "DELETE FROM asset_partitions WHERE asset = 'prediction_accuracy' AND partition = '2017-11-21'",
            [],
        )
        .unwrap();
    drop(wh);
    let plan = dry(&home, BackfillOptions::default());
    assert!(
        plan.contains(&(
            "ml_feature_store".into(),
            "2017-11-20".into(),
            "stale: code version changed (was feature-store-0)".into()
        )),
        "{plan:?}"
    );
    assert!(
        plan.contains(&("prediction_accuracy".into(), "2017-11-21".into(), "missing".into())),
        "{plan:?}"
    );
    assert!(plan.contains(&(
        "predictions_moving_average".into(),
        "2017-11-20".into(),
        "upstream ml_feature_store recomputes an input".into()
    )));
    // A changed box score: that date is stale upstream, later features may change.
    dataset(data.path(), UNTIL, |t, h, rows| {
        if t == "player_games" {
            let (d, p) = (col(h, "game_date"), col(h, "pts"));
            rows.iter_mut().find(|r| r[d] == "2017-11-25").unwrap()[p] = "61".into();
        }
    });
    propcast_pipeline::ingest_dataset(&mut Warehouse::open(&home.warehouse()).unwrap(), data.path()).unwrap();
    let plan = dry(
        &home,
        BackfillOptions {
            from: Some(propcast_pipeline::parse_date("2017-11-25").unwrap()),
            ..Default::default()
        },
    );
    // The raw table's gate sees the ingest's new hash; what reads it follows.
    let want = |a: &str, d: &str, r: &str| (a.to_string(), d.to_string(), r.to_string());
    assert!(
        plan.contains(&want("player_games", "2017-11-25", "stale: an upstream partition changed")),
        "{plan:?}"
    );
    assert!(
        plan.contains(&want(
            "player_game_summary",
            "2017-11-25",
            "upstream player_games recomputes an input"
        )),
        "{plan:?}"
    );
    assert!(
        plan.contains(&(
            "ml_feature_store".into(),
            "2017-11-26".into(),
            "upstream upcoming_player_game_context recomputes an input".into()
        )),
        "{plan:?}"
    );
    // Dry run wrote nothing.
    assert_eq!(
        dry(
            &home,
            BackfillOptions {
                from: Some(propcast_pipeline::parse_date("2017-11-25").unwrap()),
                ..Default::default()
            }
        ),
        plan
    );
}

#[test]
fn a_failing_error_check_blocks_downstream_until_fixed() {
    let (data, _d, home) = setup();
    let clean = fingerprint(&Warehouse::open(&home.warehouse()).unwrap());
    // Tighten a gate so that real overtime minutes fail it.
    std::fs::write(home.path().join("checks.toml"), "[player_game_summary.minutes_range]\nmax = 44.0\n")
        .unwrap();
    let r = run_backfill(
        &home,
        &BackfillOptions { mode: Mode::All, workers: 2, ..Default::default() },
        &NoProgress,
    )
    .unwrap();
    let a = |n: &str| r.assets.iter().find(|x| x.asset == n).unwrap().clone();
    assert!(a("player_game_summary").failed > 0, "{:?}", r.assets);
    assert!(a("ml_feature_store").failed > 0, "features after the first failed date are blocked");
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let first_failed = match &rows(&wh, "select min(partition) from asset_partitions where asset = 'player_game_summary' and status = 'failed'")[0][0] {
        Value::Text(s) => s.clone(),
        v => panic!("{v:?}"),
    };
    let r2 = rows(&wh, &format!(
        "select reason, error from asset_partitions where asset = 'player_game_summary' and partition = '{first_failed}'"
    ));
    assert_eq!(r2[0][0], Value::Text("check minutes_range failed".into()));
    let Value::Text(err) = &r2[0][1] else { panic!() };
    assert!(err.contains("outside [0, 44]") && err.contains("player_id"), "sample rows recorded: {err}");
    let blocked = rows(
        &wh,
        "select reason from asset_partitions where asset = 'ml_feature_store' and status = 'failed' limit 1",
    );
    // Blocked through whichever input reaches the failed date first (the context or the summary).
    let Value::Text(reason) = &blocked[0][0] else { panic!() };
    assert!(reason.starts_with("blocked by ") && reason.ends_with(&first_failed), "{reason}");
    let sample = rows(&wh, &format!(
        "select sample from check_results where asset = 'player_game_summary' and partition = '{first_failed}' and passed = 0"
    ));
    assert!(matches!(&sample[0][0], Value::Text(s) if s.contains("minutes_played")));
    drop(wh);

    // Restore the default gate. Mode missing leaves failed partitions alone (inputs unchanged) …
    std::fs::remove_file(home.path().join("checks.toml")).unwrap();
    let r = run_backfill(&home, &BackfillOptions::default(), &NoProgress).unwrap();
    assert!(r.assets.iter().any(|a| a.failed_kept > 0));
    // … mode failed retries them, and the warehouse is as a clean run left it.
    let r = run_backfill(&home, &BackfillOptions { mode: Mode::Failed, ..Default::default() }, &NoProgress)
        .unwrap();
    assert_eq!(r.failed(), 0);
    let st = propcast_pipeline::status(&home).unwrap();
    assert!(st.iter().all(|s| s.failed == 0 && s.coverage == 1.0), "{st:?}");
    assert_eq!(clean, fingerprint(&Warehouse::open(&home.warehouse()).unwrap()));
    drop(data);
}

#[test]
fn bootstrap_partitions_are_recorded_as_skipped() {
    let (_data, _d, home) = setup();
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let r = rows(&wh, "select count(*) from asset_partitions a join game_dates g on g.game_date = a.partition
                       where a.asset = 'ml_feature_store' and a.status = 'skipped' and a.reason = 'bootstrap' and g.is_bootstrap = 1");
    assert_eq!(r[0][0], Value::Integer(14));
    let r = rows(&wh, "select count(*) from ml_feature_store where game_date <= '2017-10-30'");
    assert_eq!(r[0][0], Value::Integer(0));
    let r = rows(
        &wh,
        "select count(*) from asset_partitions where asset = 'player_game_summary' and status = 'skipped'",
    );
    assert_eq!(r[0][0], Value::Integer(0), "assets without history are not skipped");
}

#[test]
fn a_second_run_on_a_held_home_is_refused() {
    let (data, _d, home) = setup();
    let lock = home.lock().unwrap();
    let err = up(&home, data.path(), 1, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }));
    assert!(err.to_string().contains(&format!("pid {}", std::process::id())), "{err}");
    drop(lock);
    up(&home, data.path(), 1, &NoProgress).unwrap();
}

#[test]
fn a_raw_partition_failing_its_gate_blocks_what_reads_it() {
    let (_data, _d, home) = setup();
    // Teams scoring over 125 fail this (deliberately wrong) bound.
    std::fs::write(home.path().join("checks.toml"), "[team_games.points_range]\nmax = 125.0\n").unwrap();
    let r =
        run_backfill(&home, &BackfillOptions { mode: Mode::All, ..Default::default() }, &NoProgress).unwrap();
    let failed = |n: &str| r.assets.iter().find(|x| x.asset == n).unwrap().failed;
    assert!(failed("team_games") > 0, "{:?}", r.assets);
    assert_eq!(
        failed("team_games"),
        failed("player_game_summary"),
        "each failed raw date blocks its summary"
    );
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let r = rows(
        &wh,
        "select count(*) from asset_partitions p join asset_partitions t
           on t.partition = p.partition and t.asset = 'team_games' and t.status = 'failed'
         where p.asset = 'player_game_summary' and p.reason = 'blocked by team_games ' || p.partition",
    );
    assert!(matches!(r[0][0], Value::Integer(n) if n > 0));
    // The raw rows themselves are untouched by a gate.
    assert_eq!(
        wh.count("team_games").unwrap(),
        rows(&wh, "select 2 * count(*) from schedule")[0][0].clone().into_i()
    );
}

trait IntoI {
    fn into_i(self) -> i64;
}

impl IntoI for Value {
    fn into_i(self) -> i64 {
        match self {
            Value::Integer(i) => i,
            v => panic!("{v:?}"),
        }
    }
}

/// A run writes without syncs (docs/decisions.md, session 9): one whose process died keeps
/// its writes; one the machine went down during is read and computed again, whole.
#[cfg(target_os = "linux")]
#[test]
fn a_run_cut_short_by_its_process_is_kept_and_one_cut_short_by_the_machine_is_redone() {
    let (data, _d, home) = setup();
    let marker = home.path().join("warehouse.sqlite.unsynced");
    assert!(!marker.exists(), "a run that ended leaves no marker");
    let before = fingerprint(&Warehouse::open(&home.warehouse()).unwrap());
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    std::fs::write(&marker, format!("{}\nrun-killed\n", boot.trim())).unwrap();
    let r = up(&home, data.path(), 2, &NoProgress).unwrap();
    assert!(!r.did_work(), "a killed process's writes are kept: nothing to redo");
    assert!(!marker.exists());
    std::fs::write(&marker, "a-boot-before-this-one\nrun-lost\n").unwrap();
    let r = up(&home, data.path(), 2, &NoProgress).unwrap();
    assert!(
        r.ingest.tables.iter().all(|t| t.file.is_none() || t.status == TableStatus::Written),
        "every source file read again: {:?}",
        r.ingest.tables
    );
    assert!(r.backfill.assets.iter().all(|a| a.fresh == 0 && a.computed + a.skipped > 0), "{:?}", r.backfill);
    assert!(!marker.exists());
    assert_eq!(
        fingerprint(&Warehouse::open(&home.warehouse()).unwrap()),
        before,
        "and the same warehouse again"
    );
}
