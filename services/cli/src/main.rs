//! The `dangjian` command line: a thin shell over the library crates (ripgrep style:
//! `main` turns the result of `run` into an exit code and one clear error paragraph).

mod commands;
mod graph_cmds;
mod neo4j_cmd;
mod output;
mod progress;
mod stores;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// 党建图谱 Dangjian Graph: regional Party-building networks as a graph — coverage,
/// resource-sinking gaps, responsibility checklists, diagrams and an HTTP service.
#[derive(Debug, Parser)]
#[command(name = "dangjian", version, about, long_about = None)]
pub struct Cli {
    /// SQLite database file (the embedded default store) of the network, tokens and change
    /// log; every command but `generate` uses it. Default: $DANGJIAN_DB, else
    /// $XDG_DATA_HOME/dangjian/dangjian.db (~/.local/share/dangjian/dangjian.db). When the
    /// default file does not exist it is created and filled with the Shanghai sample network.
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "neo4j")]
    pub db: Option<PathBuf>,

    /// Use a Neo4j server instead of SQLite, e.g. bolt://127.0.0.1:7687. Credentials come
    /// from NEO4J_USER and NEO4J_PASSWORD, never from arguments.
    #[arg(long, global = true, value_name = "URI")]
    pub neo4j: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// Output formats of the analytics commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Aligned table for people.
    Table,
    /// The document the API returns (JSON), for scripts.
    Json,
    /// Comma-separated values with a header row (UTF-8 with a byte-order mark, for Excel).
    Csv,
}

/// Output formats of the checklist command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecklistFormat {
    Table,
    Json,
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
}

/// Language of checklist files and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Chinese headers and labels (类别 责任事项, 状态 未完成, 预警 红), like the API's default.
    Zh,
    /// The JSON field names and codes (`kind` explicit, `status` open, `rag` red).
    En,
}

impl Lang {
    /// The export crate's language, which holds the labels (shared with the API).
    pub fn checklist(self) -> dangjian_export::ChecklistLang {
        match self {
            Lang::Zh => dangjian_export::ChecklistLang::Zh,
            Lang::En => dangjian_export::ChecklistLang::En,
        }
    }
}

/// Bundle file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BundleFormat {
    /// One JSON document.
    Json,
    /// A folder with one CSV file per table.
    Csv,
    /// An XLSX workbook with one sheet per table.
    Xlsx,
}

/// Where coverage is computed when the store is Neo4j.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// Load the network into the in-memory graph engine (default).
    Engine,
    /// Run the Cypher in queries/ inside Neo4j (Neo4j store only).
    Cypher,
}

/// Common analytics arguments.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// `city`, or a district, street, community or committee id.
    #[arg(long, default_value = "city")]
    pub scope: String,
    /// Date the figures are for (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a network bundle (JSON file, CSV folder or XLSX workbook). Replaces the stored
    /// network atomically; nothing changes when the bundle has problems.
    Import {
        /// Path to a .json file, an .xlsx workbook or a folder of CSV files.
        path: PathBuf,
        /// Upsert rows by id into the stored network instead of replacing it; the merged
        /// whole is validated before anything is written.
        #[arg(long)]
        merge: bool,
    },
    /// Export the stored network as a bundle.
    Export {
        #[arg(long, value_enum)]
        format: BundleFormat,
        /// File (json, xlsx) or folder (csv) to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Coverage per committee, with roll-ups (docs/指标口径.md).
    Coverage {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
        /// Neo4j only: compute in Neo4j with Cypher, or in the engine.
        #[arg(long, value_enum, default_value = "engine")]
        via: Via,
    },
    /// Resource-sinking gaps: needs matched to resources by maximum flow.
    Gaps {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Responsibility checklist (责任清单) of a party org.
    Checklist {
        /// Party org id.
        org: String,
        /// Include every org below it.
        #[arg(long)]
        subtree: bool,
        /// Date the statuses and warnings are for (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ChecklistFormat,
        /// Language of the table, CSV and XLSX, as the API's `?lang=` (JSON is the same in
        /// both).
        #[arg(long, value_enum, default_value = "zh")]
        lang: Lang,
        /// Write to this file instead of standard output (required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Coverage and gaps after withdrawing units or ending partnerships (stored data is not
    /// changed).
    Whatif {
        /// Unit to withdraw (repeatable).
        #[arg(long = "without-unit", value_name = "ID")]
        without_unit: Vec<dangjian_model::Id>,
        /// Partnership to end (repeatable).
        #[arg(long = "without-partnership", value_name = "ID")]
        without_partnership: Vec<dangjian_model::Id>,
        #[command(flatten)]
        scope: ScopeArgs,
        /// `table`: the demand before and after, and the needs, committees and domains that
        /// change; `json`: the API's document; `csv`: one row per need whose met demand
        /// changes (need, committee, domain, met_before, met_after, change) — the totals and
        /// the lists are in the table and the JSON.
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Broker units ranked by betweenness centrality on the partnership graph.
    Brokers {
        #[command(flatten)]
        scope: ScopeArgs,
        /// How many to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Areas (片区): clusters of committees by community detection.
    Areas {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Write a synthetic network bundle, deterministic per seed.
    Generate {
        #[arg(long, value_enum)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output path; the format follows the extension (.json, .xlsx) or a folder for CSV.
        #[arg(long)]
        out: PathBuf,
        /// Override the format guessed from --out.
        #[arg(long, value_enum)]
        format: Option<BundleFormat>,
    },
    /// Write the network of a scope as a graph (JSON, GraphML for yEd/Cytoscape, GEXF for Gephi).
    ExportGraph(graph_cmds::ExportGraphArgs),
    /// A scope's key figures month by month (blank spots, members, hours, met and unmet demand).
    Trend(graph_cmds::TrendArgs),
    /// Draw a diagram of a scope with Graphviz (hierarchy, partnerships or gaps).
    Render {
        /// A district, street, community or committee id (or `city`).
        scope: String,
        #[arg(long, value_enum, default_value = "hierarchy")]
        view: ViewArg,
        /// Date the diagram is for (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Default: the format `--out`'s extension names (.svg, .png, .dot or .gv), else svg. A
        /// format that contradicts a known extension is refused.
        #[arg(long, value_enum)]
        format: Option<DiagramFormat>,
        /// Partnerships view: also draw the city's fair allocation (provider → committee, amount).
        #[arg(long)]
        allocations: bool,
        /// File to write; its extension chooses the format when --format is not given.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add rows to one table (a JSON array, a CSV file or an XLSX sheet named after the
    /// table), all or nothing, validated like an import; every problem is reported at once.
    Add {
        /// Bundle table, e.g. `volunteering`.
        table: String,
        /// A .json file (an array of rows), a .csv file or an .xlsx workbook.
        file: PathBuf,
    },
    /// The change log: every write with its sequence, time, token id (or `cli`) and rows.
    Changes {
        /// Entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        since: u64,
        /// Only this table.
        #[arg(long)]
        table: Option<String>,
        /// Only this row id.
        #[arg(long)]
        id: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Run the HTTP service (API under /api/v1, web page at /).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Neo4j only: bulk-load a whole network into a fresh database folder; check the store.
    Neo4j {
        #[command(subcommand)]
        command: neo4j_cmd::Neo4jCommand,
    },
    /// Manage API bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// Diagram views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// Street → community → committee with their party orgs.
    Hierarchy,
    /// The hierarchy with units, mass and social organisations and their links.
    Partnerships,
    /// Blank spots, unmet demand, stranded resources, sole-partner units.
    Gaps,
}

/// Diagram file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Dot,
    Svg,
    Png,
}

/// Size of a synthetic network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// One district, about 300 committees.
    District,
    /// All of Shanghai: 16 districts, about 6,000 committees, 700,000 members.
    Shanghai,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints it once, as the last line. Only its hash is stored.
    Create {
        #[arg(long, value_enum)]
        role: Role,
        /// Street or district id (required for coordinators).
        #[arg(long)]
        scope: Option<String>,
    },
    /// List tokens (ids, roles, scopes; never the secrets).
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Revoke a token by its id.
    Revoke {
        /// The token's id, as `token create` printed it and `token list` shows it (not the
        /// secret).
        id: String,
    },
}

/// Token roles (docs/访问规则.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    Admin,
    Coordinator,
    Viewer,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::print_error(&err);
            ExitCode::FAILURE
        }
    }
}
