//! `Chart.yaml`: what Helm's `chart.Metadata` and `chart.Dependency` hold,
//! decoded and validated the way Helm v4.1.4 does it.
//!
//! Helm reads `Chart.yaml` with sigs.k8s.io/yaml: YAML 1.1 (go-yaml v2) to a
//! generic tree, then JSON into Go structs. Three consequences are copied:
//! * keys match struct fields exactly or, failing that, case-insensitively
//!   (`Name:` sets the name);
//! * a number or boolean written where a string field is expected is
//!   stringified: integers in decimal, booleans as `true`/`false`, floats
//!   with Go's `strconv.FormatFloat(f, 'g', -1, 32)` — so `version: 1.0`
//!   becomes `"1"`, `appVersion: 1.10` becomes `"1.1"` and `1e7` becomes
//!   `"1e+07"` (observed with `helm show chart`). Helm then accepts
//!   `version: "1"` as SemVer (its check is loose, see [`is_helm_semver`]);
//!   only `helm lint` complains, and skiff loads such charts the same way;
//! * any other type mismatch (a list where a string belongs) is an error
//!   worded like Go's `encoding/json`, and unknown keys are ignored.

use super::ChartError;
use crate::value::Value;
use indexmap::IndexMap;

/// `type:` of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartType {
    /// Renders manifests (the default).
    #[default]
    Application,
    /// Only provides partials to other charts; not installable.
    Library,
}

/// One `maintainers:` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Maintainer {
    /// Required.
    pub name: String,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Optional URL.
    pub url: Option<String>,
}

/// One `import-values:` item of a dependency.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportValue {
    /// String form `- foo`: the child's `exports.foo` merged into the parent root.
    Exports(String),
    /// Map form `- {child: a.b, parent: x.y}`.
    Path {
        /// Path in the child's values.
        child: String,
        /// Path in the parent's values.
        parent: String,
    },
}

/// One `dependencies:` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dependency {
    /// The chart name.
    pub name: String,
    /// A version constraint.
    pub version: Option<String>,
    /// Repository URL, `@alias`, `file://…` or `oci://…`.
    pub repository: Option<String>,
    /// Comma-separated value paths; the first that resolves to a bool decides.
    pub condition: Option<String>,
    /// Tags that enable/disable this dependency.
    pub tags: Vec<String>,
    /// `enabled:` as written (Helm overwrites it while processing).
    pub enabled: Option<bool>,
    /// `import-values:` items.
    pub import_values: Vec<ImportValue>,
    /// Alias: the name the subchart gets in this parent.
    pub alias: Option<String>,
}

/// `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// `v1` or `v2` (missing is read as `v1`, like Helm).
    pub api_version: String,
    /// Required; not `.`/`..`, no path separators.
    pub name: String,
    /// Required; SemVer 2.
    pub version: String,
    /// Supported Kubernetes versions (a constraint).
    pub kube_version: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// `application` or `library`.
    pub chart_type: ChartType,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// Project home page.
    pub home: Option<String>,
    /// Source URLs.
    pub sources: Vec<String>,
    /// Declared dependencies.
    pub dependencies: Vec<Dependency>,
    /// Maintainers.
    pub maintainers: Vec<Maintainer>,
    /// Icon URL.
    pub icon: Option<String>,
    /// Version of the packaged application.
    pub app_version: Option<String>,
    /// Deprecated chart.
    pub deprecated: bool,
    /// Free-form string annotations.
    pub annotations: IndexMap<String, String>,
    /// Whether `Chart.yaml` spelled out `type:`. Helm keeps an absent type
    /// empty (and omits it when re-serializing, as `helm show chart` does).
    pub type_declared: bool,
}

impl Metadata {
    /// The chart type as Helm spells it in `Chart.yaml`.
    pub fn type_name(&self) -> &'static str {
        match self.chart_type {
            ChartType::Application => "application",
            ChartType::Library => "library",
        }
    }
}

/// Parses and validates `Chart.yaml` text on its own (no `requirements.yaml`).
/// `file` names the file in errors.
pub fn parse_metadata(text: &str, file: &str) -> Result<Metadata, ChartError> {
    let mut draft = MetadataDraft::default();
    draft.apply_yaml(text, "Chart.yaml", file)?;
    draft.default_api_version();
    draft.finish(file)
}

/// `Chart.yaml` (plus, for old charts, `requirements.yaml`) decoded but not
/// yet validated: Helm validates only after every metadata file is merged.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetadataDraft {
    md: Metadata,
    /// `type:` as written; checked at validation.
    chart_type: String,
    /// A `null` entry in `maintainers:` (a validation error in Helm).
    null_maintainer: bool,
    /// A `null` entry in `dependencies:` (a validation error in Helm).
    null_dependency: bool,
}

/// The YAML reader's message without its leading `line L column C: `
/// (the location is reported separately, with a snippet).
pub(crate) fn yaml_message(message: &str) -> String {
    let stripped = message.strip_prefix("line ").and_then(|rest| {
        let (line, rest) = rest.split_once(' ')?;
        let rest = rest.strip_prefix("column ")?;
        let (column, rest) = rest.split_once(": ")?;
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (numeric(line) && numeric(column)).then_some(rest)
    });
    stripped.unwrap_or(message).to_string()
}

/// A Go struct field path for JSON decoding errors (`Metadata.annotations`).
struct FieldPath<'a> {
    path: &'a str,
}

impl FieldPath<'_> {
    fn mismatch(&self, v: &Value, go_type: &str) -> String {
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {} of type {go_type}",
            json_kind(v),
            self.path
        )
    }
}

/// How Go's `encoding/json` names the kind of a JSON value in errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::DocInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// A string field: `None` leaves the field as it was (JSON `null`).
fn decode_string(v: &Value, at: FieldPath) -> Result<Option<String>, String> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::DocInt(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_go_float32(*f),
        Value::Seq(_) | Value::Map(_) => return Err(at.mismatch(v, "string")),
    }))
}

/// A `[]string` field; `null` empties it and a `null` element is `""`.
fn decode_strings(v: &Value, at: FieldPath) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => items
            .iter()
            .map(|item| Ok(decode_string(item, FieldPath { path: at.path })?.unwrap_or_default()))
            .collect(),
        other => Err(at.mismatch(other, "[]string")),
    }
}

/// A `bool` field: `None` leaves it as it was.
fn decode_bool(v: &Value, at: FieldPath) -> Result<Option<bool>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(at.mismatch(other, "bool")),
    }
}

/// The map's entries in the order Go's JSON decoder sees them (json.Marshal
/// sorts keys), each paired with the field it selects: an exact name match,
/// else a case-insensitive one.
fn fields_in_order<'a>(
    map: &'a crate::value::Map,
    names: &[&'static str],
) -> Vec<(&'static str, &'a Value)> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| {
            let field = names
                .iter()
                .find(|n| **n == k.as_str())
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(k)))?;
            Some((*field, &map[k]))
        })
        .collect()
}

/// Formats like `fmt.Sprint` does for a decoded JSON value, which is how
/// Helm turns `import-values` `child`/`parent` entries into strings.
fn go_sprint(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        // JSON numbers decode to float64 in an interface{}.
        Some(Value::Int(i)) | Some(Value::DocInt(i)) => crate::yaml::format_go_float(*i as f64),
        Some(Value::Float(f)) => crate::yaml::format_go_float(*f),
        Some(Value::Seq(items)) => {
            let parts: Vec<String> = items.iter().map(|i| go_sprint(Some(i))).collect();
            format!("[{}]", parts.join(" "))
        }
        Some(Value::Map(m)) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_sprint(m.get(k))))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

fn decode_maintainer(v: &Value) -> Result<Option<Maintainer>, String> {
    let map = match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        other => {
            return Err(FieldPath {
                path: "Metadata.maintainers",
            }
            .mismatch(other, "v2.Maintainer"));
        }
    };
    let mut m = Maintainer::default();
    for (field, value) in fields_in_order(map, &["name", "email", "url"]) {
        let path = format!("Metadata.maintainers.{field}");
        let s = decode_string(value, FieldPath { path: &path })?;
        match field {
            "name" => m.name = s.unwrap_or(m.name),
            "email" => m.email = s.or(m.email),
            _ => m.url = s.or(m.url),
        }
    }
    Ok(Some(m))
}

fn decode_dependency(v: &Value) -> Result<Option<Dependency>, String> {
    let map = match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        other => {
            return Err(FieldPath {
                path: "Metadata.dependencies",
            }
            .mismatch(other, "v2.Dependency"));
        }
    };
    let names = [
        "name",
        "version",
        "repository",
        "condition",
        "tags",
        "enabled",
        "import-values",
        "alias",
    ];
    let mut d = Dependency::default();
    for (field, value) in fields_in_order(map, &names) {
        let path = format!("Metadata.dependencies.{field}");
        let at = FieldPath { path: &path };
        match field {
            "name" => d.name = decode_string(value, at)?.unwrap_or(d.name),
            "version" => d.version = decode_string(value, at)?.or(d.version),
            "repository" => d.repository = decode_string(value, at)?.or(d.repository),
            "condition" => d.condition = decode_string(value, at)?.or(d.condition),
            "alias" => d.alias = decode_string(value, at)?.or(d.alias),
            "tags" => d.tags = decode_strings(value, at)?,
            "enabled" => d.enabled = decode_bool(value, at)?.or(d.enabled),
            _ => d.import_values = decode_import_values(value, at)?,
        }
    }
    Ok(Some(d))
}

/// `import-values` is a `[]interface{}` in Helm: strings and
/// `{child, parent}` maps are used, other items are ignored by Helm's
/// import processing and dropped here.
fn decode_import_values(v: &Value, at: FieldPath) -> Result<Vec<ImportValue>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => Ok(items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(ImportValue::Exports(s.clone())),
                Value::Map(m) => Some(ImportValue::Path {
                    child: go_sprint(m.get("child")),
                    parent: go_sprint(m.get("parent")),
                }),
                _ => None,
            })
            .collect()),
        other => Err(at.mismatch(other, "[]interface {}")),
    }
}

impl MetadataDraft {
    /// Decodes a YAML file into the draft, over what is already there (Helm
    /// unmarshals `requirements.yaml` into the same struct as `Chart.yaml`).
    /// `name` is the chart-relative name, `file` the name for errors.
    pub(crate) fn apply_yaml(
        &mut self,
        text: &str,
        name: &str,
        file: &str,
    ) -> Result<(), ChartError> {
        let value = crate::yaml::parse_document(text).map_err(|e| ChartError::Syntax {
            name: name.to_string(),
            file: file.to_string(),
            message: yaml_message(&e.message),
            line: e.line,
            column: e.column,
            text: Some(text.into()),
        })?;
        self.apply_value(&value)
            .map_err(|message| ChartError::Shape {
                name: name.to_string(),
                file: file.to_string(),
                message,
            })
    }

    fn apply_value(&mut self, value: &Value) -> Result<(), String> {
        let map = match value {
            Value::Null => return Ok(()),
            Value::Map(m) => m,
            other => {
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type v2.Metadata",
                    json_kind(other)
                ));
            }
        };
        let names = [
            "name",
            "home",
            "sources",
            "version",
            "description",
            "keywords",
            "maintainers",
            "icon",
            "apiVersion",
            "condition",
            "tags",
            "appVersion",
            "deprecated",
            "annotations",
            "kubeVersion",
            "dependencies",
            "type",
        ];
        let md = &mut self.md;
        for (field, v) in fields_in_order(map, &names) {
            let path = format!("Metadata.{field}");
            let at = FieldPath { path: &path };
            match field {
                "name" => md.name = decode_string(v, at)?.unwrap_or(std::mem::take(&mut md.name)),
                "version" => {
                    md.version = decode_string(v, at)?.unwrap_or(std::mem::take(&mut md.version))
                }
                "apiVersion" => {
                    md.api_version =
                        decode_string(v, at)?.unwrap_or(std::mem::take(&mut md.api_version))
                }
                "type" => {
                    self.chart_type =
                        decode_string(v, at)?.unwrap_or(std::mem::take(&mut self.chart_type))
                }
                "home" => md.home = decode_string(v, at)?.or(md.home.take()),
                "description" => md.description = decode_string(v, at)?.or(md.description.take()),
                "icon" => md.icon = decode_string(v, at)?.or(md.icon.take()),
                "appVersion" => md.app_version = decode_string(v, at)?.or(md.app_version.take()),
                "kubeVersion" => md.kube_version = decode_string(v, at)?.or(md.kube_version.take()),
                // Deprecated top-level fields Helm still decodes (so type
                // errors surface) but never uses.
                "condition" | "tags" => {
                    decode_string(v, at)?;
                }
                "sources" => md.sources = decode_strings(v, at)?,
                "keywords" => md.keywords = decode_strings(v, at)?,
                "deprecated" => md.deprecated = decode_bool(v, at)?.unwrap_or(md.deprecated),
                "annotations" => match v {
                    Value::Null => md.annotations.clear(),
                    // Go's decoder reuses an existing map, keeping its entries.
                    Value::Map(entries) => {
                        for (k, item) in entries {
                            let s = decode_string(item, FieldPath { path: &path })?;
                            md.annotations.insert(k.clone(), s.unwrap_or_default());
                        }
                    }
                    other => return Err(at.mismatch(other, "map[string]string")),
                },
                "maintainers" => {
                    let items = match v {
                        Value::Null => Vec::new(),
                        Value::Seq(items) => items
                            .iter()
                            .map(decode_maintainer)
                            .collect::<Result<_, _>>()?,
                        other => return Err(at.mismatch(other, "[]*v2.Maintainer")),
                    };
                    self.null_maintainer = items.iter().any(Option::is_none);
                    md.maintainers = items.into_iter().flatten().collect();
                }
                _ => {
                    let items = match v {
                        Value::Null => Vec::new(),
                        Value::Seq(items) => items
                            .iter()
                            .map(decode_dependency)
                            .collect::<Result<_, _>>()?,
                        other => return Err(at.mismatch(other, "[]*v2.Dependency")),
                    };
                    self.null_dependency = items.iter().any(Option::is_none);
                    md.dependencies = items.into_iter().flatten().collect();
                }
            }
        }
        Ok(())
    }

    /// The `apiVersion` as read so far.
    pub(crate) fn api_version(&self) -> &str {
        &self.md.api_version
    }

    /// Helm 2 accepted charts without `apiVersion`; Helm reads them as `v1`.
    pub(crate) fn default_api_version(&mut self) {
        if self.md.api_version.is_empty() {
            self.md.api_version = "v1".to_string();
        }
    }

    /// Sanitises and validates like Helm's `Metadata.Validate`, in its order.
    pub(crate) fn finish(self, file: &str) -> Result<Metadata, ChartError> {
        let invalid = |message: String| ChartError::Validation {
            file: file.to_string(),
            message,
        };
        let MetadataDraft {
            mut md,
            chart_type,
            null_maintainer,
            null_dependency,
        } = self;
        md.name = sanitize(&md.name);
        for field in [
            &mut md.description,
            &mut md.home,
            &mut md.icon,
            &mut md.app_version,
            &mut md.kube_version,
        ] {
            *field = field.as_deref().map(sanitize).filter(|s| !s.is_empty());
        }
        for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
            *s = sanitize(s);
        }

        if md.api_version.is_empty() {
            return Err(invalid("chart.metadata.apiVersion is required".into()));
        }
        if md.name.is_empty() {
            return Err(invalid("chart.metadata.name is required".into()));
        }
        if md.name == "." || md.name == ".." {
            return Err(invalid(format!(
                "chart.metadata.name {:?} is not allowed",
                md.name
            )));
        }
        // Helm compares the name with its `filepath.Base`, so any path
        // separator is refused; skiff refuses `\` on every platform too
        // (Helm does so only on Windows) so charts stay portable.
        if md.name.contains('/') || md.name.contains('\\') {
            return Err(invalid(format!(
                "chart.metadata.name {:?} is invalid",
                md.name
            )));
        }
        if md.version.is_empty() {
            return Err(invalid("chart.metadata.version is required".into()));
        }
        if !is_helm_semver(&md.version) {
            return Err(invalid(format!(
                "chart.metadata.version {:?} is invalid",
                md.version
            )));
        }
        md.type_declared = !chart_type.is_empty();
        md.chart_type = match chart_type.as_str() {
            "" | "application" => ChartType::Application,
            "library" => ChartType::Library,
            _ => {
                return Err(invalid(
                    "chart.metadata.type must be application or library".into(),
                ));
            }
        };
        if null_maintainer {
            return Err(invalid(
                "maintainers must not contain empty or null nodes".into(),
            ));
        }
        for m in &mut md.maintainers {
            m.name = sanitize(&m.name);
            m.email = m.email.as_deref().map(sanitize);
            m.url = m.url.as_deref().map(sanitize);
        }
        if null_dependency {
            return Err(invalid(
                "dependencies must not contain empty or null nodes".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut md.dependencies {
            d.name = sanitize(&d.name);
            d.version = d.version.as_deref().map(sanitize);
            d.repository = d.repository.as_deref().map(sanitize);
            d.condition = d.condition.as_deref().map(sanitize);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            let alias = d.alias.as_deref().filter(|a| !a.is_empty());
            if let Some(alias) = alias
                && !alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(invalid(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                )));
            }
            let key = alias.unwrap_or(&d.name).to_string();
            if !seen.insert(key.clone()) {
                return Err(invalid(format!(
                    "more than one dependency with name or alias {key:?}"
                )));
            }
        }
        Ok(md)
    }
}

/// Helm's `sanitizeString`: every Unicode space becomes `' '` and
/// non-printable characters are dropped.
///
/// Go's `unicode.IsPrint` is approximated without a Unicode category table:
/// control characters, the common format characters (zero-width and bidi
/// marks, soft hyphen, BOM), private-use code points and noncharacters are
/// dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                return Some(' ');
            }
            let code = c as u32;
            let non_printable = c.is_control()
                || matches!(code, 0xAD | 0x61C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
                    | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
                    | 0xE000..=0xF8FF | 0xF0000.. )
                || (code & 0xFFFE) == 0xFFFE;
            (!non_printable).then_some(c)
        })
        .collect()
}

/// Helm's chart version check: Masterminds/semver v3.4 `NewVersion`, which is
/// looser than SemVer 2: an optional `v`, one to three numeric parts
/// (leading zeros allowed), then optional `-prerelease` (numeric
/// identifiers without leading zeros) and `+build`. So `1`, `1.0`, `v1.2`
/// and `01.2.3` pass, `1.2.3.4` and `1.2.3-01` do not.
pub fn is_helm_semver(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, build) = match v.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (v, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((n, p)) => (n, Some(p)),
        None => (core, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.len() > 3
        || parts.iter().any(|p| {
            p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u64>().is_err()
        })
    {
        return false;
    }
    let ident_ok =
        |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(pre) = pre
        && !pre.split('.').all(|id| {
            ident_ok(id)
                && !(id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()))
        })
    {
        return false;
    }
    if let Some(build) = build
        && !build.split('.').all(ident_ok)
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Metadata, ChartError> {
        parse_metadata(text, "c/Chart.yaml")
    }

    fn validation(text: &str) -> String {
        match parse(text) {
            Err(ChartError::Validation { message, file }) => {
                assert_eq!(file, "c/Chart.yaml");
                message
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn full_chart_yaml() {
        let md = parse(
            "apiVersion: v2\nname: app\nversion: 1.2.3\nkubeVersion: '>=1.20'\n\
             description: An app\ntype: library\nkeywords: [a, b]\nhome: https://x\n\
             sources: [https://s]\nicon: https://i\nappVersion: \"2.0\"\ndeprecated: true\n\
             annotations:\n  a: b\nmaintainers:\n- name: me\n  email: me@x\n  url: https://me\n\
             dependencies:\n- name: lib\n  version: ~1.0\n  repository: file://../lib\n\
             \x20 condition: lib.enabled,global.lib\n  tags: [t1]\n  enabled: false\n  alias: mylib\n\
             \x20 import-values:\n  - data\n  - child: a.b\n    parent: x.y\n\
             unknownField: ignored\n",
        )
        .unwrap();
        assert_eq!(md.api_version, "v2");
        assert_eq!(md.name, "app");
        assert_eq!(md.version, "1.2.3");
        assert_eq!(md.kube_version.as_deref(), Some(">=1.20"));
        assert_eq!(md.chart_type, ChartType::Library);
        assert_eq!(md.keywords, ["a", "b"]);
        assert_eq!(md.app_version.as_deref(), Some("2.0"));
        assert!(md.deprecated);
        assert_eq!(md.annotations["a"], "b");
        assert_eq!(md.maintainers[0].email.as_deref(), Some("me@x"));
        let d = &md.dependencies[0];
        assert_eq!(d.name, "lib");
        assert_eq!(d.alias.as_deref(), Some("mylib"));
        assert_eq!(d.condition.as_deref(), Some("lib.enabled,global.lib"));
        assert_eq!(d.tags, ["t1"]);
        assert_eq!(d.enabled, Some(false));
        assert_eq!(
            d.import_values,
            [
                ImportValue::Exports("data".into()),
                ImportValue::Path {
                    child: "a.b".into(),
                    parent: "x.y".into()
                }
            ]
        );
    }

    #[test]
    fn missing_api_version_is_v1() {
        assert_eq!(
            parse("name: a\nversion: 1.0.0\n").unwrap().api_version,
            "v1"
        );
    }

    /// Scalars in string fields are stringified as sigs.k8s.io/yaml does
    /// (floats through float32 `%g`), as observed with `helm show chart`.
    #[test]
    fn numbers_in_string_fields() {
        let md = parse(
            "Name: a\nversion: 1.0\nappVersion: 1.10\nkubeVersion: 1.2345678\n\
             keywords: [1, true, 0.1, 1e7, 0755]\nannotations:\n  x: 1.5\n  y: yes\n  z: 123456789\n",
        )
        .unwrap();
        assert_eq!(md.name, "a");
        assert_eq!(md.version, "1");
        assert_eq!(md.app_version.as_deref(), Some("1.1"));
        assert_eq!(md.kube_version.as_deref(), Some("1.2345678"));
        assert_eq!(md.keywords, ["1", "true", "0.1", "1e+07", "493"]);
        assert_eq!(md.annotations["x"], "1.5");
        assert_eq!(md.annotations["true"], "true");
        assert_eq!(md.annotations["z"], "123456789");
    }

    #[test]
    fn exact_key_beats_case_insensitive_key() {
        assert_eq!(
            parse("name: zed\nNAME: x\nversion: 1.0.0\n").unwrap().name,
            "zed"
        );
    }

    #[test]
    fn validation_errors_like_helm() {
        assert_eq!(
            validation("version: 1.0.0\n"),
            "chart.metadata.name is required"
        );
        assert_eq!(validation(""), "chart.metadata.name is required");
        assert_eq!(
            validation("name: a\n"),
            "chart.metadata.version is required"
        );
        assert_eq!(
            validation("name: ..\nversion: 1.0.0\n"),
            "chart.metadata.name \"..\" is not allowed"
        );
        assert_eq!(
            validation("name: .\nversion: 1.0.0\n"),
            "chart.metadata.name \".\" is not allowed"
        );
        assert_eq!(
            validation("name: a/b\nversion: 1.0.0\n"),
            "chart.metadata.name \"a/b\" is invalid"
        );
        assert_eq!(
            validation("name: 'a\\b'\nversion: 1.0.0\n"),
            "chart.metadata.name \"a\\\\b\" is invalid"
        );
        assert_eq!(
            validation("name: a\nversion: x1\n"),
            "chart.metadata.version \"x1\" is invalid"
        );
        assert_eq!(
            validation("name: a\nversion: 1.2.3-01\n"),
            "chart.metadata.version \"1.2.3-01\" is invalid"
        );
        assert_eq!(
            validation("name: a\nversion: 1.0.0\ntype: foo\n"),
            "chart.metadata.type must be application or library"
        );
        assert_eq!(
            validation("name: a\nversion: 1.0.0\ndependencies:\n- name: x\n  alias: a.b\n"),
            "dependency \"x\" has disallowed characters in the alias"
        );
        assert_eq!(
            validation("name: a\nversion: 1.0.0\ndependencies:\n- name: x\n- name: x\n"),
            "more than one dependency with name or alias \"x\""
        );
        assert_eq!(
            validation(
                "name: a\nversion: 1.0.0\ndependencies:\n- name: x\n- name: y\n  alias: x\n"
            ),
            "more than one dependency with name or alias \"x\""
        );
        assert_eq!(
            validation("name: a\nversion: 1.0.0\ndependencies:\n- null\n"),
            "dependencies must not contain empty or null nodes"
        );
        assert_eq!(
            validation("name: a\nversion: 1.0.0\nmaintainers:\n- ~\n"),
            "maintainers must not contain empty or null nodes"
        );
        let e = parse("name: a\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "validation: chart.metadata.version is required"
        );
    }

    #[test]
    fn names_are_sanitised_like_helm() {
        let md = parse("name: \"a\\tb\\u200b\"\nversion: 1.0.0\n").unwrap();
        assert_eq!(md.name, "a b");
    }

    #[test]
    fn loose_semver_like_masterminds() {
        for ok in [
            "1",
            "1.0",
            "1.2.3",
            "v1.2.3",
            "v1.02",
            "01.2.3",
            "1.2.3-alpha.1",
            "1.2.3-0",
            "1.2.3+build.5",
            "1.2-rc-1+x",
        ] {
            assert!(is_helm_semver(ok), "{ok}");
        }
        for bad in [
            "",
            "v",
            "x1",
            "1.2.3.4",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3+",
            "1.2.3-a..b",
            "1..2",
            "1.2.3_4",
            "18446744073709551616",
        ] {
            assert!(!is_helm_semver(bad), "{bad}");
        }
    }

    #[test]
    fn yaml_position_prefix_is_dropped() {
        assert_eq!(
            yaml_message("line 3 column 11: unclosed bracket"),
            "unclosed bracket"
        );
        assert_eq!(yaml_message("line x column 1: y"), "line x column 1: y");
        assert_eq!(yaml_message("no position"), "no position");
    }

    #[test]
    fn yaml_syntax_error_has_line() {
        match parse("name: a\nversion: 1.0.0\nfoo: [1\n") {
            Err(ChartError::Syntax {
                name, line, file, ..
            }) => {
                assert_eq!(name, "Chart.yaml");
                assert_eq!(file, "c/Chart.yaml");
                assert!(line.is_some_and(|l| l >= 3), "{line:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shape_errors_read_like_go_json() {
        let e = parse("name: a\nversion: 1.0.0\nannotations:\n  a: [1]\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Metadata.annotations of type string"
        );
        let e = parse("- a\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot unmarshal array into Go value of type v2.Metadata"),
            "{e}"
        );
        let e = parse("name: a\nversion: 1.0.0\ndeprecated: \"yes\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("string into Go struct field Metadata.deprecated of type bool"),
            "{e}"
        );
    }

    #[test]
    fn import_values_other_forms() {
        let md = parse(
            "name: a\nversion: 1.0.0\ndependencies:\n- name: s\n  import-values:\n  - 5\n  - {parent: p}\n  - {child: 3, parent: x}\n",
        )
        .unwrap();
        assert_eq!(
            md.dependencies[0].import_values,
            [
                ImportValue::Path {
                    child: "<nil>".into(),
                    parent: "p".into()
                },
                ImportValue::Path {
                    child: "3".into(),
                    parent: "x".into()
                }
            ]
        );
    }
}
