//! Synthetic network generator, deterministic per seed, at district or Shanghai scale, and the
//! hand-built Shanghai sample network (`seed/shanghai-sample.json`). No I/O: callers write files.

pub mod bench;
mod generate;
pub mod names;
pub mod sample;

pub use generate::{MAX_DEGREE, Scale, generate, skewed_degree};
pub use sample::{SAMPLE_AS_OF, SURVEYED_SITES, shanghai_sample};
