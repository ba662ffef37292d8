//! Generates a network and prints table sizes, partnership-degree statistics and the time taken:
//! `cargo run --release -p dangjian-synth --example generate_stats -- shanghai 1`.

use dangjian_synth::{Scale, generate};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let scale = match args.next().as_deref() {
        None | Some("district") => Scale::District,
        Some("shanghai") => Scale::Shanghai,
        Some(other) => {
            eprintln!("unknown scale `{other}` (district or shanghai)");
            return ExitCode::FAILURE;
        }
    };
    let seed = match args.next().map(|s| s.parse::<u64>()) {
        None => 1,
        Some(Ok(seed)) => seed,
        Some(Err(e)) => {
            eprintln!("bad seed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let b = generate(scale, seed);
    let elapsed = start.elapsed();
    println!(
        "{scale:?} seed {seed}: {} rows in {elapsed:.2?}",
        b.row_count()
    );
    let sizes = dangjian_model::store::table_sizes(&b);
    for (table, n) in sizes {
        println!("  {table:<18}{n:>10}");
    }
    let mut degree: HashMap<&str, usize> = b.units.iter().map(|u| (u.id.as_str(), 0)).collect();
    for p in &b.partnerships {
        *degree.entry(&p.unit).or_default() += 1;
    }
    let mut d: Vec<usize> = degree.into_values().collect();
    d.sort_unstable();
    if let (Some(max), false) = (d.last(), d.is_empty()) {
        let hubs = d.iter().filter(|&&x| x >= 100).count();
        println!(
            "  partnerships per unit: median {}, max {max}, units with 100+: {hubs}",
            d[d.len() / 2]
        );
    }
    ExitCode::SUCCESS
}
