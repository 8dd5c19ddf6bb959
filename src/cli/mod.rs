//! Command-line interface: parses flags, calls the library, maps errors to
//! exit codes. Flags are spelled like helm's so muscle memory carries over.
//! Nothing here holds logic a library test would want.

mod create;

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
    /// Release name (default `release-name`), then the chart (directory or .tgz).
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
    /// Seed for random functions (reserved: makes random output reproducible).
    #[arg(long)]
    seed: Option<u64>,
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

/// Runs the CLI and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return code;
        }
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
        },
        Command::Create { name } => create::create(&name),
        Command::Eval(args) => eval(args),
        Command::Build(args) => build(args),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "skiff", &mut buf);
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
    }
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
    };
    let _ = args.seed; // reserved until random functions land (issue: Helm compatibility)
    let path = PathBuf::from(&chart);
    let output = match &args.output_dir {
        None => render::render_to_string(&path, &opts)?,
        Some(dir) => render::render_to_dir(&path, &opts, dir)?,
    };
    for w in &output.warnings {
        eprintln!("warning: {w}");
    }
    Ok(output.text)
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
    match &args.output {
        None => Ok(crate::overlay::to_kustomize_yaml(&out.resources)),
        Some(dir) => {
            crate::overlay::write_output(dir, &out.resources)?;
            Ok(String::new())
        }
    }
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
        EngineName::Go | EngineName::Helm => Err(Diagnostic::usage(
            "the Go template engine is not available yet; use --engine jinja",
        )),
    }
}
