//! Synthetic network generator, deterministic per seed, at district or Shanghai scale.
