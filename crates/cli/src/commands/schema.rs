//! `propcast schema`: the warehouse tables as Markdown (or JSON with `--json`); with
//! `--contract`, the feature contract table of docs/features.md.

use crate::args::Global;
use propcast_core::schema::{self, Partitioning};

pub fn run(g: &Global, contract: bool) -> anyhow::Result<()> {
    if contract {
        print!("{}", propcast_core::features::markdown());
        return Ok(());
    }
    if !g.json {
        print!("{}", schema::markdown());
        return Ok(());
    }
    let tables: Vec<serde_json::Value> = schema::ALL_TABLES
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "layer": t.layer,
                "doc": t.doc,
                "primary_key": t.primary_key,
                "partitioned_by": match t.partitioning {
                    Partitioning::Date(c) | Partitioning::Season(c) => Some(c),
                    Partitioning::Whole => None,
                },
                "columns": t.columns.iter().map(|c| serde_json::json!({
                    "name": c.name, "type": c.ty.sql(),
                    "nullable": c.nullable && !t.primary_key.contains(&c.name), "doc": c.doc,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&tables)?);
    Ok(())
}
