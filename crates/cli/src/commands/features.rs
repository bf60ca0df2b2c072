//! `propcast features report` (coverage, sources, drift, bootstrap exclusions, quality) and
//! `propcast features row` (one feature row on the fly, beside the stored one).

use crate::args::Global;
use crate::output;
use propcast_core::features::FEATURES;
use propcast_pipeline::{feature_row, features_report, Served};
use propcast_store::{Value, Warehouse};

use output::r3;

pub fn run(g: &Global, season: Option<&str>) -> anyhow::Result<()> {
    let rep = features_report(&super::existing_home(g)?, season)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    let cols = output::cols(&[
        "season",
        "rows",
        "bootstrap dates",
        "bootstrap player-games",
        "gold",
        "silver",
        "bronze",
        "poor",
        "critical",
        "mean quality",
        "training-ready",
    ]);
    let rows: Vec<Vec<Value>> = rep
        .seasons
        .iter()
        .map(|s| {
            let mut r = vec![
                Value::Text(s.season.clone()),
                Value::Integer(s.rows),
                Value::Integer(s.bootstrap_dates),
                Value::Integer(s.bootstrap_player_games),
            ];
            r.extend(s.tiers.iter().map(|t| Value::Integer(t.1)));
            r.push(r3(Some(s.mean_quality)));
            r.push(Value::Text(format!("{:.1} %", s.training_ready * 100.0)));
            r
        })
        .collect();
    output::table(&mut out, &cols, &rows)?;
    println!();
    let cols =
        output::cols(&["feature", "season", "rows", "coverage", "mean", "min", "max", "sources", "drift"]);
    let rows: Vec<Vec<Value>> = rep
        .features
        .iter()
        .map(|f| {
            let sources = f
                .sources
                .iter()
                .map(|(t, s)| format!("{t} {:.0}%", s * 100.0))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Value::Text(f.feature.clone()),
                Value::Text(f.season.clone()),
                Value::Integer(f.rows),
                Value::Text(format!("{:.1} %", f.coverage * 100.0)),
                r3(f.mean),
                r3(f.min),
                r3(f.max),
                Value::Text(sources),
                f.drift.clone().map(Value::Text).unwrap_or(Value::Null),
            ]
        })
        .collect();
    output::table(&mut out, &cols, &rows)?;
    Ok(())
}

pub fn row(g: &Global, game: &str, player: &str) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let wh = Warehouse::open(&home.warehouse())?;
    let (ctx, row) = match feature_row(&wh, game, player)? {
        Served::Row(b) => *b,
        Served::NotInPopulation => anyhow::bail!("{player} is not in the pre-game population of {game}"),
        Served::Bootstrap => {
            anyhow::bail!("{game} is in its season's bootstrap window: no features by design")
        }
    };
    let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
    let stored = wh.query(
        &format!("SELECT {} FROM ml_feature_store WHERE game_id = ?1 AND player_id = ?2", names.join(", ")),
        &[Value::Text(game.into()), Value::Text(player.into())],
    )?;
    let stored = stored.rows.into_iter().next();
    let q = row.quality();
    if g.json {
        let features: Vec<serde_json::Value> = FEATURES
            .iter()
            .enumerate()
            .map(|(i, f)| {
                serde_json::json!({"feature": f.name, "unit": f.unit, "value": row.values[i],
                                   "source": row.tags[i].as_str()})
            })
            .collect();
        let out = serde_json::json!({"game_id": ctx.game_id, "player_id": ctx.player_id,
            "game_date": ctx.date.to_string(), "quality_score": q.score, "quality_tier": q.tier.as_str(),
            "is_training_ready": q.is_training_ready, "stored_row_equal": stored.as_ref().map(|s| {
                s.iter().zip(&row.values).all(|(a, b)| match a { Value::Real(x) => Some(*x) == *b, _ => b.is_none() })
            }), "features": features});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{} {} on {}: quality {:.1} ({}), training-ready {}",
        ctx.player_id,
        ctx.game_id,
        ctx.date,
        q.score,
        q.tier.as_str(),
        q.is_training_ready
    );
    let cols = output::cols(&["feature", "unit", "on the fly", "source", "stored"]);
    let rows: Vec<Vec<Value>> = FEATURES
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                Value::Text(f.name.into()),
                Value::Text(f.unit.into()),
                r3(row.values[i]),
                Value::Text(row.tags[i].as_str().into()),
                stored.as_ref().map(|s| r3(propcast_store::real(&s[i]))).unwrap_or(Value::Null),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    Ok(())
}
