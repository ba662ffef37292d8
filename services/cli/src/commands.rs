//! One function per subcommand: open the store, call the library, print the result.

use crate::output::{self, print_json};
use crate::stores::{self, Opened};
use crate::{
    BundleFormat, ChecklistFormat, Cli, Command, DiagramFormat, Role, Scale, TableFormat,
    TokenCommand, Via, ViewArg,
};
use anyhow::{Context, Result, anyhow, bail};
use dangjian_engine::{Engine, WhatIf};
use dangjian_live::{Live, Plan, WriteError, creates_of};
use dangjian_model::params::AsOf;
use dangjian_model::{Bundle, Date, TokenRole};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Run one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate {
            scale,
            seed,
            out,
            format,
        } => generate(scale, seed, &out, format),
        Command::Neo4j { command } => crate::neo4j_cmd::run(command, cli.neo4j.as_deref()),
        command => {
            let opened = stores::open(cli.db.as_deref(), cli.neo4j.as_deref())?;
            run_on_store(command, &opened)
        }
    }
}

fn run_on_store(command: Command, opened: &Opened) -> Result<()> {
    match command {
        Command::Import { path, merge } => import(opened, &path, merge),
        Command::Export { format, out } => {
            let bundle = load(opened)?;
            dangjian_bundle_io::write_to_path(&bundle, &out, bundle_format(format))
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {} rows to {}", bundle.row_count(), out.display());
            Ok(())
        }
        Command::Coverage { scope, format, via } => {
            let as_of = parse_as_of(scope.as_of.as_deref())?;
            let doc = match via {
                Via::Engine => engine(opened)?.coverage(&scope.scope, as_of)?,
                Via::Cypher => {
                    let neo = opened.neo4j.as_ref().ok_or_else(|| {
                        anyhow!("--via cypher needs the Neo4j store: pass --neo4j URI")
                    })?;
                    neo.coverage_via_cypher(&scope.scope, as_of)?
                }
            };
            match format {
                TableFormat::Json => print_json(&doc),
                TableFormat::Csv => output::coverage_csv(&doc),
                TableFormat::Table => output::coverage_table(&doc),
            }
        }
        Command::Gaps { scope, format } => {
            let as_of = parse_as_of(scope.as_of.as_deref())?;
            let doc = engine(opened)?.gaps(&scope.scope, as_of)?;
            match format {
                TableFormat::Json => print_json(&doc),
                TableFormat::Csv => output::gaps_csv(&doc),
                TableFormat::Table => output::gaps_table(&doc),
            }
        }
        Command::Checklist {
            org,
            subtree,
            as_of,
            format,
            lang,
            out,
        } => {
            let as_of = parse_as_of(as_of.as_deref())?;
            let lang = lang.checklist();
            let doc = engine(opened)?.checklist(&org, subtree, as_of)?;
            let bytes: Vec<u8> = match format {
                ChecklistFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&doc)?;
                    s.push('\n');
                    s.into_bytes()
                }
                ChecklistFormat::Csv => dangjian_export::checklist_csv(&doc, lang)?.into_bytes(),
                ChecklistFormat::Xlsx => {
                    if out.is_none() {
                        bail!("--format xlsx writes a workbook: pass --out FILE.xlsx");
                    }
                    dangjian_export::checklist_xlsx(&doc, lang)
                        .context("cannot build the checklist workbook")?
                }
                ChecklistFormat::Table => {
                    if out.is_some() {
                        bail!("--out needs --format json, csv or xlsx");
                    }
                    return output::checklist_table(&doc, lang);
                }
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote {} items to {}", doc.items.len(), path.display());
                    Ok(())
                }
                None => output::write_stdout(&bytes),
            }
        }
        Command::Whatif {
            without_unit,
            without_partnership,
            scope,
            format,
        } => {
            if without_unit.is_empty() && without_partnership.is_empty() {
                bail!("say what to withdraw: --without-unit ID and/or --without-partnership ID");
            }
            let as_of = parse_as_of(scope.as_of.as_deref())?;
            let change = WhatIf {
                without_units: without_unit,
                without_partnerships: without_partnership,
            };
            let doc = engine(opened)?.whatif(&change, &scope.scope, as_of)?;
            match format {
                TableFormat::Json => print_json(&doc),
                TableFormat::Csv => output::whatif_csv(&doc),
                TableFormat::Table => output::whatif_table(&doc, &change),
            }
        }
        Command::Brokers {
            scope,
            limit,
            format,
        } => {
            let as_of = parse_as_of(scope.as_of.as_deref())?;
            let doc = engine(opened)?.brokers(&scope.scope, as_of, limit)?;
            match format {
                TableFormat::Json => print_json(&doc),
                TableFormat::Csv | TableFormat::Table => output::brokers_table(&doc, format),
            }
        }
        Command::Areas { scope, format } => {
            let as_of = parse_as_of(scope.as_of.as_deref())?;
            let doc = engine(opened)?.areas(&scope.scope, as_of)?;
            match format {
                TableFormat::Json => print_json(&doc),
                TableFormat::Csv | TableFormat::Table => output::areas_table(&doc, format),
            }
        }
        Command::Render {
            scope,
            view,
            as_of,
            format,
            allocations,
            out,
        } => {
            let as_of = parse_as_of(as_of.as_deref())?;
            render(opened, &scope, view, as_of, format, allocations, &out)
        }
        Command::ExportGraph(args) => crate::graph_cmds::export_graph(engine(opened)?, &args),
        Command::Trend(args) => crate::graph_cmds::trend(engine(opened)?, &args),
        Command::Serve { addr } => serve(opened, &addr),
        Command::Add { table, file } => add(opened, &table, &file),
        Command::Changes {
            since,
            table,
            id,
            format,
        } => changes(opened, since, table, id, format),
        Command::Token { command } => token(opened, command),
        Command::Generate { .. } | Command::Neo4j { .. } => {
            unreachable!("handled before the store is opened")
        }
    }
}

pub(crate) fn parse_as_of(s: Option<&str>) -> Result<Date> {
    let given = s.map(|s| s.parse::<AsOf>()).transpose();
    Ok(AsOf::or_today(given.map_err(|e| anyhow!("--as-of {e}"))?))
}

fn load(opened: &Opened) -> Result<Bundle> {
    let started = Instant::now();
    let bundle = opened
        .store
        .load()
        .with_context(|| format!("cannot read the network from {}", opened.store.describe()))?;
    if bundle.committees.is_empty() {
        bail!(
            "{} holds no network yet: import one with `dangjian import FILE` (the sample is seed/shanghai-sample.json)",
            opened.store.describe()
        );
    }
    if started.elapsed().as_secs() >= 2 {
        eprintln!(
            "loaded {} rows in {:.1} s",
            bundle.row_count(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(bundle)
}

pub(crate) fn engine(opened: &Opened) -> Result<Engine> {
    Ok(Engine::new(load(opened)?))
}

fn import(opened: &Opened, path: &Path, merge: bool) -> Result<()> {
    let started = Instant::now();
    eprintln!("reading {} …", path.display());
    // A partial bundle may refer to stored rows: only the merged whole is validated.
    let read = if merge {
        dangjian_bundle_io::decode_path(path)
    } else {
        dangjian_bundle_io::read_path(path)
    };
    let incoming = read
        .map_err(|e| match e {
            dangjian_bundle_io::ReadError::Invalid(problems) => anyhow::Error::new(problems),
            other => anyhow::Error::new(other),
        })
        .with_context(|| format!("cannot import {}: nothing was changed", path.display()))?;
    eprintln!(
        "read and validated {} rows in {:.1} s; writing to {} …",
        incoming.row_count(),
        started.elapsed().as_secs_f64(),
        opened.store.describe()
    );
    let written = Instant::now();
    let stored = if merge {
        let live = Live::<Bundle>::open(opened.store.clone(), true)?;
        let rows = incoming.row_count();
        let ((), now) = live
            .write("cli", |_, _| anyhow::Ok((Plan::Merge(incoming), ())))
            .context("the merged network would be invalid: nothing was changed")?;
        eprintln!(
            "merged {} rows (network now {} rows) in {:.1} s",
            rows,
            now.rows,
            written.elapsed().as_secs_f64()
        );
        live.current()
    } else {
        let live = Live::<Bundle>::for_replace(opened.store.clone())?;
        let rows = incoming.row_count();
        live.write("cli", |_, _| anyhow::Ok((Plan::Replace(incoming), ())))
            .context("nothing was changed")?;
        let secs = written.elapsed().as_secs_f64();
        eprintln!(
            "imported {} rows in {:.1} s ({:.0} rows/s)",
            rows,
            secs,
            rows as f64 / secs.max(1e-9)
        );
        live.current()
    };
    println!(
        "ok: {} committees, {} units, {} members, {} partnerships, {} resources, {} needs",
        stored.committees.len(),
        stored.units.len(),
        stored.members.len(),
        stored.partnerships.len(),
        stored.resources.len(),
        stored.needs.len(),
    );
    Ok(())
}

fn bundle_format(f: BundleFormat) -> dangjian_bundle_io::Format {
    match f {
        BundleFormat::Json => dangjian_bundle_io::Format::Json,
        BundleFormat::Csv => dangjian_bundle_io::Format::Csv,
        BundleFormat::Xlsx => dangjian_bundle_io::Format::Xlsx,
    }
}

fn generate(scale: Scale, seed: u64, out: &Path, format: Option<BundleFormat>) -> Result<()> {
    let format = format.unwrap_or_else(|| {
        match out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "xlsx" => BundleFormat::Xlsx,
            Some(e) if e == "json" => BundleFormat::Json,
            _ => BundleFormat::Csv,
        }
    });
    let started = Instant::now();
    eprintln!("generating a {scale:?} network with seed {seed} …");
    let bundle = dangjian_synth::generate(
        match scale {
            Scale::District => dangjian_synth::Scale::District,
            Scale::Shanghai => dangjian_synth::Scale::Shanghai,
        },
        seed,
    );
    eprintln!(
        "generated {} rows in {:.1} s; writing {} …",
        bundle.row_count(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    dangjian_bundle_io::write_to_path(&bundle, out, bundle_format(format))
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote {}: {} districts, {} streets, {} committees, {} units, {} members, {} partnerships, {} resources, {} needs, {} volunteering rows",
        out.display(),
        bundle.districts.len(),
        bundle.streets.len(),
        bundle.committees.len(),
        bundle.units.len(),
        bundle.members.len(),
        bundle.partnerships.len(),
        bundle.resources.len(),
        bundle.needs.len(),
        bundle.volunteering.len()
    );
    Ok(())
}

fn render(
    opened: &Opened,
    scope: &str,
    view: ViewArg,
    as_of: Date,
    format: Option<DiagramFormat>,
    allocations: bool,
    out: &Path,
) -> Result<()> {
    use dangjian_visualizations as viz;
    let engine = engine(opened)?;
    let started = Instant::now();
    let view = match view {
        ViewArg::Hierarchy => viz::View::Hierarchy,
        ViewArg::Partnerships => viz::View::Partnerships,
        ViewArg::Gaps => viz::View::Gaps,
    };
    let format = crate::graph_cmds::format_for(
        format,
        Some(out),
        &[
            ("svg", DiagramFormat::Svg),
            ("png", DiagramFormat::Png),
            ("dot", DiagramFormat::Dot),
            ("gv", DiagramFormat::Dot),
        ],
        DiagramFormat::Svg,
    )?;
    let mut opts = viz::DiagramOptions::new(view, scope, as_of);
    opts.allocations = allocations;
    let diagram = viz::build_dot(&engine, &opts)?;
    let bytes = match format {
        DiagramFormat::Dot => diagram.dot.clone().into_bytes(),
        DiagramFormat::Svg => viz::render(&diagram.dot, viz::Format::Svg, RENDER_TIMEOUT)?,
        DiagramFormat::Png => viz::render(&diagram.dot, viz::Format::Png, RENDER_TIMEOUT)?,
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {} ({} nodes{}, {:.2} s): {}",
        out.display(),
        diagram.nodes,
        if diagram.aggregated {
            ", aggregated"
        } else {
            ""
        },
        started.elapsed().as_secs_f64(),
        diagram.title
    );
    Ok(())
}

/// How long Graphviz may take for one diagram.
const RENDER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn serve(opened: &Opened, addr: &str) -> Result<()> {
    // Structured logs on stderr; RUST_LOG overrides (e.g. RUST_LOG=dangjian_api=debug).
    // The API logs method, path (never the query), status, latency and request id only.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let addr: std::net::SocketAddr = addr
        .parse()
        .map_err(|e| anyhow!("--addr `{addr}` is not an address like 127.0.0.1:8080 ({e})"))?;
    runtime.block_on(async {
        let config = dangjian_api::ServeConfig {
            addr,
            ..dangjian_api::ServeConfig::default()
        };
        eprintln!("loading the network from {} …", opened.store.describe());
        let app = dangjian_api::Application::build(opened.store.clone(), config).await?;
        eprintln!(
            "serving on http://{}/ (API: /api/v1, OpenAPI: /api/v1/openapi.json); Ctrl-C stops",
            app.local_addr()
        );
        app.run_until_stopped().await?;
        eprintln!("stopped");
        anyhow::Ok(())
    })
}

fn token(opened: &Opened, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { role, scope } => {
            let role = match role {
                Role::Admin => TokenRole::Admin,
                Role::Coordinator => TokenRole::Coordinator,
                Role::Viewer => TokenRole::Viewer,
            };
            if role == TokenRole::Coordinator && scope.is_none() {
                bail!("a coordinator token needs --scope STREET_OR_DISTRICT_ID");
            }
            if scope.is_some() {
                let network = load(opened)?;
                dangjian_model::tokens::validate_scope(&network, role, scope.as_deref())?;
            }
            let (info, secret) =
                dangjian_model::tokens::create(opened.store.as_ref(), role, scope)?;
            eprintln!(
                "created token {} (role {}{}); it is shown once — keep it secret:",
                info.id,
                dangjian_model::labels::wire_name(&info.role),
                info.scope
                    .as_deref()
                    .map(|s| format!(", scope {s}"))
                    .unwrap_or_default()
            );
            println!("{secret}");
            Ok(())
        }
        TokenCommand::List { format } => {
            let tokens = opened.store.tokens()?;
            match format {
                TableFormat::Json => print_json(&tokens),
                _ => output::tokens_table(&tokens, format),
            }
        }
        TokenCommand::Revoke { id } => {
            if opened.store.revoke_token(&id)? {
                println!("revoked {id}");
                Ok(())
            } else {
                bail!("no token has the id `{id}` (see `dangjian token list`)")
            }
        }
    }
}

/// Rows of one table read from a JSON array, a CSV file or an XLSX workbook, as a partial
/// bundle holding only that table (decoded like an import, every problem reported).
fn read_rows(table: &str, file: &Path) -> Result<Bundle> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let decoded = match ext.as_deref() {
        Some("json") => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not valid JSON", file.display()))?;
            let doc = match value {
                serde_json::Value::Array(rows) => serde_json::json!({ table: rows }),
                other => other,
            };
            dangjian_bundle_io::parse_json_unvalidated(doc.to_string().as_bytes())
        }
        Some("csv") => {
            // The CSV reader reads folders of `<table>.csv`: give it one.
            let dir = tempfile::tempdir().context("cannot make a temporary folder")?;
            std::fs::copy(file, dir.path().join(format!("{table}.csv")))
                .with_context(|| format!("cannot read {}", file.display()))?;
            dangjian_bundle_io::decode_path(dir.path())
        }
        Some("xlsx") => dangjian_bundle_io::decode_path(file),
        _ => bail!(
            "{}: give a .json file (an array of rows), a .csv file or an .xlsx workbook",
            file.display()
        ),
    };
    let decoded = decoded
        .map_err(|e| match e {
            dangjian_bundle_io::ReadError::Invalid(mut problems) => {
                // The CSV reader read a copy named `<table>.csv`: name the user's file.
                let copy = format!("{table}.csv");
                for p in &mut problems.0 {
                    if let Some(rest) = p.location.strip_prefix(&copy) {
                        p.location = format!("{}{rest}", file.display());
                    }
                }
                anyhow::Error::new(problems)
            }
            other => anyhow::Error::new(other),
        })
        .with_context(|| {
            format!(
                "cannot add the rows of {}: nothing was changed",
                file.display()
            )
        })?;
    let mut only = Bundle::default();
    macro_rules! take {
        ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
            match table {
                $(stringify!($t) => only.$t = decoded.$t,)*
                other => bail!("no table `{other}` (see docs/数据格式.md for the table names)"),
            }
        };
    }
    dangjian_model::for_each_table!(take);
    if only.row_count() == 0 {
        bail!("{} holds no {table} rows", file.display());
    }
    Ok(only)
}

/// The position of each row of `table` in `partial` by its id (rows without one are left out).
fn row_ids(partial: &Bundle, table: &str) -> Result<HashMap<String, usize>> {
    Ok(serde_json::to_value(partial)?
        .get(table)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, r)| Some((r.get("id")?.as_str()?.to_string(), i)))
        .collect())
}

/// Every problem of a file of rows some of which do not decode: those rows' problems, and what
/// validation finds when the rows that do decode join the stored network (an unknown committee
/// in one row is not hidden by a bad year in another), located at the file's rows and in file
/// order.
fn every_problem(
    opened: &Opened,
    table: &str,
    readable: Readable,
) -> Result<dangjian_model::Problems> {
    let stored = opened
        .store
        .load()
        .with_context(|| format!("cannot read the network from {}", opened.store.describe()))?;
    let base = dangjian_model::store::table_sizes(&stored)
        .into_iter()
        .find(|(t, _)| *t == table)
        .map_or(0, |(_, n)| n);
    let ids = row_ids(&readable.partial, table)?;
    let dropped: Vec<(&str, &str)> = readable
        .dropped
        .iter()
        .map(|(t, id)| (*t, id.as_str()))
        .collect();
    let mut all = readable.problems;
    for mut p in dangjian_model::validation_problems(&stored.merged(&readable.partial), &dropped) {
        // A problem of a stored row cannot be: the stored network was valid before.
        let sent = dangjian_live::sent_row(&p, table, base, &ids, &[]);
        if let Some((line, at)) = sent.and_then(|k| readable.at.get(k)) {
            p.location = at.clone();
            all.push((*line, p));
        }
    }
    all.sort_by_key(|(line, _)| *line);
    Ok(dangjian_model::Problems(
        all.into_iter().map(|(_, p)| p).collect(),
    ))
}

/// The rows of `table` in `file` read one by one: the ones that decode, with the file row
/// (from 1) and location of each; the problems of the others, with their file row; and the
/// (table, id) of the rows left out. `None` when the file cannot be read row by row.
struct Readable {
    partial: Bundle,
    at: Vec<(usize, String)>,
    problems: Vec<(usize, dangjian_model::Problem)>,
    dropped: Vec<(&'static str, String)>,
}

impl Readable {
    /// Rows that decoded whole, located as `FILE row N`.
    fn whole(partial: Bundle, file: &Path) -> Readable {
        let at = (1..=partial.row_count())
            .map(|n| (n, format!("{} row {n}", file.display())))
            .collect();
        Readable {
            partial,
            at,
            problems: Vec::new(),
            dropped: Vec::new(),
        }
    }
}

fn readable_rows(table: &str, file: &Path) -> Option<Readable> {
    let table: &'static str = dangjian_model::TABLES.into_iter().find(|t| *t == table)?;
    let ext = file.extension()?.to_str()?.to_ascii_lowercase();
    if ext == "json" {
        let bytes = std::fs::read(file).ok()?;
        let serde_json::Value::Array(rows) = serde_json::from_slice(&bytes).ok()? else {
            return None;
        };
        // All at once first; row by row only to tell the readable rows from the others.
        let all = serde_json::json!({ table: &rows }).to_string();
        if let Ok(partial) = dangjian_bundle_io::parse_json_unvalidated(all.as_bytes()) {
            return Some(Readable::whole(partial, file));
        }
        let mut good = Vec::new();
        let mut out = Readable {
            partial: Bundle::default(),
            at: Vec::new(),
            problems: Vec::new(),
            dropped: Vec::new(),
        };
        for (i, row) in rows.into_iter().enumerate() {
            let one = serde_json::json!({ table: [&row] }).to_string();
            match dangjian_bundle_io::parse_json_unvalidated(one.as_bytes()) {
                Ok(_) => {
                    good.push(row);
                    out.at
                        .push((i + 1, format!("{} row {}", file.display(), i + 1)));
                }
                Err(dangjian_bundle_io::ReadError::Invalid(problems)) => {
                    for mut p in problems.0 {
                        p.location = format!("{} row {}", file.display(), i + 1);
                        out.problems.push((i + 1, p));
                    }
                    if let Some(id) = row.get("id").and_then(serde_json::Value::as_str) {
                        out.dropped.push((table, id.to_string()));
                    }
                }
                Err(_) => return None,
            }
        }
        let good = serde_json::json!({ table: good }).to_string();
        out.partial = dangjian_bundle_io::parse_json_unvalidated(good.as_bytes()).ok()?;
        return Some(out);
    }
    // A workbook, or a CSV file read as a folder of one `<table>.csv`.
    let dir = tempfile::tempdir().ok()?;
    let path = match ext.as_str() {
        "csv" => {
            std::fs::copy(file, dir.path().join(format!("{table}.csv"))).ok()?;
            dir.path().to_path_buf()
        }
        "xlsx" => file.to_path_buf(),
        _ => return None,
    };
    let located = dangjian_bundle_io::decode_path_located(&path).ok()?;
    let copy = format!("{table}.csv");
    let name = |location: &str| match location.strip_prefix(&copy) {
        Some(rest) => format!("{}{rest}", file.display()),
        None => location.to_string(),
    };
    // The row number a location ends with (`… line 3`, `… row 3`), to keep file order.
    let line = |location: &str| {
        location
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let index = dangjian_model::TABLES.iter().position(|t| *t == table)?;
    let mut partial = Bundle::default();
    macro_rules! take {
        ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
            match table {
                $(stringify!($t) => partial.$t = located.bundle.$t,)*
                _ => return None,
            }
        };
    }
    dangjian_model::for_each_table!(take);
    let problems = located
        .problems
        .into_iter()
        .filter(|p| p.table == table || p.table.is_empty())
        .map(|mut p| {
            p.location = name(&p.location);
            (line(&p.location), p)
        })
        .collect();
    Some(Readable {
        partial,
        at: located
            .rows
            .get(index)?
            .iter()
            .map(|l| (line(l), name(l)))
            .collect(),
        problems,
        dropped: located
            .dropped
            .into_iter()
            .filter(|(t, _)| *t == table)
            .collect(),
    })
}

/// Add the rows of `file` to `table`. A row equal to a stored id-less row (volunteering, an
/// adjacency, a mass link) is the same record: it is left out and counted as stored already.
/// Problems are located at the file's rows (`FILE row N` of a JSON array, N from 1; a CSV file's
/// `line N`, a sheet's `row N`), not in the network, and a row that does not decode does not hide
/// what the others would cause ([`every_problem`]).
fn add(opened: &Opened, table: &str, file: &Path) -> Result<()> {
    let readable = match readable_rows(table, file) {
        Some(readable) => readable,
        None => Readable::whole(read_rows(table, file)?, file),
    };
    if !readable.problems.is_empty() {
        // Some rows do not decode: say what the others would cause too, all at once.
        let problems = every_problem(opened, table, readable)?;
        return Err(anyhow::Error::new(problems).context(format!(
            "cannot add the rows of {}: nothing was changed",
            file.display()
        )));
    }
    let Readable { partial, at, .. } = readable;
    if partial.row_count() == 0 {
        bail!("{} holds no {table} rows", file.display());
    }
    let rows = partial.row_count();
    let ids = row_ids(&partial, table)?;
    let started = Instant::now();
    let live = Live::<Bundle>::open(opened.store.clone(), true)
        .with_context(|| format!("cannot read the network from {}", opened.store.describe()))?;
    let (mut base, mut dropped) = (0, Vec::new());
    let result = live.write("cli", |view, _| {
        let mut partial = partial;
        base = dangjian_model::store::table_sizes(view)
            .into_iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| n);
        dropped = partial
            .drop_present(view, None)
            .into_iter()
            .map(|(_, j)| j)
            .collect();
        let changes = creates_of(&partial)?;
        anyhow::Ok((Plan::Rows { partial, changes }, ()))
    });
    let ((), written) = result
        .map_err(|e| match e.downcast::<WriteError>() {
            Ok(WriteError::Invalid(mut problems)) => {
                for p in &mut problems.0 {
                    if let Some((_, at)) = dangjian_live::sent_row(p, table, base, &ids, &dropped)
                        .and_then(|i| at.get(i))
                    {
                        p.location = at.clone();
                    }
                }
                anyhow::Error::new(problems)
            }
            Ok(other) => anyhow::Error::new(other),
            Err(e) => e,
        })
        .with_context(|| format!("cannot add the {table} rows: nothing was changed"))?;
    let stored = dropped.len();
    let added = rows - stored;
    let already = match stored {
        0 => String::new(),
        n => format!("; {n} already stored (equal rows are one record), left as they were"),
    };
    if added > 0 {
        eprintln!(
            "added {added} {table} rows in {:.1} s (change {})",
            started.elapsed().as_secs_f64(),
            written.seq
        );
    }
    println!("ok: {added} {table} rows added{already}");
    Ok(())
}

/// A change-log entry as text: seq, at, actor, op, table, id, and the rows before and after
/// as JSON.
fn change_row(e: &dangjian_model::ChangeEntry) -> [String; 8] {
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    [
        e.seq.to_string(),
        e.at.clone(),
        e.actor.clone(),
        e.op.clone(),
        e.table.clone().unwrap_or_default(),
        e.id.clone().unwrap_or_default(),
        json(&e.before),
        json(&e.after),
    ]
}

fn changes(
    opened: &Opened,
    since: u64,
    table: Option<String>,
    id: Option<String>,
    format: TableFormat,
) -> Result<()> {
    let entries = opened.store.changes(&dangjian_model::ChangeFilter {
        since,
        table,
        id,
        limit: 0,
    })?;
    match format {
        TableFormat::Json => print_json(&entries),
        TableFormat::Csv => {
            let header = ["seq", "at", "actor", "op", "table", "id", "before", "after"];
            let rows =
                std::iter::once(header.map(str::to_owned)).chain(entries.iter().map(change_row));
            output::write_stdout(&dangjian_export::csv_bytes(
                rows,
                dangjian_export::Guard::Script,
            )?)
        }
        TableFormat::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::NOTHING);
            t.set_header(["seq", "at", "actor", "op", "table", "id"]);
            for e in &entries {
                let mut row = change_row(e).to_vec();
                row.truncate(6);
                t.add_row(row);
            }
            println!("{t}");
            eprintln!("{} change(s)", entries.len());
            Ok(())
        }
    }
}
