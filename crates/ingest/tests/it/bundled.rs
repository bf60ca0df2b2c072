//! The bundled data set ingests completely, and re-ingesting is a no-op.

use crate::util::*;
use propcast_ingest::{ingest_dataset, TableStatus};
use propcast_store::{Value, Warehouse};

fn count(wh: &Warehouse, sql: &str) -> i64 {
    match wh.query(sql, &[]).unwrap().rows[0][0] {
        Value::Integer(n) => n,
        ref v => panic!("{v:?}"),
    }
}

#[test]
fn bundled_counts_ids_and_idempotence() {
    let home = tempfile::tempdir().unwrap();
    let mut wh = Warehouse::open(&home.path().join("warehouse.sqlite")).unwrap();
    let report = ingest_dataset(&mut wh, &bundled()).unwrap();
    assert!(report.changed());
    assert_eq!(count(&wh, "select count(*) from player_games"), 217_141);
    assert_eq!(count(&wh, "select count(*) from schedule"), 10_221);
    assert_eq!(count(&wh, "select count(*) from team_games"), 20_442);
    assert_eq!(count(&wh, "select count(*) from player_availability"), 126_249);
    assert_eq!(count(&wh, "select count(*) from prop_lines"), 73_853);
    assert_eq!(count(&wh, "select count(*) from shot_zones_season"), 6_167);
    // 106 shot-zone rows have neither a game id the schedule knows nor a date.
    assert_eq!(count(&wh, "select count(*) from shot_zones"), 117_886 - 106);
    assert_eq!(count(&wh, "select count(*) from ingest_quarantine where table_name = 'shot_zones'"), 106);
    // Canonical ids everywhere, with crosswalk columns.
    assert_eq!(count(&wh, "select count(*) from schedule where game_id not glob '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_[A-Z][A-Z][A-Z]_[A-Z][A-Z][A-Z]'"), 0);
    assert_eq!(
        count(&wh, "select count(*) from schedule where nba_game_id is null or bbref_game_id is null"),
        0
    );
    let r = wh
        .query("select game_id, bbref_game_id from schedule where nba_game_id = '0021700001'", &[])
        .unwrap();
    assert_eq!(r.rows[0], vec![Value::Text("20171017_BOS_CLE".into()), Value::Text("201710170CLE".into())]);
    // Every player row joins its game, and the registry knows every player.
    assert_eq!(count(&wh, "select count(*) from player_games p left join schedule s using (game_id) where s.game_id is null"), 0);
    assert_eq!(count(&wh, "select count(*) from player_games p left join players r using (player_id) where r.player_id is null"), 0);
    // A player known only by NBA.com id gets `nba:<id>`.
    assert!(count(&wh, "select count(*) from players where player_id like 'nba:%'") >= 1);
    assert_eq!(
        count(
            &wh,
            "select count(*) from players where player_id = 'alvarjo01' and player_lookup = 'josealvarado'"
        ),
        1
    );
    // The season calendar comes from the schedule.
    assert_eq!(count(&wh, "select count(*) from season_calendar"), 8);
    let r = wh
        .query("select regular_start, bootstrap_end, cup_final_games from season_calendar where season = '2024-25'", &[])
        .unwrap();
    assert_eq!(
        r.rows[0],
        vec![Value::Text("2024-10-22".into()), Value::Text("2024-11-04".into()), Value::Integer(1)]
    );

    assert_eq!(
        count(&wh, "select count(*) from game_dates"),
        count(&wh, "select count(distinct game_date) from schedule")
    );
    assert_eq!(
        count(&wh, "select count(*) from game_dates where season = '2024-25' and is_bootstrap = 1"),
        14
    );
    assert_eq!(count(&wh, "select day_of_season from game_dates where game_date = '2024-11-04'"), 13);

    let before = fingerprint(&wh);
    let again = ingest_dataset(&mut wh, &bundled()).unwrap();
    assert!(!again.changed());
    assert!(again.tables.iter().all(|t| t.status == TableStatus::Unchanged));
    assert_eq!(before, fingerprint(&wh));
}

#[test]
fn a_new_date_is_read_alone_and_gives_what_a_fresh_ingest_gives() {
    let data = tempfile::tempdir().unwrap();
    let (h1, h2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    small_dataset(data.path(), "2017-11-01");
    let mut wh = Warehouse::open(&h1.path().join("w.sqlite")).unwrap();
    ingest_dataset(&mut wh, data.path()).unwrap();
    // One more date in every dated file, every earlier line as it was.
    small_dataset(data.path(), "2017-11-02");
    let report = ingest_dataset(&mut wh, data.path()).unwrap();
    let pg = report.tables.iter().find(|t| t.table == "player_games").unwrap();
    assert_eq!((pg.partitions_read, pg.partitions_written, pg.partitions_deleted), (1, 1, 0));
    let sz = report.tables.iter().find(|t| t.table == "shot_zones").unwrap();
    assert!(sz.partitions_read <= 1, "shot_zones read {} partitions", sz.partitions_read);
    // The raw tables, the registry (patched, not rebuilt), the calendar and the quarantine
    // equal a fresh ingest of the same files; only the ingest times differ.
    let mut fresh = Warehouse::open(&h2.path().join("w.sqlite")).unwrap();
    ingest_dataset(&mut fresh, data.path()).unwrap();
    let (a, b) = (fingerprint(&wh), fingerprint(&fresh));
    let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).map(|(x, _)| x.0.as_str()).collect();
    assert!(differing.iter().all(|t| *t == "ingest_files"), "differing: {differing:?}");
}

/// Prop lines without player ids are resolved by name against `player_games` as the ingest
/// leaves it. After a one-date update (earlier box scores kept, not read again), some players
/// with lines on the new date have no box score that date: their names come from the kept
/// partitions, and every line resolves exactly as in a fresh ingest of the same files.
#[test]
fn names_resolve_against_kept_box_scores_as_in_a_fresh_ingest() {
    let data = tempfile::tempdir().unwrap();
    let (h1, h2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = |until: &str| {
        window_dataset(data.path(), "2023-10-24", until);
        // Lines without ids and a crosswalk without names: names come from the box scores.
        for (table, column) in [("prop_lines", "player_id"), ("player_id_crosswalk", "player_name")] {
            edit_csv(data.path(), table, |header, rows| {
                let i = col(header, column);
                for r in rows.iter_mut() {
                    r[i].clear();
                }
            });
        }
    };
    files("2023-11-01");
    let mut wh = Warehouse::open(&h1.path().join("w.sqlite")).unwrap();
    ingest_dataset(&mut wh, data.path()).unwrap();
    files("2023-11-02");
    let report = ingest_dataset(&mut wh, data.path()).unwrap();
    let pg = report.tables.iter().find(|t| t.table == "player_games").unwrap();
    assert_eq!((pg.partitions_read, pg.partitions_written), (1, 1));
    let only_kept = count(
        &wh,
        "SELECT count(*) FROM prop_lines l WHERE l.game_date = '2023-11-01' AND l.player_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM player_games g WHERE g.game_date = l.game_date AND g.player_id = l.player_id)",
    );
    assert!(only_kept > 0, "no line on the new date is resolved from a kept partition only");
    let mut fresh = Warehouse::open(&h2.path().join("w.sqlite")).unwrap();
    ingest_dataset(&mut fresh, data.path()).unwrap();
    let (a, b) = (fingerprint(&wh), fingerprint(&fresh));
    let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).map(|(x, _)| x.0.as_str()).collect();
    assert!(differing.iter().all(|t| *t == "ingest_files"), "differing: {differing:?}");
}
