//! `propcast train`: one gbm model on a chronological season split, gated and registered.

use crate::args::{Global, TrainArgs};
use crate::output;
use propcast_pipeline::{train_model, Gates, GbmParams, TrainOptions};
use propcast_store::{Value, Warehouse};

pub fn run(g: &Global, a: &TrainArgs) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let _lock = home.lock()?;
    let mut wh = Warehouse::open(&home.warehouse())?;
    let all: Vec<String> = wh
        .query("SELECT season FROM season_calendar ORDER BY season", &[])?
        .rows
        .into_iter()
        .filter_map(|r| if let Value::Text(s) = &r[0] { Some(s.clone()) } else { None })
        .collect();
    let seasons: Vec<String> = match &a.seasons {
        None => all,
        Some(range) => {
            let (first, last) = range
                .split_once("..")
                .ok_or_else(|| anyhow::anyhow!("--seasons takes FIRST..LAST, e.g. 2017-18..2023-24"))?;
            let pick: Vec<String> =
                all.iter().filter(|s| s.as_str() >= first && s.as_str() <= last).cloned().collect();
            if pick.iter().all(|s| s != first) || pick.iter().all(|s| s != last) {
                anyhow::bail!("--seasons {range}: the warehouse has {}", all.join(", "));
            }
            pick
        }
    };
    let mut params = GbmParams::default();
    if let Some(r) = a.rounds {
        params.max_rounds = r;
    }
    if let Some(l) = a.learning_rate {
        params.learning_rate = l;
    }
    let candidates = if a.search { propcast_pipeline::search_grid(&params) } else { Vec::new() };
    let rep = train_model(
        &mut wh,
        home.path(),
        &TrainOptions { seasons, params, gates: Gates::default(), candidates },
    )?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        println!(
            "{}: {} rows train, {} validation, {} test; {} trees; test MAE {:.3} (moving average {}); file {}",
            rep.model_id,
            rep.rows.0,
            rep.rows.1,
            rep.rows.2,
            rep.iterations,
            rep.test_mae,
            rep.baseline_mae.map(|b| format!("{b:.3}")).unwrap_or_else(|| "none".into()),
            rep.model_path
        );
        if rep.candidates.len() > 1 {
            println!("hyper-parameters by validation MAE (the first was kept):");
            let cols =
                output::cols(&["num_leaves", "min_data_in_leaf", "learning_rate", "trees", "validation MAE"]);
            let rows: Vec<Vec<Value>> = rep
                .candidates
                .iter()
                .map(|c| {
                    vec![
                        Value::Integer(c.num_leaves),
                        Value::Integer(c.min_data_in_leaf),
                        Value::Real(c.learning_rate),
                        Value::Integer(c.iterations.into()),
                        output::r3(Some(c.valid_mae)),
                    ]
                })
                .collect();
            output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
        }
        if !rep.dropped.is_empty() {
            println!("features dropped (coverage below 50 % in the test season): {}", rep.dropped.join(", "));
        }
        let cols = output::cols(&["gate", "value", "rule", "verdict"]);
        let rows: Vec<Vec<Value>> = rep
            .gates
            .iter()
            .map(|x| {
                vec![
                    Value::Text(x.gate.into()),
                    output::r3(x.value),
                    Value::Text(x.rule.clone()),
                    Value::Text(x.verdict.into()),
                ]
            })
            .collect();
        output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
        println!("{}", rep.status.to_uppercase());
    }
    if rep.status != "promoted" {
        anyhow::bail!("model {} refused by the governance gates (see model_registry)", rep.model_id);
    }
    Ok(())
}
