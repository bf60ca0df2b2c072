//! Features for date D never see D's own box score or anything later.

use crate::util::*;
use propcast_pipeline::{ingest_dataset, parse_date, run_backfill, up, BackfillOptions, Home, NoProgress};
use propcast_store::{Step, Value, Warehouse};

const UNTIL: &str = "2017-11-20";
const D: &str = "2017-11-10";

fn feature_rows(wh: &Warehouse, cmp: &str) -> Vec<Vec<Value>> {
    rows(
        wh,
        &format!("select * from ml_feature_store where game_date {cmp} '{D}' order by game_id, player_id"),
    )
}

/// Runs `up` on the small data set with the box scores of D and later changed (7 points
/// added to every line), and checks the features of D and earlier are identical to the clean run, while
/// later ones (which may see D) differ.
#[test]
fn changing_the_game_and_the_future_leaves_features_unchanged() {
    let clean_dir = tempfile::tempdir().unwrap();
    dataset(clean_dir.path(), UNTIL, |_, _, _| {});
    let clean_home = tempfile::tempdir().unwrap();
    up(&Home::new(clean_home.path()), clean_dir.path(), 2, &NoProgress).unwrap();

    let dirty_dir = tempfile::tempdir().unwrap();
    dataset(dirty_dir.path(), UNTIL, |table, h, rows| {
        if table != "player_games" {
            return;
        }
        let (d, p) =
            (h.iter().position(|c| c == "game_date").unwrap(), h.iter().position(|c| c == "pts").unwrap());
        for r in rows.iter_mut().filter(|r| r[d].as_str() >= D) {
            let pts: f64 = r[p].parse().unwrap();
            r[p] = format!("{}", pts + 7.0);
        }
    });
    let dirty_home = tempfile::tempdir().unwrap();
    up(&Home::new(dirty_home.path()), dirty_dir.path(), 2, &NoProgress).unwrap();

    let clean = Warehouse::open(&clean_home.path().join("warehouse.sqlite")).unwrap();
    let dirty = Warehouse::open(&dirty_home.path().join("warehouse.sqlite")).unwrap();
    let (c_to_d, d_to_d) = (feature_rows(&clean, "<="), feature_rows(&dirty, "<="));
    assert!(c_to_d.len() > 1000);
    assert_eq!(c_to_d, d_to_d, "features up to and including D changed with D's box score");
    assert_ne!(feature_rows(&clean, ">"), feature_rows(&dirty, ">"), "the test must change something");
    // And the predictions of D are identical too.
    let preds = |wh: &Warehouse| {
        rows(wh, &format!("select * from player_prop_predictions where game_date = '{D}' order by player_id"))
    };
    assert_eq!(preds(&clean), preds(&dirty));
}

/// Changing one date's box score recomputes exactly what depends on it.
#[test]
fn a_changed_partition_recomputes_only_its_dependents() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), UNTIL, |_, _, _| {});
    let home_dir = tempfile::tempdir().unwrap();
    let home = Home::new(home_dir.path());
    up(&home, dir.path(), 2, &NoProgress).unwrap();
    let last = "2017-11-18";
    dataset(dir.path(), UNTIL, |table, h, rows| {
        if table == "player_games" {
            let (d, p) = (
                h.iter().position(|c| c == "game_date").unwrap(),
                h.iter().position(|c| c == "pts").unwrap(),
            );
            let r = rows.iter_mut().find(|r| r[d] == last).unwrap();
            r[p] = "77".into();
        }
    });
    let report = up(&home, dir.path(), 2, &NoProgress).unwrap();
    let computed = |a: &str| report.backfill.assets.iter().find(|x| x.asset == a).unwrap().computed;
    assert_eq!(computed("player_game_summary"), 1);
    // The changed date and the one after it at most: features of the date are recomputed
    // when its context's outcome label changes (same content), the later date's history moved.
    assert!((1..=2).contains(&computed("ml_feature_store")), "{:?}", report.backfill.assets);
    assert!((1..=2).contains(&computed("prediction_accuracy")), "{:?}", report.backfill.assets);
    // Nothing dated before the change was recomputed.
    let wh = propcast_store::Warehouse::open(&home.warehouse()).unwrap();
    let earlier = rows(
        &wh,
        &format!(
            "select count(*) from partition_runs where run_id = '{}' and partition < '{last}'",
            report.run_id
        ),
    );
    assert_eq!(earlier[0][0], propcast_store::Value::Integer(0));
}

/// `upcoming_player_game_context` reads a window of played games and then, for a player whose
/// window is too short for his row, his earlier games: its rows must not depend on the
/// window. A one-day window (reaching back only to the season's start and each team's 10th
/// last game) sends most players of a season's first weeks to that second read.
#[test]
fn the_player_context_is_the_same_whatever_window_it_reads() {
    let (_data, _dir, home) = phase_3_home("2018-03-15", "2018-11-10");
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let (whole, short) = (
        propcast_analytics::UpcomingPlayerGameContext::default(),
        propcast_analytics::UpcomingPlayerGameContext::with_window(1),
    );
    // After the season's 14 bootstrap days (no context rows before them).
    for dates in [vec!["2018-11-01"], vec!["2018-11-08"], vec!["2018-11-02", "2018-11-05", "2018-11-09"]] {
        let dates: Vec<_> = dates.iter().map(|d| parse_date(d).unwrap()).collect();
        let expected = whole.compute(&wh, &dates).unwrap();
        let rows: usize = expected.iter().map(|(_, p)| p.len()).sum();
        assert!(rows > 50 * dates.len(), "{rows} rows for {dates:?}");
        assert_eq!(short.compute(&wh, &dates).unwrap(), expected, "{dates:?}");
    }
}

/// A home with the games dated in `[from, until)` ingested and phases 2 and 3 built.
fn phase_3_home(from: &str, until: &str) -> (tempfile::TempDir, tempfile::TempDir, Home) {
    let data = tempfile::tempdir().unwrap();
    dataset_between(data.path(), from, until);
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    ingest_dataset(&mut Warehouse::open(&home.warehouse()).unwrap(), data.path()).unwrap();
    for phase in [2, 3] {
        let opts = BackfillOptions { phase: Some(phase), workers: 2, ..Default::default() };
        run_backfill(&home, &opts, &NoProgress).unwrap();
    }
    (data, dir, home)
}

/// Stars out count a star's games of the season the game belongs to, as the schedule says:
/// the 2019-20 season ended in the October 2020 bubble (the context once took the season
/// from the calendar month and found no star anywhere after July 2020).
#[test]
fn stars_out_count_the_schedules_season_in_the_2020_bubble() {
    let (_data, _dir, home) = phase_3_home("2020-01-01", "2020-08-20");
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let count = |sql: &str| match rows(&wh, sql)[0][0] {
        Value::Integer(n) => n,
        ref v => panic!("{v:?}"),
    };
    let bubble = "FROM upcoming_player_game_context WHERE game_date >= '2020-07-30'";
    assert!(count(&format!("SELECT count(*) {bubble}")) > 1000);
    assert!(count(&format!("SELECT count(*) {bubble} AND star_teammates_out > 0")) > 100);
}
