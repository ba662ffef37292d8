//! whatif (placeholder; being written).
