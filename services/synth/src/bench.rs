//! What the Shanghai-scale benchmarks share (engine, visualizations, the API's page example):
//! the calibration workload every figure is divided by, medians and one-call timing, and the
//! street and district with the most committees of a generated network.

use crate::Scale;
use dangjian_model::{Bundle, Date};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A benchmark's command line: `[--scale shanghai|district] [--seed N] [--reps N]
/// [--as-of YYYY-MM-DD]`; anything else (cargo's `--bench`, filters) is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub scale: Scale,
    pub seed: u64,
    /// At least 1.
    pub reps: usize,
    pub as_of: Date,
}

impl Options {
    /// Parses the process's arguments.
    pub fn from_env() -> Result<Options, String> {
        Options::parse(std::env::args().skip(1))
    }

    /// Parses `args` (without the program name); Shanghai scale, seed 1, 7 reps and
    /// 2026-06-30 unless given.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut o = Options {
            scale: Scale::Shanghai,
            seed: 1,
            reps: 7,
            as_of: Date::from_ymd_opt(2026, 6, 30).ok_or("date")?,
        };
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match a.as_str() {
                "--scale" => {
                    o.scale = match value("--scale")?.as_str() {
                        "shanghai" => Scale::Shanghai,
                        "district" => Scale::District,
                        other => {
                            return Err(format!("--scale: `{other}` is not shanghai|district"));
                        }
                    }
                }
                "--seed" => o.seed = number("--seed", value("--seed")?)?,
                "--reps" => o.reps = number("--reps", value("--reps")?)?,
                "--as-of" => o.as_of = number("--as-of", value("--as-of")?)?,
                _ => {} // `--bench` and filters from cargo
            }
        }
        o.reps = o.reps.max(1);
        Ok(o)
    }
}

fn number<T: std::str::FromStr>(name: &str, text: String) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| format!("{name}: {e}"))
}

/// The calibration workload: sort one million pseudo-random integers (splitmix64), a fixed
/// amount of CPU and memory traffic that does not depend on this project's code. Benchmarks
/// run it interleaved with what they time, so a noisy, shared machine shows up in both.
pub fn calibration() -> Duration {
    let mut s: u64 = 0x2026_0630;
    let mut v: Vec<u64> = (0..1_000_000)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
        .collect();
    let t = Instant::now();
    v.sort_unstable();
    let d = t.elapsed();
    black_box(v);
    d
}

/// The median (the upper one of an even count); zero for no times.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Times one call of `f`, keeping its result alive so it is not optimised away.
pub fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    black_box(f());
    t.elapsed()
}

/// The street and the district with the most committees, and how many each has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Biggest {
    pub street: String,
    pub street_committees: usize,
    pub district: String,
    pub district_committees: usize,
}

/// The street and the district with the most committees (ties go to the smaller id, so the
/// choice is deterministic); `None` when the network has no committee in a street.
pub fn biggest_areas(b: &Bundle) -> Option<Biggest> {
    let street_of: HashMap<&str, &str> = b
        .communities
        .iter()
        .map(|c| (c.id.as_str(), c.street.as_str()))
        .collect();
    let district_of: HashMap<&str, &str> = b
        .streets
        .iter()
        .map(|s| (s.id.as_str(), s.district.as_str()))
        .collect();
    let mut per_street: HashMap<&str, usize> = HashMap::new();
    let mut per_district: HashMap<&str, usize> = HashMap::new();
    for k in &b.committees {
        if let Some(s) = street_of.get(k.community.as_str()) {
            *per_street.entry(s).or_default() += 1;
            if let Some(d) = district_of.get(s) {
                *per_district.entry(d).or_default() += 1;
            }
        }
    }
    let pick = |m: &HashMap<&str, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(id, n)| (id.to_string(), *n))
    };
    let (street, street_committees) = pick(&per_street)?;
    let (district, district_committees) = pick(&per_district)?;
    Some(Biggest {
        street,
        street_committees,
        district,
        district_committees,
    })
}
