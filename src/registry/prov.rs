//! Downloading a chart's provenance (`.prov`) next to the chart, for
//! `pull --verify` / `--prov`. Checking it is [`crate::provenance`]'s job;
//! this module only finds the bytes, where helm looks for them:
//! `<chart-url>.prov` for HTTP repositories (helm `ChartDownloader.DownloadTo`)
//! and the `…provenance.v1.prov` layer for OCI charts (helm
//! `pkg/registry/client.go` `Pull` with `WithPullOptWithProv`).

use url::Url;

use super::RegistryError;
use super::http::Auth;
use super::http::HttpClient;

/// A provenance file fetched with a chart (or the reason it could not be).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Where it came from, redacted: `<chart-url>.prov`, or for OCI
    /// `oci://<registry>/<repository>:<tag>.prov` (helm's spelling).
    pub origin: String,
    /// The bytes, or why there are none. A missing `.prov` is an error only
    /// for `--verify`; `--prov` alone warns, as helm does.
    pub fetched: Result<Vec<u8>, String>,
}

/// `<chart_url>.prov`: the URL helm derives the provenance URL from,
/// keeping any query (signed-URL repositories sign each path).
pub fn prov_url(chart_url: &Url) -> Url {
    let mut url = chart_url.clone();
    let path = format!("{}.prov", chart_url.path());
    url.set_path(&path);
    url
}

/// Downloads `<chart_url>.prov` with the chart's credentials.
pub fn fetch_http(client: &HttpClient, chart_url: &Url, auth: Option<&Auth>) -> Provenance {
    let url = prov_url(chart_url);
    let fetched = client
        .fetch(
            &url,
            "application/pgp-signature, text/plain, */*",
            auth,
            crate::provenance::MAX_PROV_SIZE,
        )
        .map_err(|e: RegistryError| e.to_string());
    Provenance {
        origin: super::redact_url(&url),
        fetched,
    }
}

/// Fetches `.prov` with `fetch` when `wanted` (the pull asked for it).
pub fn fetch_if(wanted: bool, fetch: impl FnOnce() -> Provenance) -> Option<Provenance> {
    wanted.then(fetch)
}

/// The provenance layer of an OCI chart manifest (helm pushes one when
/// `<chart>.tgz.prov` sits next to the archive). `shown` is the reference
/// as printed (`host/repo:tag`); helm names a missing layer
/// `oci://<shown>.prov`.
pub fn fetch_oci(
    client: &super::oci::OciClient,
    repository: &str,
    layers: &[super::helm_oci::Descriptor],
    shown: &str,
) -> Provenance {
    let origin = format!("oci://{shown}.prov");
    let limit = crate::provenance::MAX_PROV_SIZE;
    let fetched = match layers
        .iter()
        .find(|l| l.media_type == super::helm_oci::PROV_LAYER_MEDIA_TYPE)
    {
        None => Err("the manifest has no provenance layer".to_string()),
        Some(layer) if layer.size > limit => {
            Err(format!("the provenance layer is larger than {limit} bytes"))
        }
        // The blob is checked against its digest by the client.
        Some(layer) => client
            .blob(repository, &layer.digest, limit, "provenance")
            .map_err(|e| e.to_string()),
    };
    Provenance { origin, fetched }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prov_url_appends_to_the_path_and_keeps_the_query() {
        let url = Url::parse("https://c.example/r/demo-1.0.0.tgz?sig=abc").unwrap();
        assert_eq!(
            prov_url(&url).as_str(),
            "https://c.example/r/demo-1.0.0.tgz.prov?sig=abc"
        );
    }

    #[test]
    fn nothing_is_fetched_unless_asked() {
        let fetched = fetch_if(false, || unreachable!("not asked for"));
        assert!(fetched.is_none());
    }
}
