//! The objects a `.j2` template sees: `values`, `release`, `chart`,
//! `capabilities`, `files` and `template` — Helm's built-in objects
//! (`.Values`, `.Release`, …) with Jinja-style snake_case names.

use crate::chart::{Chart, ChartFile, ChartType};
use crate::engine::capabilities::{
    HELM_GIT_COMMIT, HELM_GIT_TREE_STATE, HELM_GO_VERSION, HELM_KUBE_CLIENT_VERSION, HELM_VERSION,
};
use crate::engine::{Capabilities, KubeVersion, Release};
use crate::value::{Map, Value as Data};
use base64::Engine as _;
use minijinja::value::{Enumerator, Object, ObjectRepr, Value, ValueKind, from_args};
use minijinja::{Error, ErrorKind, State};
use std::fmt;
use std::sync::Arc;

/// Converts a values node into a template value. Both integer kinds become
/// integers (a Jinja template prints `replicas: 3`, not Helm's float64 view).
pub fn to_template_value(v: &Data) -> Value {
    match v {
        Data::Null => Value::from(()),
        Data::Bool(b) => Value::from(*b),
        Data::Int(i) | Data::DocInt(i) => Value::from(*i),
        Data::Float(f) => Value::from(*f),
        Data::String(s) => Value::from(s.as_str()),
        Data::Seq(items) => Value::from(items.iter().map(to_template_value).collect::<Vec<_>>()),
        Data::Map(m) => {
            Value::from_pairs(m.iter().map(|(k, v)| (k.as_str(), to_template_value(v))))
        }
    }
}

/// Converts a template value back into a values node (for `toyaml`,
/// `tojson` and printing maps). Undefined is an error, so a typo inside a
/// structure passed to `toyaml` is not silently dropped.
pub fn from_template_value(v: &Value) -> Result<Data, Error> {
    Ok(match v.kind() {
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "cannot serialize an undefined value",
            ));
        }
        ValueKind::None => Data::Null,
        ValueKind::Bool => Data::Bool(v.is_true()),
        ValueKind::Number => {
            if let Some(i) = v.as_i64().filter(|_| v.is_integer()) {
                Data::Int(i)
            } else {
                match f64::try_from(v.clone()) {
                    Ok(f) => Data::Float(f),
                    Err(_) => Data::String(v.to_string()),
                }
            }
        }
        ValueKind::String => Data::String(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Bytes => {
            Data::String(String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into_owned())
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let mut items = Vec::new();
            for item in v.try_iter()? {
                items.push(from_template_value(&item)?);
            }
            Data::Seq(items)
        }
        ValueKind::Map => {
            let mut map = Map::default();
            for key in v.try_iter()? {
                let item = v.get_item(&key)?;
                let key = match key.as_str() {
                    Some(s) => s.to_string(),
                    None => key.to_string(),
                };
                map.insert(key, from_template_value(&item)?);
            }
            Data::Map(map)
        }
        // Plain objects (kube_version), functions, …: their printed form.
        _ => Data::String(v.to_string()),
    })
}

/// `release`: Helm's `.Release` (`name`, `namespace`, `revision`, `service`,
/// `is_install`, `is_upgrade`).
pub fn release_value(r: &Release) -> Value {
    Value::from_pairs([
        ("name", Value::from(r.name.as_str())),
        ("namespace", Value::from(r.namespace.as_str())),
        ("revision", Value::from(r.revision)),
        ("service", Value::from(r.service.as_str())),
        ("is_install", Value::from(r.is_install)),
        ("is_upgrade", Value::from(r.is_upgrade)),
    ])
}

/// `chart`: Helm's `.Chart` metadata plus `is_root`. Absent optional strings
/// are `""`, as Helm's struct fields are (so `chart.app_version or
/// chart.version` works and `{{ chart.home }}` prints nothing).
pub fn chart_value(chart: &Chart, is_root: bool) -> Value {
    let m = &chart.metadata;
    let opt = |s: &Option<String>| Value::from(s.as_deref().unwrap_or(""));
    let chart_type = match m.chart_type {
        ChartType::Application => "application",
        ChartType::Library => "library",
    };
    Value::from_pairs([
        ("name", Value::from(m.name.as_str())),
        ("version", Value::from(m.version.as_str())),
        ("app_version", opt(&m.app_version)),
        ("description", opt(&m.description)),
        ("type", Value::from(chart_type)),
        ("kube_version", opt(&m.kube_version)),
        ("api_version", Value::from(m.api_version.as_str())),
        (
            "annotations",
            Value::from_pairs(
                m.annotations
                    .iter()
                    .map(|(k, v)| (k.as_str(), Value::from(v.as_str()))),
            ),
        ),
        (
            "keywords",
            Value::from(
                m.keywords
                    .iter()
                    .map(|k| Value::from(k.as_str()))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("home", opt(&m.home)),
        ("is_root", Value::from(is_root)),
    ])
}

/// `capabilities`: `kube_version` (prints like Helm's `KubeVersion`),
/// `api_versions` (iterable, with `has`) and `helm_version`.
pub fn capabilities_value(c: &Capabilities) -> Value {
    let helm_version = Value::from_pairs([
        ("version", HELM_VERSION),
        ("git_commit", HELM_GIT_COMMIT),
        ("git_tree_state", HELM_GIT_TREE_STATE),
        ("go_version", HELM_GO_VERSION),
        ("kube_client_version", HELM_KUBE_CLIENT_VERSION),
    ]);
    Value::from_pairs([
        (
            "kube_version",
            Value::from_object(KubeVersionObject(c.kube_version.clone())),
        ),
        (
            "api_versions",
            Value::from_object(ApiVersions(c.api_versions.clone())),
        ),
        ("helm_version", helm_version),
    ])
}

/// `capabilities.kube_version`: attributes `version`, `major`, `minor`,
/// `git_version`; printed whole it is the normalised version (`v1.29.3`),
/// as `{{ .Capabilities.KubeVersion }}` prints in Helm.
#[derive(Debug)]
struct KubeVersionObject(KubeVersion);

impl Object for KubeVersionObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(Value::from(match key.as_str()? {
            // Helm's deprecated GitVersion is the same string as Version.
            "version" | "git_version" => self.0.version.as_str(),
            "major" => self.0.major.as_str(),
            "minor" => self.0.minor.as_str(),
            _ => return None,
        }))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.normalized())
    }
}

/// `capabilities.api_versions`: a list with a `has("apps/v1")` method, like
/// Helm's `VersionSet.Has`.
#[derive(Debug)]
struct ApiVersions(Vec<String>);

impl Object for ApiVersions {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let idx = key.as_usize()?;
        self.0.get(idx).map(|s| Value::from(s.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "has" => {
                let (wanted,): (&str,) = from_args(args)?;
                Ok(Value::from(self.0.iter().any(|v| v == wanted)))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `files`: the chart's non-template files (Helm's `.Files`). Iterating
/// gives file names; `files["name"]` gives the text. Methods: `get(name)`,
/// `glob(pattern)`, `lines(name)`, `as_config()`, `as_secrets()`.
#[derive(Debug, Clone)]
pub struct FilesObject {
    files: Arc<[ChartFile]>,
}

impl FilesObject {
    /// A files object over a chart's `.Files` set.
    pub fn new(files: &[ChartFile]) -> FilesObject {
        FilesObject {
            files: files.into(),
        }
    }

    fn find(&self, name: &str) -> Option<&ChartFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Helm's `Glob` (gobwas/glob with `/` as separator, see
    /// [`crate::chart::files::GlobPattern`]). Helm silently turns an invalid
    /// pattern into `**` (everything), so this does too.
    fn glob(&self, pattern: &str) -> FilesObject {
        let matcher = crate::chart::files::GlobPattern::compile(pattern).ok();
        let files: Vec<ChartFile> = self
            .files
            .iter()
            .filter(|f| matcher.as_ref().is_none_or(|m| m.matches(&f.name)))
            .cloned()
            .collect();
        FilesObject {
            files: files.into(),
        }
    }

    /// Helm's `Lines`: one trailing newline dropped, then split on `\n`.
    /// Helm panics on an empty existing file; here it is an empty list.
    fn lines(&self, name: &str) -> Vec<Value> {
        match self.find(name) {
            Some(f) if !f.data.is_empty() => {
                let text = f.text();
                let text = text.strip_suffix('\n').unwrap_or(&text);
                text.split('\n').map(Value::from).collect()
            }
            _ => Vec::new(),
        }
    }

    /// `{basename: f(content)}` as `toYaml` text, keys sorted like the Go map
    /// Helm marshals; the same basename twice keeps the last file.
    fn as_yaml_map(&self, encode: impl Fn(&ChartFile) -> String) -> String {
        if self.files.is_empty() {
            return String::new();
        }
        let mut entries: Vec<(String, String)> = Vec::new();
        for f in self.files.iter() {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name).to_string();
            let content = encode(f);
            match entries.iter_mut().find(|(k, _)| *k == base) {
                Some(e) => e.1 = content,
                None => entries.push((base, content)),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let map: Map = entries
            .into_iter()
            .map(|(k, v)| (k, Data::String(v)))
            .collect();
        // Like Helm's AsConfig/AsSecrets: a map go-yaml cannot write (control
        // characters in a file) renders as nothing.
        super::filters::yaml_text(&Data::Map(map)).unwrap_or_default()
    }
}

impl Object for FilesObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let f = self.find(key.as_str()?)?;
        Some(Value::from(f.text().as_ref()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.files
                .iter()
                .map(|f| Value::from(f.name.as_str()))
                .collect(),
        )
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "get" => {
                let (name,): (&str,) = from_args(args)?;
                Ok(Value::from(
                    self.find(name)
                        .map(|f| f.text().into_owned())
                        .unwrap_or_default(),
                ))
            }
            "glob" => {
                let (pattern,): (&str,) = from_args(args)?;
                Ok(Value::from_object(self.glob(pattern)))
            }
            "lines" => {
                let (name,): (&str,) = from_args(args)?;
                Ok(Value::from(self.lines(name)))
            }
            "as_config" => {
                let () = from_args(args)?;
                Ok(Value::from(self.as_yaml_map(|f| f.text().into_owned())))
            }
            "as_secrets" => {
                let () = from_args(args)?;
                Ok(Value::from(self.as_yaml_map(|f| {
                    base64::engine::general_purpose::STANDARD.encode(&f.data)
                })))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `template`: `name` (`<chart path>/templates/x.yaml.j2`) and `base_path`
/// (`<chart path>/templates`), like Helm's `.Template`.
pub fn template_value(name: &str, base_path: &str) -> Value {
    Value::from_pairs([("name", name), ("base_path", base_path)])
}
