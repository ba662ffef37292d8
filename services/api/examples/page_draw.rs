//! How long the planners' page takes to draw the interactive network in headless Chromium
//! (fetch of `/api/v1/graph` with the service's positions + Cytoscape preset layout + the first
//! painted frame), on a network
//! read from a bundle file (e.g. `dangjian generate --scale shanghai --out sh.json`), for the
//! street and the district with the most committees. Times are the page's own measurement
//! (`#network[data-draw-ms]` and its parts), first visit and a second date (both drawn at the
//! positions the service computed), each next to a calibration run in the same page right after it (sorting
//! 10⁶ pseudo-random doubles in JavaScript): the ratio is the figure to compare across runs.
//!
//! `cargo run --release -p dangjian-api --example page_draw -- BUNDLE.json|STORE.db [REPS]`
//! (a `.db` SQLite store is served as it is, e.g. one `dangjian import` filled)
//! Needs Debian `chromium` and `chromium-driver`.

use dangjian_api::{AppState, Application, ServeConfig, tokens};
use dangjian_model::{Store, TokenRole};
use dangjian_sqlite::SqliteStore;
use dangjian_synth::bench::{Biggest, biggest_areas, calibration, median};
use fantoccini::ClientBuilder;
use serde_json::json;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Median and 90th percentile of `n` GETs of `path` (client-side on loopback: an upper bound of
/// the service's own time).
async fn timed_gets(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let res = http.get(url).bearer_auth(token).send().await?;
        let status = res.status();
        let body = res.bytes().await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("{url}: {status} {}", String::from_utf8_lossy(&body)).into());
        }
        black_box(body);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() * 9 / 10]))
}

/// The HTTP figures: a street's graph document (JSON, GEXF) and a district's folded one against
/// the street's coverage request as the baseline; a district's 12-month trend, cold (four
/// disjoint years, nothing cached for their month ends) and again.
async fn http_figures(
    base: &str,
    token: &str,
    street: &str,
    district: &str,
    reps: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let http = reqwest::Client::new();
    let n = (reps * 10).max(20);
    let kinds = "kinds=partnership,resource,mass,social,member&group=district";
    let graph = |scope: &str, ext: &str| {
        format!("{base}/api/v1/graph{ext}?scope={scope}&as_of=2026-06-30&{kinds}")
    };
    // The graph index is built by the first request of a network version: not timed (and
    // without positions, so the first timed request of each scope lays its positions out).
    timed_gets(
        &http,
        &format!("{}&positions=false", graph(street, "")),
        token,
        1,
    )
    .await?;
    let (street_cold, _) = timed_gets(&http, &graph(street, ""), token, 1).await?;
    let (district_bare, _) = timed_gets(
        &http,
        &format!("{}&positions=false", graph(district, "")),
        token,
        1,
    )
    .await?;
    let (district_cold, _) = timed_gets(&http, &graph(district, ""), token, 1).await?;
    let coverage = format!("{base}/api/v1/coverage?scope={street}&as_of=2026-06-30");
    timed_gets(&http, &coverage, token, 3).await?;
    let (base_med, base_p90) = timed_gets(&http, &coverage, token, n).await?;
    println!(
        "| HTTP request (loopback, client-side) | runs | median ms | p90 ms | × baseline | target ms | target ÷ median |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| baseline: GET /api/v1/coverage?scope={street} | {n} | {base_med:.2} | {base_p90:.2} | 1.0 | — | — |"
    );
    println!(
        "| GET /api/v1/graph?scope={district}&positions=false, first request | 1 | {district_bare:.2} | — | {:.1} | — | — |",
        district_bare / base_med
    );
    for (name, ms, target) in [(street, street_cold, "50"), (district, district_cold, "—")] {
        println!(
            "| GET /api/v1/graph?scope={name}, first request (positions laid out, then kept) | 1 | {ms:.2} | — | {:.1} | {target} | {} |",
            ms / base_med,
            if target == "50" {
                format!("{:.1}", 50.0 / ms)
            } else {
                "—".to_string()
            }
        );
    }
    for (name, url, target) in [
        (
            format!("GET /api/v1/graph?scope={street} (all kinds)"),
            graph(street, ""),
            Some(50.0),
        ),
        (
            format!("GET /api/v1/graph.gexf?scope={street}"),
            graph(street, ".gexf"),
            Some(50.0),
        ),
        (
            format!("GET /api/v1/graph?scope={district} (folded per street)"),
            graph(district, ""),
            None,
        ),
    ] {
        let (med, p90) = timed_gets(&http, &url, token, n).await?;
        let (t, r) = match target {
            Some(t) => (format!("{t:.0}"), format!("{:.1}", t / med)),
            None => ("—".into(), "—".into()),
        };
        println!(
            "| {name} | {n} | {med:.2} | {p90:.2} | {:.1} | {t} | {r} |",
            med / base_med
        );
    }
    let mut cold = Vec::new();
    for year in [2026, 2025, 2024, 2023] {
        let url = format!(
            "{base}/api/v1/trend?scope={district}&from={}-07-01&to={year}-06-30&step=month",
            year - 1
        );
        cold.push(timed_gets(&http, &url, token, 1).await?.0);
    }
    cold.sort_by(f64::total_cmp);
    let url =
        format!("{base}/api/v1/trend?scope={district}&from=2025-07-01&to=2026-06-30&step=month");
    let (warm, warm_p90) = timed_gets(&http, &url, token, n).await?;
    println!(
        "| GET /api/v1/trend?scope={district} (12 months), cold: first request for each of 4 disjoint years | 4 | {:.1} | max {:.1} | {:.1} | 1000 | {:.2} |",
        (cold[1] + cold[2]) / 2.0,
        cold[3],
        (cold[1] + cold[2]) / 2.0 / base_med,
        1000.0 / cold[3]
    );
    println!(
        "| GET /api/v1/trend?scope={district} (12 months), again | {n} | {warm:.2} | {warm_p90:.2} | {:.1} | 1000 | {:.1} |",
        warm / base_med,
        1000.0 / warm
    );
    println!();
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: page_draw BUNDLE.json [REPS]")?;
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let dir = tempfile::tempdir()?;
    // A SQLite file is used as it is; a bundle file is imported into a temporary one.
    let (store, bundle) = if path.ends_with(".db") {
        let store = Arc::new(SqliteStore::open(std::path::Path::new(&path))?);
        let bundle = store.load()?;
        (store, bundle)
    } else {
        let bundle = dangjian_bundle_io::read_path(std::path::Path::new(&path))?;
        let store = Arc::new(SqliteStore::open(&dir.path().join("page.db"))?);
        store.replace(&bundle)?;
        (store, bundle)
    };
    let Biggest {
        street, district, ..
    } = biggest_areas(&bundle).ok_or("the network has no committee in a street")?;
    let (_, admin) = tokens::create(store.as_ref(), TokenRole::Admin, None)?;
    let dyn_store: Arc<dyn Store> = store.clone();
    let config = ServeConfig {
        addr: "127.0.0.1:0".parse()?,
        ..ServeConfig::default()
    };
    let app = Application::with_state(AppState::load(dyn_store, config).await?).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending::<()>()));
    http_figures(&base, &admin, &street, &district, reps).await?;

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
        "| scope | visit | nodes | layout | fetch + draw ms (median of {reps}) | fetch | construct | layout | paint | JS calibration ms | × calibration | target ms | target ÷ median |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut calib = Vec::new();
    const JS_CALIBRATION: &str = "const t = performance.now(); const a = new Float64Array(1000000); \
        let s = 20260630; for (let i = 0; i < a.length; i += 1) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = s; } \
        a.sort(); return performance.now() - t;";
    for (scope, target) in [(&street, 1000.0), (&district, 3000.0)] {
        for (visit, as_of) in [
            ("first (server positions)", "2026-06-30"),
            ("another date", "2026-03-31"),
        ] {
            let mut times = Vec::new();
            let mut parts: Vec<[f64; 4]> = Vec::new();
            let mut js = Vec::new();
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
                    // Positions a tab laid out itself are kept: forget them.
                    c.execute("Object.keys(sessionStorage).filter(k => k.startsWith('dangjian-pos')).forEach(k => sessionStorage.removeItem(k)); return 1", vec![]).await?;
                }
                c.refresh().await?;
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    let v = c
                        .execute("const n = document.getElementById('network'); const d = n.dataset; return d.state === 'ready' ? [d.drawMs, d.nodes, d.layout, d.fetchMs, d.constructMs, d.layoutRunMs, d.paintMs] : null", vec![])
                        .await?;
                    if let Some(a) = v.as_array() {
                        let s = |i: usize| a[i].as_str().unwrap_or("").to_string();
                        let f = |i: usize| s(i).parse::<f64>().unwrap_or(f64::NAN);
                        times.push(f(0));
                        parts.push([f(3), f(4), f(5), f(6)]);
                        info = (s(1), s(2));
                        let cal = c.execute(JS_CALIBRATION, vec![]).await?;
                        js.push(cal.as_f64().unwrap_or(f64::NAN));
                        break;
                    }
                    if Instant::now() > deadline {
                        return Err(format!("{scope}: not drawn within 120 s").into());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            // What was drawn, for a look (target/web-screenshots/page-draw-*.png).
            let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/web-screenshots");
            if std::fs::create_dir_all(&shots).is_ok() {
                let png = c.screenshot().await?;
                let name = format!("page-draw-{scope}-{}.png", as_of);
                std::fs::write(shots.join(name), png)?;
            }
            let med = |mut v: Vec<f64>| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let draw = med(times);
            let part = |i: usize| med(parts.iter().map(|p| p[i]).collect());
            let js = med(js);
            println!(
                "| {scope} | {visit} | {} | {} | {draw:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {js:.0} | {:.1} | {target:.0} | {:.2} |",
                info.0,
                info.1,
                part(0),
                part(1),
                part(2),
                part(3),
                draw / js,
                target / draw
            );
        }
    }
    println!(
        "\nRust calibration (sort 1M u64, this process) median: {:.1} ms",
        median(calib).as_secs_f64() * 1000.0
    );
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
    Ok(())
}
