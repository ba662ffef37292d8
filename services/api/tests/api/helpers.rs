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
    Bundle {
        districts: (vec![District {
            id: "D1".into(),
            name: "浦东新区".into(),
        }])
        .into(),
        streets: (vec![
            Street {
                id: "S1".into(),
                name: "陆家嘴街道".into(),
                district: "D1".into(),
                kind: StreetKind::Street,
            },
            Street {
                id: "S2".into(),
                name: "花木街道".into(),
                district: "D1".into(),
                kind: StreetKind::Street,
            },
        ])
        .into(),
        communities: (vec![
            Community {
                id: "C1".into(),
                name: "梅园社区".into(),
                street: "S1".into(),
            },
            Community {
                id: "C2".into(),
                name: "联洋社区".into(),
                street: "S2".into(),
            },
        ])
        .into(),
        committees: (vec![
            Committee {
                id: "K1".into(),
                name: "梅园一村居委会".into(),
                community: "C1".into(),
                households: 1000,
            },
            Committee {
                id: "K2".into(),
                name: "梅园二村居委会".into(),
                community: "C1".into(),
                households: 500,
            },
            Committee {
                id: "K3".into(),
                name: "联洋居委会".into(),
                community: "C2".into(),
                households: 800,
            },
        ])
        .into(),
        adjacency: (vec![
            Adjacency {
                a: "K1".into(),
                b: "K2".into(),
            },
            Adjacency {
                a: "K2".into(),
                b: "K3".into(),
            },
        ])
        .into(),
        party_orgs: (vec![
            PartyOrg {
                id: "P0".into(),
                name: "陆家嘴街道党工委".into(),
                level: PartyOrgLevel::WorkingCommittee,
                parent: None,
                leads: "S1".into(),
                secretary: "周书记".into(),
            },
            PartyOrg {
                id: "P1".into(),
                name: "梅园一村党总支".into(),
                level: PartyOrgLevel::GeneralBranch,
                parent: Some("P0".into()),
                leads: "K1".into(),
                secretary: "吴书记".into(),
            },
            PartyOrg {
                id: "P3".into(),
                name: "花木街道党工委".into(),
                level: PartyOrgLevel::WorkingCommittee,
                parent: None,
                leads: "S2".into(),
                secretary: "郑书记".into(),
            },
            PartyOrg {
                id: "P4".into(),
                name: "联洋党支部".into(),
                level: PartyOrgLevel::Branch,
                parent: Some("P3".into()),
                leads: "K3".into(),
                secretary: "冯书记".into(),
            },
        ])
        .into(),
        units: (vec![
            Unit {
                id: "U1".into(),
                name: "陆家嘴银行".into(),
                category: UnitCategory::Enterprise,
                industry: "金融".into(),
                street: "S1".into(),
            },
            Unit {
                id: "U2".into(),
                name: "花木医院".into(),
                category: UnitCategory::Hospital,
                industry: "医疗".into(),
                street: "S2".into(),
            },
        ])
        .into(),
        mass_orgs: (vec![MassOrg {
            id: "MO1".into(),
            name: "区总工会".into(),
            kind: MassOrgType::Union,
        }])
        .into(),
        social_orgs: (vec![SocialOrg {
            id: "SO1".into(),
            name: "乐龄社工站".into(),
            street: "S1".into(),
            domains: vec![ServiceDomain::ElderlyCare],
        }])
        .into(),
        members: (vec![
            Member {
                id: "M1".into(),
                name: "王小明".into(),
                birth_year: 1990,
                employer: Some("U1".into()),
                registered_at: Some("K1".into()),
                skills: vec!["金融".into()],
            },
            Member {
                id: "M2".into(),
                name: "李红".into(),
                birth_year: 1960,
                employer: Some("U2".into()),
                registered_at: Some("K3".into()),
                skills: vec![],
            },
            Member {
                id: "M3".into(),
                name: "张伟".into(),
                birth_year: 1985,
                employer: None,
                registered_at: Some("K2".into()),
                skills: vec![],
            },
        ])
        .into(),
        partnerships: (vec![
            Partnership {
                id: "PS1".into(),
                unit: "U1".into(),
                target: "K1".into(),
                signed: date("2025-01-01"),
                expires: None,
            },
            Partnership {
                id: "PS2".into(),
                unit: "U2".into(),
                target: "S2".into(),
                signed: date("2025-01-01"),
                expires: Some(date("2028-01-01")),
            },
        ])
        .into(),
        mass_links: (vec![MassLink {
            mass_org: "MO1".into(),
            target: "S1".into(),
            domain: ServiceDomain::Employment,
        }])
        .into(),
        resources: (vec![
            Resource {
                id: "R1".into(),
                name: "助老服务".into(),
                provider: "U1".into(),
                domain: ServiceDomain::ElderlyCare,
                capacity: 100,
                deployed_to: None,
            },
            Resource {
                id: "R2".into(),
                name: "义诊".into(),
                provider: "U2".into(),
                domain: ServiceDomain::Healthcare,
                capacity: 50,
                deployed_to: None,
            },
        ])
        .into(),
        needs: (vec![
            Need {
                id: "N1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::ElderlyCare,
                demand: 80,
            },
            Need {
                id: "N2".into(),
                committee: "K3".into(),
                domain: ServiceDomain::Healthcare,
                demand: 30,
            },
            Need {
                id: "N3".into(),
                committee: "K2".into(),
                domain: ServiceDomain::LegalAid,
                demand: 10,
            },
        ])
        .into(),
        projects: (vec![Project {
            id: "PR1".into(),
            name: "乐龄助老".into(),
            committee: "K1".into(),
            needs: vec!["N1".into()],
            resources: vec!["R1".into()],
            status: ProjectStatus::Active,
        }])
        .into(),
        volunteering: (vec![Volunteering {
            member: "M1".into(),
            committee: "K1".into(),
            domain: ServiceDomain::ElderlyCare,
            hours: 4.0,
            date: date("2026-05-01"),
        }])
        .into(),
        responsibilities: (vec![
            Responsibility {
                id: "RS1".into(),
                party_org: "P1".into(),
                item: "走访困难家庭".into(),
                due: Some(date("2026-07-15")),
                status: ItemStatus::Open,
            },
            Responsibility {
                id: "RS2".into(),
                party_org: "P4".into(),
                item: "联洋议事会".into(),
                due: None,
                status: ItemStatus::Open,
            },
        ])
        .into(),
    }
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

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
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
        self.send(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
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
