//! End-to-end tests of the planners' web page in a real headless Chromium, driven through
//! chromedriver (WebDriver) with fantoccini: token entry, scope picker, the SVG diagram and
//! both tables, the gaps view, the checklist CSV download, a coordinator's street list, and a
//! bad token. Needs Debian `chromium` and `chromium-driver` (`scripts/setup` installs them);
//! without them the test fails and says so. Every wait is bounded; everything is on 127.0.0.1.

use crate::diagrams::{AS_OF, spawn_sample};
use crate::helpers::TestApp;
use fantoccini::actions::{
    InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, WheelAction, WheelActions,
};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Longest wait for any one thing on the page.
const WAIT: Duration = Duration::from_secs(30);
/// Longest the whole scenario may take.
const SCENARIO: Duration = Duration::from_secs(240);

/// A chromedriver process on a free port, killed on drop, with its browser's profile and
/// download folders.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
    downloads: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

async fn start_driver() -> Driver {
    for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: the web page tests need a real headless Chromium. Run \
             scripts/setup (it installs the Debian packages chromium and chromium-driver), \
             or `sudo apt-get install {package}`"
        );
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let downloads = tempfile::tempdir().expect("download dir");
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg(format!(
            "--log-path={}",
            profile.path().join("chromedriver.log").display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}; run scripts/setup"));
    let mut driver = Driver {
        child,
        port,
        profile,
        downloads,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        if let Ok(Some(status)) = driver.child.try_wait() {
            panic!("chromedriver exited early ({status}); run scripts/setup");
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on 127.0.0.1:{port} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn connect(driver: &Driver) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                format!("--user-data-dir={}", driver.profile.path().display()),
            ],
            "prefs": {
                "download.default_directory": driver.downloads.path().display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            },
        },
    });
    let caps = caps
        .as_object()
        .cloned()
        .expect("capabilities are an object");
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .unwrap_or_else(|e| {
            panic!("cannot start a Chromium session through chromedriver: {e}; run scripts/setup")
        })
}

/// Poll `probe` every 100 ms until it yields a value, for at most [`WAIT`].
async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Run a script in the page and return its value.
async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

async fn js_string(c: &Client, script: &str) -> String {
    js(c, script).await.as_str().unwrap_or_default().to_string()
}

/// Wait for a script to return a truthy value.
async fn wait_js(c: &Client, what: &str, script: &str) {
    wait_for(what, || async {
        let v = c.execute(script, vec![]).await.ok()?;
        match v {
            Value::Bool(true) => Some(()),
            Value::Number(n) if n.as_f64().is_some_and(|x| x != 0.0) => Some(()),
            Value::String(s) if !s.is_empty() => Some(()),
            _ => None,
        }
    })
    .await
}

async fn enter_token(c: &Client, token: &str) {
    let input = c.find(Locator::Id("token")).await.expect("token input");
    input.clear().await.expect("clear token");
    input.send_keys(token).await.expect("type the token");
    c.find(Locator::Id("token-use"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click 使用令牌");
}

async fn select(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("select #{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("pick {value} in #{id}: {e}"));
}

async fn option_values(c: &Client, id: &str) -> Vec<String> {
    let v = js(
        c,
        &format!(
            "return [...document.getElementById('{id}').options].map(o => o.value).filter(v => v)"
        ),
    )
    .await;
    serde_json::from_value(v).expect("option values")
}

async fn svg_text(c: &Client) -> String {
    js_string(
        c,
        "const s = document.querySelector('#diagram svg'); return s ? s.textContent : ''",
    )
    .await
}

/// The finished download with this extension (Chromium writes `.crdownload` first).
fn downloaded(dir: &Path, ext: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.extension().and_then(|e| e.to_str()) == Some(ext)
                && std::fs::metadata(p).is_ok_and(|m| m.len() > 0)
        })
}

async fn scenario(c: Client, app: &TestApp, downloads: PathBuf) {
    c.goto(&app.url("/")).await.expect("open the page");
    wait_js(
        &c,
        "the page script",
        "return document.body.dataset.ready === 'true'",
    )
    .await;
    assert_eq!(
        js_string(&c, "return document.title").await,
        "党建图谱 · 规划工作台"
    );

    // An admin token; the sample's analytics date.
    enter_token(&c, &app.tokens.admin).await;
    wait_js(
        &c,
        "the district list",
        "return document.getElementById('district').dataset.loaded",
    )
    .await;
    assert_eq!(
        js(&c, "return sessionStorage.getItem('dangjian-token')").await,
        json!(app.tokens.admin),
        "the token is kept in sessionStorage"
    );
    let mut districts = option_values(&c, "district").await;
    districts.sort();
    assert_eq!(districts, ["D-JA", "D-PT", "D-SJ"]);
    js(
        &c,
        &format!(
            "const d = document.getElementById('as-of'); d.value = '{AS_OF}'; \
             d.dispatchEvent(new Event('change')); return d.value"
        ),
    )
    .await;

    // District → street.
    select(&c, "district", "D-SJ").await;
    wait_js(
        &c,
        "the street list",
        "return document.getElementById('street').dataset.loaded",
    )
    .await;
    let streets = option_values(&c, "street").await;
    assert!(streets.contains(&"S-JLT".to_string()) && streets.contains(&"S-SJ".to_string()));
    assert!(
        !streets.contains(&"S-TP".to_string()),
        "桃浦镇 is in 普陀区"
    );
    select(&c, "street", "S-JLT").await;

    // The diagram and both tables.
    wait_js(
        &c,
        "the hierarchy SVG of 九里亭街道",
        "const d = document.getElementById('diagram'); const s = d.querySelector('svg'); \
         return d.dataset.state === 'ready' && !!s && s.textContent.includes('亭谊居委会')",
    )
    .await;
    let hierarchy = svg_text(&c).await;
    assert!(
        hierarchy.contains("组织架构图"),
        "the hierarchy view's title"
    );
    assert!(!hierarchy.contains("空白点与资源缺口图"));
    let note = js_string(
        &c,
        "return document.getElementById('diagram-note').textContent",
    )
    .await;
    assert!(
        note.contains("九里亭街道") && note.contains(AS_OF),
        "the title is shown above the diagram: {note}"
    );
    wait_js(
        &c,
        "coverage rows",
        "return Number(document.getElementById('coverage-table').dataset.rows) > 0",
    )
    .await;
    wait_js(
        &c,
        "gaps rows",
        "return Number(document.getElementById('gaps-table').dataset.rows) > 0",
    )
    .await;
    let coverage = js_string(
        &c,
        "return document.getElementById('coverage-table').tBodies[0].textContent",
    )
    .await;
    assert!(coverage.contains("亭谊居委会") && coverage.contains("新梅居委会"));
    assert!(!coverage.contains("泗泾"), "only 九里亭街道's committees");

    // Sorting by clicking a header (报到党员, the fourth column), both ways.
    let column = |dir: &str| {
        format!(
            "const t = document.getElementById('coverage-table'); \
             const th = t.tHead.rows[0].cells[3]; \
             const v = [...t.tBodies[0].rows].map(r => Number(r.cells[3].textContent.replace(/,/g, ''))); \
             return th.getAttribute('aria-sort') === '{dir}' && v.length > 1 && \
                    v.every((x, i) => i === 0 || ('{dir}' === 'ascending' ? v[i - 1] <= x : v[i - 1] >= x))"
        )
    };
    js(
        &c,
        "document.getElementById('coverage-table').tHead.rows[0].cells[3].click(); return 1",
    )
    .await;
    wait_js(&c, "ascending sort", &column("ascending")).await;
    js(
        &c,
        "document.getElementById('coverage-table').tHead.rows[0].cells[3].click(); return 1",
    )
    .await;
    wait_js(&c, "descending sort", &column("descending")).await;

    // Zoom in with the button, then reset.
    let view_box = "return document.querySelector('#diagram svg').getAttribute('viewBox')";
    let original = js_string(&c, view_box).await;
    c.find(Locator::Id("zoom-in"))
        .await
        .expect("+")
        .click()
        .await
        .expect("zoom in");
    let zoomed = js_string(&c, view_box).await;
    assert_ne!(zoomed, original, "zooming changes the viewBox");
    let width = |vb: &str| -> f64 {
        vb.split_whitespace()
            .nth(2)
            .and_then(|w| w.parse().ok())
            .unwrap_or(f64::NAN)
    };
    assert!(width(&zoomed) < width(&original), "{zoomed} vs {original}");
    c.find(Locator::Id("zoom-reset"))
        .await
        .expect("复位")
        .click()
        .await
        .expect("reset");
    assert_eq!(js_string(&c, view_box).await, original);
    let numbers = |vb: &str| -> Vec<f64> {
        vb.split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    // Drag with the real mouse: the view moves, its size stays.
    let area = c.find(Locator::Id("diagram")).await.expect("diagram area");
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: area.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: 120.0,
            y: 60.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag the diagram");
    let dragged = numbers(&js_string(&c, view_box).await);
    let before = numbers(&original);
    assert!(
        dragged[0] < before[0] && dragged[1] < before[1],
        "{dragged:?} vs {before:?}"
    );
    assert!(
        (dragged[2] - before[2]).abs() < 1e-6,
        "a drag does not zoom"
    );
    // The mouse wheel over the diagram zooms in (scrolling up), around the pointer.
    let centre: Vec<i64> = serde_json::from_value(
        js(
            &c,
            "const r = document.getElementById('diagram').getBoundingClientRect(); \
             return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]",
        )
        .await,
    )
    .expect("centre");
    let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
        duration: None,
        x: centre[0],
        y: centre[1],
        delta_x: 0,
        delta_y: -300,
    });
    c.perform_actions(wheel)
        .await
        .expect("wheel over the diagram");
    wait_for("the wheel zoom", || async {
        let now = numbers(c.execute(view_box, vec![]).await.ok()?.as_str()?);
        (now.len() == 4 && now[2] < dragged[2]).then_some(())
    })
    .await;
    c.find(Locator::Id("zoom-reset"))
        .await
        .expect("复位")
        .click()
        .await
        .expect("reset");
    assert_eq!(js_string(&c, view_box).await, original);

    // The gaps view.
    select(&c, "view", "gaps").await;
    wait_js(
        &c,
        "the gaps SVG",
        "const d = document.getElementById('diagram'); const s = d.querySelector('svg'); \
         return d.dataset.state === 'ready' && d.dataset.view === 'gaps' && !!s && \
                s.textContent.includes('空白点与资源缺口图')",
    )
    .await;
    let gaps = svg_text(&c).await;
    assert_ne!(gaps, hierarchy);
    assert!(gaps.contains("图例"), "the gaps view has a legend");
    assert!(
        gaps.contains("需求满足情况"),
        "the gaps view's demand table"
    );

    // The checklist CSV of 九里亭街道's party org, downloaded through fetch + Blob.
    wait_js(
        &c,
        "the checklist buttons",
        "return !document.getElementById('dl-csv').disabled",
    )
    .await;
    let org_label = js_string(
        &c,
        "return document.getElementById('checklist-org').textContent",
    )
    .await;
    assert!(org_label.contains("九里亭街道"), "{org_label}");
    c.find(Locator::Id("dl-csv"))
        .await
        .expect("CSV button")
        .click()
        .await
        .expect("click 责任清单 CSV");
    let file = wait_for("the downloaded checklist CSV", || async {
        downloaded(&downloads, "csv")
    })
    .await;
    let csv = std::fs::read_to_string(&file).expect("read the download");
    let csv = csv.trim_start_matches('\u{feff}');
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(dangjian_engine::CHECKLIST_HEADER.join(",").as_str()),
        "header row"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "checklist items");
    assert!(
        rows.iter()
            .any(|r| r.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))),
        "a Chinese item in {rows:?}"
    );
    // Exactly what the API gives for the street's org with its subtree.
    let orgs = app
        .get("/api/v1/party-orgs?leads=S-JLT", &app.tokens.admin)
        .await
        .1;
    let org = orgs["items"][0]["id"]
        .as_str()
        .expect("the street's org")
        .to_string();
    let direct = app
        .client
        .get(app.url(&format!(
            "/api/v1/party-orgs/{org}/checklist?format=csv&as_of={AS_OF}&subtree=true"
        )))
        .bearer_auth(&app.tokens.admin)
        .send()
        .await
        .expect("checklist")
        .text()
        .await
        .expect("csv");
    assert_eq!(csv, direct.trim_start_matches('\u{feff}'));

    // A coordinator of 九里亭街道 can pick only their own street.
    enter_token(&c, &app.tokens.coord).await;
    wait_js(
        &c,
        "the coordinator's district and street lists",
        "const d = document.getElementById('district'); \
         return d.dataset.loaded === '1' && d.value === 'D-SJ' && \
                !!document.getElementById('street').dataset.loaded",
    )
    .await;
    assert_eq!(option_values(&c, "district").await, ["D-SJ"]);
    let streets = option_values(&c, "street").await;
    assert_eq!(streets, ["S-JLT"]);
    assert!(
        !streets.contains(&"S-SJ".to_string()),
        "泗泾镇 is another street"
    );
    wait_js(
        &c,
        "the coordinator's diagram",
        "const s = document.querySelector('#diagram svg'); return !!s && s.textContent.includes('亭谊居委会')",
    )
    .await;

    // A bad token.
    enter_token(&c, "not-a-real-token").await;
    wait_js(
        &c,
        "the bad-token message",
        "const m = document.getElementById('message'); \
         return !m.hidden && m.textContent.includes('令牌无效或已撤销')",
    )
    .await;
    assert_eq!(
        js(&c, "return document.getElementById('workspace').hidden").await,
        json!(true)
    );
    assert_eq!(
        js(&c, "return sessionStorage.getItem('dangjian-token')").await,
        Value::Null,
        "a rejected token is forgotten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_in_headless_chromium() {
    let app = spawn_sample().await;
    let driver = start_driver().await;
    let client = connect(&driver).await;
    let downloads = driver.downloads.path().to_path_buf();
    let c = client.clone();
    // In its own task so a failed assertion still lets the browser be closed below.
    let task = tokio::spawn(async move { scenario(c, &app, downloads).await });
    let abort = task.abort_handle();
    let outcome = tokio::time::timeout(SCENARIO, task).await;
    abort.abort();
    let _ = client.close().await;
    drop(driver);
    match outcome {
        Err(_) => panic!("the browser scenario took longer than {SCENARIO:?}"),
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("the browser scenario failed: {e}"),
        Ok(Ok(())) => {}
    }
}
