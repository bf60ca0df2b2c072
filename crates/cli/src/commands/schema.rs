//! `propcast schema`: the warehouse tables as Markdown.

pub fn run() -> anyhow::Result<()> {
    print!("{}", propcast_core::schema::markdown());
    Ok(())
}
