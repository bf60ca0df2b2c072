//! The `gbm` system in the pipeline: each season is predicted by a model trained only on
//! earlier seasons (the first season gets none), features the predicted dates lack are
//! dropped and said so, and a player listed out gets no prediction from any system.

use crate::util::*;
use propcast_pipeline::{up, Home, NoProgress};
use propcast_store::{Value, Warehouse};

fn one(wh: &Warehouse, sql: &str) -> i64 {
    match rows(wh, sql)[0][0] {
        Value::Integer(n) => n,
        ref v => panic!("{sql}: {v:?}"),
    }
}

#[test]
fn gbm_uses_earlier_seasons_only_drops_missing_features_and_skips_out_players() {
    let data = tempfile::tempdir().unwrap();
    dataset_between(data.path(), "2023-10-01", "2024-11-25");
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    up(&home, data.path(), 2, &NoProgress).unwrap();
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    let gbm = "from player_prop_predictions where system_id = 'gbm'";
    assert_eq!(
        one(&wh, &format!("select count(*) {gbm} and game_date < '2024-07-01'")),
        0,
        "no earlier season"
    );
    let n = one(&wh, &format!("select count(*) {gbm}"));
    assert!(n > 2000, "{n}");
    assert_eq!(one(&wh, &format!("select count(*) {gbm} and model_id like 'gbm-2024-25-%'")), n);
    // 2024-25 has no shot zones: the model for it was trained without them, and says so.
    assert_eq!(one(&wh, &format!("select count(*) {gbm} and warnings like '%pct_paint%'")), n);
    // P(over) and a pick only with a line.
    assert_eq!(one(&wh, &format!("select count(*) {gbm} and line is null and (p_over is not null or recommendation <> 'NO_LINE')")), 0);
    assert!(one(&wh, &format!("select count(*) {gbm} and p_over between 0 and 1")) > 100);
    // Every gbm prediction is graded with the others.
    assert_eq!(one(&wh, "select count(*) from prediction_accuracy where system_id = 'gbm'"), n);
    // Players listed out before the game get no prediction, from any system.
    let out =
        "from upcoming_player_game_context c where c.pre_game_status = 'out' and c.game_date >= '2024-11-05'";
    assert!(one(&wh, &format!("select count(*) {out}")) > 100);
    assert_eq!(
        one(
            &wh,
            &format!(
                "select count(*) {out} and exists (select 1 from player_prop_predictions p
             where p.game_id = c.game_id and p.player_id = c.player_id)"
            )
        ),
        0
    );

    // The quality gate (spec §6.1, backfill mode): no pick on a feature row with a required
    // feature missing or a score below 70, from any system; such rows say why.
    assert_eq!(
        one(
            &wh,
            "select count(*) from player_prop_predictions p join ml_feature_store f using (game_id, player_id)
             where p.recommendation in ('OVER', 'UNDER')
               and (f.required_missing_count > 0 or f.feature_quality_score < 70)"
        ),
        0
    );
    assert!(
        one(
            &wh,
            "select count(*) from player_prop_predictions where warnings like '%quality gate (backfill)%'"
        ) > 10
    );
    // The rule systems: P(over) only where a previous season calibrated it (2023-24 is this
    // data set's first), key factors on every rule prediction and on every gbm pick.
    for sys in ["moving_average", "zone_matchup", "similarity"] {
        let of = format!("from player_prop_predictions where system_id = '{sys}'");
        assert!(one(&wh, &format!("select count(*) {of} and game_date >= '2024-10-01'")) > 200, "{sys}");
        assert_eq!(
            one(&wh, &format!("select count(*) {of} and game_date < '2024-07-01' and p_over is not null")),
            0
        );
        assert!(
            one(&wh, &format!("select count(*) {of} and line is not null and p_over between 0 and 1")) > 100
        );
        assert_eq!(
            one(&wh, &format!("select count(*) {of} and json_valid(key_factors) is not 1")),
            0,
            "{sys}"
        );
    }
    assert_eq!(
        one(&wh, &format!("select count(*) {gbm} and recommendation in ('OVER', 'UNDER') and json_type(key_factors, '$.base') is null")),
        0
    );
    assert!(one(&wh, &format!("select count(*) {gbm} and key_factors is not null")) > 10);
    assert_eq!(
        one(
            &wh,
            "select count(*) from player_prop_predictions where is_active = 1 and superseded_by is not null"
        ),
        0
    );
    // The evaluation: every system and the EWMA reference, on the stated sets.
    let evals = propcast_pipeline::eval::evaluate(&home, Some("2024-25")).unwrap();
    let e = &evals[0];
    for sys in [
        "moving_average",
        "zone_matchup",
        "similarity",
        "gbm",
        "ensemble",
        propcast_pipeline::eval::EWMA_SYSTEM,
    ] {
        for set in ["a", "c", "common"] {
            assert!(e.systems.iter().any(|x| x.system == sys && x.set == set), "{sys} {set}");
        }
    }
    let b = e.systems.iter().find(|x| x.system == "gbm" && x.set == "b").unwrap();
    assert!(b.line.as_ref().is_some_and(|l| l.n == b.errors.n), "the line's MAE on the same rows");
    assert_eq!(b.hit_rates.len(), 3);
    // Thresholds live in the home's predictions.toml: a stricter gbm edge makes exactly the
    // gbm partitions stale (the dry run says so), and the rerun honours it.
    drop(wh);
    let picks_at = |wh: &Warehouse, edge: f64| {
        one(
            wh,
            &format!("select count(*) {gbm} and recommendation in ('OVER', 'UNDER') and abs(edge) < {edge}"),
        )
    };
    assert!(picks_at(&Warehouse::open(&home.warehouse()).unwrap(), 3.0) > 0);
    std::fs::write(dir.path().join("predictions.toml"), "[gbm]\nmin_edge = 3.0\n").unwrap();
    let opts = propcast_pipeline::BackfillOptions::default();
    let plan = propcast_pipeline::run_backfill(
        &home,
        &propcast_pipeline::BackfillOptions { dry_run: true, ..opts.clone() },
        &NoProgress,
    )
    .unwrap()
    .plan;
    assert!(!plan.is_empty());
    // Only gbm's version changed; what reads it follows (the ensemble, grading, the export).
    for p in &plan {
        let own = p.reason.contains("code version changed");
        assert_eq!(own, p.asset == "predictions_gbm", "{p:?}");
        assert!(
            ["predictions_gbm", "predictions_ensemble", "prediction_accuracy", "export_results"]
                .contains(&p.asset),
            "{p:?}"
        );
    }
    assert!(plan.iter().any(|p| p.asset == "predictions_gbm"));
    propcast_pipeline::run_backfill(&home, &opts, &NoProgress).unwrap();
    let wh = Warehouse::open(&home.warehouse()).unwrap();
    assert_eq!(picks_at(&wh, 3.0), 0);
    assert!(one(&wh, &format!("select count(*) {gbm} and recommendation in ('OVER', 'UNDER')")) > 0);
    std::fs::write(dir.path().join("predictions.toml"), "[gbm]\nmin_edge = \"wide\"\n").unwrap();
    let e = propcast_pipeline::run_backfill(&home, &opts, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("predictions.toml") && e.contains("gbm.min_edge"), "{e}");
    std::fs::remove_file(dir.path().join("predictions.toml")).unwrap();
    // Walk-forward: weekly retraining, each model on rows dated before its week only.
    let d = |s: &str| propcast_pipeline::parse_date(s).unwrap();
    let b = propcast_pipeline::backtest(
        &wh,
        d("2024-11-06"),
        d("2024-11-24"),
        7,
        propcast_pipeline::TrainWindow::Expanding,
        &propcast_pipeline::GbmParams::default(),
    )
    .unwrap();
    assert_eq!(b.periods.len(), 3, "{b:?}");
    for w in b.periods.windows(2) {
        assert!(w[1].train_rows > w[0].train_rows, "later weeks train on more history: {b:?}");
    }
    for p in &b.periods {
        let before = one(
            &wh,
            &format!(
                "select count(*) from ml_feature_store f join upcoming_player_game_context c using (game_id, player_id)
                 where f.game_date < '{}' and c.outcome_played = 1 and f.pre_game_status = 'available'
                   and f.points_avg_last_10 is not null and c.outcome_points is not null",
                p.from
            ),
        );
        assert_eq!(p.train_rows as i64, before, "trained only on rows dated before {}", p.from);
        assert!(p.n > 0 && p.mae.is_finite());
    }
}
