//! Train equals serve: the stored `ml_feature_store` rows (built through the phase-4 tables)
//! and the on-the-fly path that predicting a game uses (every phase-4 value recomputed in
//! memory from phase-3 tables) give the same vector, name by name, with the same source tags.
//! And line-derived features see only snapshots taken before tip-off.

use crate::util::*;
use propcast_core::features::{Tag, FEATURES};
use propcast_features::{feature_row, Served};
use propcast_pipeline::{steps, up, Home, NoProgress};
use propcast_store::{delete_partition, insert_rows, real, Output, PartitionData, Value, Warehouse};

const FROM: &str = "2024-10-01";
const UNTIL: &str = "2024-12-10";

fn setup() -> (tempfile::TempDir, Home) {
    let data = tempfile::tempdir().unwrap();
    dataset_between(data.path(), FROM, UNTIL);
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    up(&home, data.path(), 2, &NoProgress).unwrap();
    (dir, home)
}

#[test]
fn stored_feature_rows_equal_the_on_the_fly_path_name_by_name() {
    let (_dir, home) = setup();
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
    let stored = rows(
        &wh,
        &format!(
            "select player_id, game_id, feature_sources, {} from ml_feature_store order by game_date, game_id, player_id",
            names.join(", ")
        ),
    );
    assert!(stored.len() > 5000, "{}", stored.len());
    // A deterministic sample across dates, plus every row with a line on one date.
    let mut sample: Vec<&Vec<Value>> = stored.iter().step_by(23).collect();
    sample.extend(stored.iter().filter(|r| real(&r[3 + 25]).is_some()).take(150));
    let (mut with_line, mut fallback, mut compared) = (0, 0, 0);
    for r in sample {
        let (Value::Text(player), Value::Text(game), Value::Text(sources)) = (&r[0], &r[1], &r[2]) else {
            panic!("keys")
        };
        let Served::Row(served) = feature_row(&wh, game, player).unwrap() else {
            panic!("{player} {game}: not served")
        };
        let (_, row) = *served;
        let tags: Vec<Tag> = sources.chars().map(|c| Tag::from_code(c).unwrap()).collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(real(&r[3 + i]), row.values[i], "{name} of {player} in {game}: stored vs on the fly");
            assert_eq!(tags[i], row.tags[i], "{name} of {player} in {game}: source tag");
            compared += 1;
        }
        with_line += usize::from(row.values[25].is_some());
        fallback += usize::from(row.tags[0] == Tag::Phase3);
    }
    assert!(with_line >= 100 && fallback >= 1, "lines {with_line}, phase-3 fallbacks {fallback}");
    assert!(compared > 25_000, "{compared}");
}

/// Recomputes the context and the feature store of `d` and returns the feature rows.
fn recompute(wh: &mut Warehouse, d: &str) -> Vec<Vec<Value>> {
    let date = propcast_pipeline::parse_date(d).unwrap();
    let all = steps();
    for name in ["upcoming_player_game_context", "ml_feature_store"] {
        let step = all.iter().find(|s| s.name() == name).unwrap();
        let Output::Table { table, .. } = step.output() else { unreachable!() };
        let rows = match step.compute(wh, &[date]).unwrap().into_iter().next() {
            Some((_, PartitionData::Rows(r))) => r,
            _ => vec![],
        };
        let tx = wh.transaction().unwrap();
        delete_partition(&tx, table, Some(d)).unwrap();
        insert_rows(&tx, table, rows.iter().map(Vec::as_slice)).unwrap();
        tx.commit().unwrap();
    }
    rows(wh, &format!("select * from ml_feature_store where game_date = '{d}' order by game_id, player_id"))
}

#[test]
fn line_features_see_only_snapshots_taken_before_tip_off() {
    let (_dir, home) = setup();
    let mut wh = Warehouse::open(&home.warehouse()).unwrap();
    let lined = rows(
        &wh,
        "select f.game_date, f.game_id, f.player_id, l.commence_utc from ml_feature_store f
         join prop_lines l on l.game_id = f.game_id and l.player_id = f.player_id
         where f.vegas_points_line is not null and l.commence_utc is not null
         order by f.game_date desc limit 1",
    );
    let [Value::Text(d), Value::Text(game), Value::Text(player), Value::Text(tip)] = lined[0].as_slice()
    else {
        panic!("a lined row with a tip-off time: {lined:?}")
    };
    let before = recompute(&mut wh, d);
    let offer = |snapshot: &str, line: f64| {
        format!(
            "insert into prop_lines (season, season_year, game_date, game_id, player_id, player_name, market, book,
                 line, is_main_line, snapshot_utc, commence_utc, source)
             values ('2024-25', 2024, '{d}', '{game}', '{player}', 'x', 'player_points', 'latebook', {line}, 1,
                     '{snapshot}', '{tip}', 'test')"
        )
    };
    // A snapshot taken after tip-off (a live line) changes nothing.
    let after_tip = chrono::DateTime::parse_from_rfc3339(tip).unwrap() + chrono::Duration::minutes(30);
    wh.conn().execute_batch(&offer(&after_tip.to_rfc3339(), 99.5)).unwrap();
    assert_eq!(recompute(&mut wh, d), before, "a post-tip snapshot leaked into the features");
    // The same offer an hour before tip-off does change the line features: the test can fail.
    let before_tip = chrono::DateTime::parse_from_rfc3339(tip).unwrap() - chrono::Duration::minutes(60);
    wh.conn().execute_batch("delete from prop_lines where source = 'test'").unwrap();
    wh.conn().execute_batch(&offer(&before_tip.to_rfc3339(), 99.5)).unwrap();
    assert_ne!(recompute(&mut wh, d), before, "a pre-tip snapshot must count");
}
