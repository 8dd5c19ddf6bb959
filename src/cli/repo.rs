//! `skiff repo add|update|list|remove`: HTTP chart repositories, with
//! helm's flags and messages.

use clap::Args;

use super::remote::TlsArgs;
use crate::archive::sanitize;
use crate::diag::Diagnostic;
use crate::registry::paths::Homes;
use crate::registry::repo::{self, AddOutcome, RepoEntry, RepoFile};

/// `skiff repo add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The local name of the repository.
    pub name: String,
    /// The repository URL (its query, if any, is sent with every request).
    pub url: String,
    /// Chart repository user name.
    #[arg(long)]
    pub username: Option<String>,
    /// Chart repository password.
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from stdin.
    #[arg(long)]
    pub password_stdin: bool,
    /// Send the credentials to every host, not only the repository's.
    #[arg(long)]
    pub pass_credentials: bool,
    /// Replace the repository if it already exists.
    #[arg(long)]
    pub force_update: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// Runs `skiff repo add`.
pub fn add(args: AddArgs) -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    let mut password = args.password.unwrap_or_default();
    if args.password_stdin {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Diagnostic::new(format!("reading the password from stdin: {e}")))?;
        password = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text)
            .to_string();
    }
    let username = args.username.unwrap_or_default();
    if !username.is_empty() && password.is_empty() {
        return Err(Diagnostic::usage(
            "--username needs --password or --password-stdin",
        ));
    }
    let path_text = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    let entry = RepoEntry {
        name: args.name.clone(),
        url: args.url,
        username,
        password,
        cert_file: path_text(&args.tls.cert_file),
        key_file: path_text(&args.tls.key_file),
        ca_file: path_text(&args.tls.ca_file),
        insecure_skip_tls_verify: args.tls.insecure_skip_tls_verify,
        pass_credentials_all: args.pass_credentials,
    };
    let name = sanitize(&args.name);
    match repo::add(&homes, entry, args.force_update, &args.tls.client_options())? {
        AddOutcome::Unchanged => Ok(format!(
            "\"{name}\" already exists with the same configuration, skipping\n"
        )),
        AddOutcome::Added { warnings } => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            Ok(format!("\"{name}\" has been added to your repositories\n"))
        }
    }
}

/// Runs `skiff repo update [NAME…]`.
pub fn update(names: &[String], tls: &TlsArgs) -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    let results = repo::update(&homes, names, &tls.client_options())?;
    let mut out = String::new();
    let mut failed = Vec::new();
    for r in results {
        let name = sanitize(&r.name);
        match r.result {
            Ok(warnings) => {
                for w in warnings {
                    eprintln!("warning: {w}");
                }
                out.push_str(&format!(
                    "...Successfully got an update from the \"{name}\" chart repository\n"
                ));
            }
            Err(e) => {
                out.push_str(&format!(
                    "...Unable to get an update from the \"{name}\" chart repository ({}):\n\t{}\n",
                    r.url,
                    sanitize(&e.to_string())
                ));
                failed.push(r.url);
            }
        }
    }
    if !failed.is_empty() {
        // helm fails the command when any repository failed; the per-repository
        // lines still show which ones worked.
        eprint!("{out}");
        return Err(Diagnostic::new(format!(
            "failed to update the following repositories: [{}]",
            failed.join(" ")
        )));
    }
    out.push_str("Update complete.\n");
    Ok(out)
}

/// Runs `skiff repo list`: a NAME/URL table like helm's.
pub fn list() -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    let file = RepoFile::load(&homes.repositories_file())?;
    if file.repositories.is_empty() {
        return Err(Diagnostic::new("no repositories to show"));
    }
    let rows: Vec<[String; 2]> = std::iter::once(["NAME".to_string(), "URL".to_string()])
        .chain(file.repositories.iter().map(|r| {
            // The URL is shown as added, unless it carries a password or a
            // query token: then masked.
            let url = match r.base_url() {
                Ok(u) if u.password().is_some() || u.query().is_some() => {
                    crate::registry::redact_url(&u)
                }
                _ => sanitize(&r.url),
            };
            [sanitize(&r.name), url]
        }))
        .collect();
    let width = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for [name, url] in rows {
        out.push_str(&format!("{name:<width$}\t{url}\n"));
    }
    Ok(out)
}

/// Runs `skiff repo remove NAME…`.
pub fn remove(names: &[String]) -> Result<String, Diagnostic> {
    let homes = Homes::from_env()?;
    repo::remove(&homes, names)?;
    Ok(names
        .iter()
        .map(|n| {
            format!(
                "\"{}\" has been removed from your repositories\n",
                sanitize(n)
            )
        })
        .collect())
}
