//! gaps (placeholder; being written).
