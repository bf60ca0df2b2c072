//! `up` on the whole bundled data set: counts, honest accuracy, and a second run that does
//! nothing.

use crate::util::*;
use propcast_pipeline::{up, Home, NoProgress};
use propcast_store::{Value, Warehouse};

#[test]
fn up_on_the_bundled_data_then_again() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    let first = up(&home, &bundled(), 2, &NoProgress).unwrap();
    assert!(first.did_work());
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let count = |t: &str| wh.count(t).unwrap();
    assert_eq!(count("player_games"), 217_141);
    assert_eq!(count("schedule"), 10_221);
    assert_eq!(count("team_games"), 20_442);
    // Every player-game of the data set, and every rostered player who sat.
    assert_eq!(count("player_game_summary"), 217_141 + 126_249);
    // Two team rows per game, offense and defense.
    assert_eq!(count("team_offense_game_summary"), 2 * 10_221);
    assert_eq!(count("team_defense_game_summary"), 2 * 10_221);
    // Minutes never missing for players who played; usage missing for at most 1 % of them
    // (players who logged 0:00), per season.
    let r = rows(
        &wh,
        "select season, sum(minutes_played is null), 1.0 * sum(usage_rate is null) / count(*)
         from player_game_summary where is_dnp = 0 group by season",
    );
    assert_eq!(r.len(), 8);
    for row in &r {
        assert_eq!(row[1], Value::Integer(0), "{row:?}");
        assert!(matches!(row[2], Value::Real(x) if x <= 0.01), "{row:?}");
    }
    // Seasons without shot-zone data have NULL zones, never zero.
    let r = rows(
        &wh,
        "select count(*) from player_game_summary where season = '2024-25' and paint_attempts is not null",
    );
    assert_eq!(r[0][0], Value::Integer(0));

    assert_eq!(first.seasons.len(), 8);
    for s in &first.seasons {
        let mae = s.mae.unwrap();
        // Point-in-time moving average: about 4.4 (the low-scoring 2017-18) to 4.7. A model
        // that saw the game it predicts would score far lower.
        assert!((4.3..5.2).contains(&mae), "{}: MAE {mae}", s.season);
        // The first 14 days of each season are the bootstrap window: no prediction there.
        assert!(s.graded as f64 > 0.88 * s.player_games as f64, "{}: {s:?}", s.season);
    }
    let s2425 = first.seasons.iter().find(|s| s.season == "2024-25").unwrap();
    assert!((4.5..5.2).contains(&s2425.mae.unwrap()));

    // Lines exist for 2024-25 only (DFS points lines); picks are graded against them.
    let r = rows(
        &wh,
        "select count(*) from prediction_accuracy where line is not null and prediction_correct is not null",
    );
    assert!(matches!(r[0][0], Value::Integer(n) if n > 300), "{r:?}");
    assert!(home.site().join("v1/results/2025-01-15.json").is_file());

    let before = fingerprint(&wh);
    drop(wh);
    let second = up(&home, &bundled(), 2, &NoProgress).unwrap();
    assert!(!second.did_work(), "a second up must do no work");
    assert!(second.backfill.assets.iter().all(|a| a.computed == 0 && a.fresh == a.partitions));
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    assert_eq!(before, fingerprint(&wh));
}
