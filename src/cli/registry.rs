//! `skiff push` and `skiff registry login|logout`: OCI registry commands,
//! flags spelled like helm's.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::remote::{AccessArgs, TlsArgs};
use crate::diag::Diagnostic;
use crate::registry::credentials::{Credential, CredentialStore, host_key};
use crate::registry::helm_oci::{self, PushOptions};
use crate::registry::http::HttpClient;
use crate::registry::oci::OciClient;
use crate::registry::paths::Homes;

/// `skiff push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The packaged chart (`.tgz`); `<chart>.tgz.prov` next to it is pushed too.
    pub chart: PathBuf,
    /// Where to: `oci://host[:port]/path` (the chart lands at `path/<name>:<version>`).
    pub remote: String,
    #[command(flatten)]
    pub access: AccessArgs,
}

/// `skiff registry …`.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Log in to an OCI registry (the credentials are checked, then stored).
    Login(LoginArgs),
    /// Remove the stored credentials of an OCI registry.
    Logout {
        /// The registry host (`host[:port]`).
        host: String,
    },
}

/// `skiff registry login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The registry host (`host[:port]`).
    pub host: String,
    /// The user name.
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// The password (prefer --password-stdin: a command line is visible to other users).
    #[arg(short = 'p', long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Use HTTP instead of HTTPS.
    #[arg(long)]
    pub plain_http: bool,
    /// helm's spelling of --insecure-skip-tls-verify for `registry login`.
    #[arg(long)]
    pub insecure: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// Runs `skiff push`.
pub fn push(args: PushArgs) -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    let access = args.access;
    let options = PushOptions {
        plain_http: access.plain_http,
        client: access.tls.client_options(),
        username: access.username,
        password: access.password,
    };
    let pushed = helm_oci::push(&args.chart, &args.remote, &options, &homes)?;
    if pushed.underscore {
        eprintln!("skiff: {}", helm_oci::underscore_note(&pushed.reference));
    }
    Ok(format!(
        "Pushed: {}\nDigest: {}\n",
        crate::archive::sanitize(&pushed.reference),
        pushed.digest
    ))
}

/// Runs `skiff registry login|logout`.
pub fn registry(what: RegistryCommand) -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    let store = CredentialStore::from_env(&homes);
    match what {
        RegistryCommand::Login(args) => login(args, &store),
        RegistryCommand::Logout { host } => {
            let key = registry_host(&host);
            if store.remove(&key)? {
                Ok(format!(
                    "Removing login credentials for {}\n",
                    crate::archive::sanitize(&key)
                ))
            } else {
                Err(Diagnostic::new(format!(
                    "not logged in to {}",
                    crate::archive::sanitize(&key)
                )))
            }
        }
    }
}

/// The host part of what the user typed; helm accepts `host/path` with a
/// warning that only the host counts.
fn registry_host(text: &str) -> String {
    let key = host_key(text);
    let bare = text
        .trim()
        .trim_start_matches("oci://")
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    if bare.trim_end_matches('/').contains('/') {
        eprintln!(
            "skiff: warning: registry login/logout use only the host; ignoring the path in {:?}",
            crate::archive::sanitize(text)
        );
    }
    key
}

fn login(args: LoginArgs, store: &CredentialStore) -> Result<String, Diagnostic> {
    let host = registry_host(&args.host);
    let username = args.username.ok_or_else(|| {
        Diagnostic::usage("registry login needs --username (and --password or --password-stdin)")
    })?;
    let password = if args.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Diagnostic::new(format!("reading the password from stdin: {e}")))?;
        // `echo secret | …` adds a newline that is not part of the password.
        text.trim_end_matches(['\n', '\r']).to_string()
    } else {
        match args.password {
            Some(p) => {
                eprintln!(
                    "skiff: warning: a password on the command line is visible to other users; prefer --password-stdin"
                );
                p
            }
            None => {
                return Err(Diagnostic::usage(
                    "registry login needs --password or --password-stdin",
                ));
            }
        }
    };
    if password.is_empty() {
        return Err(Diagnostic::usage("the password is empty"));
    }
    let mut options = args.tls.client_options();
    options.insecure_skip_tls_verify |= args.insecure;
    let http = HttpClient::new(&options)?;
    let credential = Credential::Basic {
        username: username.clone(),
        password: password.clone(),
    };
    let client = OciClient::new(http, &host, args.plain_http, Some(credential))?;
    client.ping(true)?;
    store.store(&host, &username, &password)?;
    Ok("Login Succeeded\n".to_string())
}
