//! The built-in objects every Helm template sees (`.Values`, `.Release`,
//! `.Chart`, `.Capabilities`, `.Files`, `.Subcharts`, `.Template`), built as
//! Go template values with Helm's Go field names (`engine.go` recAllTpls,
//! `pkg/chart/common/util/values.go` ToRenderValues).
//!
//! Plain Go maps in Helm (`.Release`, `.Chart`, `.Template`, `.Subcharts`)
//! are [`GoValue::Map`]s here; Go types with methods (`*common.Capabilities`,
//! `common.KubeVersion`, `common.VersionSet`, `engine.files`) are host
//! [`Object`]s so `.Files.Get`, `.Capabilities.APIVersions.Has` and
//! `%T` behave as in Helm.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;

use super::funcs::{JSON_FIELD, JSON_NAMES_FIELD};
use crate::chart::files::GlobPattern;
use crate::chart::{Chart, ChartFile, ChartType, Contents, ImportValue};
use crate::engine::Release;
use crate::engine::capabilities::{
    Capabilities, HELM_GIT_COMMIT, HELM_GIT_TREE_STATE, HELM_GO_VERSION, HELM_KUBE_CLIENT_VERSION,
    HELM_VERSION,
};
use crate::engine::gotmpl::format::{FmtArg, sprint};
use crate::engine::gotmpl::value::{ELEM_ANY, ELEM_BYTES, ELEM_STRING, MapType};
use crate::engine::gotmpl::{Function, GoList, GoMap, GoValue, NumberMode, Object, ParamType};

/// `.Release`: a `map[string]interface {}` in Helm, `Revision` a Go `int`.
pub fn release_value(r: &Release) -> GoValue {
    let mut m = BTreeMap::new();
    m.insert("Name".into(), GoValue::str(&r.name));
    m.insert("Namespace".into(), GoValue::str(&r.namespace));
    m.insert("IsUpgrade".into(), GoValue::Bool(r.is_upgrade));
    m.insert("IsInstall".into(), GoValue::Bool(r.is_install));
    m.insert("Revision".into(), GoValue::Int(r.revision));
    m.insert("Service".into(), GoValue::str(&r.service));
    GoValue::map(m)
}

/// `.Chart`: Helm turns `*chart.Metadata` into a map keyed by Go field
/// names (`structToMap` in `pkg/chart/common.go`), every field present
/// (empty strings, `false`, empty lists), slices as `[]interface {}`,
/// nested structs as maps, plus `IsRoot`.
pub fn chart_value(chart: &Chart, is_root: bool) -> GoValue {
    let md = &chart.metadata;
    let s = |v: &str| GoValue::str(v);
    let opt = |v: &Option<String>| GoValue::str(v.as_deref().unwrap_or(""));
    let strs = |v: &[String]| GoValue::list(v.iter().map(|x| GoValue::str(x)).collect());
    let mut m = BTreeMap::new();
    m.insert("Name".into(), s(&md.name));
    m.insert("Home".into(), opt(&md.home));
    m.insert("Sources".into(), strs(&md.sources));
    m.insert("Version".into(), s(&md.version));
    m.insert("Description".into(), opt(&md.description));
    m.insert("Keywords".into(), strs(&md.keywords));
    let maintainers = md
        .maintainers
        .iter()
        .map(|mt| {
            let mut x = BTreeMap::new();
            x.insert("Name".into(), s(&mt.name));
            x.insert("Email".into(), opt(&mt.email));
            x.insert("URL".into(), opt(&mt.url));
            GoValue::map(x)
        })
        .collect();
    m.insert("Maintainers".into(), GoValue::list(maintainers));
    m.insert("Icon".into(), opt(&md.icon));
    m.insert("APIVersion".into(), s(&md.api_version));
    // `condition` and `tags` are Chart.yaml v1 leftovers Helm keeps as strings.
    m.insert("Condition".into(), s(""));
    m.insert("Tags".into(), s(""));
    m.insert("AppVersion".into(), opt(&md.app_version));
    m.insert("Deprecated".into(), GoValue::Bool(md.deprecated));
    let annotations = md
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), GoValue::str(v)))
        .collect();
    // `Metadata.Annotations` is a `map[string]string`, left nil when
    // Chart.yaml has none (toJson prints `null`, a missing key indexes to "").
    let ty = MapType {
        nil: md.annotations.is_empty(),
        ..MapType::STRINGS
    };
    m.insert(
        "Annotations".into(),
        GoValue::Map(GoMap::typed(annotations, ty)),
    );
    m.insert("KubeVersion".into(), opt(&md.kube_version));
    let deps = md
        .dependencies
        .iter()
        .map(|d| {
            let mut x = BTreeMap::new();
            x.insert("Name".into(), s(&d.name));
            x.insert("Version".into(), opt(&d.version));
            x.insert("Repository".into(), opt(&d.repository));
            x.insert("Condition".into(), opt(&d.condition));
            x.insert("Tags".into(), strs(&d.tags));
            x.insert("Enabled".into(), GoValue::Bool(d.enabled.unwrap_or(false)));
            let imports = d
                .import_values
                .iter()
                .map(|iv| match iv {
                    ImportValue::Exports(p) => GoValue::str(p),
                    ImportValue::Path { child, parent } => {
                        let mut y = BTreeMap::new();
                        y.insert("child".into(), GoValue::str(child));
                        y.insert("parent".into(), GoValue::str(parent));
                        GoValue::map(y)
                    }
                })
                .collect();
            x.insert("ImportValues".into(), GoValue::list(imports));
            x.insert("Alias".into(), opt(&d.alias));
            GoValue::map(x)
        })
        .collect();
    m.insert("Dependencies".into(), GoValue::list(deps));
    let ty = if md.type_declared {
        match md.chart_type {
            ChartType::Application => "application",
            ChartType::Library => "library",
        }
    } else {
        ""
    };
    m.insert("Type".into(), s(ty));
    m.insert("IsRoot".into(), GoValue::Bool(is_root));
    GoValue::map(m)
}

/// `.Values` in Helm's number mode: `--set` integers are int64, document
/// numbers float64.
pub fn values_value(v: &crate::Value) -> GoValue {
    match GoValue::from_value(v, NumberMode::Helm) {
        // Helm passes `.Values` as the named map type `common.Values`
        // (`%T`, `typeOf`); nested maps stay `map[string]interface {}`.
        GoValue::Map(m) => GoValue::Map(GoMap::typed(m.snapshot(), VALUES_MAP)),
        other => other,
    }
}

/// The top-level dot of a template: Helm renders with a `common.Values`.
pub fn dot_value(dot: BTreeMap<String, GoValue>) -> GoValue {
    GoValue::Map(GoMap::typed(dot, VALUES_MAP))
}

/// Go type of `.Values` and of the top-level dot.
const VALUES_MAP: MapType = MapType {
    name: "common.Values",
    elem: ELEM_ANY,
    nil: false,
};

/// Go type of `.Files`: `engine.files`, a `map[string][]byte`.
const FILES_MAP: MapType = MapType {
    name: "engine.files",
    elem: ELEM_BYTES,
    nil: false,
};

/// `.Template`: `{Name, BasePath}` map, replaced per rendered file.
pub fn template_value(name: &str, base_path: &str) -> GoValue {
    let mut m = BTreeMap::new();
    m.insert("Name".into(), GoValue::str(name));
    m.insert("BasePath".into(), GoValue::str(base_path));
    GoValue::map(m)
}

fn method<F>(params: Vec<ParamType>, body: F) -> Arc<Function>
where
    F: Fn(Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
{
    Arc::new(Function::new(params, None, move |_, a| body(a)))
}

/// `.Capabilities` (`*common.Capabilities`).
pub struct CapabilitiesObject {
    kube: GoValue,
    apis: GoValue,
    helm: GoValue,
}

impl CapabilitiesObject {
    /// Builds the object from the render's capabilities.
    pub fn new(c: &Capabilities) -> CapabilitiesObject {
        let mut helm = BTreeMap::new();
        helm.insert("Version".into(), GoValue::str(HELM_VERSION));
        helm.insert("GitCommit".into(), GoValue::str(HELM_GIT_COMMIT));
        helm.insert("GitTreeState".into(), GoValue::str(HELM_GIT_TREE_STATE));
        helm.insert("GoVersion".into(), GoValue::str(HELM_GO_VERSION));
        helm.insert(
            "KubeClientVersion".into(),
            GoValue::str(HELM_KUBE_CLIENT_VERSION),
        );
        CapabilitiesObject {
            kube: GoValue::Object(Arc::new(KubeVersionObject {
                version: c.kube_version.version.clone(),
                normalized: c.kube_version.normalized(),
                major: c.kube_version.major.clone(),
                minor: c.kube_version.minor.clone(),
            })),
            apis: GoValue::Object(Arc::new(VersionSetObject(Arc::new(c.api_versions.clone())))),
            helm: GoValue::Object(Arc::new(StructObject {
                type_name: "version.BuildInfo",
                fields: vec![
                    "Version",
                    "GitCommit",
                    "GitTreeState",
                    "GoVersion",
                    "KubeClientVersion",
                ],
                values: helm,
                json_names: vec![
                    "version",
                    "git_commit",
                    "git_tree_state",
                    "go_version",
                    "kube_client_version",
                ],
            })),
        }
    }
}

impl Object for CapabilitiesObject {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "KubeVersion" => Some(self.kube.clone()),
            "APIVersions" => Some(self.apis.clone()),
            "HelmVersion" => Some(self.helm.clone()),
            _ => None,
        }
    }
    fn method(&self, name: &str) -> Option<Arc<Function>> {
        match name {
            "Copy" => {
                let (k, a, h) = (self.kube.clone(), self.apis.clone(), self.helm.clone());
                Some(method(vec![], move |_| {
                    Ok(GoValue::Object(Arc::new(CapabilitiesObject {
                        kube: k.clone(),
                        apis: a.clone(),
                        helm: h.clone(),
                    })))
                }))
            }
            _ => None,
        }
    }
    fn field_names(&self) -> Vec<String> {
        vec![
            "KubeVersion".into(),
            "APIVersions".into(),
            "HelmVersion".into(),
        ]
    }
}

/// `common.KubeVersion`: `Version`, `Major`, `Minor`, the `GitVersion`
/// method, and `String()` giving the normalized `v1.35.0`.
pub struct KubeVersionObject {
    version: String,
    normalized: String,
    major: String,
    minor: String,
}

impl Object for KubeVersionObject {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "Version" => Some(GoValue::str(&self.version)),
            // Unexported in Go: printed with the struct, never reachable
            // from a template (no identifier starts with `%`).
            NORMALIZED_FIELD => Some(GoValue::str(&self.normalized)),
            "Major" => Some(GoValue::str(&self.major)),
            "Minor" => Some(GoValue::str(&self.minor)),
            _ => None,
        }
    }
    fn method(&self, name: &str) -> Option<Arc<Function>> {
        let v = match name {
            "GitVersion" => self.version.clone(),
            "String" => self.normalized.clone(),
            _ => return None,
        };
        Some(method(vec![], move |_| Ok(GoValue::str(&v))))
    }
    fn field_names(&self) -> Vec<String> {
        vec![
            "Version".into(),
            NORMALIZED_FIELD.into(),
            "Major".into(),
            "Minor".into(),
        ]
    }
    // No `string()`: `String()` has a pointer receiver, so Go's fmt sees a
    // plain struct (`{v1.35.0 v1.35.0 1 35}`) whenever the value is passed
    // to a function; only the executor's own printing of the addressable
    // field (`{{ .Capabilities.KubeVersion }}`) calls the `String` method.
    fn addressable_string(&self) -> Option<String> {
        Some(self.normalized.clone())
    }
}

/// The unexported `normalizedVersion` field of `common.KubeVersion`.
const NORMALIZED_FIELD: &str = "%normalizedVersion";

/// `common.VersionSet`: a `[]string` with a `Has` method.
pub struct VersionSetObject(Arc<Vec<String>>);

impl Object for VersionSetObject {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &str {
        "slice"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        (name == JSON_FIELD).then(|| GoValue::string_list(self.0.iter().cloned()))
    }
    fn method(&self, name: &str) -> Option<Arc<Function>> {
        match name {
            "Has" => {
                let set = self.0.clone();
                Some(method(vec![ParamType::String], move |a| {
                    let want = a[0].as_str().unwrap_or_default();
                    Ok(GoValue::Bool(set.iter().any(|v| v == want)))
                }))
            }
            _ => None,
        }
    }
    fn string(&self) -> Option<String> {
        let list = GoValue::List(Arc::new(GoList {
            elem: ELEM_STRING,
            items: self.0.iter().map(|s| GoValue::str(s)).collect(),
        }));
        Some(sprint(&[&list as &dyn FmtArg]))
    }
    fn is_nil(&self) -> bool {
        // Go's IsTrue of a slice is its length.
        self.0.is_empty()
    }
    fn underlying(&self) -> Option<GoValue> {
        Some(GoValue::string_list(self.0.iter().cloned()))
    }
}

/// A plain Go struct without methods (`version.BuildInfo`).
pub struct StructObject {
    type_name: &'static str,
    fields: Vec<&'static str>,
    values: BTreeMap<String, GoValue>,
    /// `json:` tag names, parallel to `fields`.
    json_names: Vec<&'static str>,
}

impl Object for StructObject {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        if name == JSON_NAMES_FIELD {
            return Some(GoValue::string_list(
                self.json_names.iter().map(|s| s.to_string()),
            ));
        }
        self.values.get(name).cloned()
    }
    fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|s| s.to_string()).collect()
    }
}

/// `.Files` (`engine.files`, a `map[string][]byte`): every chart file that
/// is not a template, values file, Chart.yaml or subchart.
#[derive(Clone)]
pub struct FilesObject(Arc<BTreeMap<String, Contents>>);

impl FilesObject {
    /// The files of one chart.
    pub fn new(files: &[ChartFile]) -> FilesObject {
        FilesObject(Arc::new(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        ))
    }

    /// The file contents as a Go map of byte slices (for printing and
    /// serialising).
    pub fn as_map(&self) -> GoValue {
        GoValue::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), GoValue::Bytes(v.get().clone())))
                .collect(),
        )
    }

    fn glob(&self, pattern: &str) -> FilesObject {
        // gobwas/glob compile errors fall back to `**`: everything matches.
        let matcher = GlobPattern::compile(pattern).ok();
        FilesObject(Arc::new(
            self.0
                .iter()
                .filter(|(k, _)| matcher.as_ref().is_none_or(|m| m.matches(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    /// `{basename: encode(contents)}` through `toYaml`, as AsConfig and
    /// AsSecrets build it (a later basename wins, in name order).
    fn as_yaml(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let mut m = indexmap::IndexMap::new();
        for (k, v) in self.0.iter() {
            let base = k.rsplit('/').next().unwrap_or(k).to_string();
            m.insert(base, crate::Value::String(encode(v)));
        }
        let v = crate::Value::Map(m.into_iter().collect());
        match crate::yaml::try_to_yaml(&v) {
            Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
            Err(_) => String::new(),
        }
    }
}

impl Object for FilesObject {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        (name == JSON_FIELD).then(|| self.as_map())
    }
    fn method(&self, name: &str) -> Option<Arc<Function>> {
        let me = self.clone();
        use ParamType::String as S;
        Some(match name {
            "Get" => method(vec![S], move |a| {
                let name = a[0].as_str().unwrap_or_default();
                Ok(match me.0.get(name) {
                    Some(b) => GoValue::str(&String::from_utf8_lossy(b)),
                    None => GoValue::str(""),
                })
            }),
            "GetBytes" => method(vec![S], move |a| {
                let name = a[0].as_str().unwrap_or_default();
                Ok(GoValue::Bytes(
                    me.0.get(name)
                        .map(|c| c.get().clone())
                        .unwrap_or_else(|| Arc::from(&[][..])),
                ))
            }),
            "Glob" => method(vec![S], move |a| {
                Ok(GoValue::Object(Arc::new(
                    me.glob(a[0].as_str().unwrap_or_default()),
                )))
            }),
            "AsConfig" => method(vec![], move |_| {
                Ok(GoValue::str(
                    &me.as_yaml(|b| String::from_utf8_lossy(b).into_owned()),
                ))
            }),
            "AsSecrets" => method(vec![], move |_| {
                Ok(GoValue::str(&me.as_yaml(|b| {
                    base64::engine::general_purpose::STANDARD.encode(b)
                })))
            }),
            "Lines" => method(vec![S], move |a| {
                let name = a[0].as_str().unwrap_or_default();
                let Some(b) = me.0.get(name) else {
                    return Ok(GoValue::string_list(Vec::new()));
                };
                // Helm indexes the last byte without a length check: an
                // empty file is a runtime error.
                if b.is_empty() {
                    return Err("runtime error: index out of range [-1]".into());
                }
                let text = String::from_utf8_lossy(b);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                Ok(GoValue::string_list(text.split('\n').map(str::to_string)))
            }),
            _ => return None,
        })
    }
    fn string(&self) -> Option<String> {
        Some(sprint(&[&self.as_map() as &dyn FmtArg]))
    }
    fn underlying(&self) -> Option<GoValue> {
        let entries = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), GoValue::Bytes(v.get().clone())))
            .collect();
        Some(GoValue::Map(GoMap::typed(entries, FILES_MAP)))
    }
    fn is_nil(&self) -> bool {
        self.0.is_empty()
    }
}
