//! Progress on stderr: a bar per asset on a terminal, plain periodic lines otherwise.

use indicatif::{ProgressBar, ProgressStyle};
use propcast_pipeline::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bars on a terminal, lines every few seconds when stderr is not one, nothing with `-q`.
pub struct CliProgress {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
    plain: Mutex<(Instant, usize, usize)>,
}

impl CliProgress {
    pub fn new(quiet: bool) -> CliProgress {
        CliProgress { quiet, bar: Mutex::new(None), plain: Mutex::new((Instant::now(), 0, 0)) }
    }

    fn terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }
}

impl Progress for CliProgress {
    fn start(&self, asset: &str, total: usize) {
        if self.quiet || total == 0 {
            return;
        }
        if self.terminal() {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} partitions, ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(asset.to_string());
            if let Ok(mut b) = self.bar.lock() {
                *b = Some(bar);
            }
        } else if let Ok(mut p) = self.plain.lock() {
            *p = (Instant::now(), 0, total);
            eprintln!("{asset}: {total} partitions to run");
        }
    }

    fn advance(&self, asset: &str, n: usize) {
        if self.quiet {
            return;
        }
        if let Some(bar) = self.bar.lock().ok().and_then(|b| b.clone()) {
            bar.inc(n as u64);
        } else if let Ok(mut p) = self.plain.lock() {
            p.1 += n;
            if p.0.elapsed() > Duration::from_secs(5) {
                eprintln!("{asset}: {}/{} partitions", p.1, p.2);
                p.0 = Instant::now();
            }
        }
    }

    fn finish(&self, _asset: &str, line: &str) {
        if self.quiet {
            return;
        }
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
        eprintln!("{line}");
    }
}
