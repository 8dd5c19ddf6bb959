//! `skiff pull artifacthub:REPO/PACKAGE`: resolve the package on the hub,
//! then pull the real source.
//!
//! - An HTTP-repository package comes with an absolute `content_url` and the
//!   digest from the repository index, so the download needs no repository
//!   configuration. It is done here, digest-checked, rather than through the
//!   plain-URL arm of `pull::fetch`, so the hub path verifies the archive
//!   whatever that arm does with digests. (Once that arm honours
//!   `PullOptions::expected_digest` and caches by content, routing through
//!   it would share its cache.)
//! - An OCI package goes back through `pull::fetch` with the OCI reference
//!   and the package version (see [`super::resolve`]).

use url::Url;

use super::resolve::resolve;
use super::{HubClient, Package, cache_dir};
use crate::registry::RegistryError;
use crate::registry::http::HttpClient;
use crate::registry::paths::Homes;
use crate::registry::pull::{PullOptions, Pulled};
use crate::registry::reference::ChartRef;

/// Resolves `repo/package` on the hub `options.artifacthub_endpoint` names
/// (answers cached under `homes`) and pulls the chosen version.
pub fn fetch(
    client: &HttpClient,
    repo: &str,
    package: &str,
    options: &PullOptions,
    homes: &Homes,
) -> Result<Pulled, RegistryError> {
    let hub = HubClient::with_http(client.clone(), options.artifacthub_endpoint.as_deref())?
        .with_cache(cache_dir(homes));
    let resolved = resolve(
        &hub,
        repo,
        package,
        options.version.as_deref(),
        options.devel,
    )?;
    let source = &resolved.source;
    // Both digests must hold: one the caller knew, one the hub recorded
    // from the repository index.
    if let (Some(wanted), Some(listed)) = (&options.expected_digest, &source.expected_digest)
        && !wanted
            .trim_start_matches("sha256:")
            .eq_ignore_ascii_case(listed)
    {
        return Err(RegistryError::Invalid(format!(
            "ArtifactHub lists digest sha256:{listed} for {repo}/{package} {}, not the expected {wanted}",
            resolved.package.version
        )));
    }
    let next = PullOptions {
        version: source.version.clone(),
        devel: false,
        expected_digest: source
            .expected_digest
            .clone()
            .or_else(|| options.expected_digest.clone()),
        artifacthub_endpoint: None,
        ..options.clone()
    };
    match &source.reference {
        ChartRef::Url(url) => download_archive(client, url, &resolved.package, &next),
        other => crate::registry::pull::fetch(other, &next, homes),
    }
}

/// Downloads the archive of an ArtifactHub package from its (absolute)
/// `content_url`, checking the digest when one is known: the bytes are
/// returned only if they match, so nothing unverified is ever saved.
pub fn download_archive(
    client: &HttpClient,
    url: &Url,
    package: &Package,
    options: &PullOptions,
) -> Result<Pulled, RegistryError> {
    const ACCEPT: &str = "application/gzip, application/x-gzip, application/octet-stream, */*";
    const LIMIT: u64 = 256 * 1024 * 1024;
    let label = format!("{} {}", package.name, package.version);
    let bytes = match &options.expected_digest {
        Some(digest) => client.download_verified(url, ACCEPT, None, digest, LIMIT, &label)?,
        None => {
            eprintln!(
                "warning: ArtifactHub lists no digest for {} {}; the download cannot be verified",
                crate::archive::sanitize(&package.name),
                crate::archive::sanitize(&package.version)
            );
            client.fetch(url, ACCEPT, None, LIMIT)?
        }
    };
    let file_name = file_name(url, package);
    Ok(Pulled {
        name: package.name.clone(),
        version: package.version.clone(),
        file_name,
        digest: format!("sha256:{}", crate::registry::sha256_hex(&bytes)),
        bytes,
        notes: Vec::new(),
        provenance: crate::registry::prov::fetch_if(options.provenance, || {
            crate::registry::prov::fetch_http(client, url, None)
        }),
    })
}

/// A URL path segment with `%XX` escapes decoded, if it is UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = segment.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The file name to save under: the URL's last path segment, decoded, as
/// helm does for HTTP repositories; `<name>-<version>.tgz` when the URL
/// ends in `/`. A decoded `/` is kept so that `pull::save` refuses it.
fn file_name(url: &Url, package: &Package) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|n| !n.is_empty())
        .and_then(percent_decode)
        .unwrap_or_else(|| format!("{}-{}.tgz", package.name, package.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_url() {
        let p = Package {
            name: "demo".into(),
            version: "1.0.0".into(),
            ..Package::default()
        };
        let name = |u: &str| file_name(&Url::parse(u).unwrap(), &p);
        assert_eq!(name("https://c.example/r/demo-1.0.0.tgz"), "demo-1.0.0.tgz");
        assert_eq!(
            name("https://c.example/r/demo-0.2.0%2Bbuild.1.tgz"),
            "demo-0.2.0+build.1.tgz"
        );
        assert_eq!(name("https://c.example/r/"), "demo-1.0.0.tgz");
        assert_eq!(name("https://c.example/r/a%2Fb.tgz"), "a/b.tgz");
        let saved = crate::registry::pull::save(
            &Pulled {
                name: "demo".into(),
                version: "1.0.0".into(),
                file_name: name("https://c.example/r/..%2F..%2Fx.tgz"),
                bytes: b"x".to_vec(),
                digest: String::new(),
                notes: Vec::new(),
                provenance: None,
            },
            std::path::Path::new("/nonexistent-dest"),
            false,
        );
        assert!(saved.is_err(), "a decoded path is refused, not followed");
    }
}
