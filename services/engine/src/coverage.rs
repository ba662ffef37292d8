//! coverage (placeholder; being written).
