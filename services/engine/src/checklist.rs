//! checklist (placeholder; being written).
