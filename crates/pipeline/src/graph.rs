//! The steps in pipeline order, and the check that their inputs exist.

use crate::error::{Error, Result};
use propcast_ingest::RAW_TABLES;
use propcast_store::Step;

/// Every step, in the order the phases run: analytics, features, predictions, grading,
/// publishing.
pub fn steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(propcast_analytics::PlayerGameSummary),
        Box::new(propcast_features::PlayerFeatures),
        Box::new(propcast_models::MovingAverage::default()),
        Box::new(propcast_grading::Grade),
        Box::new(propcast_publish::Results),
    ]
}

/// Checks the graph before anything runs: names are unique and every input is a raw table or
/// the output of an earlier step (so there is no cycle and nothing is missing).
pub fn validate(steps: &[Box<dyn Step>]) -> Result<()> {
    let mut known: Vec<&str> = RAW_TABLES.iter().map(|t| t.name).collect();
    let mut names: Vec<&str> = Vec::new();
    for s in steps {
        if names.contains(&s.name()) {
            return Err(Error::Graph(format!("two steps are named {}", s.name())));
        }
        for i in s.inputs() {
            if !known.contains(&i.name) {
                return Err(Error::Graph(format!(
                    "step {} reads {}, which is neither a raw table nor the output of an earlier step",
                    s.name(),
                    i.name
                )));
            }
        }
        names.push(s.name());
        known.push(s.output().name());
    }
    Ok(())
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
    }
}
