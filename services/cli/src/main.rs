//! The `dangjian` command line: a thin shell over the library crates.

fn main() {}
