//! How long the planners' page takes to draw the interactive network in headless Chromium
//! (fetch of `/api/v1/graph` + Cytoscape/fCoSE layout + render), on a network read from a
//! bundle file (e.g. `dangjian generate --scale shanghai --out sh.json`), for the street and
//! the district with the most committees. Times are the page's own measurement
//! (`#network[data-draw-ms]`), first visit (force layout) and a second date (cached positions),
//! next to a calibration workload run in the same process (meaningful in a release build).
//!
//! `cargo run --release -p dangjian-api --example page_draw -- BUNDLE.json [REPS]`
//! Needs Debian `chromium` and `chromium-driver`.

use dangjian_api::{AppState, Application, ServeConfig, tokens};
use dangjian_model::{Bundle, Store, TokenRole};
use dangjian_sqlite::SqliteStore;
use fantoccini::ClientBuilder;
use serde_json::json;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn calibration() -> Duration {
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

fn biggest(b: &Bundle) -> (String, String) {
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
    let mut ps: HashMap<&str, usize> = HashMap::new();
    let mut pd: HashMap<&str, usize> = HashMap::new();
    for k in &b.committees {
        if let Some(s) = street_of.get(k.community.as_str()) {
            *ps.entry(s).or_default() += 1;
            if let Some(d) = district_of.get(s) {
                *pd.entry(d).or_default() += 1;
            }
        }
    }
    let pick = |m: &HashMap<&str, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(id, _)| id.to_string())
            .unwrap_or_default()
    };
    (pick(&ps), pick(&pd))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: page_draw BUNDLE.json [REPS]")?;
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let bundle = dangjian_bundle_io::read_path(std::path::Path::new(&path))?;
    let (street, district) = biggest(&bundle);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(&dir.path().join("page.db"))?);
    store.replace(&bundle)?;
    let (_, admin) = tokens::create(store.as_ref(), TokenRole::Admin, None)?;
    let dyn_store: Arc<dyn Store> = store.clone();
    let config = ServeConfig {
        addr: "127.0.0.1:0".parse()?,
        ..ServeConfig::default()
    };
    let app = Application::with_state(AppState::load(dyn_store, config).await?).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending::<()>()));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut driver = std::process::Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let profile = tempfile::tempdir()?;
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1440,900", format!("--user-data-dir={}", profile.path().display())]}});
    let caps = caps.as_object().cloned().ok_or("caps")?;
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await?;
    println!(
        "| scope | visit | fetch + draw ms (median of {reps}) | layout + render ms | nodes | layout |"
    );
    println!("|---|---|---|---|---|---|");
    let mut calib = Vec::new();
    for scope in [&street, &district] {
        for (visit, as_of) in [
            ("first (force layout)", "2026-06-30"),
            ("another date", "2026-03-31"),
        ] {
            let mut times = Vec::new();
            let mut layouts = Vec::new();
            let mut info = (String::new(), String::new());
            for _ in 0..reps {
                calib.push(calibration());
                if visit.starts_with("first") {
                    c.goto(&format!("{base}/")).await?;
                    c.execute("sessionStorage.clear(); return 1", vec![])
                        .await?;
                }
                c.goto(&format!("{base}/?scope={scope}&view=network&as_of={as_of}"))
                    .await?;
                c.execute(
                    &format!("sessionStorage.setItem('dangjian-token', '{admin}'); return 1"),
                    vec![],
                )
                .await?;
                if visit.starts_with("first") {
                    // Positions are kept per tab: forget them so the layout runs.
                    c.execute("Object.keys(sessionStorage).filter(k => k.startsWith('dangjian-pos')).forEach(k => sessionStorage.removeItem(k)); return 1", vec![]).await?;
                }
                c.refresh().await?;
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    let v = c
                        .execute("const n = document.getElementById('network'); return n.dataset.state === 'ready' ? [n.dataset.drawMs, n.dataset.nodes, n.dataset.layout, n.dataset.layoutMs] : null", vec![])
                        .await?;
                    if let Some(a) = v.as_array() {
                        let s = |i: usize| a[i].as_str().unwrap_or("").to_string();
                        times.push(s(0).parse::<f64>().unwrap_or(f64::NAN));
                        layouts.push(s(3).parse::<f64>().unwrap_or(f64::NAN));
                        info = (s(1), s(2));
                        break;
                    }
                    if Instant::now() > deadline {
                        return Err(format!("{scope}: not drawn within 120 s").into());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            times.sort_by(f64::total_cmp);
            layouts.sort_by(f64::total_cmp);
            println!(
                "| {scope} | {visit} | {:.0} | {:.0} | {} | {} |",
                times[times.len() / 2],
                layouts[layouts.len() / 2],
                info.0,
                info.1
            );
        }
    }
    calib.sort();
    println!(
        "\ncalibration (sort 1M u64) median: {:.1} ms",
        calib[calib.len() / 2].as_secs_f64() * 1000.0
    );
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
    Ok(())
}
