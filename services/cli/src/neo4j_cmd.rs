//! `dangjian neo4j …`: Neo4j-only operations — the offline bulk load of a whole network into a
//! fresh database folder with `neo4j-admin database import full`, and the check (and mend) of
//! the data the store derives from the network (the committees' volunteering digests).

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Subcommand)]
pub enum Neo4jCommand {
    /// Load a whole network into a fresh Neo4j database folder, offline, with
    /// `neo4j-admin database import full` (much faster than `import` through Bolt; the
    /// server must not run on that folder). Start it afterwards with
    /// `NEO4J_LOCAL_DIR=DIR scripts/neo4j-local start`.
    BulkLoad {
        /// The network (JSON bundle, CSV folder or XLSX workbook); validated first.
        bundle: PathBuf,
        /// The data folder (as `NEO4J_LOCAL_DIR` of `scripts/neo4j-local`); its database
        /// `neo4j` is replaced.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// The command that runs `neo4j-admin` with NEO4J_LOCAL_DIR=DIR set, split on spaces.
        /// Default: `scripts/neo4j-local admin`, found from the current folder or the
        /// binary's location upwards.
        #[arg(long, value_name = "COMMAND")]
        admin: Option<String>,
    },
    /// Check (with --neo4j URI) that each committee's volunteering digest — the lists that
    /// coverage via Cypher reads — equals its VOLUNTEERED relationships; fails when some
    /// differ (the graph was changed outside dangjian, e.g. in Neo4j Browser).
    Check {
        /// Recompute the digests that differ from the relationships.
        #[arg(long)]
        mend: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
}

/// Output formats of `neo4j check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line for people.
    Text,
    /// `{committees, differing, mended, differing_now}`, for scripts.
    Json,
}

/// `scripts/neo4j-local` in `start` or one of its ancestors.
fn find_script(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join("scripts/neo4j-local"))
        .find(|p| p.is_file())
}

fn admin_command(given: Option<&str>) -> Result<Vec<String>> {
    if let Some(cmd) = given {
        let parts: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
        if parts.is_empty() {
            bail!("--admin is empty");
        }
        return Ok(parts);
    }
    let from_cwd = std::env::current_dir().ok().and_then(|d| find_script(&d));
    let from_exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(find_script));
    let script = from_cwd.or(from_exe).context(
        "cannot find scripts/neo4j-local (run from the repository, or pass --admin \"neo4j-admin\")",
    )?;
    Ok(vec![
        "bash".into(),
        script.display().to_string(),
        "admin".into(),
    ])
}

/// `neo4j check [--mend]` on the store at `uri`.
fn check(uri: Option<&str>, mend: bool, format: CheckFormat) -> Result<()> {
    let uri = uri.context("`neo4j check` needs the Neo4j store: pass --neo4j URI")?;
    let store = dangjian_neo4j::Neo4jStore::connect(uri)
        .with_context(|| format!("cannot connect to Neo4j at {uri}"))?;
    let committees = store.count_query(
        "MATCH (m:Meta {key: 'network'}) MATCH (k:Committee:Net {gen: m.current_gen}) \
         RETURN count(k) AS c",
    )?;
    let differing = store.digest_drift()?;
    let mended = mend && differing > 0;
    let differing_now = if mended {
        store.mend_digests()?;
        store.digest_drift()?
    } else {
        differing
    };
    match format {
        CheckFormat::Json => println!(
            "{}",
            serde_json::json!({
                "committees": committees,
                "differing": differing,
                "mended": mended,
                "differing_now": differing_now,
            })
        ),
        CheckFormat::Text if mended => println!(
            "volunteering digests: {differing} of {committees} committees differed from their \
             relationships; recomputed, {differing_now} differ now"
        ),
        CheckFormat::Text => println!(
            "volunteering digests: {differing} of {committees} committees differ from their \
             relationships"
        ),
    }
    if differing_now > 0 {
        bail!(
            "{differing_now} committees' volunteering digests differ from their VOLUNTEERED \
             relationships (the graph was changed outside dangjian), so coverage via Cypher \
             would be wrong for them: run `dangjian --neo4j URI neo4j check --mend`"
        );
    }
    Ok(())
}

pub fn run(command: Neo4jCommand, uri: Option<&str>) -> Result<()> {
    match command {
        Neo4jCommand::Check { mend, format } => check(uri, mend, format),
        Neo4jCommand::BulkLoad {
            bundle,
            into,
            admin,
        } => {
            let started = Instant::now();
            let b = dangjian_bundle_io::read_path(&bundle)
                .map_err(|e| match e {
                    dangjian_bundle_io::ReadError::Invalid(problems) => {
                        anyhow::Error::new(problems)
                    }
                    other => anyhow::Error::new(other),
                })
                .with_context(|| {
                    format!("cannot bulk-load {}: nothing was changed", bundle.display())
                })?;
            let rows = b.row_count();
            eprintln!(
                "read and validated {rows} rows in {:.1} s; bulk-loading into {} …",
                started.elapsed().as_secs_f64(),
                into.display()
            );
            let admin = admin_command(admin.as_deref())?;
            let report = dangjian_neo4j::bulk::bulk_load(&b, &into, &admin)
                .with_context(|| format!("cannot bulk-load into {}", into.display()))?;
            let secs = report.csv_secs + report.import_secs;
            eprintln!(
                "bulk-loaded {rows} rows ({} nodes, {} relationships) in {secs:.1} s \
                 ({:.0} rows/s; CSV {:.1} s, neo4j-admin {:.1} s)",
                report.nodes,
                report.relationships,
                rows as f64 / secs,
                report.csv_secs,
                report.import_secs
            );
            println!(
                "ok: start it with NEO4J_LOCAL_DIR={} scripts/neo4j-local start",
                into.display()
            );
            Ok(())
        }
    }
}
