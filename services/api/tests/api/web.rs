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

/// What a script returns, read as `T`.
async fn js_as<T: serde::de::DeserializeOwned>(c: &Client, script: &str) -> T {
    let v = js(c, script).await;
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{script} returned {v}: {e}"))
}

/// A property of the element with this id (`prop(c, "side", "dataset.node")`).
async fn prop(c: &Client, id: &str, property: &str) -> Value {
    js(
        c,
        &format!("return document.getElementById('{id}').{property}"),
    )
    .await
}

/// A text property of the element with this id.
async fn prop_string(c: &Client, id: &str, property: &str) -> String {
    js_string(
        c,
        &format!("return document.getElementById('{id}').{property}"),
    )
    .await
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

/// Opens `url` and waits for the page script to be ready.
async fn open_page(c: &Client, url: &str) {
    c.goto(url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    wait_js(
        c,
        "the page script",
        "return document.body.dataset.ready === 'true'",
    )
    .await;
}

/// Clicks the element with this id.
async fn click_id(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

async fn enter_token(c: &Client, token: &str) {
    let input = c.find(Locator::Id("token")).await.expect("token input");
    input.clear().await.expect("clear token");
    input.send_keys(token).await.expect("type the token");
    click_id(c, "token-use").await;
}

async fn select(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("select #{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("pick {value} in #{id}: {e}"));
}

/// Sets the date picker as a planner would (a `change` event follows).
async fn set_date(c: &Client, date: &str) {
    js(
        c,
        &format!(
            "const d = document.getElementById('as-of'); d.value = '{date}'; \
             d.dispatchEvent(new Event('change')); return 1"
        ),
    )
    .await;
}

async fn option_values(c: &Client, id: &str) -> Vec<String> {
    js_as(
        c,
        &format!(
            "return [...document.getElementById('{id}').options].map(o => o.value).filter(v => v)"
        ),
    )
    .await
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
    open_page(&c, &app.url("/")).await;
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
    assert_eq!(districts, ["D-JA", "D-PT", "D-SJ", "city"], "三个区和全市");
    set_date(&c, AS_OF).await;

    // The print diagrams (打印版); the interactive views have their own test.
    select(&c, "view", "hierarchy").await;

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
        // The district's diagram may still be on screen while the street's loads: wait for
        // the street's hierarchy itself (its title names the street).
        "const d = document.getElementById('diagram'); const s = d.querySelector('svg'); \
         return d.dataset.state === 'ready' && !!s && s.textContent.includes('亭谊居委会') \
           && s.textContent.includes('九里亭街道 · 组织架构图')",
    )
    .await;
    let hierarchy = svg_text(&c).await;
    assert!(
        hierarchy.contains("组织架构图"),
        "the hierarchy view's title"
    );
    assert!(!hierarchy.contains("空白点与资源缺口图"));
    let note = prop_string(&c, "diagram-note", "textContent").await;
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
    let coverage = prop_string(&c, "coverage-table", "tBodies[0].textContent").await;
    assert!(coverage.contains("亭谊居委会") && coverage.contains("新梅居委会"));
    assert!(!coverage.contains("泗泾"), "only 九里亭街道's committees");

    // Sorting by clicking a header (报到党员, the sixth column), both ways.
    let column = |dir: &str| {
        format!(
            "const t = document.getElementById('coverage-table'); \
             const th = t.tHead.rows[0].cells[5]; \
             const v = [...t.tBodies[0].rows].map(r => Number(r.cells[5].textContent.replace(/,/g, ''))); \
             return th.getAttribute('aria-sort') === '{dir}' && v.length > 1 && \
                    v.every((x, i) => i === 0 || ('{dir}' === 'ascending' ? v[i - 1] <= x : v[i - 1] >= x))"
        )
    };
    js(
        &c,
        "document.getElementById('coverage-table').tHead.rows[0].cells[5].click(); return 1",
    )
    .await;
    wait_js(&c, "ascending sort", &column("ascending")).await;
    js(
        &c,
        "document.getElementById('coverage-table').tHead.rows[0].cells[5].click(); return 1",
    )
    .await;
    wait_js(&c, "descending sort", &column("descending")).await;

    // Zoom in with the button, then reset.
    let view_box = "return document.querySelector('#diagram svg').getAttribute('viewBox')";
    let original = js_string(&c, view_box).await;
    click_id(&c, "zoom-in").await;
    let zoomed = js_string(&c, view_box).await;
    assert_ne!(zoomed, original, "zooming changes the viewBox");
    let width = |vb: &str| -> f64 {
        vb.split_whitespace()
            .nth(2)
            .and_then(|w| w.parse().ok())
            .unwrap_or(f64::NAN)
    };
    assert!(width(&zoomed) < width(&original), "{zoomed} vs {original}");
    click_id(&c, "zoom-reset").await;
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
    click_id(&c, "zoom-reset").await;
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
    let org_label = prop_string(&c, "checklist-org", "textContent").await;
    assert!(org_label.contains("九里亭街道"), "{org_label}");
    click_id(&c, "dl-csv").await;
    let file = wait_for("the downloaded checklist CSV", || async {
        downloaded(&downloads, "csv")
    })
    .await;
    let csv = std::fs::read_to_string(&file).expect("read the download");
    let csv = csv.trim_start_matches('\u{feff}');
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(dangjian_export::CHECKLIST_HEADER_ZH.join(",").as_str()),
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
    assert_eq!(prop(&c, "workspace", "hidden").await, json!(true));
    assert_eq!(
        js(&c, "return sessionStorage.getItem('dangjian-token')").await,
        Value::Null,
        "a rejected token is forgotten"
    );
}

/// Runs `scenario` against the sample service in a fresh headless Chromium, in its own task so
/// that a failed assertion still lets the browser be closed, within [`SCENARIO`]; a panic in
/// the scenario is the test's.
async fn in_chromium<F, Fut>(what: &str, scenario: F)
where
    F: FnOnce(Client, TestApp, PathBuf) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let app = spawn_sample().await;
    let driver = start_driver().await;
    let client = connect(&driver).await;
    let downloads = driver.downloads.path().to_path_buf();
    let task = tokio::spawn(scenario(client.clone(), app, downloads));
    let abort = task.abort_handle();
    let outcome = tokio::time::timeout(SCENARIO, task).await;
    abort.abort();
    let _ = client.close().await;
    drop(driver);
    match outcome {
        Err(_) => panic!("the {what} took longer than {SCENARIO:?}"),
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("the {what} failed: {e}"),
        Ok(Ok(())) => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_in_headless_chromium() {
    in_chromium("browser scenario", |c, app, downloads| async move {
        scenario(c, &app, downloads).await
    })
    .await;
}

/// Where screenshots go (test artifacts): `target/web-screenshots/`.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/web-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(screenshot_dir().join(name), png).expect("write screenshot");
}

/// The rendered position of a network node, in viewport pixels.
async fn node_point(c: &Client, id: &str) -> (i64, i64) {
    let xy: Vec<i64> = js_as(
        c,
        &format!(
            "const n = window.dangjianCy.getElementById('{id}'); const p = n.renderedPosition(); \
             const r = document.getElementById('network').getBoundingClientRect(); \
             return [Math.round(r.left + p.x), Math.round(r.top + p.y)]"
        ),
    )
    .await;
    (xy[0], xy[1])
}

async fn click_at(c: &Client, x: i64, y: i64) {
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x as f64,
            y: y as f64,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(click).await.expect("click");
    c.release_actions().await.expect("release");
}

/// Clicks a network node where it is drawn and waits for its side panel.
async fn click_node(c: &Client, id: &str) {
    let (x, y) = node_point(c, id).await;
    click_at(c, x, y).await;
    wait_js(
        c,
        &format!("the side panel of {id}"),
        &format!("return document.getElementById('side').dataset.node === '{id}'"),
    )
    .await;
}

async fn model_position(c: &Client, id: &str) -> Vec<f64> {
    js_as(
        c,
        &format!(
            "const p = window.dangjianCy.getElementById('{id}').position(); return [p.x, p.y]"
        ),
    )
    .await
}

const NETWORK_READY: &str = "const n = document.getElementById('network'); \
     return n.dataset.state === 'ready' && !!window.dangjianCy";

async fn network_scenario(c: Client, app: &TestApp) {
    let sample = crate::diagrams::sample();
    c.set_window_size(1440, 900).await.expect("1440×900");
    // A shared URL: scope, view and date come back from it once a token is given.
    open_page(
        &c,
        &app.url(&format!("/?scope=S-JLT&view=network&as_of={AS_OF}")),
    )
    .await;
    enter_token(&c, &app.tokens.admin).await;
    wait_js(&c, "the network of 九里亭街道", NETWORK_READY).await;
    // Drawn where the service placed the nodes: no force layout in the page.
    assert_eq!(prop_string(&c, "network", "dataset.layout").await, "server");
    let (_, _, body) = crate::graph::text(
        app,
        &format!("/api/v1/graph?scope=S-JLT&as_of={AS_OF}"),
        &app.tokens.admin,
    )
    .await;
    let served: Value = serde_json::from_str(&body).expect("graph json");
    let tingyi = served["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == "K-TINGYI")
        .expect("亭谊居委会 in the graph");
    assert_eq!(
        model_position(&c, "K-TINGYI").await,
        vec![
            tingyi["x"].as_f64().expect("x"),
            tingyi["y"].as_f64().expect("y")
        ],
        "the page draws the service's position"
    );
    assert_eq!(prop_string(&c, "view", "value").await, "network");
    assert_eq!(prop_string(&c, "as-of", "value").await, AS_OF);
    assert_eq!(prop_string(&c, "district", "value").await, "D-SJ");
    assert_eq!(prop_string(&c, "street", "value").await, "S-JLT");
    let url = c.current_url().await.expect("url").to_string();
    assert!(
        url.contains("scope=S-JLT")
            && url.contains("view=network")
            && url.contains(&format!("as_of={AS_OF}")),
        "{url}"
    );
    // 全市 is offered to a token that sees the whole city.
    assert!(
        option_values(&c, "district")
            .await
            .contains(&"city".to_string())
    );

    // 双报到 is drawn grouped by the employer's district, never from single units.
    let grouped = js(
        &c,
        "const cy = window.dangjianCy; const m = cy.edges('[kind=\"member\"]'); \
         return [m.length, m.filter(e => e.source().data('kind') === 'unit_group').length, \
                 cy.nodes('[kind=\"unit_group\"]').map(n => n.data('label'))]",
    )
    .await;
    assert!(grouped[0].as_u64().unwrap() > 0, "{grouped}");
    assert_eq!(
        grouped[0], grouped[1],
        "every 双报到 edge starts at a district group"
    );
    assert!(grouped[2].to_string().contains("松江区单位"), "{grouped}");
    screenshot(&c, "network-S-JLT-1440x900.png").await;

    // Click 亭谊居委会: its neighbours light up and its facts show in the side panel.
    click_node(&c, "K-TINGYI").await;
    let side = prop_string(&c, "side", "innerText").await;
    assert!(
        side.contains("亭谊居委会") && side.contains("覆盖情况"),
        "{side}"
    );
    assert!(
        side.contains("报到党员") && side.contains("志愿时长（近12个月）"),
        "{side}"
    );
    assert!(
        side.contains("需求与服务方") && side.contains("责任清单"),
        "{side}"
    );
    let lit = js(
        &c,
        "const cy = window.dangjianCy; const k = cy.getElementById('K-TINGYI'); \
         const hood = k.neighborhood('node'); \
         return [hood.length, hood.filter(n => n.hasClass('hl')).length, \
                 cy.nodes('.faded').length, k.hasClass('faded')]",
    )
    .await;
    assert!(lit[0].as_u64().unwrap() > 0, "{lit}");
    assert_eq!(lit[0], lit[1], "every neighbour is highlighted: {lit}");
    assert!(lit[2].as_u64().unwrap() > 0, "the rest is faded: {lit}");
    assert_eq!(lit[3], json!(false));
    screenshot(&c, "network-K-TINGYI-selected-1440x900.png").await;
    let before = model_position(&c, "K-TINGYI").await;

    // Toggle a link kind off: its edges disappear and the URL remembers it.
    c.find(Locator::Css("#kinds input[value='member']"))
        .await
        .expect("双报到 toggle")
        .click()
        .await
        .expect("untick 双报到");
    wait_js(
        &c,
        "双报到 hidden",
        "const cy = window.dangjianCy; return cy.edges('[kind=\"member\"]').every(e => e.style('display') === 'none') && \
         cy.edges('[kind=\"partnership\"]').some(e => e.style('display') !== 'none') && \
         location.search.includes('kinds=')",
    )
    .await;

    // A reload restores scope, view, date and filters, and the layout stays where it was.
    c.refresh().await.expect("reload");
    wait_js(&c, "the network after a reload", NETWORK_READY).await;
    assert_eq!(prop_string(&c, "street", "value").await, "S-JLT");
    assert_eq!(
        js(
            &c,
            "return document.querySelector(\"#kinds input[value='member']\").checked"
        )
        .await,
        json!(false)
    );
    assert_eq!(prop_string(&c, "network", "dataset.layout").await, "server");
    assert_eq!(
        model_position(&c, "K-TINGYI").await,
        before,
        "positions stable across a reload"
    );

    // Move the date slider back half a year: the date follows, the layout does not move.
    js(
        &c,
        "const s = document.getElementById('date-slider'); \
         s.value = String(Date.parse('2025-12-31T00:00:00Z') / 86400000); \
         s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return 1",
    )
    .await;
    wait_js(
        &c,
        "the network at 2025-12-31",
        "return document.getElementById('as-of').value === '2025-12-31' && \
         location.search.includes('as_of=2025-12-31') && \
         document.getElementById('network').dataset.state === 'ready'",
    )
    .await;
    assert_eq!(
        prop_string(&c, "slider-label", "textContent").await,
        "2025-12-31"
    );
    assert_eq!(
        model_position(&c, "K-TINGYI").await,
        before,
        "positions stable across dates"
    );

    // 重新布局 runs the force layout on demand; the tab keeps its result for the scope.
    click_id(&c, "net-relayout").await;
    wait_js(
        &c,
        "the force layout",
        "const n = document.getElementById('network'); return n.dataset.layout === 'fcose' && n.dataset.state === 'ready'",
    )
    .await;
    let relaid = model_position(&c, "K-TINGYI").await;
    assert_ne!(relaid, before, "the force layout moved 亭谊居委会");
    set_date(&c, AS_OF).await;
    wait_js(
        &c,
        "the network drawn from the tab's layout",
        "const n = document.getElementById('network'); return n.dataset.state === 'ready' && n.dataset.layout === 'cached'",
    )
    .await;
    assert_eq!(model_position(&c, "K-TINGYI").await, relaid);

    // A date before all data is flagged.
    set_date(&c, "2000-01-01").await;
    wait_js(
        &c,
        "the early-date warning",
        "const n = document.getElementById('date-note'); return !n.hidden && n.textContent.includes('早于所有数据')",
    )
    .await;

    // The org chart and the trend.
    select(&c, "view", "orgchart").await;
    wait_js(
        &c,
        "the org chart",
        "const o = document.getElementById('orgchart'); return o.dataset.state === 'ready' && \
         !!window.dangjianOrg && window.dangjianOrg.edges().length > 0",
    )
    .await;
    screenshot(&c, "orgchart-S-JLT-1440x900.png").await;
    set_date(&c, AS_OF).await;
    select(&c, "view", "trend").await;
    wait_js(
        &c,
        "the trend",
        "const t = document.getElementById('trend'); return t.dataset.state === 'ready' && t.dataset.points === '12'",
    )
    .await;
    screenshot(&c, "trend-S-JLT-1440x900.png").await;
    // The tables name committees and say which hours they count.
    let head = prop_string(&c, "coverage-table", "tHead.textContent").await;
    assert!(head.contains("志愿时长（近12个月）"), "{head}");
    let gaps_head = prop_string(&c, "gaps-table", "tHead.textContent").await;
    for col in ["需求量", "已满足", "未满足", "原因", "可对接"] {
        assert!(gaps_head.contains(col), "{gaps_head}");
    }

    // Clicking 使用令牌 again with an empty field keeps everything shown.
    click_id(&c, "token-use").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        option_values(&c, "district").await.len() >= 3,
        "the district list stays"
    );
    assert_eq!(prop_string(&c, "street", "value").await, "S-JLT");

    // Nothing but this service was asked for anything.
    let requests = js(
        &c,
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])",
    )
    .await;
    let requests: Vec<String> = serde_json::from_value(requests).expect("urls");
    assert!(requests.len() > 5, "{requests:?}");
    for u in &requests {
        assert!(
            u.starts_with(&app.base),
            "a request outside the service: {u}"
        );
    }

    // A viewer sees no person's full name anywhere on the page.
    js(&c, "sessionStorage.clear(); return 1").await;
    open_page(
        &c,
        &app.url(&format!("/?scope=S-JLT&view=network&as_of={AS_OF}")),
    )
    .await;
    enter_token(&c, &app.tokens.viewer).await;
    wait_js(&c, "the viewer's network", NETWORK_READY).await;
    click_node(&c, "K-TINGYI").await;
    wait_js(
        &c,
        "the tables",
        "return Number(document.getElementById('coverage-table').dataset.rows) > 0",
    )
    .await;
    let text = js_string(&c, "return document.body.innerText").await;
    for m in &sample.members {
        assert!(
            !text.contains(&m.name),
            "a member's name on the viewer's page"
        );
    }
    for o in &sample.party_orgs {
        assert!(
            !text.contains(&o.secretary),
            "a secretary's name on the viewer's page"
        );
    }
    screenshot(&c, "network-viewer-1440x900.png").await;

    // A coordinator of 九里亭 opening a link to 泗泾镇 is refused, and nothing can be downloaded.
    js(&c, "sessionStorage.clear(); return 1").await;
    open_page(&c, &app.url("/?scope=S-SJ&view=network")).await;
    enter_token(&c, &app.tokens.coord).await;
    wait_js(
        &c,
        "the refusal",
        "const m = document.getElementById('message'); return !m.hidden && m.textContent.includes('权限')",
    )
    .await;
    let enabled = js(
        &c,
        "return ['dl-svg','dl-png','dl-dot','dl-csv','dl-xlsx','dl-graphml','dl-gexf'].filter(id => !document.getElementById(id).disabled)",
    )
    .await;
    assert_eq!(enabled, json!([]), "downloads after a 403");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_view_in_headless_chromium() {
    in_chromium("network scenario", |c, app, _| async move {
        network_scenario(c, &app).await
    })
    .await;
}

/// The total demand the gaps summary shows (`需求 1,234，…`), once it shows one (a refresh
/// empties the summary before it fills it again).
async fn shown_demand(c: &Client) -> u64 {
    wait_for("the demand in the gaps summary", || async {
        let text = prop_string(c, "gaps-summary", "textContent").await;
        let after = text.split("需求 ").nth(1).unwrap_or("");
        let digits: String = after
            .chars()
            .take_while(|ch| ch.is_ascii_digit() || *ch == ',')
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
    .await
}

async fn choose_and_upload(c: &Client, file: &Path) {
    let input = c
        .find(Locator::Id("upload-file"))
        .await
        .expect("file input");
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    click_id(c, "upload").await;
}

async fn upload_scenario(c: Client, app: &TestApp, downloads: PathBuf) {
    use crate::upload::{bad_needs, workbook};
    open_page(
        &c,
        &app.url(&format!("/?scope=S-JLT&view=hierarchy&as_of={AS_OF}")),
    )
    .await;
    enter_token(&c, &app.tokens.admin).await;
    wait_js(
        &c,
        "the gaps summary",
        "return document.getElementById('gaps-summary').textContent.includes('需求')",
    )
    .await;
    let before = shown_demand(&c).await;
    let (_, needs) = app.get("/api/v1/needs?limit=1000", &app.tokens.admin).await;
    let needs_before = needs["total"].clone();

    // A bad workbook: every problem listed with sheet, row, field and a Chinese message;
    // nothing changed.
    let files = tempfile::tempdir().expect("dir");
    let bad = files.path().join("坏的.xlsx");
    std::fs::write(&bad, bad_needs()).expect("write");
    choose_and_upload(&c, &bad).await;
    wait_js(
        &c,
        "the problem list",
        "return !document.getElementById('upload-problems').hidden",
    )
    .await;
    let rows = js(
        &c,
        "return [...document.querySelectorAll('#upload-table tbody tr')].map(tr => \
         [...tr.cells].map(td => td.textContent))",
    )
    .await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).expect("rows");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.contains(&vec![
            "needs".to_string(),
            "3".to_string(),
            "committee".to_string(),
            "「committee」引用的「K404」不存在（没有这个编号的居委会）".to_string()
        ]),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r[1] == "2" && r[2] == "domain"),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r[1] == "4" && r[2] == "demand"),
        "{rows:?}"
    );
    assert!(
        prop_string(&c, "upload-status", "textContent")
            .await
            .contains("未做任何更改")
    );
    screenshot(&c, "upload-problems-1440x900.png").await;
    assert_eq!(
        shown_demand(&c).await,
        before,
        "the page shows the same numbers"
    );
    let (_, needs) = app.get("/api/v1/needs?limit=1000", &app.tokens.admin).await;
    assert_eq!(needs["total"], needs_before, "nothing stored changed");

    // A good one: the problem list goes, the summary's demand grows by the row's demand.
    let good = files.path().join("good.xlsx");
    std::fs::write(
        &good,
        workbook(&dangjian_model::Bundle {
            needs: (vec![dangjian_model::Need {
                id: "N-UPLOAD-1".into(),
                committee: "K-TINGYI".into(),
                domain: dangjian_model::ServiceDomain::Employment,
                demand: 37,
            }])
            .into(),
            ..Default::default()
        }),
    )
    .expect("write");
    choose_and_upload(&c, &good).await;
    wait_js(
        &c,
        "the upload to finish",
        "return document.getElementById('upload-status').textContent.includes('已上传 1 行')",
    )
    .await;
    assert_eq!(prop(&c, "upload-problems", "hidden").await, json!(true));
    wait_for("the new demand on the page", || async {
        (shown_demand(&c).await == before + 37).then_some(())
    })
    .await;
    screenshot(&c, "upload-done-1440x900.png").await;

    // 下载模板: the header-only workbook arrives as a download.
    click_id(&c, "dl-template").await;
    let template = wait_for("the template download", || async {
        downloaded(&downloads, "xlsx")
    })
    .await;
    let read = dangjian_bundle_io::decode_path_located(&template).expect("a workbook");
    assert_eq!(
        read.bundle.row_count(),
        0,
        "the template holds headers only"
    );
    assert!(read.problems.is_empty());

    // The print diagram of partnerships takes the link-kind toggles: untick 双报到 and the
    // diagram is drawn again without those links, the choice in the address.
    select(&c, "view", "partnerships").await;
    wait_js(
        &c,
        "the partnerships diagram",
        "const s = document.querySelector('#diagram svg'); return !!s && document.getElementById('diagram').dataset.state !== 'loading'",
    )
    .await;
    assert_eq!(
        js(
            &c,
            "const k = document.getElementById('diagram-kinds'); \
             return getComputedStyle(k).display !== 'none' && k.contains(document.getElementById('kinds'))"
        )
        .await,
        json!(true),
        "the toggles sit above the print diagram"
    );
    let member_colour = "const s = document.querySelector('#diagram svg'); \
                         return !!s && s.innerHTML.includes('#d68910')";
    assert_eq!(
        js(&c, member_colour).await,
        json!(true),
        "双报到 links drawn"
    );
    js(
        &c,
        "const i = document.querySelector('#kinds input[value=member]'); i.click(); return i.checked",
    )
    .await;
    wait_js(
        &c,
        "kinds in the address",
        "return location.search.includes('kinds=partnership%2Cresource%2Cmass%2Csocial') || location.search.includes('kinds=partnership,resource,mass,social')",
    )
    .await;
    wait_js(
        &c,
        "the diagram without 双报到 links",
        "const s = document.querySelector('#diagram svg'); \
         return !!s && !s.innerHTML.includes('#d68910') && s.innerHTML.includes('#c0392b')",
    )
    .await;
    js(
        &c,
        "const i = document.querySelector('#kinds input[value=member]'); i.click(); return i.checked",
    )
    .await;

    // "Changed since": a row written now marks its committee on the network view.
    let (s, body) = app
        .post(
            "/api/v1/needs",
            &app.tokens.admin,
            json!({"id": "N-ROW-1", "committee": "K-TINGYI", "domain": "employment", "demand": 3}),
        )
        .await;
    assert_eq!(s.as_u16(), 201, "{body}");
    select(&c, "view", "network").await;
    wait_js(&c, "the network", NETWORK_READY).await;
    assert_eq!(
        prop(&c, "changes-control", "hidden").await,
        json!(false),
        "admins get the overlay"
    );
    assert_eq!(
        js(
            &c,
            "return getComputedStyle(document.getElementById('diagram-kinds')).display"
        )
        .await,
        json!("none"),
        "no print toggles bar on the network view"
    );
    js(
        &c,
        "const d = document.getElementById('changed-since'); \
         d.value = new Date().toISOString().slice(0, 10); \
         d.dispatchEvent(new Event('change')); return d.value",
    )
    .await;
    wait_js(
        &c,
        "the changed nodes",
        "return Number(document.getElementById('changes-summary').dataset.marked || 0) > 0",
    )
    .await;
    assert_eq!(
        js(
            &c,
            "return window.dangjianCy.getElementById('K-TINGYI').hasClass('changed')"
        )
        .await,
        json!(true)
    );
    assert_eq!(
        js(
            &c,
            "return window.dangjianCy.getElementById('K-JLT-NZ').hasClass('changed')"
        )
        .await,
        json!(false),
        "a committee nothing touched is not marked"
    );
    screenshot(&c, "network-changed-since-1440x900.png").await;
    // A viewer does not get the control.
    enter_token(&c, &app.tokens.viewer).await;
    wait_for("the viewer's role", || async {
        (prop(&c, "changes-control", "hidden").await == json!(true)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_workbooks_in_headless_chromium() {
    in_chromium("upload scenario", |c, app, downloads| async move {
        upload_scenario(c, &app, downloads).await
    })
    .await;
}
