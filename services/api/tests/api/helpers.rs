//! `spawn_app()`: a temp SQLite store with a small hand-built network, a token per role, the
//! service on 127.0.0.1:0, and a reqwest client. Logs go to one in-memory buffer for the whole
//! binary, so tests can check that nothing personal was logged.

use dangjian_api::{AppState, Application, ServeConfig, tokens};
use dangjian_model::*;
use dangjian_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Member names in the fixture and in test writes: none may appear in the log.
pub const NAMES: [&str; 6] = ["王小明", "李红", "张伟", "赵六", "钱七", "孙八"];

static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = LogWriter(buf.clone());
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buf
    });
}

/// Everything logged so far by every test of this binary.
pub fn logged() -> String {
    LOG.get()
        .and_then(|b| {
            b.lock()
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .unwrap_or_default()
}

pub fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Two streets in one district; S1 has two committees, S2 one.
pub fn network() -> Bundle {
    dangjian_testdata::bundle("api-network.json")
}

/// Bearer secrets, one per role.
pub struct Tokens {
    pub admin: String,
    /// Coordinator of street S1.
    pub coord: String,
    /// Coordinator of street S2.
    pub coord2: String,
    pub viewer: String,
    pub revoked: String,
}

impl Tokens {
    pub fn all(&self) -> [&str; 5] {
        [
            &self.admin,
            &self.coord,
            &self.coord2,
            &self.viewer,
            &self.revoked,
        ]
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub tokens: Tokens,
    pub store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(ServeConfig::default()).await
}

pub async fn spawn_with(config: ServeConfig) -> TestApp {
    spawn_network(config, network(), "S1", "S2").await
}

/// Serve `bundle`, with coordinators for streets `coord` and `coord2`.
pub async fn spawn_network(
    mut config: ServeConfig,
    bundle: Bundle,
    coord: &str,
    coord2: &str,
) -> TestApp {
    init_logs();
    config.addr = "127.0.0.1:0".parse().expect("addr");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(&dir.path().join("test.db")).expect("open store"));
    dangjian_model::validate(&bundle).expect("the fixture is valid");
    store.replace(&bundle).expect("import fixture");
    let make = |role, scope: Option<&str>| {
        tokens::validate_scope(&bundle, role, scope).expect("scope");
        tokens::create(store.as_ref(), role, scope.map(str::to_string)).expect("token")
    };
    let (_, admin) = make(TokenRole::Admin, None);
    let (_, coord) = make(TokenRole::Coordinator, Some(coord));
    let (_, coord2) = make(TokenRole::Coordinator, Some(coord2));
    let (_, viewer) = make(TokenRole::Viewer, None);
    let (revoked_info, revoked) = make(TokenRole::Admin, None);
    assert!(store.revoke_token(&revoked_info.id).expect("revoke"));
    let dyn_store: Arc<dyn Store> = store.clone();
    let state = AppState::load(dyn_store, config).await.expect("state");
    let app = Application::with_state(state).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::new(),
        tokens: Tokens {
            admin,
            coord,
            coord2,
            viewer,
            revoked,
        },
        store,
        _dir: dir,
        _shutdown: tx,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
            .await
    }

    /// A new token for `role` and `scope` (checked against the stored network, as the CLI
    /// does), returned once the service knows it: its token cache looks again for an unknown
    /// secret at most once a second.
    pub async fn token(&self, role: TokenRole, scope: Option<&str>) -> String {
        let network = self.store.load().expect("load the network");
        tokens::validate_scope(&network, role, scope).expect("scope");
        let (_, secret) =
            tokens::create(self.store.as_ref(), role, scope.map(str::to_string)).expect("token");
        for _ in 0..100 {
            let res = self.get_response(&self.url("/api/v1/me"), &secret).await;
            if res.status() != StatusCode::UNAUTHORIZED {
                return secret;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the service never knew the new {role:?} token");
    }

    /// The body of a GET of `path` with `token`, asserting the answer is 200.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let (s, body) = self.get(path, token).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
        body
    }

    /// GET each of `paths` with `token`, asserting the answer is `status`; the bodies, each
    /// with its path.
    pub async fn get_each<'p>(
        &self,
        paths: &[&'p str],
        token: &str,
        status: StatusCode,
    ) -> Vec<(&'p str, Value)> {
        let mut out = Vec::with_capacity(paths.len());
        for &path in paths {
            let (s, body) = self.get(path, token).await;
            assert_eq!(s, status, "{path}: {body}");
            out.push((path, body));
        }
        out
    }

    /// The raw response to a GET of `url` (a whole URL, for a second service) with `token`
    /// (none when empty).
    pub async fn get_response(&self, url: &str, token: &str) -> reqwest::Response {
        let mut req = self.client.get(url);
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("request")
    }

    /// PATCH `url` (a whole URL) with `If-Match: etag` and a JSON body; the raw response.
    pub async fn patch_if_match(
        &self,
        url: &str,
        token: &str,
        etag: &str,
        body: Value,
    ) -> reqwest::Response {
        let req = self.client.patch(url).bearer_auth(token);
        let req = req.header("if-match", etag).json(&body);
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, token, body)
            .await
    }

    /// A request with a JSON body and a bearer token.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let req = self.client.request(method, self.url(path));
        self.send(req.bearer_auth(token).json(&body)).await
    }

    pub async fn post_raw(&self, path: &str, token: &str, body: &str) -> (StatusCode, Value) {
        self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::PATCH, path, token, body)
            .await
    }
}

/// The error code of an error body.
/// A response's `Content-Type` ("" when it has none).
pub fn content_type(res: &reqwest::Response) -> String {
    res.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// The string `key` of every element of the JSON array `list` (elements without it skipped);
/// panics when `list` is not an array.
pub fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {list}"));
    items.iter().filter_map(|x| x[key].as_str()).collect()
}

/// Whether an error body's message contains `needle`.
pub fn message_has(body: &Value, needle: &str) -> bool {
    body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains(needle))
}

/// The Shanghai sample network from `seed/`, read as the service reads an upload.
pub fn sample_bundle() -> Bundle {
    dangjian_bundle_io::read_path(&dangjian_testdata::seed_sample())
        .expect("read the sample network")
}

/// Ids of a page's items.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
