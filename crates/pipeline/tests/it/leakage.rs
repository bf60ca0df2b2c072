//! The leakage check (blocking, in CI): for a sample of dates, every pre-game asset is
//! recomputed on a copy of the warehouse from which the date's own results and everything
//! later were removed. Any field that changes (outcome labels aside) fails.

use crate::util::*;
use propcast_pipeline::{steps, up, Home, NoProgress};
use propcast_store::{cmp_row, delete_partition, insert_rows, Output, PartitionData, Value, Warehouse};

const UNTIL: &str = "2018-01-10";

/// Removes what was not known before tip-off on `d`: results of `d` and later, later lines and
/// availability, and every status but the official inactive list on `d`.
fn forget_from(wh: &Warehouse, d: &str) {
    let sql = format!(
        "DELETE FROM player_games WHERE game_date >= '{d}';
         DELETE FROM team_games WHERE game_date >= '{d}';
         DELETE FROM shot_zones WHERE game_date >= '{d}';
         DELETE FROM player_game_summary WHERE game_date >= '{d}';
         DELETE FROM team_offense_game_summary WHERE game_date >= '{d}';
         DELETE FROM team_defense_game_summary WHERE game_date >= '{d}';
         DELETE FROM upcoming_team_game_context WHERE game_date >= '{d}';
         DELETE FROM upcoming_player_game_context WHERE game_date >= '{d}';
         DELETE FROM team_defense_zone_analysis WHERE analysis_date >= '{d}';
         DELETE FROM player_shot_zone_analysis WHERE analysis_date >= '{d}';
         DELETE FROM player_daily_cache WHERE cache_date >= '{d}';
         DELETE FROM player_composite_factors WHERE game_date >= '{d}';
         DELETE FROM ml_feature_store WHERE game_date >= '{d}';
         DELETE FROM prop_lines WHERE game_date = '{d}' AND snapshot_utc >= commence_utc;
         DELETE FROM player_prop_predictions WHERE game_date >= '{d}';
         DELETE FROM prop_lines WHERE game_date > '{d}';
         DELETE FROM player_availability WHERE game_date > '{d}' OR (game_date = '{d}' AND status <> 'Inactive');
         UPDATE schedule SET home_pts = NULL, away_pts = NULL WHERE game_date >= '{d}';"
    );
    wh.conn().execute_batch(&sql).unwrap();
}

#[test]
fn pre_game_assets_do_not_change_when_the_game_and_the_future_are_removed() {
    let data = tempfile::tempdir().unwrap();
    dataset(data.path(), UNTIL, |_, _, _| {});
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    up(&home, data.path(), 2, &NoProgress).unwrap();
    let full = Warehouse::open(&home.warehouse()).unwrap();
    let all = steps();
    let pre_game: Vec<_> = all.iter().filter(|s| s.pre_game()).collect();
    assert!(pre_game.len() >= 8, "contexts, phase 4, predictions");

    // A deterministic sample of dates after the bootstrap window.
    let dates: Vec<String> =
        rows(&full, "select game_date from game_dates where is_bootstrap = 0 order by 1")
            .into_iter()
            .filter_map(|r| if let Value::Text(s) = &r[0] { Some(s.clone()) } else { None })
            .collect();
    assert!(dates.len() > 40);
    let sample: Vec<&String> = (0..6).map(|i| &dates[(i * 7919 + 13) % dates.len()]).collect();

    let mut checked_rows = 0;
    for d in sample {
        let copy_dir = tempfile::tempdir().unwrap();
        let copy_path = copy_dir.path().join("w.sqlite");
        full.conn().execute("VACUUM INTO ?1", [copy_path.to_str().unwrap()]).unwrap();
        let mut copy = Warehouse::open(&copy_path).unwrap();
        forget_from(&copy, d);
        let date = propcast_pipeline::parse_date(d).unwrap();
        for step in &pre_game {
            let Output::Table { table, scope } = step.output() else { continue };
            // A shared table (several systems): only this step's rows.
            let only = scope.map(|(c, v)| format!(" and {c} = '{v}'")).unwrap_or_default();
            let computed = step.compute(&copy, &[date]).unwrap();
            let mut fresh: Vec<Vec<Value>> = match computed.into_iter().next() {
                Some((_, PartitionData::Rows(r))) => r,
                _ => vec![],
            };
            // Write it into the copy: later pre-game assets read it.
            let tx = copy.transaction().unwrap();
            match scope {
                Some((c, v)) => {
                    let sql = format!(
                        "delete from {} where {} = ?1 and {c} = ?2",
                        table.name,
                        table.partition_column().unwrap()
                    );
                    tx.execute(&sql, [d.as_str(), v]).unwrap();
                }
                None => {
                    delete_partition(&tx, table, Some(d)).unwrap();
                }
            }
            insert_rows(&tx, table, fresh.iter().map(Vec::as_slice)).unwrap();
            tx.commit().unwrap();
            // Compare with the stored rows, outcome labels aside.
            let keep: Vec<usize> = table
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.name.starts_with("outcome_"))
                .map(|(i, _)| i)
                .collect();
            let cols: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            let mut stored = rows(
                &full,
                &format!(
                    "select {} from {} where {} = '{d}'{only}",
                    cols.join(", "),
                    table.name,
                    table.partition_column().unwrap()
                ),
            );
            let project = |rs: &mut Vec<Vec<Value>>| {
                let mut p: Vec<Vec<Value>> =
                    rs.iter().map(|r| keep.iter().map(|i| r[*i].clone()).collect()).collect();
                p.sort_by(|a, b| cmp_row(a, b));
                p
            };
            let (a, b) = (project(&mut stored), project(&mut fresh));
            assert_eq!(
                a.len(),
                b.len(),
                "{} on {d}: row count changed without the game's results",
                step.name()
            );
            for (x, y) in a.iter().zip(&b) {
                for (k, (u, v)) in x.iter().zip(y).enumerate() {
                    assert_eq!(
                        u,
                        v,
                        "{} on {d}: field {} leaks the game or the future",
                        step.name(),
                        cols[keep[k]]
                    );
                }
            }
            checked_rows += a.len();
        }
    }
    assert!(checked_rows > 1000, "{checked_rows}");
}
