//! `skiff dep list|update|build` for `file://` dependencies and HTTP chart
//! repositories ([`super::remote_deps`]), with Helm's `Chart.lock`
//! (`pkg/downloader/manager.go`, `internal/resolver`) plus a per-dependency
//! content digest of the archive placed in `charts/`.

use super::index::{now_rfc3339, sha256_hex};
use super::remote_deps::{Fetched, RemoteOptions, Repos, is_http_repository, is_oci_repository};
use super::{PackageError, PackageOptions, normalize_dependency, pack};
use crate::archive::{self, Limits, sanitize};
use crate::chart::{self, Dependency, Metadata};
use crate::value::{Map, Value};
use crate::version_range::{Constraint, LooseVersion};
use std::path::{Path, PathBuf};

/// The lock field holding the sha256 of the archive written to `charts/`
/// (not a Helm field; Helm's lock reader ignores unknown fields).
pub const CONTENT_DIGEST: &str = "contentDigest";

fn chart_metadata(chart_dir: &Path) -> Result<Metadata, PackageError> {
    Ok(chart::load(chart_dir)?.metadata)
}

/// Helm's `GetLocalPath`: `file://` path relative to the chart directory.
fn local_path(repository: &str, chart_dir: &Path) -> Option<PathBuf> {
    let rel = repository.strip_prefix("file://")?;
    let p = Path::new(rel);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        chart_dir.join(p)
    })
}

/// Whether `version` satisfies a dependency's `version:` (empty = any).
fn satisfies(constraint: Option<&str>, version: &str) -> bool {
    let c = constraint.filter(|c| !c.trim().is_empty()).unwrap_or("*");
    match (Constraint::parse(c), LooseVersion::parse(version)) {
        (Ok(c), Ok(v)) => c.matches(&v),
        _ => false,
    }
}

/// Go's `json.Marshal` of a value (compact, HTML characters escaped).
fn go_json(v: &Value) -> String {
    serde_json::to_string(&v.to_json())
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Helm's `resolver.HashReq`: `sha256:` + sha256 of
/// `json.Marshal([2][]*Dependency{req, lock})`.
pub fn lock_digest(md: &Metadata, locked: &[Value]) -> String {
    let req = crate::show::metadata_value(md)
        .as_map()
        .and_then(|m| m.get("dependencies").cloned())
        .unwrap_or(Value::Null);
    let lock = if locked.is_empty() {
        Value::Null
    } else {
        Value::Seq(locked.iter().map(normalize_dependency).collect())
    };
    format!(
        "sha256:{}",
        sha256_hex(go_json(&Value::Seq(vec![req, lock])).as_bytes())
    )
}

/// `skiff dep list`: Helm's table of NAME, VERSION, REPOSITORY, STATUS.
pub fn list(chart_dir: &Path) -> Result<String, PackageError> {
    let md = chart_metadata(chart_dir)?;
    if md.dependencies.is_empty() {
        return Ok(format!(
            "WARNING: no dependencies at {}\n",
            sanitize(&chart_dir.join("charts").display().to_string())
        ));
    }
    let mut rows = vec![[
        "NAME".to_string(),
        "VERSION".to_string(),
        "REPOSITORY".to_string(),
        "STATUS".to_string(),
    ]];
    for d in &md.dependencies {
        rows.push([
            sanitize(&d.name),
            sanitize(d.version.as_deref().unwrap_or("")),
            sanitize(d.repository.as_deref().unwrap_or("")),
            status(chart_dir, d).to_string(),
        ]);
    }
    let mut widths = [0usize; 4];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count().min(80));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out.push('\n');
    Ok(out)
}

/// Helm's `dependencyStatus`.
fn status(chart_dir: &Path, d: &Dependency) -> &'static str {
    let charts = chart_dir.join("charts");
    let prefix = format!("{}-", d.name);
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&charts)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            (n.starts_with(&prefix) && n.ends_with(".tgz")).then(|| e.path())
        })
        .collect();
    archives.sort();
    if archives.len() > 1 {
        archives.retain(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .and_then(|f| f.strip_suffix(".tgz"))
                .and_then(|f| f.strip_prefix(&prefix))
                .is_some_and(chart::is_helm_semver)
        });
        if archives.len() > 1 {
            return "too many matches";
        }
    }
    let check = |md: &Metadata, ok: &'static str| {
        if md.name != d.name {
            "misnamed"
        } else if Some(md.version.as_str()) != d.version.as_deref()
            && !satisfies(d.version.as_deref(), &md.version)
        {
            "wrong version"
        } else {
            ok
        }
    };
    if let Some(a) = archives.first() {
        let safe = std::fs::read(a)
            .ok()
            .is_some_and(|b| archive::read_tgz(&b, &Limits::default()).is_ok());
        return match chart::load(a) {
            Ok(c) if safe => check(&c.metadata, "ok"),
            _ => "corrupt",
        };
    }
    let folder = charts.join(&d.name);
    if !folder.exists() {
        return "missing";
    }
    if !folder.is_dir() {
        return "mispackaged";
    }
    match chart::load(&folder) {
        Ok(c) => check(&c.metadata, "unpacked"),
        Err(_) => "corrupt",
    }
}

/// An archive to place in `charts/`.
struct Archive {
    /// The chart name (older `<name>-<version>.tgz` files are outdated).
    name: String,
    /// The file name in `charts/`.
    file_name: String,
    bytes: Vec<u8>,
}

impl From<super::Packed> for Archive {
    fn from(p: super::Packed) -> Archive {
        Archive {
            file_name: p.file_name(),
            name: p.name,
            bytes: p.bytes,
        }
    }
}

/// One resolved dependency: its lock entry and, unless it is a subfolder
/// of `charts/`, the archive.
struct Resolved {
    lock: Map,
    archive: Option<Archive>,
}

/// Packs a `file://` dependency, checking its version.
fn pack_local(
    chart_dir: &Path,
    d: &Dependency,
    want: impl Fn(&str) -> bool,
    mtime: u64,
) -> Result<super::Packed, PackageError> {
    let repo = d.repository.as_deref().unwrap_or("");
    let Some(path) = local_path(repo, chart_dir) else {
        // helm's resolveRepoNames message for a repository that is neither
        // a URL nor an alias (oci:// ones never reach here).
        let why = format!(
            "no repository definition for {}. Please add them via 'skiff repo add'\n\
             Note that repositories must be URLs or aliases. For example, to refer to the \"example\"\n\
             repository, use \"https://charts.example.com/\" or \"@example\" instead of\n\
             \"example\". Don't forget to add the repo, too ('skiff repo add').",
            sanitize(repo)
        );
        return Err(PackageError::invalid(
            &chart_dir.join("Chart.yaml").display().to_string(),
            format!("dependency {:?}: {why}", sanitize(&d.name)),
        ));
    };
    let packed = pack(
        &path,
        &PackageOptions {
            mtime,
            ..PackageOptions::default()
        },
    )?;
    if !want(&packed.version) {
        return Err(PackageError::invalid(
            &path.display().to_string(),
            format!(
                "can't get a valid version for dependency {:?}: {} has version {}",
                sanitize(&d.name),
                sanitize(repo),
                sanitize(&packed.version)
            ),
        ));
    }
    Ok(packed)
}

/// A downloaded dependency with its lock entry.
fn downloaded(lock: Map, name: &str, fetched: Fetched) -> Resolved {
    Resolved {
        lock,
        archive: Some(Archive {
            name: name.to_string(),
            file_name: fetched.file_name,
            bytes: fetched.bytes,
        }),
    }
}

fn lock_entry(name: &str, repository: &str, version: &str, digest: Option<String>) -> Map {
    let mut m = Map::default();
    m.insert("name".into(), Value::from(name));
    m.insert("version".into(), Value::from(version));
    m.insert("repository".into(), Value::from(repository));
    if let Some(d) = digest {
        m.insert(CONTENT_DIGEST.into(), Value::from(d));
    }
    m
}

/// Writes the archives into `charts/` (atomically) and removes older
/// archives of the same dependencies.
fn install(chart_dir: &Path, resolved: &[Resolved]) -> Result<String, PackageError> {
    let charts = chart_dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|e| PackageError::io(&charts, &e))?;
    let mut out = String::new();
    let written: Vec<String> = resolved
        .iter()
        .filter_map(|r| r.archive.as_ref().map(|p| p.file_name.clone()))
        .collect();
    out.push_str(&format!("Saving {} charts\n", written.len()));
    for r in resolved {
        let Some(p) = &r.archive else { continue };
        archive::write_atomic(&charts.join(&p.file_name), &p.bytes)?;
        out.push_str(&format!(
            "Saved {} (sha256:{})\n",
            sanitize(&p.file_name),
            sha256_hex(&p.bytes)
        ));
    }
    // Older versions of the dependencies just written are outdated.
    for e in std::fs::read_dir(&charts).map_err(|e| PackageError::io(&charts, &e))? {
        let e = e.map_err(|e| PackageError::io(&charts, &e))?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if !name.ends_with(".tgz") || written.contains(&name) {
            continue;
        }
        let stale = resolved.iter().filter_map(|r| r.archive.as_ref()).any(|p| {
            name.strip_prefix(&format!("{}-", p.name))
                .and_then(|v| v.strip_suffix(".tgz"))
                .is_some_and(chart::is_helm_semver)
        });
        if stale {
            std::fs::remove_file(e.path()).map_err(|err| PackageError::io(&e.path(), &err))?;
            out.push_str(&format!("Deleted outdated {}\n", sanitize(&name)));
        }
    }
    Ok(out)
}

fn lock_path(chart_dir: &Path, md: &Metadata) -> PathBuf {
    // Helm writes requirements.lock for apiVersion v1 charts.
    chart_dir.join(if md.api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    })
}

/// Chart.yaml's metadata with `@name`/`alias:name` repositories replaced
/// by the repositories' URLs: helm's `resolveRepoNames` rewrites them in
/// place before `HashReq`, so the lock digest covers the URLs.
fn with_repository_urls(md: &Metadata, repos: &mut Repos<'_>) -> Result<Metadata, PackageError> {
    let mut out = md.clone();
    for d in &mut out.dependencies {
        let repo = d.repository.as_deref().unwrap_or("");
        if repo.starts_with('@') || repo.starts_with("alias:") {
            let (_, url) = repos.entry_for(repo)?;
            d.repository = Some(url);
        }
    }
    Ok(out)
}

/// `skiff dep update`: packs every `file://` dependency and downloads
/// every HTTP-repository dependency (newest version satisfying its
/// constraint, verified) into `charts/`, and writes the lock.
pub fn update(chart_dir: &Path, mtime: u64) -> Result<String, PackageError> {
    update_with(chart_dir, mtime, &RemoteOptions::from_env())
}

/// [`update`] with explicit options for remote repositories.
pub fn update_with(
    chart_dir: &Path,
    mtime: u64,
    remote: &RemoteOptions,
) -> Result<String, PackageError> {
    let md = chart_metadata(chart_dir)?;
    if md.dependencies.is_empty() {
        return Ok(format!(
            "WARNING: no dependencies at {}\n",
            sanitize(&chart_dir.display().to_string())
        ));
    }
    let chart_yaml = chart_dir.join("Chart.yaml").display().to_string();
    let mut repos = Repos::new(remote, &chart_yaml);
    let hashed = with_repository_urls(&md, &mut repos)?;
    let mut resolved = Vec::new();
    for d in &md.dependencies {
        let repo = d.repository.as_deref().unwrap_or("");
        if repo.is_empty() {
            // Helm: a subchart already under charts/, locked as declared.
            resolved.push(Resolved {
                lock: lock_entry(&d.name, "", d.version.as_deref().unwrap_or(""), None),
                archive: None,
            });
            continue;
        }
        if is_oci_repository(repo) {
            let fetched = repos.download_oci(repo, &d.name, d.version.as_deref(), None)?;
            let lock = lock_entry(
                &d.name,
                repo,
                &fetched.version,
                Some(format!("sha256:{}", sha256_hex(&fetched.bytes))),
            );
            resolved.push(downloaded(lock, &d.name, fetched));
            continue;
        }
        if is_http_repository(repo) {
            let (entry, locked_repo) = repos.entry_for(repo)?;
            let version = repos.resolve(
                &entry,
                &locked_repo,
                &d.name,
                d.version.as_deref().unwrap_or(""),
            )?;
            let fetched = repos.download(&entry, &d.name, &version, None)?;
            let lock = lock_entry(
                &d.name,
                &locked_repo,
                &fetched.version,
                Some(format!("sha256:{}", sha256_hex(&fetched.bytes))),
            );
            resolved.push(downloaded(lock, &d.name, fetched));
            continue;
        }
        let packed = pack_local(chart_dir, d, |v| satisfies(d.version.as_deref(), v), mtime)?;
        resolved.push(Resolved {
            lock: lock_entry(
                &d.name,
                repo,
                &packed.version,
                Some(format!("sha256:{}", sha256_hex(&packed.bytes))),
            ),
            archive: Some(packed.into()),
        });
    }
    let locked: Vec<Value> = resolved
        .iter()
        .map(|r| Value::Map(r.lock.clone()))
        .collect();
    let mut lock = Map::default();
    lock.insert("dependencies".into(), Value::Seq(locked.clone()));
    lock.insert("digest".into(), Value::from(lock_digest(&hashed, &locked)));
    lock.insert("generated".into(), Value::from(now_rfc3339()));
    let mut out = install(chart_dir, &resolved)?;
    let path = lock_path(chart_dir, &md);
    archive::write_atomic(&path, crate::yaml::to_yaml(&Value::Map(lock)).as_bytes())?;
    out.push_str(&format!(
        "Wrote {}\n",
        sanitize(&path.display().to_string())
    ));
    Ok(out)
}

/// `skiff dep build`: re-creates `charts/` from the lock. The lock must
/// match Chart.yaml (Helm's digest check); every `file://` archive must
/// pack to, and every downloaded archive must have, the recorded content
/// digest (and its index digest); on any mismatch nothing is written.
/// Without a lock this is `update`, as in Helm.
pub fn build(chart_dir: &Path, mtime: u64) -> Result<String, PackageError> {
    build_with(chart_dir, mtime, &RemoteOptions::from_env())
}

/// [`build`] with explicit options for remote repositories.
pub fn build_with(
    chart_dir: &Path,
    mtime: u64,
    remote: &RemoteOptions,
) -> Result<String, PackageError> {
    let md = chart_metadata(chart_dir)?;
    let path = lock_path(chart_dir, &md);
    if !path.exists() {
        return update_with(chart_dir, mtime, remote);
    }
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| PackageError::io(&path, &e))?;
    let doc = crate::yaml::parse_document(&text)
        .map_err(|e| PackageError::invalid(&shown, format!("cannot parse lock: {}", e.message)))?;
    let locked: Vec<Value> = match doc.as_map().and_then(|m| m.get("dependencies")) {
        Some(Value::Seq(items)) => items.clone(),
        _ => Vec::new(),
    };
    let digest = doc
        .as_map()
        .and_then(|m| m.get("digest"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let chart_yaml = chart_dir.join("Chart.yaml").display().to_string();
    let mut repos = Repos::new(remote, &chart_yaml);
    let hashed = with_repository_urls(&md, &mut repos)?;
    if lock_digest(&hashed, &locked) != digest {
        return Err(PackageError::invalid(
            &shown,
            format!(
                "{} is out of sync with Chart.yaml",
                path.file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or("Chart.lock")
            ),
        ));
    }
    let mut resolved = Vec::new();
    for entry in &locked {
        let Some(m) = entry.as_map() else { continue };
        let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (name, repo, version) = (field("name"), field("repository"), field("version"));
        if repo.is_empty() {
            continue;
        }
        let want_content = m.get(CONTENT_DIGEST).and_then(Value::as_str);
        if is_oci_repository(&repo) {
            // The locked version is used as the tag (no listing), and the
            // layer must have the locked content digest.
            let fetched = repos
                .download_oci(&repo, &name, Some(&version), want_content)
                .map_err(|e| match e {
                    PackageError::Invalid { message, .. } => PackageError::invalid(&shown, message),
                    other => other,
                })?;
            resolved.push(downloaded(m.clone(), &name, fetched));
            continue;
        }
        if is_http_repository(&repo) {
            let (repo_entry, _) = repos.entry_for(&repo)?;
            let fetched = repos
                .download(&repo_entry, &name, &version, want_content)
                .map_err(|e| match e {
                    PackageError::Invalid { message, .. } => PackageError::invalid(
                        &shown,
                        format!("dependency {:?}: {message}", sanitize(&name)),
                    ),
                    other => other,
                })?;
            resolved.push(downloaded(m.clone(), &name, fetched));
            continue;
        }
        let dep = Dependency {
            name: name.clone(),
            version: Some(version.clone()),
            repository: Some(repo.clone()),
            ..md.dependencies
                .iter()
                .find(|d| d.name == name)
                .cloned()
                .unwrap_or_default()
        };
        let packed = pack_local(chart_dir, &dep, |v| v == version, mtime)?;
        let got = format!("sha256:{}", sha256_hex(&packed.bytes));
        if let Some(want) = want_content
            && want != got
        {
            return Err(PackageError::invalid(
                &shown,
                format!(
                    "content digest mismatch for dependency {:?}: the lock has {}, {} packs to {}",
                    sanitize(&name),
                    sanitize(want),
                    sanitize(&repo),
                    got
                ),
            ));
        }
        resolved.push(Resolved {
            lock: m.clone(),
            archive: Some(packed.into()),
        });
    }
    install(chart_dir, &resolved)
}
