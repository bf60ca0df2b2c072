//! `propcast ingest dataset`: load the data set into the raw tables.

use crate::args::Global;
use crate::output;
use propcast_pipeline::{ingest_dataset, IngestReport, TableStatus};
use propcast_store::{Value, Warehouse};
use std::path::Path;

pub fn run(g: &Global, dir: &Path) -> anyhow::Result<()> {
    let mut wh = Warehouse::open(&g.home.join("warehouse.sqlite"))?;
    let report = ingest_dataset(&mut wh, dir)?;
    print_report(g, &report)
}

pub fn status_name(s: &TableStatus) -> &'static str {
    match s {
        TableStatus::Unchanged => "unchanged",
        TableStatus::Written => "written",
        TableStatus::Absent => "absent",
    }
}

pub fn report_json(report: &IngestReport) -> serde_json::Value {
    serde_json::json!({
        "changed": report.changed(),
        "tables": report.tables.iter().map(|t| serde_json::json!({
            "table": t.table,
            "file": t.file.as_ref().map(|f| f.display().to_string()),
            "status": status_name(&t.status),
            "rows": t.rows,
            "partitions_read": t.partitions_read,
            "partitions_written": t.partitions_written,
            "partitions_deleted": t.partitions_deleted,
            "quarantined": t.quarantined.len(),
            "warnings": t.warnings,
        })).collect::<Vec<_>>(),
    })
}

pub fn print_report(g: &Global, report: &IngestReport) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report_json(report))?);
        return Ok(());
    }
    let cols: Vec<String> =
        output::cols(&["table", "status", "rows", "partitions read", "written", "deleted", "quarantined"]);
    let rows: Vec<Vec<Value>> = report
        .tables
        .iter()
        .map(|t| {
            vec![
                Value::Text(t.table.into()),
                Value::Text(status_name(&t.status).into()),
                Value::Integer(t.rows as i64),
                Value::Integer(t.partitions_read as i64),
                Value::Integer(t.partitions_written as i64),
                Value::Integer(t.partitions_deleted as i64),
                Value::Integer(t.quarantined.len() as i64),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    if !report.changed() {
        eprintln!("Data set unchanged: nothing ingested.");
    }
    Ok(())
}
