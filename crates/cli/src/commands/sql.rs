//! `propcast sql "select ..."`: one read-only query.

use crate::args::Global;
use crate::output;
use anyhow::Context;
use propcast_store::Warehouse;

pub fn run(g: &Global, query: &str, csv: bool) -> anyhow::Result<()> {
    let path = g.home.join("warehouse.sqlite");
    if !path.is_file() {
        anyhow::bail!("no warehouse at {}: run `propcast up` first (or pass --home)", path.display());
    }
    let wh = Warehouse::open_read_only(&path)?;
    let r = wh.query(query, &[]).with_context(|| format!("query failed: {query}"))?;
    let mut out = std::io::stdout().lock();
    if g.json {
        serde_json::to_writer_pretty(&mut out, &output::json_rows(&r.columns, &r.rows))?;
        println!();
    } else if csv {
        output::csv(&mut out, &r.columns, &r.rows)?;
    } else {
        output::table(&mut out, &r.columns, &r.rows)?;
        eprintln!("({} row{})", r.rows.len(), if r.rows.len() == 1 { "" } else { "s" });
    }
    Ok(())
}
