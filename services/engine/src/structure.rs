//! structure (placeholder; being written).
