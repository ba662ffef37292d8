//! Writes the Shanghai sample network to `seed/shanghai-sample.json` (pretty JSON, UTF-8):
//! `cargo run -p dangjian-synth --example write_sample`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../seed");
    let bundle = dangjian_synth::shanghai_sample();
    let json = match serde_json::to_string_pretty(&bundle) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("cannot serialise the sample: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = seed.join("shanghai-sample.json");
    if let Err(e) = std::fs::write(&path, json + "\n") {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {} ({} rows)", path.display(), bundle.row_count());
    ExitCode::SUCCESS
}
