//! `skiff search` and `skiff show package`: ArtifactHub from the command
//! line. The flags follow `helm search hub` (`--endpoint`,
//! `--max-col-width`, `-o`), the rest is the library's.

use clap::{Args, ValueEnum};

use super::remote::TlsArgs;
use crate::diag::Diagnostic;
use crate::registry::artifacthub::{self, HubClient, SearchQuery, output, resolve};
use crate::registry::paths::Homes;
use crate::registry::reference::ChartRef;

/// Output formats of `skiff search`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SearchOutput {
    /// An aligned table, like `helm search`.
    Table,
    /// A JSON array (fields listed in the README).
    Json,
}

/// Sort orders the ArtifactHub API offers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SearchSort {
    /// Best match first (the API's default).
    Relevance,
    /// Most starred first.
    Stars,
    /// Most recently updated first.
    LastUpdated,
}

/// `skiff search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for in chart names, descriptions and keywords.
    pub query: String,
    /// The ArtifactHub instance to ask.
    #[arg(long, value_name = "URL", default_value = artifacthub::DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Show at most this many charts (fetched in pages of 60).
    #[arg(long, value_name = "N", default_value_t = artifacthub::MAX_PAGE_SIZE as u64,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max: u64,
    /// Only charts of this ArtifactHub repository (repeatable).
    #[arg(long = "repo", value_name = "NAME")]
    pub repo: Vec<String>,
    /// Result order.
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SearchSort,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: SearchOutput,
    /// Maximum column width of the table (0: no limit).
    #[arg(long, value_name = "N", default_value_t = output::DEFAULT_MAX_COL_WIDTH)]
    pub max_col_width: usize,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// A client of `endpoint` that caches answers under the cache home (when
/// there is one: without HOME the commands still work, uncached).
fn client(endpoint: &str, tls: &TlsArgs) -> Result<HubClient, Diagnostic> {
    let hub = HubClient::new(Some(endpoint), &tls.client_options())?;
    Ok(match Homes::from_env() {
        Ok(homes) => hub.with_cache(artifacthub::cache_dir(&homes)),
        Err(_) => hub,
    })
}

/// Runs `skiff search`.
pub fn search(args: SearchArgs) -> Result<String, Diagnostic> {
    let hub = client(&args.endpoint, &args.tls)?;
    let query = SearchQuery {
        text: args.query,
        repositories: args.repo,
        max: usize::try_from(args.max).unwrap_or(usize::MAX),
        sort: match args.sort {
            SearchSort::Relevance => "relevance",
            SearchSort::Stars => "stars",
            SearchSort::LastUpdated => "last_updated",
        }
        .into(),
    };
    let results = hub.search(&query)?;
    // The table cannot say that more matched; stderr can, without
    // disturbing what a pipe reads.
    if let Some(total) = results.total
        && total > results.packages.len() as u64
    {
        eprintln!(
            "{} of {total} matching charts shown; --max N shows more",
            results.packages.len()
        );
    }
    Ok(match args.output {
        SearchOutput::Table => output::search_table(&results.packages, args.max_col_width),
        SearchOutput::Json => output::search_json(&hub, &results.packages),
    })
}

/// Output formats of `skiff show package`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShowOutput {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// `skiff show package`.
#[derive(Debug, Args)]
pub struct ShowPackageArgs {
    /// `artifacthub:REPO/PACKAGE`.
    pub package: String,
    /// An exact version or a constraint (default: the newest stable one).
    #[arg(long)]
    pub version: Option<String>,
    /// Also consider prereleases (ignored when --version is given).
    #[arg(long)]
    pub devel: bool,
    /// The ArtifactHub instance to ask.
    #[arg(long, value_name = "URL", default_value = artifacthub::DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    pub output: ShowOutput,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// Runs `skiff show package`.
pub fn show_package(args: ShowPackageArgs) -> Result<String, Diagnostic> {
    let ChartRef::ArtifactHub { repo, package } = ChartRef::parse(&args.package)? else {
        return Err(Diagnostic::usage(format!(
            "show package reads ArtifactHub packages: expected artifacthub:REPO/PACKAGE, got {:?}",
            crate::archive::sanitize(&args.package)
        )));
    };
    let hub = client(&args.endpoint, &args.tls)?;
    let detail =
        resolve::package_version(&hub, &repo, &package, args.version.as_deref(), args.devel)?;
    let default_endpoint = args.endpoint.trim_end_matches('/') == artifacthub::DEFAULT_ENDPOINT;
    Ok(match args.output {
        ShowOutput::Yaml => output::package_as_yaml(&hub, &detail, default_endpoint),
        ShowOutput::Json => output::package_as_json(&hub, &detail, default_endpoint),
    })
}
