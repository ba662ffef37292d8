//! Write the bulk-load CSV files of a bundle JSON file into a folder (for inspecting them).
//!
//! `cargo run -p dangjian-neo4j --example bulk_csv -- BUNDLE.json DIR`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(bundle), Some(dir)) = (args.next(), args.next()) else {
        return Err("usage: bulk_csv BUNDLE.json DIR".into());
    };
    let b: dangjian_model::Bundle = serde_json::from_str(&std::fs::read_to_string(bundle)?)?;
    let files = dangjian_neo4j::bulk::write_csv(&b, std::path::Path::new(&dir))?;
    println!("{}", files.admin_args("neo4j").join(" "));
    Ok(())
}
