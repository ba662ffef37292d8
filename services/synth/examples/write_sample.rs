//! Writes the Shanghai sample network to `seed/shanghai-sample.json` (pretty JSON, UTF-8) and
//! `seed/shanghai-sample.xlsx` (one sheet per table; doubles as the import template):
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
    let xlsx = seed.join("shanghai-sample.xlsx");
    if let Err(e) = dangjian_bundle_io::write_xlsx(&bundle, &xlsx) {
        eprintln!("cannot write {}: {e}", xlsx.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", xlsx.display());
    ExitCode::SUCCESS
}
