//! Structure-aware fuzzing of the three bundle readers on stable Rust, through the real
//! `dangjian import`: inputs are mutated from the seed bundle (JSON, CSV folder, XLSX), each
//! case runs in a child process under an address-space cap (`prlimit --as`), and the property
//! is "a clear error (exit 1) or a success (exit 0); never a panic, an abort, a signal, a hang,
//! or memory over the cap".
//!
//! In the test suite each parser runs for a few seconds. `scripts/fuzz [minutes]` sets
//! `DANGJIAN_FUZZ_SECONDS` (per parser) and `DANGJIAN_FUZZ_SEED`, and crashing inputs are kept
//! under `target/fuzz-crashes/`.

use super::{bin, sample};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Address-space cap of every child (1 GiB): the seed imports in well under it.
const MEMORY_CAP: u64 = 1 << 30;
/// A child running longer than this is a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// A small deterministic generator (xorshift64*), so a run is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in as usize) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Values that stress a field: wrong types, bounds, overflow, reserved and formula-like ids.
fn hostile_value(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => serde_json::json!(7_000_000_000_000_000_000u64),
        3 => serde_json::json!(-1),
        4 => serde_json::json!(1.5e308),
        5 => serde_json::json!(1_000_000_001),
        6 => serde_json::json!(u64::MAX),
        7 => serde_json::json!(i64::MIN),
        8 => Value::String("city".into()),
        9 => Value::String(String::new()),
        10 => Value::String("=HYPERLINK(\"x\")".into()),
        11 => Value::String("-S-01".into()),
        12 => Value::String("9999-99-99".into()),
        13 => Value::String(DEEP.into()),
        14 => serde_json::json!({"a": {"b": 1}}),
        _ => Value::String("党".repeat(1 + rng.below(200_000))),
    }
}

/// Byte strings that break parsers when spliced in.
const JUNK: [&[u8]; 6] = [
    b"\"",
    b"\xff\xfe\x00",
    b"\r\n,,,\"",
    b"]]]}}}",
    b"<c r=\"XFD1048576\"><v>1</v></c>",
    b"\xef\xbb\xbf",
];

/// Byte-level damage shared by every format: flips, truncation, insertion, duplication.
fn damage_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    match rng.below(5) {
        0 => {
            for _ in 0..1 + rng.below(16) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
            }
        }
        1 => {
            let n = rng.below(bytes.len() + 1);
            bytes.truncate(n);
        }
        2 => {
            let i = rng.below(bytes.len() + 1);
            let junk = rng.pick(&JUNK);
            bytes.splice(i..i, junk.iter().copied());
        }
        3 => {
            if !bytes.is_empty() {
                let a = rng.below(bytes.len());
                let b = (a + rng.below(4096)).min(bytes.len());
                let chunk = bytes[a..b].to_vec();
                for _ in 0..1 + rng.below(64) {
                    bytes.splice(a..a, chunk.iter().copied());
                }
            }
        }
        _ => {
            let i = rng.below(bytes.len() + 1);
            bytes.splice(i..i, std::iter::repeat_n(b'[', 1 + rng.below(200_000)));
        }
    }
}

/// A mutated JSON bundle.
fn mutate_json(rng: &mut Rng, seed: &Value, text: &[u8]) -> Vec<u8> {
    if rng.chance(3) {
        let mut bytes = text.to_vec();
        damage_bytes(rng, &mut bytes);
        return bytes;
    }
    let mut doc = seed.clone();
    for _ in 0..1 + rng.below(4) {
        let tables: Vec<String> = doc
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let Some(table) = tables.get(rng.below(tables.len())).cloned() else {
            break;
        };
        match rng.below(8) {
            0 => {
                // Deep nesting in place of a value (spliced into the text below: a deep
                // `Value` would overflow this test's own stack).
                doc[&table] = Value::String(DEEP.into());
            }
            1 => {
                doc["unknown_table"] = Value::Array(vec![]);
            }
            2 => doc[&table] = hostile_value(rng),
            _ => {
                let Some(rows) = doc[&table].as_array_mut() else {
                    continue;
                };
                if rows.is_empty() {
                    continue;
                }
                let r = rng.below(rows.len());
                let Some(row) = rows[r].as_object_mut() else {
                    rows[r] = hostile_value(rng);
                    continue;
                };
                let fields: Vec<String> = row.keys().cloned().collect();
                match rng.below(4) {
                    0 => {
                        row.insert("bogus".into(), hostile_value(rng));
                    }
                    1 => {
                        if let Some(f) = fields.get(rng.below(fields.len())) {
                            row.remove(f);
                        }
                    }
                    _ => {
                        if let Some(f) = fields.get(rng.below(fields.len())) {
                            row.insert(f.clone(), hostile_value(rng));
                        }
                    }
                }
            }
        }
    }
    let text = serde_json::to_string(&doc).expect("a JSON value serializes");
    let depth = 1 + rng.below(100_000);
    let deep = format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth));
    text.replace(&format!("\"{DEEP}\""), &deep).into_bytes()
}

/// A placeholder for deep nesting in a mutated JSON document.
const DEEP: &str = "__deep_nesting__";

/// Mutates the CSV folder in place.
fn mutate_csv(rng: &mut Rng, dir: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for _ in 0..1 + rng.below(3) {
        let file = rng.pick(&files).clone();
        let mut bytes = std::fs::read(&file).unwrap_or_default();
        match rng.below(9) {
            0..=2 => damage_bytes(rng, &mut bytes),
            3 => {
                // A giant field, quoted and unterminated or plain.
                let size = 1 + rng.below(3 << 20);
                if rng.chance(2) {
                    bytes.extend_from_slice(b"X,\"");
                }
                bytes.extend(std::iter::repeat_n(b'a', size));
            }
            4 => {
                // Extra, repeated or missing columns in the header.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
                let head = match rng.below(3) {
                    0 => format!("{head},bogus"),
                    1 => format!("{head},{head}"),
                    _ => head.split(',').skip(1).collect::<Vec<_>>().join(","),
                };
                bytes = format!("{head}\n{rest}").into_bytes();
            }
            5 => {
                // A number past the bounds or of the wrong type in some cell.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                if lines.len() > 1 {
                    let l = 1 + rng.below(lines.len() - 1);
                    let mut cells: Vec<String> = lines[l].split(',').map(str::to_string).collect();
                    let c = rng.below(cells.len());
                    cells[c] = rng
                        .pick(&[
                            "7000000000000000000",
                            "-1",
                            "1e400",
                            "NaN",
                            "city",
                            "'=1+1",
                            "",
                            "18446744073709551616",
                            "1.5",
                            "2025-02-30",
                        ])
                        .to_string();
                    lines[l] = cells.join(",");
                }
                bytes = lines.join("\n").into_bytes();
            }
            6 => {
                // Many short lines.
                for _ in 0..rng.below(20_000) {
                    bytes.extend_from_slice(b"\n,,,");
                }
            }
            7 => {
                let _ = std::fs::write(dir.join("unknown.csv"), b"a,b\n1,2\n");
            }
            _ => {
                let _ = std::fs::remove_file(&file);
                continue;
            }
        }
        std::fs::write(&file, bytes).expect("write the mutated file");
    }
}

/// The entries of a zip archive, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the seed is a zip");
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).expect("entry");
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("inflate");
            (e.name().to_string(), data)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)], stored: bool) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(entries.iter().any(|(_, d)| d.len() > u32::MAX as usize / 2));
    for (name, data) in entries {
        // A duplicate name is refused by the writer; keep the first.
        if out.start_file(name.as_str(), options).is_ok() {
            out.write_all(data).expect("write");
        }
    }
    out.finish().expect("finish").into_inner()
}

/// A mutated workbook: XML-level changes to sheets and shared strings, or zip-level tricks.
fn mutate_xlsx(rng: &mut Rng, entries: &[(String, Vec<u8>)], raw: &[u8]) -> Vec<u8> {
    if rng.chance(4) {
        let mut bytes = raw.to_vec();
        match rng.below(3) {
            0 => damage_bytes(rng, &mut bytes),
            _ => {
                // Lie about sizes in local and central headers.
                let sig: &[u8] = if rng.chance(2) {
                    b"PK\x01\x02"
                } else {
                    b"PK\x03\x04"
                };
                let off = if sig == b"PK\x01\x02" { 24 } else { 22 };
                let at: Vec<usize> = (0..bytes.len().saturating_sub(32))
                    .filter(|&i| &bytes[i..i + 4] == sig)
                    .collect();
                let lie = *rng.pick(&[0u32, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 1 << 20]);
                for i in at {
                    if rng.chance(2) {
                        bytes[i + off..i + off + 4].copy_from_slice(&lie.to_le_bytes());
                    }
                }
            }
        }
        return bytes;
    }
    let mut entries = entries.to_vec();
    for _ in 0..1 + rng.below(3) {
        let e = rng.below(entries.len());
        let (name, data) = &mut entries[e];
        let is_sheet = name.starts_with("xl/worksheets/");
        match rng.below(10) {
            0 | 1 => damage_bytes(rng, data),
            2 if is_sheet => {
                // A far-away cell, the XFD1048576 or a random one.
                let cell = if rng.chance(2) {
                    "XFD1048576".to_string()
                } else {
                    let col: String = (0..1 + rng.below(3))
                        .map(|_| (b'A' + rng.below(26) as u8) as char)
                        .collect();
                    format!("{col}{}", 1 + rng.below(5_000_000))
                };
                let text = String::from_utf8_lossy(data).into_owned();
                let row = cell
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .to_string();
                let insert = format!("<row r=\"{row}\"><c r=\"{cell}\"><v>1</v></c></row>");
                *data = text
                    .replacen("</sheetData>", &format!("{insert}</sheetData>"), 1)
                    .into_bytes();
            }
            3 => {
                let text = String::from_utf8_lossy(data).into_owned();
                *data = text
                    .replace("<dimension ref=\"", "<dimension ref=\"A1:XFD1048576\" x=\"")
                    .into_bytes();
            }
            4 => {
                // Deeply nested elements.
                let depth = 1 + rng.below(100_000);
                let i = rng.below(data.len() + 1);
                let nest = "<a>".repeat(depth);
                data.splice(i..i, nest.into_bytes());
            }
            5 => {
                // A shared-string index out of range, or a cell of the wrong type.
                let text = String::from_utf8_lossy(data).into_owned();
                let wrong = rng.pick(&[
                    "<v>4294967295</v>",
                    "<v>-1</v>",
                    "<v>1e999</v>",
                    "<v>abc</v>",
                ]);
                *data = text.replacen("<v>", &format!("{wrong}<v>"), 1).into_bytes();
            }
            6 => {
                // A giant text.
                let text = String::from_utf8_lossy(data).into_owned();
                let big = "x".repeat(1 + rng.below(4 << 20));
                *data = text.replacen("<t>", &format!("<t>{big}"), 1).into_bytes();
            }
            7 => {
                entries.remove(e);
            }
            8 => {
                for k in 0..rng.below(1_500) {
                    entries.push((format!("junk/{k}"), Vec::new()));
                }
            }
            _ => {
                // Many zeros: compresses to almost nothing, inflates to many MiB.
                data.extend(std::iter::repeat_n(b' ', 1 + rng.below(16 << 20)));
            }
        }
    }
    rezip(&entries, rng.chance(5))
}

/// What one case did.
enum Outcome {
    Fine,
    Crash(String),
}

/// Runs `dangjian import <input>` on a fresh database under the memory cap.
fn import(input: &Path, work: &Path) -> Outcome {
    let db = work.join("fuzz.db");
    let _ = std::fs::remove_file(&db);
    let exe = bin().get_program().to_owned();
    let mut child = std::process::Command::new("prlimit")
        .arg(format!("--as={MEMORY_CAP}"))
        .arg("--")
        .arg(exe)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(input)
        .env_remove("DANGJIAN_DB")
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux) runs the dangjian binary");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let Some(status) = status else {
        return Outcome::Crash(format!("no answer within {CASE_TIMEOUT:?}"));
    };
    let tail: String = err.chars().take(600).collect();
    match status.code() {
        Some(0) => Outcome::Fine,
        Some(1) if err.contains("error: ") && !err.contains("panicked") => Outcome::Fine,
        Some(code) => Outcome::Crash(format!("exit {code}: {tail}")),
        None => Outcome::Crash(format!("killed by a signal ({status}): {tail}")),
    }
}

/// The seed as a CSV folder, exported by the real binary.
fn seed_csv(work: &Path) -> PathBuf {
    let db = work.join("seed.db");
    let out = work.join("seed-csv");
    for args in [
        vec!["import".to_string(), sample().display().to_string()],
        vec![
            "export".into(),
            "--format".into(),
            "csv".into(),
            "--out".into(),
            out.display().to_string(),
        ],
    ] {
        let status = bin()
            .arg("--db")
            .arg(&db)
            .args(&args)
            .stdout(Stdio::null())
            .status()
            .expect("runs");
        assert!(status.success(), "dangjian {args:?}");
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

/// Fuzzes one parser for `budget`; returns (cases, crashes).
fn fuzz(format: &str, budget: Duration, seed: u64, work: &Path) -> (usize, Vec<String>) {
    let mut rng = Rng(seed | 1);
    let json_text = std::fs::read(sample()).expect("seed json");
    let json: Value = serde_json::from_slice(&json_text).expect("seed parses");
    let xlsx_raw = std::fs::read(sample().with_extension("xlsx")).expect("seed xlsx");
    let xlsx = unzip(&xlsx_raw);
    let csv = if format == "csv" {
        Some(seed_csv(work))
    } else {
        None
    };
    let crashes_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
    let started = Instant::now();
    let (mut cases, mut crashes) = (0, Vec::new());
    while started.elapsed() < budget || cases == 0 {
        let input = match format {
            "json" => {
                let p = work.join("case.json");
                std::fs::write(&p, mutate_json(&mut rng, &json, &json_text)).expect("write");
                p
            }
            "csv" => {
                let p = work.join("case-csv");
                copy_dir(csv.as_deref().expect("csv seed"), &p);
                mutate_csv(&mut rng, &p);
                p
            }
            _ => {
                let p = work.join("case.xlsx");
                std::fs::write(&p, mutate_xlsx(&mut rng, &xlsx, &xlsx_raw)).expect("write");
                p
            }
        };
        cases += 1;
        if let Outcome::Crash(why) = import(&input, work) {
            let keep = crashes_dir.join(format!("{format}-{seed}-{cases}"));
            let _ = std::fs::create_dir_all(&crashes_dir);
            if input.is_dir() {
                copy_dir(&input, &keep);
            } else {
                let _ = std::fs::copy(&input, &keep);
            }
            crashes.push(format!("{}: {why}", keep.display()));
        }
    }
    (cases, crashes)
}

#[test]
fn fuzzed_bundles_get_a_clear_error_or_import_never_a_crash() {
    let seconds: u64 = std::env::var("DANGJIAN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let seed: u64 = std::env::var("DANGJIAN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026);
    let mut report = Vec::new();
    let mut all_crashes = Vec::new();
    for format in ["json", "csv", "xlsx"] {
        let work = tempfile::tempdir().expect("tempdir");
        let (cases, crashes) = fuzz(format, Duration::from_secs(seconds), seed, work.path());
        report.push(format!(
            "{format}: {cases} cases, {} crashes",
            crashes.len()
        ));
        all_crashes.extend(crashes);
    }
    println!(
        "fuzz (seed {seed}, {seconds} s per parser): {}",
        report.join("; ")
    );
    assert!(
        all_crashes.is_empty(),
        "crashes:\n{}",
        all_crashes.join("\n")
    );
}
