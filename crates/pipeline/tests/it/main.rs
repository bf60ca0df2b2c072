//! The pipeline end to end: `up` on the bundled data, idempotence, point in time.

mod bundled;
mod engine;
mod gbm;
mod leakage;
mod point_in_time;
mod train_serve;
mod util;
