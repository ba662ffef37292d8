//! `dangjian export-graph` and `dangjian trend`: the network of a scope as a graph document
//! (JSON, GraphML, GEXF) and a scope's monthly trend, the same documents as
//! `/api/v1/graph` and `/api/v1/trend`.

use crate::TableFormat;
use crate::commands::parse_as_of;
use crate::output::print_json;
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use dangjian_engine::{Engine, MAX_TREND_POINTS, data_dates};
use dangjian_model::Date;
use dangjian_visualizations::graph::{
    GraphIndex, GraphOptions, LinkKind, MemberGrouping, to_gexf, to_graphml,
};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output format of `export-graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Json,
    Graphml,
    Gexf,
}

/// How `export-graph` draws in-service members' employers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupArg {
    /// One node per district of the employer.
    District,
    /// One node per employer unit.
    Unit,
}

#[derive(Debug, Args)]
pub struct ExportGraphArgs {
    /// `city` or a district, street, community or committee id.
    #[arg(long, default_value = "city")]
    pub scope: String,
    /// The date (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Comma-separated link kinds: partnership, resource, mass, social, member (default all).
    #[arg(long, default_value = "")]
    pub kinds: String,
    /// 双报到 employers grouped per district (default) or drawn per unit.
    #[arg(long, value_enum, default_value = "district")]
    pub group: GroupArg,
    /// Default: the format `--out`'s extension names (.json, .graphml, .gexf), else json. A
    /// format that contradicts a known extension is refused.
    #[arg(long, value_enum)]
    pub format: Option<GraphFormat>,
    /// Write to this file instead of standard output; its extension chooses the format when
    /// --format is not given.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Draw per street (default for a district or the city) or every committee.
    #[arg(long)]
    pub aggregate: Option<bool>,
}

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// `city` or a district, street, community or committee id.
    #[arg(long, default_value = "city")]
    pub scope: String,
    /// First month (default: 11 months before `--to`).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Last date (default: today, or the latest date in the data when today is after it).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// `month` (the only step).
    #[arg(long, default_value = "month")]
    pub step: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
}

/// The format to write: `--format` when given, else the one `--out`'s extension names (as
/// `generate` does), else `default`. A `--format` that contradicts a known extension is an
/// error naming both, so that `x.svg` never holds PNG bytes.
pub fn format_for<F: ValueEnum + Copy + PartialEq>(
    given: Option<F>,
    out: Option<&Path>,
    known: &[(&str, F)],
    default: F,
) -> Result<F> {
    let name = |f: F| {
        f.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    };
    let ext = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let by_ext = ext
        .as_deref()
        .and_then(|e| known.iter().find(|(k, _)| *k == e))
        .map(|(_, f)| *f);
    match (given, by_ext) {
        (Some(f), Some(e)) if f != e => bail!(
            "--format {} contradicts --out {}, a .{} file ({}): drop --format, or name the file .{}",
            name(f),
            out.map(|p| p.display().to_string()).unwrap_or_default(),
            ext.unwrap_or_default(),
            name(e),
            known
                .iter()
                .find(|(_, k)| *k == f)
                .map_or_else(|| name(f), |(k, _)| (*k).to_owned())
        ),
        (Some(f), _) => Ok(f),
        (None, Some(e)) => Ok(e),
        (None, None) => Ok(default),
    }
}

/// `dangjian export-graph`.
pub fn export_graph(engine: Engine, args: &ExportGraphArgs) -> Result<()> {
    let as_of = parse_as_of(args.as_of.as_deref())?;
    let kinds = LinkKind::parse_list(&args.kinds).map_err(|e| anyhow!("--kinds: {e}"))?;
    let opts = GraphOptions {
        scope: args.scope.clone(),
        as_of,
        kinds,
        grouping: match args.group {
            GroupArg::District => MemberGrouping::District,
            GroupArg::Unit => MemberGrouping::Unit,
        },
        aggregate: args.aggregate,
    };
    let b = engine.bundle();
    let ix = GraphIndex::new(b);
    let mut doc = ix.graph(b, &opts)?;
    // The service's positions, so Gephi, yEd and Cytoscape open it laid out as the page shows it.
    ix.place(b, &mut doc)?;
    let format = format_for(
        args.format,
        args.out.as_deref(),
        &[
            ("json", GraphFormat::Json),
            ("graphml", GraphFormat::Graphml),
            ("gexf", GraphFormat::Gexf),
        ],
        GraphFormat::Json,
    )?;
    let text = match format {
        GraphFormat::Json => {
            let mut s = serde_json::to_string_pretty(&doc)?;
            s.push('\n');
            s
        }
        GraphFormat::Graphml => to_graphml(&doc),
        GraphFormat::Gexf => to_gexf(&doc),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "wrote {} nodes and {} edges to {}",
                doc.nodes.len(),
                doc.edges.len(),
                path.display()
            );
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

fn date(flag: &str, s: &str) -> Result<Date> {
    Date::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| anyhow!("--{flag} `{s}` is not a date in the form YYYY-MM-DD ({e})"))
}

/// `dangjian trend`.
pub fn trend(engine: Engine, args: &TrendArgs) -> Result<()> {
    if args.step != "month" {
        bail!("--step must be month, got `{}`", args.step);
    }
    let to = match &args.to {
        Some(s) => date("to", s)?,
        None => {
            let today = parse_as_of(None)?;
            match data_dates(engine.bundle()) {
                Some((_, last)) if last < today => last,
                _ => today,
            }
        }
    };
    let from = match &args.from {
        Some(s) => date("from", s)?,
        None => to
            .checked_sub_months(chrono::Months::new(11))
            .and_then(|d| chrono::Datelike::with_day(&d, 1))
            .unwrap_or(to),
    };
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    let months = dangjian_engine::month_ends(from, to).len();
    if months > MAX_TREND_POINTS {
        bail!("a trend covers at most {MAX_TREND_POINTS} months; {from} to {to} is longer");
    }
    let doc = engine.trend(&args.scope, from, to)?;
    match args.format {
        TableFormat::Json => print_json(&doc),
        TableFormat::Csv => crate::output::trend_csv(&doc),
        TableFormat::Table => crate::output::trend_table(&doc),
    }
}
