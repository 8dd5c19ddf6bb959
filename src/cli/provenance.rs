//! `skiff verify` and the signing flags of `skiff package`, spelled like
//! helm's (`helm verify CHART.tgz --keyring`, `helm package --sign --key
//! --keyring`).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::diag::Diagnostic;

/// `skiff verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The chart archive; its provenance is read from `CHART.tgz.prov`.
    pub chart: PathBuf,
    /// Keyring with the public keys to trust (binary or armored; default
    /// `$GNUPGHOME/pubring.gpg`, else `~/.gnupg/pubring.gpg`, like helm).
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
}

/// Runs `skiff verify`: prints helm's `Signed by` / `Using Key With
/// Fingerprint` / `Chart Hash Verified` lines, or fails.
pub fn verify(args: VerifyArgs) -> Result<String, Diagnostic> {
    let keyring = args
        .keyring
        .unwrap_or_else(crate::provenance::default_keyring);
    let verified = crate::provenance::verify_chart_file(&args.chart, &keyring)?;
    Ok(verified.report())
}

/// Signing flags of `skiff package`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Write a provenance file (`<archive>.prov`) signed with --key.
    #[arg(long)]
    pub sign: bool,
    /// The signing key's user id, or a unique part of it.
    #[arg(long, value_name = "NAME", requires = "sign")]
    pub key: Option<String>,
    /// Keyring holding the secret key (GnuPG 2.1+: `gpg
    /// --export-secret-keys > secring.gpg`; default `~/.gnupg/secring.gpg`).
    #[arg(long = "keyring", value_name = "FILE", requires = "sign")]
    pub sign_keyring: Option<PathBuf>,
    /// Read the key's passphrase from the first line of FILE (`-`: stdin).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub passphrase_file: Option<PathBuf>,
}

/// Signs a packaged archive when `--sign` was given; returns the line to
/// print, or nothing. On failure the archive is removed again, so a failed
/// `package --sign` leaves no unsigned chart behind.
pub fn sign_packaged(archive: &Path, args: &SignArgs) -> Result<String, Diagnostic> {
    if !args.sign {
        return Ok(String::new());
    }
    let Some(key) = args.key.as_deref().filter(|k| !k.is_empty()) else {
        let _ = std::fs::remove_file(archive);
        return Err(Diagnostic::usage("--sign needs --key NAME"));
    };
    let keyring = args
        .sign_keyring
        .clone()
        .unwrap_or_else(|| crate::provenance::default_keyring().with_file_name("secring.gpg"));
    let passphrase = match &args.passphrase_file {
        Some(file) => match read_passphrase(file) {
            Ok(p) => Some(p),
            Err(e) => {
                let _ = std::fs::remove_file(archive);
                return Err(e);
            }
        },
        None => None,
    };
    match crate::provenance::sign::sign_chart_file(archive, key, &keyring, passphrase.as_deref()) {
        Ok(_) => Ok(String::new()),
        Err(e) => {
            let _ = std::fs::remove_file(archive);
            Err(e.into())
        }
    }
}

/// The first line of `file` (helm's `passphraseFileFetcher`; `-` reads
/// standard input). Never echoed in errors.
fn read_passphrase(file: &Path) -> Result<String, Diagnostic> {
    let text = if file == Path::new("-") {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Diagnostic::new(format!("reading the passphrase from stdin: {e}")))?;
        line
    } else {
        std::fs::read_to_string(file).map_err(|e| {
            Diagnostic::new(format!(
                "{}: could not read the passphrase file: {e}",
                crate::archive::sanitize(&file.display().to_string())
            ))
        })?
    };
    let line = text.lines().next().unwrap_or("");
    Ok(line.to_string())
}

/// The provenance flags of `skiff pull` (helm's `--verify`, `--prov`,
/// `--keyring`).
#[derive(Debug, Clone, Default, Args)]
pub struct PullVerifyArgs {
    /// Verify the chart against its provenance (`<chart-url>.prov`, or the
    /// OCI provenance layer) before saving anything.
    #[arg(long)]
    pub verify: bool,
    /// Fetch the provenance file and save it next to the chart, without
    /// verifying it.
    #[arg(long)]
    pub prov: bool,
    /// Keyring with the public keys to trust for --verify (default like
    /// `skiff verify`).
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
}

impl PullVerifyArgs {
    /// Whether the pull must fetch the `.prov`.
    pub fn wants_provenance(&self) -> bool {
        self.verify || self.prov
    }
}

/// Checks a downloaded chart against its provenance when `--verify` asks
/// for it, before anything is saved; returns helm's report lines. A
/// `.prov` that could not be fetched is an error for `--verify`
/// (helm: `failed to fetch provenance "<url>.prov"`) and a warning for
/// `--prov` alone.
pub fn check_pulled(
    pulled: &crate::registry::pull::Pulled,
    args: &PullVerifyArgs,
) -> Result<String, Diagnostic> {
    let Some(prov) = &pulled.provenance else {
        return Ok(String::new());
    };
    let bytes = match &prov.fetched {
        Ok(bytes) => bytes,
        Err(why) if args.verify => {
            return Err(Diagnostic::new(format!(
                "failed to fetch provenance {:?}: {}",
                prov.origin,
                crate::archive::sanitize(why)
            )));
        }
        Err(why) => {
            eprintln!(
                "WARNING: Verification not found for {}: {}",
                prov.origin,
                crate::archive::sanitize(why)
            );
            return Ok(String::new());
        }
    };
    if !args.verify {
        return Ok(String::new());
    }
    let keyring = args
        .keyring
        .clone()
        .unwrap_or_else(crate::provenance::default_keyring);
    let ring = crate::provenance::Keyring::load(&keyring)?;
    let verified =
        crate::provenance::verify(&pulled.bytes, bytes, &pulled.file_name, &prov.origin, &ring)?;
    Ok(verified.report())
}

/// Saves the fetched `.prov` as `<saved chart>.prov` (helm keeps it for
/// both `--verify` and `--prov`; with `--untar` the archive is not kept,
/// and neither is its provenance).
pub fn save_pulled_provenance(
    pulled: &crate::registry::pull::Pulled,
    saved_chart: &Path,
    untar: bool,
) -> Result<(), Diagnostic> {
    let Some(Ok(bytes)) = pulled.provenance.as_ref().map(|p| &p.fetched) else {
        return Ok(());
    };
    if untar {
        return Ok(());
    }
    let mut path = saved_chart.as_os_str().to_owned();
    path.push(".prov");
    crate::registry::cache::write_atomic(Path::new(&path), bytes)?;
    Ok(())
}
