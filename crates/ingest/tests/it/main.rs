//! Ingest end to end: the bundled data set, and every kind of bad input.

mod bad_input;
mod bundled;
mod util;
