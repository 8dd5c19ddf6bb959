//! Command-line interface: parses flags, calls the library, maps errors to
//! exit codes. Flags are spelled like helm's so muscle memory carries over.
//! Nothing here holds logic a library test would want.

mod create;
mod hub;
mod provenance;
mod registry;
mod remote;
mod repo;

use crate::diag::Diagnostic;
use crate::engine::{Capabilities, Release};
use crate::manifest::HelmStreamOptions;
use crate::render::{self, RenderOptions};
use crate::values::ValueOptions;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Render, patch, package and ship Kubernetes manifests.
#[derive(Debug, Parser)]
#[command(name = "skiff", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render a chart's templates locally, like `helm template`.
    #[command(disable_version_flag = true)]
    Template(Box<TemplateArgs>),
    /// Show information about a chart.
    Show {
        #[command(subcommand)]
        what: ShowCommand,
    },
    /// Create a new native (minijinja) chart directory.
    Create {
        /// Name of the chart; the directory is created with this name.
        name: PathBuf,
    },
    /// Render one template file against a data file.
    Eval(EvalArgs),
    /// Build a kustomization directory, like `kustomize build`.
    Build(BuildArgs),
    /// Show what a change does to the rendered manifests (charts, streams, git revisions).
    Diff(Box<DiffArgs>),
    /// Package a chart directory into a reproducible `<name>-<version>.tgz`.
    // `--version` sets the chart version here, as in helm.
    #[command(disable_version_flag = true)]
    Package(PackageArgs),
    /// Download a chart from a repository, an OCI registry or ArtifactHub.
    #[command(disable_version_flag = true)]
    Pull(Box<remote::PullArgs>),
    /// Check a chart archive against its `.prov` provenance, like `helm verify`.
    Verify(provenance::VerifyArgs),
    /// Upload a packaged chart to an OCI registry, like `helm push`.
    Push(Box<registry::PushArgs>),
    /// Log in to or out of an OCI registry.
    Registry {
        #[command(subcommand)]
        what: registry::RegistryCommand,
    },
    /// Search ArtifactHub for charts.
    Search(Box<hub::SearchArgs>),
    /// Chart repository commands.
    Repo {
        #[command(subcommand)]
        what: RepoCommand,
    },
    /// Manage a chart's dependencies (`file://`, HTTP chart repositories, OCI registries).
    #[command(alias = "dependency")]
    Dep {
        #[command(subcommand)]
        what: DepCommand,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum ShowCommand {
    /// Show the chart's Chart.yaml (re-serialized, like `helm show chart`).
    Chart {
        /// Chart directory or .tgz.
        chart: PathBuf,
    },
    /// Show the chart's values.yaml as written.
    Values {
        /// Chart directory or .tgz.
        chart: PathBuf,
    },
    /// Show an ArtifactHub package: versions, source, digest, signatures.
    #[command(disable_version_flag = true)]
    Package(Box<hub::ShowPackageArgs>),
}

#[derive(Debug, Args)]
struct PackageArgs {
    /// Chart directory.
    chart: PathBuf,
    /// Set the chart version (SemVer 2).
    #[arg(long)]
    version: Option<String>,
    /// Set the appVersion.
    #[arg(long)]
    app_version: Option<String>,
    /// Directory to write the archive to.
    #[arg(short = 'd', long = "destination", default_value = ".")]
    destination: PathBuf,
    #[command(flatten)]
    sign: provenance::SignArgs,
}

#[derive(Debug, Subcommand)]
enum RepoCommand {
    /// Add an HTTP chart repository (downloads and caches its index).
    Add(Box<repo::AddArgs>),
    /// Download the latest indexes of all (or the named) repositories.
    #[command(alias = "up")]
    Update {
        /// Repositories to update (default: all).
        names: Vec<String>,
        #[command(flatten)]
        tls: remote::TlsArgs,
    },
    /// List the added repositories.
    #[command(alias = "ls")]
    List,
    /// Remove repositories and their cached indexes.
    #[command(alias = "rm")]
    Remove {
        /// Repository names.
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Write DIR/index.yaml for the chart archives in DIR and DIR/*/.
    Index {
        /// Directory holding the archives.
        dir: PathBuf,
        /// Base URL of the charts.
        #[arg(long)]
        url: Option<String>,
        /// Merge this existing index into the new one.
        #[arg(long)]
        merge: Option<PathBuf>,
        /// Write JSON instead of YAML.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DepCommand {
    /// List the dependencies and their status.
    List {
        /// Chart directory.
        #[arg(default_value = ".")]
        chart: PathBuf,
    },
    /// Resolve dependencies (`file://`, repository URLs, `@repo`, `oci://`) into charts/ and write Chart.lock.
    Update {
        /// Chart directory.
        #[arg(default_value = ".")]
        chart: PathBuf,
        /// Use the cached indexes of added repositories.
        #[arg(long)]
        skip_refresh: bool,
        #[command(flatten)]
        remote: remote::AccessArgs,
    },
    /// Rebuild charts/ from Chart.lock, verifying it.
    Build {
        /// Chart directory.
        #[arg(default_value = ".")]
        chart: PathBuf,
        /// Use the cached indexes of added repositories.
        #[arg(long)]
        skip_refresh: bool,
        #[command(flatten)]
        remote: remote::AccessArgs,
    },
}

/// Flags that set values, spelled and ordered like helm's.
#[derive(Debug, Args, Default)]
struct ValueFlags {
    /// Values file (YAML); repeatable, comma-separated lists allowed; later files win.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,
    /// Set values (`a.b=c,d[0]=e`); typed like helm (integers, booleans, null).
    #[arg(long = "set", value_name = "KEY=VAL")]
    set: Vec<String>,
    /// Set STRING values (never typed).
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    set_string: Vec<String>,
    /// Set values from files (`key=path`): the file's content becomes the value.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// Set JSON values (`key=<json>` or a JSON object).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// Set literal STRING values: everything after the first `=` is taken as is.
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    set_literal: Vec<String>,
}

impl ValueFlags {
    fn options(&self) -> ValueOptions {
        ValueOptions {
            values_files: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_json: self.set_json.clone(),
            set_literal: self.set_literal.clone(),
        }
    }
}

#[derive(Debug, Args)]
struct TemplateArgs {
    /// Release name (default `release-name`), then the chart: a directory, a .tgz,
    /// `repo/chart` of an added repository, a chart URL, or `oci://host/path/chart[:tag]`.
    #[arg(value_name = "[NAME] CHART", num_args = 1..=2, required = true)]
    args: Vec<String>,
    #[command(flatten)]
    values: ValueFlags,
    /// Namespace of the release.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Only show manifests rendered from the given templates (path or glob).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    show_only: Vec<String>,
    /// Include CRDs (from crds/) in the output.
    #[arg(long)]
    include_crds: bool,
    /// Accepted for helm compatibility: like `helm template`, it does not
    /// suppress `--include-crds` output (it only matters for installs).
    #[arg(long)]
    skip_crds: bool,
    /// Skip tests (hooks with the `test` event) in the output.
    #[arg(long)]
    skip_tests: bool,
    /// Leave hooks out of the output.
    #[arg(long)]
    no_hooks: bool,
    /// Kubernetes version for `.Capabilities.KubeVersion` (default v1.35.0).
    #[arg(long, value_name = "VERSION")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable, comma-separated).
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GROUP/VERSION",
        value_delimiter = ','
    )]
    api_versions: Vec<String>,
    /// Render as an upgrade (`.Release.IsUpgrade`).
    #[arg(long)]
    is_upgrade: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    skip_schema_validation: bool,
    /// Write each template to a file under this directory instead of stdout.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Seed for random functions: the same seed gives the same output.
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    chart_ref: remote::ChartRefArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffOutput {
    /// Text for a terminal.
    Text,
    /// JSON (schemaVersion 1; see the README).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// OLD and NEW inputs (chart dir/.tgz, rendered YAML file or `-`, kustomization dir);
    /// with --from, one input compared with itself at that revision.
    #[arg(value_name = "INPUT", num_args = 1..=2, required = true)]
    inputs: Vec<std::path::PathBuf>,
    /// Git revision for the old side (read with `git archive`; the working copy is untouched).
    #[arg(long, value_name = "REV")]
    from: Option<String>,
    /// Git revision for the new side (default: the working copy).
    #[arg(long, value_name = "REV")]
    to: Option<String>,
    #[command(flatten)]
    values: ValueFlags,
    /// Release name used to render charts.
    #[arg(long, default_value = "release-name")]
    release_name: String,
    /// Namespace of the release.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GROUP/VERSION",
        value_delimiter = ','
    )]
    api_versions: Vec<String>,
    /// Include CRDs (from crds/) when rendering charts.
    #[arg(long)]
    include_crds: bool,
    /// Seed for random functions (applied to both sides).
    #[arg(long)]
    seed: Option<u64>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    output: DiffOutput,
    /// Print counts only.
    #[arg(long)]
    stat: bool,
    /// Colour the text output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Lines of context around changes in multi-line strings.
    #[arg(long, value_name = "N", default_value_t = 3)]
    context: usize,
    /// Ignore changes at paths matching this glob (`*`, `?`); repeatable.
    #[arg(long = "ignore-path", value_name = "GLOB")]
    ignore_path: Vec<String>,
    /// Ignore these label keys (comma-separated).
    #[arg(long = "ignore-labels", value_name = "KEYS", value_delimiter = ',')]
    ignore_labels: Vec<String>,
    /// Show Secret data instead of masking it.
    #[arg(long)]
    show_secrets: bool,
    /// Do not pair removed and added resources as renames.
    #[arg(long)]
    no_renames: bool,
    /// Exit with 1 when there are differences (like `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// Directory holding a kustomization.yaml.
    dir: PathBuf,
    /// Output order when the kustomization has no `sortOptions`.
    #[arg(long, value_enum, default_value = "legacy")]
    reorder: ReorderArg,
    /// How far file references may reach.
    #[arg(long, value_enum, default_value = "LoadRestrictionsRootOnly")]
    load_restrictor: LoadRestrictorArg,
    /// Accepted for kustomize compatibility; charts always render in-process.
    #[arg(long)]
    enable_helm: bool,
    /// Add `app.kubernetes.io/managed-by: kustomize-v5.7.1` to every resource.
    #[arg(long)]
    enable_managedby_label: bool,
    /// Write to this path instead of stdout: one file per resource when it
    /// is an existing directory, else one file.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReorderArg {
    Legacy,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LoadRestrictorArg {
    #[value(name = "LoadRestrictionsRootOnly")]
    RootOnly,
    #[value(name = "LoadRestrictionsNone")]
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EngineName {
    /// minijinja (native `.j2` templates).
    Jinja,
    /// Go text/template (Helm templates).
    Go,
    /// Go text/template with Sprig and Helm's functions.
    Helm,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Template engine.
    #[arg(long, value_enum, default_value = "jinja")]
    engine: EngineName,
    /// Data file (JSON or YAML): the template's context.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Template file.
    template: PathBuf,
}

/// Runs the CLI and returns the process exit code.
pub fn run() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = match quick_parse(&args) {
        Some(cli) => Ok(cli),
        None => Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return code;
        }
    };
    // `diff` has its own exit codes (0 same, 1 different with --exit-code,
    // 2 error), like `git diff`.
    let cli = match cli.command {
        Command::Diff(args) => return diff_command(*args),
        command => Cli { command },
    };
    match execute(cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => 0,
                // A closed pipe (`skiff template … | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    eprint!(
                        "{}",
                        Diagnostic::new(format!("writing output: {e}")).render()
                    );
                    1
                }
            }
        }
        Err(d) => {
            eprint!("{}", d.render());
            d.exit_code()
        }
    }
}

/// Runs a command; the whole output is returned so nothing partial is printed
/// when a later step fails.
fn execute(cli: Cli) -> Result<String, Diagnostic> {
    match cli.command {
        Command::Template(args) => template(*args),
        Command::Show { what } => match what {
            ShowCommand::Chart { chart } => crate::show::chart_yaml(&chart),
            ShowCommand::Values { chart } => crate::show::values_yaml(&chart),
            ShowCommand::Package(args) => hub::show_package(*args),
        },
        Command::Create { name } => create::create(&name),
        Command::Eval(args) => eval(args),
        Command::Build(args) => build(args),
        Command::Diff(_) => Err(Diagnostic::new("diff is run by diff_command")),
        Command::Package(args) => package(args),
        Command::Pull(args) => remote::pull(*args),
        Command::Verify(args) => provenance::verify(args),
        Command::Push(args) => registry::push(*args),
        Command::Registry { what } => registry::registry(what),
        Command::Search(args) => hub::search(*args),
        Command::Repo {
            what: RepoCommand::Add(args),
        } => repo::add(*args),
        Command::Repo {
            what: RepoCommand::Update { names, tls },
        } => repo::update(&names, &tls),
        Command::Repo {
            what: RepoCommand::List,
        } => repo::list(),
        Command::Repo {
            what: RepoCommand::Remove { names },
        } => repo::remove(&names),
        Command::Repo {
            what:
                RepoCommand::Index {
                    dir,
                    url,
                    merge,
                    json,
                },
        } => {
            let opts = crate::package::index::IndexOptions { url, merge, json };
            crate::package::index::repo_index(&dir, &opts)?;
            Ok(String::new())
        }
        Command::Dep { what } => {
            let mtime = crate::archive::mtime_from_env()?;
            Ok(match what {
                DepCommand::List { chart } => crate::package::deps::list(&chart)?,
                DepCommand::Update {
                    chart,
                    skip_refresh,
                    remote,
                } => crate::package::deps::update_with(
                    &chart,
                    mtime,
                    &remote.remote_options(skip_refresh),
                )?,
                DepCommand::Build {
                    chart,
                    skip_refresh,
                    remote,
                } => crate::package::deps::build_with(
                    &chart,
                    mtime,
                    &remote.remote_options(skip_refresh),
                )?,
            })
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "skiff", &mut buf);
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
    }
}

fn package(args: PackageArgs) -> Result<String, Diagnostic> {
    let opts = crate::package::PackageOptions {
        version: args.version,
        app_version: args.app_version,
        destination: args.destination,
        mtime: crate::archive::mtime_from_env()?,
    };
    let path = crate::package::package(&args.chart, &opts)?;
    provenance::sign_packaged(&path, &args.sign)?;
    Ok(format!(
        "Successfully packaged chart and saved it to: {}\n",
        crate::archive::sanitize(&path.display().to_string())
    ))
}

fn template(args: TemplateArgs) -> Result<String, Diagnostic> {
    let (name, chart) = match args.args.as_slice() {
        [chart] => (Release::default().name, chart.clone()),
        [name, chart] => (name.clone(), chart.clone()),
        _ => return Err(Diagnostic::usage("expected [NAME] CHART")),
    };
    let mut capabilities = Capabilities::default();
    if let Some(v) = &args.kube_version {
        capabilities.kube_version = crate::engine::capabilities::parse_kube_version(v)
            .map_err(|e| Diagnostic::usage(format!("invalid --kube-version {v:?}: {e}")))?;
    }
    capabilities = capabilities.with_api_versions(&args.api_versions);
    let opts = RenderOptions {
        release: Release {
            name,
            namespace: args.namespace,
            is_install: !args.is_upgrade,
            is_upgrade: args.is_upgrade,
            ..Release::default()
        },
        values: args.values.options(),
        capabilities,
        skip_schema_validation: args.skip_schema_validation,
        stream: HelmStreamOptions {
            include_crds: args.include_crds,
            skip_tests: args.skip_tests,
            no_hooks: args.no_hooks,
            show_only: args.show_only,
        },
        seed: args.seed,
    };
    // Helm's template mode ignores --skip-crds (see the flag's help).
    let _ = args.skip_crds;
    // `repo/chart` and chart URLs are downloaded (verified) first; the
    // guard removes the temporary archive after rendering.
    let (path, _downloaded) = remote::local_chart(&chart, &args.chart_ref)?;
    let output = match &args.output_dir {
        None => render::render_to_string(&path, &opts)?,
        Some(dir) => render::render_to_dir(&path, &opts, dir)?,
    };
    for w in &output.warnings {
        eprintln!("warning: {w}");
    }
    Ok(output.text)
}

/// Parses `skiff template …` and `skiff build …` with the definition of
/// that subcommand alone. Building every subcommand's arguments took half a
/// millisecond of a command that renders a small chart in four (most of it
/// first touches of code and strings no other command path needs). Anything
/// this parse does not accept (help, a typo, another subcommand) returns
/// `None`, and the whole definition parses again and reports it; what it
/// accepts is what the whole definition gives (a test compares both).
fn quick_parse(args: &[std::ffi::OsString]) -> Option<Cli> {
    use clap::FromArgMatches;
    let name = args.get(1)?.to_str()?;
    let sub = match name {
        "template" => TemplateArgs::augment_args(clap::Command::new("template")),
        "build" => BuildArgs::augment_args(clap::Command::new("build")),
        _ => return None,
    };
    let matches = clap::Command::new("skiff")
        .subcommand(sub)
        .try_get_matches_from(args)
        .ok()?;
    let (_, sub) = matches.subcommand()?;
    let command = match name {
        "template" => Command::Template(Box::new(TemplateArgs::from_arg_matches(sub).ok()?)),
        _ => Command::Build(BuildArgs::from_arg_matches(sub).ok()?),
    };
    Some(Cli { command })
}

/// `skiff diff`: prints the report and returns the exit code.
fn diff_command(args: DiffArgs) -> i32 {
    use std::io::IsTerminal;
    let exit_code = args.exit_code;
    match diff(args, std::io::stdout().is_terminal()) {
        Ok((text, differs)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    eprint!(
                        "{}",
                        Diagnostic::new(format!("writing output: {e}")).render()
                    );
                    return 2;
                }
            }
            i32::from(exit_code && differs)
        }
        Err(d) => {
            eprint!("{}", d.render());
            2
        }
    }
}

fn diff(args: DiffArgs, tty: bool) -> Result<(String, bool), Diagnostic> {
    use crate::diff::{DiffOptions, OutputFormat, RenderSettings, RenderStyle, Side};
    let (old_path, new_path) = match args.inputs.as_slice() {
        [one] if args.from.is_some() || args.to.is_some() => (one.clone(), one.clone()),
        [_] => {
            return Err(Diagnostic::usage(
                "diff needs two inputs, or one input and --from REV",
            ));
        }
        [old, new] => (old.clone(), new.clone()),
        _ => return Err(Diagnostic::usage("expected OLD [NEW]")),
    };
    if old_path.as_os_str() == "-" && new_path.as_os_str() == "-" && args.from.is_none() {
        return Err(Diagnostic::usage(
            "only one side can be read from standard input",
        ));
    }
    let mut capabilities = Capabilities::default();
    if let Some(v) = &args.kube_version {
        capabilities.kube_version = crate::engine::capabilities::parse_kube_version(v)
            .map_err(|e| Diagnostic::usage(format!("invalid --kube-version {v:?}: {e}")))?;
    }
    capabilities = capabilities.with_api_versions(&args.api_versions);
    let settings = RenderSettings {
        render: RenderOptions {
            release: Release {
                name: args.release_name,
                namespace: args.namespace,
                ..Release::default()
            },
            values: args.values.options(),
            capabilities,
            skip_schema_validation: false,
            stream: HelmStreamOptions {
                include_crds: args.include_crds,
                ..HelmStreamOptions::default()
            },
            seed: args.seed,
        },
    };
    let opts = DiffOptions {
        show_secrets: args.show_secrets,
        ignore_paths: args.ignore_path,
        ignore_labels: args.ignore_labels,
        no_renames: args.no_renames,
    };
    let old = Side {
        path: old_path,
        revision: args.from,
    };
    let new = Side {
        path: new_path,
        revision: args.to,
    };
    let report = crate::diff::diff_sides(&old, &new, &settings, &opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && !no_color,
    };
    let format = match (args.stat, args.output) {
        (true, _) => OutputFormat::Stat,
        (false, DiffOutput::Text) => OutputFormat::Text,
        (false, DiffOutput::Json) => OutputFormat::Json,
        (false, DiffOutput::Markdown) => OutputFormat::Markdown,
    };
    let style = RenderStyle {
        color,
        context: args.context,
    };
    let text = crate::diff::render_report(&report, format, style);
    Ok((text, report.has_differences()))
}

/// `eval --engine go`: Go text/template with the data as dot (JSON
/// integers are Go `int`). Errors carry Go's own message text.
fn eval_go(
    name: &str,
    source: &str,
    data: &crate::Value,
    has_data: bool,
) -> Result<String, Diagnostic> {
    use crate::engine::gotmpl::{GoValue, NumberMode, Template};
    let dot = if has_data {
        GoValue::from_value(data, NumberMode::Go)
    } else {
        GoValue::Nil
    };
    let (name, source) = (name.to_string(), source.to_string());
    // Go allows 100000 nested {{template}} calls and 10000 nested
    // parentheses; give parsing and the walk a deep stack (reserved, not
    // committed) so those limits, not the native stack, stop recursion.
    let run = move || {
        let mut tmpl = Template::new(&name);
        tmpl.parse(&source).map_err(|e| e.message)?;
        let mut out = String::new();
        tmpl.execute(&mut out, &dot).map_err(|e| e.message)?;
        Ok::<String, String>(out)
    };
    let handle = std::thread::Builder::new()
        .stack_size(4 << 30)
        .spawn(run)
        .map_err(|e| Diagnostic::new(format!("cannot start the template executor: {e}")))?;
    match handle.join() {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(message)) => Err(Diagnostic::new(message)),
        Err(_) => Err(Diagnostic::new("template execution failed unexpectedly")),
    }
}

/// `eval --engine helm`: Helm's functions and options, the data as dot in
/// Helm's number mode as `--set-json`-free values see it: JSON integers are
/// int64 (like `--set` integers), other numbers float64; `<no value>` erased.
fn eval_helm(name: &str, source: &str, data: &crate::Value) -> Result<String, Diagnostic> {
    use crate::engine::gotmpl::{GoValue, NumberMode};
    fn ints_as_int64(v: &crate::Value) -> crate::Value {
        match v {
            crate::Value::DocInt(i) => crate::Value::Int(*i),
            crate::Value::Seq(items) => {
                crate::Value::Seq(items.iter().map(ints_as_int64).collect())
            }
            crate::Value::Map(m) => crate::Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), ints_as_int64(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let dot = GoValue::from_value(&ints_as_int64(data), NumberMode::Helm);
    crate::engine::helm::eval(name, source, &dot).map_err(|e| Diagnostic::new(e.message))
}

fn eval(args: EvalArgs) -> Result<String, Diagnostic> {
    let source = std::fs::read_to_string(&args.template).map_err(|e| {
        Diagnostic::new(format!("cannot read template: {e}")).at(crate::diag::Location::file(
            args.template.display().to_string(),
        ))
    })?;
    let data = match &args.data {
        Some(path) => crate::show::read_data_file(path)?,
        None => crate::Value::new_map(),
    };
    let name = args.template.display().to_string();
    match args.engine {
        EngineName::Jinja => Ok(crate::engine::jinja::render_string(&name, &source, &data)?),
        EngineName::Go => eval_go(&name, &source, &data, args.data.is_some()),
        EngineName::Helm => eval_helm(&name, &source, &data),
    }
}

fn build(args: BuildArgs) -> Result<String, Diagnostic> {
    use crate::overlay::{BuildOptions, LoadRestrictor, Reorder};
    let _ = args.enable_helm;
    let opts = BuildOptions {
        load_restrictor: match args.load_restrictor {
            LoadRestrictorArg::RootOnly => LoadRestrictor::RootOnly,
            LoadRestrictorArg::None => LoadRestrictor::None,
        },
        reorder: match args.reorder {
            ReorderArg::Legacy => Reorder::Legacy,
            ReorderArg::None => Reorder::None,
        },
        managed_by_label: args.enable_managedby_label,
    };
    let out = crate::overlay::build_resources(&args.dir, &opts)?;
    for w in &out.warnings {
        eprintln!("# Warning: {w}");
    }
    let text = match &args.output {
        None => crate::overlay::to_kustomize_yaml(&out.resources),
        Some(dir) => {
            crate::overlay::write_output(dir, &out.resources)?;
            String::new()
        }
    };
    // The process ends after printing: freeing thousands of resource trees
    // node by node would cost about a twentieth of a large build.
    crate::teardown::release(out);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap checks its definition (duplicate flags, e.g. `--version` on a
    /// command that also has clap's own) only when a command is parsed; this
    /// checks every subcommand at once so a clash fails here, not for a user.
    #[test]
    fn command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The quick parse of `template` and `build` gives what the whole
    /// definition gives, and leaves everything else (help, errors, other
    /// subcommands) to it.
    #[test]
    fn quick_parse_agrees_with_the_whole_definition() {
        let argv = |line: &str| -> Vec<std::ffi::OsString> {
            line.split(' ').map(std::ffi::OsString::from).collect()
        };
        let accepted = [
            "skiff template chart",
            "skiff template rel ./chart -n ns --set a=b,c=d -f v1.yaml --values v2.yaml",
            "skiff template chart --set-string x=1 --set-file k=f --set-json j={} --include-crds",
            "skiff template chart -s templates/a.yaml --show-only b --seed 7 --kube-version 1.30",
            "skiff template chart --api-versions v1/Foo -a v2/Bar --skip-tests --no-hooks",
            "skiff template chart --output-dir out --skip-schema-validation --is-upgrade",
            "skiff template chart --version 1.2.3 --devel --username u --password p --plain-http",
            "skiff template chart --ca-file c --cert-file c --key-file k --insecure-skip-tls-verify",
            "skiff template chart --skip-crds --set-literal a=b",
            "skiff template -- -chart",
            "skiff build dir",
            "skiff build dir --reorder none --load-restrictor LoadRestrictionsNone",
            "skiff build dir -o out --enable-helm --enable-managedby-label",
        ];
        for line in accepted {
            let whole = Cli::try_parse_from(argv(line));
            let quick = quick_parse(&argv(line));
            match (&whole, &quick) {
                (Ok(w), Some(q)) => assert_eq!(format!("{w:?}"), format!("{q:?}"), "{line}"),
                _ => panic!("{line}: whole {whole:?}, quick {quick:?}"),
            }
        }
        for line in [
            "skiff template",
            "skiff template --help",
            "skiff template -h",
            "skiff template chart --no-such-flag",
            "skiff template a b c",
            "skiff build",
            "skiff build --help",
            "skiff --version",
            "skiff show values chart",
            "skiff",
        ] {
            assert!(quick_parse(&argv(line)).is_none(), "{line}");
        }
    }
}
