//! `propcast graph`: the asset graph, checked, as text or Graphviz dot.

pub fn run(dot: bool) -> anyhow::Result<()> {
    let steps = propcast_pipeline::steps();
    propcast_pipeline::validate(&steps)?;
    if dot {
        print!("{}", propcast_pipeline::render_dot(&steps));
    } else {
        print!("{}", propcast_pipeline::render_text(&steps));
    }
    Ok(())
}
