//! Times the stages of reading a big bundle: bytes, typed decode, validation.
fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: read_timing FILE.json");
    let t = std::time::Instant::now();
    let bytes = std::fs::read(&path).expect("readable");
    eprintln!("read {} bytes in {:?}", bytes.len(), t.elapsed());
    let t = std::time::Instant::now();
    let typed = serde_json::from_slice::<dangjian_model::Bundle>(&bytes);
    eprintln!("typed decode ok={} in {:?}", typed.is_ok(), t.elapsed());
    if let Err(e) = &typed {
        eprintln!("typed error: {e}");
    }
    let b = typed.expect("valid");
    let t = std::time::Instant::now();
    let r = dangjian_model::validate(&b);
    eprintln!("validate ok={} in {:?}", r.is_ok(), t.elapsed());
}
