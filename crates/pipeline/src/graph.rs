//! The steps in pipeline order, and the check that their inputs exist.

use crate::error::{Error, Result};
use propcast_ingest::RAW_TABLES;
use propcast_store::{Step, Window};

/// Every step, in the order the phases run: analytics, features, predictions, grading,
/// publishing.
pub fn steps() -> Vec<Box<dyn Step>> {
    steps_with(&propcast_models::SystemsConfig::default())
}

/// The steps as a home configures them: its `predictions.toml` over the defaults.
pub fn home_steps(home: &crate::Home) -> Result<Vec<Box<dyn Step>>> {
    let config = propcast_models::SystemsConfig::load(home.path()).map_err(Error::Config)?;
    Ok(steps_with(&config))
}

/// [`steps`] with the prediction systems configured by `config` (a home's
/// `predictions.toml`).
pub fn steps_with(config: &propcast_models::SystemsConfig) -> Vec<Box<dyn Step>> {
    use propcast_models::{Rule, RuleStep};
    vec![
        Box::new(propcast_ingest::RawGate::SCHEDULE),
        Box::new(propcast_ingest::RawGate::TEAM_GAMES),
        Box::new(propcast_ingest::RawGate::PLAYER_GAMES),
        Box::new(propcast_analytics::PlayerGameSummary),
        Box::new(propcast_analytics::TeamOffenseGameSummary),
        Box::new(propcast_analytics::TeamDefenseGameSummary),
        Box::new(propcast_analytics::UpcomingTeamGameContext),
        Box::new(propcast_analytics::UpcomingPlayerGameContext::default()),
        Box::new(propcast_features::TeamDefenseZoneAnalysis),
        Box::new(propcast_features::PlayerShotZoneAnalysis),
        Box::new(propcast_features::PlayerDailyCache),
        Box::new(propcast_features::PlayerCompositeFactors),
        Box::new(propcast_features::MlFeatureStore),
        Box::new(RuleStep::new(Rule::MovingAverage, config)),
        Box::new(RuleStep::new(Rule::ZoneMatchup, config)),
        Box::new(RuleStep::new(Rule::Similarity, config)),
        Box::new(propcast_models::GbmPredictions { config: config.clone(), ..Default::default() }),
        Box::new(propcast_models::Ensemble { config: config.clone() }),
        Box::new(propcast_grading::Grade),
        Box::new(propcast_publish::Results),
    ]
}

/// Checks the graph before anything runs: names are unique and every input is a raw table or
/// the output of an earlier step (so there is no cycle and nothing is missing).
pub fn validate(steps: &[Box<dyn Step>]) -> Result<()> {
    let mut known: Vec<&str> = RAW_TABLES.iter().map(|t| t.name).collect();
    for s in steps {
        if let propcast_store::Output::Verify { table } = s.output() {
            if !known.contains(&table.name) {
                return Err(Error::Graph(format!(
                    "gate {} verifies {}, which is not a raw table",
                    s.name(),
                    table.name
                )));
            }
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for s in steps {
        if names.contains(&s.name()) {
            return Err(Error::Graph(format!("two steps are named {}", s.name())));
        }
        for i in s.inputs() {
            let is_own_raw_table =
                matches!(s.output(), propcast_store::Output::Verify { table } if table.name == i.name);
            if !known.contains(&i.name) && !is_own_raw_table {
                return Err(Error::Graph(format!(
                    "step {} reads {}, which is neither a raw table nor the output of an earlier step",
                    s.name(),
                    i.name
                )));
            }
        }
        if s.pre_game() {
            for i in s.inputs().iter().filter(|i| i.window == Window::SameDate) {
                let pre_game_input = PRE_GAME_RAW.contains(&i.name)
                    || steps.iter().any(|p| p.output().name() == i.name && p.pre_game());
                if !pre_game_input {
                    return Err(Error::Graph(format!(
                        "pre-game step {} reads {} of its own date, which is known only after the game; \
                         read it with Window::AllBefore, or Window::Outcome for a label",
                        s.name(),
                        i.name
                    )));
                }
            }
        }
        names.push(s.name());
        known.push(s.output().name());
    }
    Ok(())
}

/// Raw tables whose same-date rows are known before tip-off: the schedule (teams, date;
/// never its scores), prop-line snapshots (filtered to those taken before tip-off) and the
/// availability list (only its official inactive list is read pre-game).
pub const PRE_GAME_RAW: [&str; 3] = ["schedule", "prop_lines", "player_availability"];

/// Whether a step's partitions are expected empty in the bootstrap window: it reads history
/// ([`Window::AllBefore`]), or reads on the same date an asset that is.
pub fn bootstrap_sensitive(steps: &[Box<dyn Step>], step: &dyn Step) -> bool {
    step.inputs().iter().any(|i| {
        i.window == Window::AllBefore
            || steps
                .iter()
                .filter(|s| s.output().name() == i.name && s.name() != step.name())
                .any(|s| bootstrap_sensitive(steps, s.as_ref()))
    })
}

/// Indexes of the steps chosen by `--assets` (names) or `--phase`; all when neither.
pub fn select(steps: &[Box<dyn Step>], assets: Option<&[String]>, phase: Option<u8>) -> Result<Vec<usize>> {
    if let Some(names) = assets {
        let mut out = Vec::new();
        for n in names {
            let i = steps.iter().position(|s| s.name() == n).ok_or_else(|| {
                Error::Graph(format!(
                    "no asset named {n:?}; assets: {}",
                    steps.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            out.push(i);
        }
        out.sort();
        return Ok(out);
    }
    Ok((0..steps.len()).filter(|i| phase.is_none_or(|p| steps[*i].phase() == p)).collect())
}

fn window(w: Window) -> &'static str {
    match w {
        Window::SameDate => "same date",
        Window::Outcome => "same date, outcome label only",
        Window::AllBefore => "all earlier dates",
    }
}

/// The graph as text: each asset with its phase, code version, inputs and checks.
pub fn render_text(steps: &[Box<dyn Step>]) -> String {
    let mut s = String::new();
    for st in steps {
        s.push_str(&format!(
            "{} (phase {}, code {}, writes {}{})\n",
            st.name(),
            st.phase(),
            st.version(),
            st.output().name(),
            if bootstrap_sensitive(steps, st.as_ref()) { ", skips bootstrap" } else { "" }
        ));
        for i in st.inputs() {
            s.push_str(&format!("  <- {} [{}]: {}\n", i.name, window(i.window), i.why));
        }
        for c in st.checks() {
            s.push_str(&format!("  check {}\n", c.name));
        }
    }
    s
}

/// The graph in Graphviz dot: raw tables as boxes, assets as ellipses, history edges dashed.
pub fn render_dot(steps: &[Box<dyn Step>]) -> String {
    let mut s = String::from("digraph propcast {\n  rankdir=LR;\n");
    for t in RAW_TABLES {
        let gated = steps.iter().any(|st| st.name() == t.name);
        let label = if gated { "\\nphase 2, gated" } else { "" };
        s.push_str(&format!("  \"{}\" [shape=box, label=\"{}{label}\"];\n", t.name, t.name));
    }
    for st in steps.iter().filter(|st| !matches!(st.output(), propcast_store::Output::Verify { .. })) {
        s.push_str(&format!("  \"{}\" [label=\"{}\\nphase {}\"];\n", st.name(), st.name(), st.phase()));
    }
    for st in steps {
        if matches!(st.output(), propcast_store::Output::Verify { .. }) {
            continue;
        }
        for i in st.inputs() {
            let producers: Vec<&str> =
                steps.iter().filter(|p| p.output().name() == i.name).map(|p| p.name()).collect();
            let froms = if producers.is_empty() { vec![i.name] } else { producers };
            for f in froms {
                let style = if i.window == Window::AllBefore { " [style=dashed]" } else { "" };
                s.push_str(&format!("  \"{f}\" -> \"{}\"{style};\n", st.name()));
            }
        }
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipeline_graph_is_valid() {
        validate(&steps()).unwrap();
        let mut reversed = steps();
        reversed.reverse();
        assert!(validate(&reversed).is_err(), "a step before its input is refused");
        let s = steps();
        let sensitive: Vec<bool> = s.iter().map(|x| bootstrap_sensitive(&s, x.as_ref())).collect();
        let names: Vec<&str> = s.iter().map(|x| x.name()).collect();
        let skipping: Vec<&str> =
            names.iter().zip(&sensitive).filter(|(_, b)| **b).map(|(n, _)| *n).collect();
        assert_eq!(
            skipping,
            vec![
                "upcoming_team_game_context",
                "upcoming_player_game_context",
                "team_defense_zone_analysis",
                "player_shot_zone_analysis",
                "player_daily_cache",
                "player_composite_factors",
                "ml_feature_store",
                "predictions_moving_average",
                "predictions_zone_matchup",
                "predictions_similarity",
                "predictions_gbm",
                "predictions_ensemble",
                "prediction_accuracy",
                "export_results"
            ]
        );
        assert!(render_dot(&s).contains("\"player_game_summary\" -> \"ml_feature_store\" [style=dashed]"));
        let phase5: Vec<&str> = select(&s, None, Some(5)).unwrap().iter().map(|i| names[*i]).collect();
        assert_eq!(
            phase5,
            vec![
                "predictions_moving_average",
                "predictions_zone_matchup",
                "predictions_similarity",
                "predictions_gbm",
                "predictions_ensemble",
                "prediction_accuracy"
            ]
        );
        assert_eq!(select(&s, None, Some(2)).unwrap(), vec![0, 1, 2]);
        assert!(select(&s, Some(&["nope".to_string()]), None).is_err());
    }

    /// A pre-game step that reads a post-game table of its own date is refused.
    #[test]
    fn pre_game_steps_cannot_read_their_own_dates_results() {
        struct Leaky;
        impl Step for Leaky {
            fn name(&self) -> &'static str {
                "leaky"
            }
            fn code_version(&self) -> &'static str {
                "0"
            }
            fn phase(&self) -> u8 {
                4
            }
            fn pre_game(&self) -> bool {
                true
            }
            fn inputs(&self) -> &'static [propcast_store::Input] {
                &[propcast_store::Input { name: "player_game_summary", window: Window::SameDate, why: "" }]
            }
            fn output(&self) -> propcast_store::Output {
                propcast_store::Output::Files { name: "leaky", pattern: "x/{date}" }
            }
            fn compute(
                &self,
                _: &propcast_store::Warehouse,
                _: &[propcast_core::Date],
            ) -> propcast_store::Result<Vec<(propcast_core::Date, propcast_store::PartitionData)>>
            {
                Ok(vec![])
            }
        }
        let mut s = steps();
        s.push(Box::new(Leaky));
        let err = validate(&s).unwrap_err().to_string();
        assert!(err.contains("known only after the game"), "{err}");
    }
}
