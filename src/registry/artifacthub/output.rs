//! What `skiff search` and `skiff show package` print.
//!
//! Every string that came from the API goes through
//! [`crate::archive::sanitize`] first: descriptions and names are written by
//! chart publishers, and an escape sequence in one must not reach the
//! terminal (or a JSON consumer that prints it) as a control character.
//!
//! The JSON documents have fixed keys: every key documented below is always
//! present, `null` (or `[]`) when the API did not say.

use serde_json::{Value as Json, json};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::resolve::versions_newest_first;
use super::{HubClient, Package, PackageSummary};

/// helm's `--max-col-width` default for search tables.
pub const DEFAULT_MAX_COL_WIDTH: usize = 50;

fn clean(text: Option<&str>) -> Option<String> {
    text.map(crate::archive::sanitize)
}

fn clean_list(items: Option<&Vec<String>>) -> Json {
    Json::Array(
        items
            .map(|v| {
                v.iter()
                    .map(|s| Json::String(crate::archive::sanitize(s)))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// One search result as `skiff search -o json` writes it:
/// `name` (`repo/package`), `package`, `version`, `app_version`,
/// `description`, `deprecated`, `signed`, `repository` {`name`, `url`},
/// `url` (the package's page on the hub).
pub fn search_item_json(hub: &HubClient, item: &PackageSummary) -> Json {
    let repo = &item.repository.name;
    json!({
        "name": crate::archive::sanitize(&format!("{repo}/{}", item.path_name())),
        "package": crate::archive::sanitize(&item.name),
        "version": clean(item.version.as_deref()),
        "app_version": clean(item.app_version.as_deref()),
        "description": clean(item.description.as_deref()),
        "deprecated": item.deprecated.unwrap_or(false),
        "signed": item.signed.unwrap_or(false),
        "repository": {
            "name": crate::archive::sanitize(repo),
            "url": clean(item.repository.url.as_deref()),
        },
        "url": crate::archive::sanitize(&hub.package_page(repo, item.path_name())),
    })
}

/// `skiff search -o json`: an array of [`search_item_json`], pretty-printed,
/// with a final newline (`[]` when nothing matched).
pub fn search_json(hub: &HubClient, items: &[PackageSummary]) -> String {
    let array = Json::Array(items.iter().map(|i| search_item_json(hub, i)).collect());
    let mut text = serde_json::to_string_pretty(&array).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// `skiff search` as a table, laid out like helm's search tables
/// (gosuri/uitable): columns padded to their widest cell, at most
/// `max_col_width` display columns (0: no limit) with longer cells cut to
/// `…` spelled `...`, cells separated by a tab.
pub fn search_table(items: &[PackageSummary], max_col_width: usize) -> String {
    if items.is_empty() {
        // helm's search commands print this instead of an empty table.
        return "No results found\n".into();
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "CHART VERSION".into(),
        "APP VERSION".into(),
        "DESCRIPTION".into(),
        "REPO URL".into(),
    ]];
    for item in items {
        let text = |s: Option<&str>| crate::archive::sanitize(s.unwrap_or(""));
        rows.push(vec![
            crate::archive::sanitize(&format!("{}/{}", item.repository.name, item.path_name())),
            text(item.version.as_deref()),
            text(item.app_version.as_deref()),
            text(item.description.as_deref()),
            text(item.repository.url.as_deref()),
        ]);
    }
    format_table(&rows, max_col_width)
}

/// Lays out rows the way gosuri/uitable does for helm.
fn format_table(rows: &[Vec<String>], max_col_width: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    if max_col_width > 0 {
        for w in &mut widths {
            *w = (*w).min(max_col_width);
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| fit(row.get(i).map(String::as_str).unwrap_or(""), w))
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// `text` cut to `width` display columns (ending in `...` when cut, like
/// go-runewidth's Truncate) and padded with spaces to exactly `width`.
fn fit(text: &str, width: usize) -> String {
    const TAIL: &str = "...";
    let mut out = String::new();
    let mut used = 0;
    if text.width() > width {
        let room = width.saturating_sub(TAIL.len());
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push_str(TAIL);
        used += TAIL.len();
    } else {
        out.push_str(text);
        used = text.width();
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `skiff show package` as a JSON value with fixed keys:
/// `name`, `version`, `app_version`, `description`, `license`,
/// `deprecated`, `prerelease`, `signed`, `signatures`, `repository`
/// {`name`, `url`, `verified_publisher`, `official`}, `content_url`,
/// `digest`, `home_url`, `keywords`, `maintainers` [{`name`, `email`}],
/// `links` [{`name`, `url`}], `available_versions` [{`version`,
/// `app_version`, `prerelease`}] newest first by semver, `url` (the page
/// on the hub) and `install` (the `skiff pull` command for this version).
pub fn package_json(hub: &HubClient, package: &Package, default_endpoint: bool) -> Json {
    let repo = &package.repository.name;
    let listed = package.available_versions.clone().unwrap_or_default();
    let versions: Vec<Json> = versions_newest_first(package)
        .iter()
        .map(|v| {
            let entry = listed.iter().find(|e| &e.version == v);
            json!({
                "version": crate::archive::sanitize(v),
                "app_version": clean(entry.and_then(|e| e.app_version.as_deref())),
                "prerelease": entry.and_then(|e| e.prerelease).unwrap_or(false),
            })
        })
        .collect();
    let maintainers: Vec<Json> = package
        .maintainers
        .iter()
        .flatten()
        .map(|m| json!({"name": clean(m.name.as_deref()), "email": clean(m.email.as_deref())}))
        .collect();
    let links: Vec<Json> = package
        .links
        .iter()
        .flatten()
        .map(|l| json!({"name": clean(l.name.as_deref()), "url": clean(l.url.as_deref())}))
        .collect();
    let mut install = vec![
        "skiff".to_string(),
        "pull".into(),
        format!("artifacthub:{repo}/{}", package.path_name()),
        "--version".into(),
        package.version.clone(),
    ];
    if !default_endpoint {
        install.push("--endpoint".into());
        install.push(hub.endpoint().as_str().trim_end_matches('/').to_string());
    }
    let install: Vec<String> = install.iter().map(|w| shell_word(w)).collect();
    json!({
        "name": crate::archive::sanitize(&package.name),
        "version": crate::archive::sanitize(&package.version),
        "app_version": clean(package.app_version.as_deref()),
        "description": clean(package.description.as_deref()),
        "license": clean(package.license.as_deref()),
        "deprecated": package.deprecated.unwrap_or(false),
        "prerelease": package.prerelease.unwrap_or(false),
        "signed": package.signed.unwrap_or(false),
        "signatures": clean_list(package.signatures.as_ref()),
        "repository": {
            "name": crate::archive::sanitize(repo),
            "url": clean(package.repository.url.as_deref()),
            "verified_publisher": package.repository.verified_publisher.unwrap_or(false),
            "official": package.repository.official.unwrap_or(false),
        },
        "content_url": clean(package.content_url.as_deref()),
        "digest": clean(package.digest.as_deref()),
        "home_url": clean(package.home_url.as_deref()),
        "keywords": clean_list(package.keywords.as_ref()),
        "maintainers": maintainers,
        "links": links,
        "available_versions": versions,
        "url": crate::archive::sanitize(&hub.package_page(repo, package.path_name())),
        "install": crate::archive::sanitize(&install.join(" ")),
    })
}

/// `skiff show package -o json`.
pub fn package_as_json(hub: &HubClient, package: &Package, default_endpoint: bool) -> String {
    let value = package_json(hub, package, default_endpoint);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// `skiff show package` (YAML, the keys in the documented order).
pub fn package_as_yaml(hub: &HubClient, package: &Package, default_endpoint: bool) -> String {
    let value = crate::Value::from_json(&package_json(hub, package, default_endpoint));
    crate::yaml::to_yaml_with(
        &value,
        crate::yaml::EmitOptions {
            sort_keys: false,
            ..crate::yaml::EmitOptions::default()
        },
    )
}

/// `word` as a POSIX shell word: as is when it holds only characters no
/// shell treats specially, else single-quoted (the hint is meant to be
/// pasted, and the version text comes from the hub).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+:/@=,-".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::http::ClientOptions;

    fn hub() -> HubClient {
        HubClient::new(Some("https://hub.example"), &ClientOptions::default()).unwrap()
    }

    fn summary(name: &str, description: &str) -> PackageSummary {
        serde_json::from_value(json!({
            "name": name, "version": "1.0.0", "description": description,
            "repository": {"name": "lab", "url": "https://charts.example/lab"}
        }))
        .unwrap()
    }

    #[test]
    fn table_cuts_and_pads_like_helm() {
        // helm v4.1.4 `search repo` with a 68-character name and a long
        // description: cells cut to 47 columns + "...", every cell padded
        // to its column's width (the last one too), tab-separated.
        let long = "averyveryveryverylongchartnamethatisreallylongerthanfiftycharacters";
        let items = [
            summary(long, "short é 日本語"),
            summary("demo", &"d".repeat(60)),
        ];
        let table = search_table(&items, DEFAULT_MAX_COL_WIDTH);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        let cells: Vec<&str> = lines[1].split('\t').collect();
        assert_eq!(
            cells[0],
            "lab/averyveryveryverylongchartnamethatisreallyl..."
        );
        assert_eq!(cells[1], "1.0.0        ");
        assert_eq!(cells[2], "           ");
        // Double-width characters count twice.
        assert_eq!(cells[3].width(), 50);
        assert!(cells[3].starts_with("short é 日本語 "));
        assert_eq!(
            lines[2].split('\t').nth(3).unwrap(),
            format!("{}...", "d".repeat(47))
        );
        assert!(lines[0].starts_with("NAME "));
        assert_eq!(search_table(&[], 50), "No results found\n");
        // 0 lifts the limit.
        assert!(search_table(&items, 0).contains(long));
    }

    #[test]
    fn terminal_escapes_are_neutralised() {
        let evil = summary("demo", "\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{9b}2J");
        for text in [
            search_table(std::slice::from_ref(&evil), 50),
            search_json(&hub(), std::slice::from_ref(&evil)),
        ] {
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{text:?}"
            );
            assert!(text.contains("\\u{1b}"), "{text}");
        }
    }

    #[test]
    fn json_keys_are_fixed_even_when_the_api_omits_fields() {
        let bare: PackageSummary = serde_json::from_value(json!({"name": "x"})).unwrap();
        let item = search_item_json(&hub(), &bare);
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "package",
                "version",
                "app_version",
                "description",
                "deprecated",
                "signed",
                "repository",
                "url"
            ]
        );
        assert_eq!(item["version"], Json::Null);
        assert_eq!(item["url"], "https://hub.example/packages/helm//x");
    }

    #[test]
    fn package_document_sorts_versions_and_quotes_the_install_hint() {
        let p: Package = serde_json::from_value(json!({
            "name": "demo", "version": "0.2.0+build.1",
            "repository": {"name": "lab"},
            "available_versions": [
                {"version": "0.1.0"}, {"version": "0.10.0"}, {"version": "0.2.0+build.1"},
                {"version": "0.3.0-rc.1", "prerelease": true}
            ]
        }))
        .unwrap();
        let doc = package_json(&hub(), &p, true);
        let versions: Vec<&str> = doc["available_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["0.10.0", "0.3.0-rc.1", "0.2.0+build.1", "0.1.0"]);
        assert_eq!(
            doc["install"],
            "skiff pull artifacthub:lab/demo --version 0.2.0+build.1"
        );
        let doc = package_json(&hub(), &p, false);
        assert_eq!(
            doc["install"],
            "skiff pull artifacthub:lab/demo --version 0.2.0+build.1 --endpoint https://hub.example"
        );
        assert_eq!(shell_word("1.0; rm -rf /"), "'1.0; rm -rf /'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        let yaml = package_as_yaml(&hub(), &p, true);
        assert!(
            yaml.starts_with("name: demo\nversion: 0.2.0+build.1\n"),
            "{yaml}"
        );
    }
}
