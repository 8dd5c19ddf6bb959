//! Commands that talk to remote chart sources: `pull` (and, as they land,
//! `push`, `repo add|update|list|remove`, `registry login|logout`,
//! `search`). Flags are spelled like helm's.

use std::path::PathBuf;

use clap::Args;

use crate::diag::Diagnostic;
use crate::registry::http::ClientOptions;
use crate::registry::paths::Homes;
use crate::registry::pull::{self, PullOptions};
use crate::registry::reference::ChartRef;

/// TLS and transport flags shared by every remote command.
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// Verify servers with this CA bundle (PEM), in addition to the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Identify with this client certificate (PEM); needs --key-file.
    #[arg(long, value_name = "FILE")]
    pub cert_file: Option<PathBuf>,
    /// The client certificate's key (PEM).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Skip TLS certificate checks (dangerous).
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

impl TlsArgs {
    /// The client options these flags ask for.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ..ClientOptions::default()
        }
    }
}

/// Credentials and transport flags for fetching a chart reference, shared
/// by `pull`, `template` and `dep update|build` (spelled like helm's).
#[derive(Debug, Clone, Args)]
pub struct AccessArgs {
    /// Registry or repository user name (else the stored login).
    #[arg(long)]
    pub username: Option<String>,
    /// Registry or repository password.
    #[arg(long)]
    pub password: Option<String>,
    /// Use HTTP instead of HTTPS for an OCI registry.
    #[arg(long)]
    pub plain_http: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
}

impl AccessArgs {
    /// Pull options carrying these flags (and nothing else).
    pub fn pull_options(&self) -> PullOptions {
        PullOptions {
            username: self.username.clone(),
            password: self.password.clone(),
            plain_http: self.plain_http,
            client: self.tls.client_options(),
            ..PullOptions::default()
        }
    }
}

/// `skiff pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// `repo/chart`, a chart URL, `oci://host/path/chart[:tag]` or
    /// `artifacthub:REPO/PACKAGE`.
    pub chart: String,
    /// An exact version or a constraint (`^1.2`, `>=1.0 <2.0`, `~1.2`).
    #[arg(long)]
    pub version: Option<String>,
    /// Also consider prereleases (ignored when --version is given).
    #[arg(long)]
    pub devel: bool,
    /// Unpack the chart after downloading it.
    #[arg(long)]
    pub untar: bool,
    /// Where to save the chart.
    #[arg(short = 'd', long = "destination", default_value = ".")]
    pub destination: PathBuf,
    /// The ArtifactHub instance that resolves `artifacthub:` references
    /// (default https://artifacthub.io).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Find CHART (a chart name) in this repository URL, without adding it.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub provenance: super::provenance::PullVerifyArgs,
}

/// Runs `skiff pull`.
pub fn pull(args: PullArgs) -> Result<String, Diagnostic> {
    // With --repo, CHART is a bare chart name, not a reference.
    let reference = match &args.repo {
        Some(_) => None,
        None => Some(ChartRef::parse(&args.chart)?),
    };
    if args.endpoint.is_some() && !matches!(reference, Some(ChartRef::ArtifactHub { .. })) {
        return Err(Diagnostic::usage(
            "--endpoint applies only to artifacthub:REPO/PACKAGE references",
        ));
    }
    let homes = Homes::from_env()?;
    let options = PullOptions {
        version: args.version,
        devel: args.devel,
        artifacthub_endpoint: args.endpoint,
        provenance: args.provenance.wants_provenance(),
        ..args.access.pull_options()
    };
    let pulled = match (&args.repo, &reference) {
        (Some(url), _) => {
            crate::registry::repo::fetch_with_repo_url(&homes, url, &args.chart, &options)?
        }
        (None, Some(reference)) => pull::fetch(reference, &options, &homes)?,
        (None, None) => return Err(Diagnostic::usage("expected a chart reference")),
    };
    // Verified before anything is written: a bad chart leaves no file.
    let verified = super::provenance::check_pulled(&pulled, &args.provenance)?;
    let saved = pull::save(&pulled, &args.destination, args.untar)?;
    super::provenance::save_pulled_provenance(&pulled, &saved, args.untar)?;
    let mut out = String::new();
    for note in &pulled.notes {
        out.push_str(&crate::archive::sanitize(note));
        out.push('\n');
    }
    if pulled.notes.is_empty() {
        out.push_str(&format!(
            "Pulled {} {} to {}\n",
            crate::archive::sanitize(&pulled.name),
            crate::archive::sanitize(&pulled.version),
            crate::archive::sanitize(&saved.display().to_string())
        ));
    }
    out.push_str(&verified);
    Ok(out)
}

/// Flags `template` takes for a chart reference (`repo/chart`, a chart URL,
/// `oci://…`), as `helm template` does.
#[derive(Debug, Clone, Args)]
pub struct ChartRefArgs {
    /// Chart version or constraint, when CHART is a reference rather than a path.
    #[arg(long)]
    pub version: Option<String>,
    /// Also consider prereleases (ignored when --version is given).
    #[arg(long)]
    pub devel: bool,
    #[command(flatten)]
    pub access: AccessArgs,
}

impl AccessArgs {
    /// The options of `dep update|build` these flags ask for: the
    /// credentials and `--plain-http` apply to `oci://` dependencies (HTTP
    /// repositories use their `repo add` credentials), the TLS flags to
    /// repositories that set none.
    pub fn remote_options(&self, skip_refresh: bool) -> crate::package::remote_deps::RemoteOptions {
        crate::package::remote_deps::RemoteOptions {
            skip_refresh,
            client: self.tls.client_options(),
            plain_http: self.plain_http,
            username: self.username.clone(),
            password: self.password.clone(),
            ..crate::package::remote_deps::RemoteOptions::from_env()
        }
    }
}

/// A chart argument made local: a path as given, or a reference downloaded
/// (verified, through the cache) into a temporary file that lives as long
/// as the returned guard.
pub fn local_chart(
    chart: &str,
    args: &ChartRefArgs,
) -> Result<(PathBuf, Option<tempfile::TempPath>), Diagnostic> {
    let path = PathBuf::from(chart);
    // helm looks at the file system first: a folder named `lab/demo` is a
    // chart path, not a repository reference.
    // helm (`LocateChart`): an absolute path or one starting with `.` is
    // always a path, so a typo there says "not found", not "no such repo".
    if path.exists() || path.is_absolute() || chart.starts_with('.') {
        return Ok((path, None));
    }
    let Ok(reference) = ChartRef::parse(chart) else {
        return Ok((path, None));
    };
    if let ChartRef::Repo { repo, .. } = &reference {
        let known = crate::registry::repo::RepoFile::load(&Homes::from_env()?.repositories_file())?
            .get(repo)
            .is_some();
        if !known {
            return Err(Diagnostic::new(format!(
                "{}: no such chart folder, and no repository named {:?} (see 'skiff repo list')",
                crate::archive::sanitize(chart),
                crate::archive::sanitize(repo)
            )));
        }
    }
    let homes = Homes::from_env()?;
    let options = PullOptions {
        version: args.version.clone(),
        devel: args.devel,
        ..args.access.pull_options()
    };
    let pulled = pull::fetch(&reference, &options, &homes)?;
    let mut file = tempfile::Builder::new()
        .prefix("skiff-chart-")
        .suffix(".tgz")
        .tempfile()
        .map_err(|e| Diagnostic::new(format!("creating a temporary file: {e}")))?;
    std::io::Write::write_all(&mut file, &pulled.bytes)
        .map_err(|e| Diagnostic::new(format!("writing a temporary file: {e}")))?;
    let temp = file.into_temp_path();
    Ok((temp.to_path_buf(), Some(temp)))
}
