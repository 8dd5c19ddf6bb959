//! One kustomization and the accumulation of its resources, generators and
//! transformers (kustomize's `api/internal/target/kusttarget.go`).

use super::OverlayError;
use super::fieldspec::{FieldSpec, TransformerConfig, ValueExt};
use super::generators::{self, GeneratorKind, GeneratorOptions};
use super::loader::{LoadRestrictor, Loader, is_remote};
use super::patches::{self, PatchBody, PatchOptions, Selector};
use super::resource::{Resource, ResourceList, scalar_text, str_field};
use super::transformers::{self, ImageRule, RoleBindingSubjects};
use crate::patch::PatchSchema;
use crate::value::{Map, Value};
use std::path::{Path, PathBuf};

/// File names a kustomization may have, in kustomize's lookup order.
pub const KUSTOMIZATION_FILE_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Top-level fields a kustomization may have (kustomize rejects others:
/// its decoder disallows unknown fields).
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// A loaded kustomization file.
#[derive(Debug, Clone)]
pub struct Kustomization {
    /// The document.
    pub doc: Map,
    /// The file, for messages.
    pub file: String,
    /// File access rooted at its directory.
    pub loader: Loader,
    /// Its directory relative to the root kustomization, for
    /// `config.kubernetes.io/origin` annotations.
    pub origin_dir: PathBuf,
    /// Its file name (`kustomization.yaml`, …).
    pub file_name: String,
}

impl Kustomization {
    /// Loads the kustomization file of `dir`.
    pub fn load(dir: &Path, restrictor: LoadRestrictor) -> Result<Kustomization, OverlayError> {
        let shown = dir.display().to_string();
        let found: Vec<PathBuf> = KUSTOMIZATION_FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        let file = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(OverlayError::build(
                    &shown,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{shown}'"
                    ),
                ));
            }
            _ => {
                return Err(OverlayError::build(
                    &shown,
                    "Found multiple kustomization files".to_string(),
                ));
            }
        };
        let file_s = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| OverlayError::Read {
            path: file_s.clone(),
            message: e.to_string(),
        })?;
        let doc = crate::yaml::parse_document(&text).map_err(|e| OverlayError::Yaml {
            path: file_s.clone(),
            message: e.message,
            line: e.line,
            column: e.column,
        })?;
        let doc = match doc {
            Value::Map(m) => m,
            Value::Null => Map::default(),
            other => {
                return Err(OverlayError::build(
                    &file_s,
                    format!(
                        "invalid Kustomization: expected a map, got {}",
                        other.type_name()
                    ),
                ));
            }
        };
        for key in doc.keys() {
            if !KNOWN_FIELDS.contains(&key.as_str()) {
                return Err(OverlayError::field(
                    &file_s,
                    key,
                    format!("invalid Kustomization: json: unknown field \"{key}\""),
                ));
            }
        }
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        check_string_fields(&doc).map_err(|e| {
            OverlayError::field(&file_s, e.0, format!("invalid Kustomization: {}", e.1))
        })?;
        Ok(Kustomization {
            doc,
            file: file_s,
            loader: Loader::new(dir, restrictor),
            origin_dir: PathBuf::new(),
            file_name,
        })
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.doc.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, key: &str) -> String {
        self.get(key).map(scalar_text).unwrap_or_default()
    }

    fn strings(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| v.as_seq_slice().iter().map(scalar_text).collect())
            .unwrap_or_default()
    }

    fn pairs(&self, key: &str) -> Vec<(String, String)> {
        self.get(key)
            .and_then(Value::as_map)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect())
            .unwrap_or_default()
    }

    /// `kind` (defaults to Kustomization).
    pub fn kind(&self) -> String {
        let k = self.string("kind");
        if k.is_empty() {
            "Kustomization".to_string()
        } else {
            k
        }
    }

    fn err(&self, field: &str, message: impl Into<String>) -> OverlayError {
        OverlayError::field(&self.file, field, message)
    }
}

/// What accumulates while a kustomization tree is built (kustomize's
/// `ResAccumulator`).
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    /// Resources so far.
    pub list: ResourceList,
    /// Field specs merged from every level.
    pub config: TransformerConfig,
    /// `vars` declared so far.
    pub vars: Vec<Value>,
}

/// Builds kustomization trees.
pub struct Builder {
    /// File-reference restriction.
    pub restrictor: LoadRestrictor,
    /// Deprecation and other warnings, printed by the CLI.
    pub warnings: Vec<String>,
    /// Directories being built, for cycle detection.
    stack: Vec<PathBuf>,
    schema: PatchSchema,
    schema_set: bool,
    patch_index: patches::PatchIndex,
    in_patch_run: bool,
    /// Record origins and transformations (the root has `buildMetadata`).
    track: bool,
}

impl Builder {
    /// A builder.
    pub fn new(restrictor: LoadRestrictor) -> Builder {
        Builder {
            restrictor,
            warnings: Vec::new(),
            stack: Vec::new(),
            schema: PatchSchema::builtin(),
            schema_set: false,
            patch_index: patches::PatchIndex::default(),
            in_patch_run: false,
            track: false,
        }
    }

    /// Builds `dir` into a fresh accumulator (`KustTarget.AccumulateTarget`).
    pub fn accumulate_dir(
        &mut self,
        dir: &Path,
        component: bool,
        origin_dir: &Path,
    ) -> Result<(Kustomization, Accumulator), OverlayError> {
        let mut k = Kustomization::load(dir, self.restrictor)?;
        k.origin_dir = super::loader::clean(origin_dir);
        if self.stack.is_empty() {
            // kustomize tracks origins only when the root asks for build
            // metadata (KustTarget.origin is set in makeCustomizedResMap).
            self.track = k
                .get("buildMetadata")
                .is_some_and(|v| !v.as_seq_slice().is_empty());
        }
        let is_component = k.kind() == "Component";
        if is_component
            && !matches!(
                k.string("apiVersion").as_str(),
                "" | "kustomize.config.k8s.io/v1alpha1"
            )
        {
            return Err(OverlayError::build(
                &k.file,
                "apiVersion for Component should be kustomize.config.k8s.io/v1alpha1",
            ));
        }
        // The root may be a Component (kustomize builds it like a
        // Kustomization); nested resources may not.
        if component != is_component && !(is_component && self.stack.is_empty()) {
            let msg = if component {
                format!(
                    "expected kind 'Component' for path '{}' but got '{}'",
                    dir.display(),
                    k.kind()
                )
            } else {
                format!("expected kind != 'Component' for path '{}'", dir.display())
            };
            return Err(OverlayError::build(&k.file, msg));
        }
        let mut ra = Accumulator::default();
        self.accumulate(&k, &mut ra)?;
        Ok((k, ra))
    }

    fn enter(&mut self, dir: &Path) -> Result<(), OverlayError> {
        let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if self.stack.contains(&canon) {
            return Err(OverlayError::build(
                dir.display().to_string(),
                format!("cycle detected: '{}' refers to itself", dir.display()),
            ));
        }
        self.stack.push(canon);
        Ok(())
    }

    /// kusttarget `accumulateTarget`: resources, configurations, generators,
    /// components, transformers, vars.
    pub fn accumulate(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
    ) -> Result<(), OverlayError> {
        self.enter(&k.loader.root)?;
        let result = self.accumulate_inner(k, ra);
        self.stack.pop();
        result
    }

    fn accumulate_inner(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
    ) -> Result<(), OverlayError> {
        self.warn_deprecated(k);
        self.load_openapi(k)?;
        // No builtin validators exist, and external plugins (exec, container,
        // Go) are not supported; kustomize fails the same way without
        // --enable-alpha-plugins.
        for field in ["validators", "helmChartInflationGenerator"] {
            if k.get(field).is_some_and(|v| !v.as_seq_slice().is_empty()) {
                return Err(k.err(
                    field,
                    "external plugins are not supported (use helmCharts for charts)",
                ));
            }
        }
        let mut resources = k.strings("resources");
        resources.extend(k.strings("bases"));
        self.accumulate_resources(k, ra, &resources)?;

        // Own configuration: defaults plus `configurations:` files.
        let mut tc = TransformerConfig::builtin();
        let mut loaded = TransformerConfig::default();
        for path in k.strings("configurations") {
            let text = k
                .loader
                .read_string(&path)
                .map_err(|e| k.err("configurations", e))?;
            let doc = crate::yaml::parse_document(&text)
                .map_err(|e| k.err("configurations", format!("{path}: {}", e.message)))?;
            let extra = TransformerConfig::from_value(&doc)
                .map_err(|e| k.err("configurations", format!("{path}: {e}")))?;
            loaded
                .merge(&extra)
                .map_err(|e| k.err("configurations", e))?;
        }
        tc.merge(&loaded).map_err(|e| k.err("configurations", e))?;
        ra.config
            .merge(&tc)
            .map_err(|e| k.err("configurations", e))?;
        let mut crd_tc = TransformerConfig::default();
        for path in k.strings("crds") {
            let text = k.loader.read_string(&path).map_err(|e| k.err("crds", e))?;
            let doc = crate::yaml::parse_document(&text).map_err(|e| {
                k.err(
                    "crds",
                    format!(
                        "unable to parse open API definition from '{path}': {}",
                        e.message
                    ),
                )
            })?;
            let extra = super::fieldspec::config_from_openapi_definitions(&doc)
                .map_err(|e| k.err("crds", e))?;
            crd_tc.merge(&extra).map_err(|e| k.err("crds", e))?;
        }
        ra.config.merge(&crd_tc).map_err(|e| k.err("crds", e))?;

        self.run_generators(k, ra)?;

        for path in k.strings("components") {
            if is_remote(&path) {
                return Err(k.err(
                    "components",
                    format!("{path}: remote components are not supported offline"),
                ));
            }
            let dir = k.loader.resolve(&path);
            if !dir.is_dir() {
                return Err(k.err(
                    "components",
                    format!(
                        "'{}' must be a directory containing a kustomization of kind Component",
                        dir.display()
                    ),
                ));
            }
            let mut ck = Kustomization::load(&dir, self.restrictor)?;
            ck.origin_dir = super::loader::clean(&k.origin_dir.join(&path));
            if ck.kind() == "Component"
                && !matches!(
                    ck.string("apiVersion").as_str(),
                    "" | "kustomize.config.k8s.io/v1alpha1"
                )
            {
                return Err(OverlayError::build(
                    &ck.file,
                    "apiVersion for Component should be kustomize.config.k8s.io/v1alpha1",
                ));
            }
            if ck.kind() != "Component" {
                return Err(OverlayError::build(
                    &ck.file,
                    format!(
                        "expected kind 'Component' for path '{}' but got '{}'",
                        dir.display(),
                        ck.kind()
                    ),
                ));
            }
            self.accumulate(&ck, ra)?;
        }

        self.run_transformers(k, ra)?;
        let vars = k
            .get("vars")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default();
        super::replacements::bind_vars(&mut ra.list, &vars).map_err(|e| k.err("vars", e))?;
        for v in vars {
            let name = str_field(&v, "name").to_string();
            if ra.vars.iter().any(|x| str_field(x, "name") == name) {
                return Err(k.err("vars", format!("var '{name}' already encountered")));
            }
            ra.vars.push(v);
        }
        Ok(())
    }

    /// `openapi:` — a custom schema file for patches of custom resources,
    /// or a builtin version (only kustomize's embedded v1.21.2 exists).
    /// kustomize keeps one global schema and the first kustomization to set
    /// it wins; the root is read before its resources, so an overlay's
    /// schema takes precedence over its bases'.
    fn load_openapi(&mut self, k: &Kustomization) -> Result<(), OverlayError> {
        let Some(o) = k.get("openapi") else {
            return Ok(());
        };
        let path = o
            .as_map()
            .and_then(|m| m.get("path"))
            .map(scalar_text)
            .unwrap_or_default();
        let version = o
            .as_map()
            .and_then(|m| m.get("version"))
            .map(scalar_text)
            .unwrap_or_default();
        if !path.is_empty() && !version.is_empty() {
            return Err(k.err(
                "openapi",
                "builtin version and custom schema provided, cannot use both",
            ));
        }
        if !version.is_empty() {
            if version != "v1.21.2" {
                return Err(k.err(
                    "openapi",
                    format!("the specified OpenAPI version is not built in: {version}"),
                ));
            }
            if !self.schema_set {
                self.schema = PatchSchema::builtin();
                self.schema_set = true;
            }
            return Ok(());
        }
        if path.is_empty() {
            return Ok(());
        }
        let text = k
            .loader
            .read_string(&path)
            .map_err(|e| k.err("openapi", e))?;
        let doc = crate::yaml::parse_document(&text)
            .map_err(|e| k.err("openapi", format!("{path}: {}", e.message)))?;
        if !self.schema_set {
            self.schema =
                PatchSchema::with_openapi(&doc).map_err(|e| k.err("openapi", e.to_string()))?;
            self.schema_set = true;
        }
        Ok(())
    }

    fn warn_deprecated(&mut self, k: &Kustomization) {
        let notes = [
            (
                "bases",
                "'bases' is deprecated. Please use 'resources' instead.",
            ),
            (
                "commonLabels",
                "'commonLabels' is deprecated. Please use 'labels' instead.",
            ),
            (
                "imageTags",
                "'imageTags' is deprecated. Please use 'images' instead.",
            ),
            (
                "patchesJson6902",
                "'patchesJson6902' is deprecated. Please use 'patches' instead.",
            ),
            (
                "patchesStrategicMerge",
                "'patchesStrategicMerge' is deprecated. Please use 'patches' instead.",
            ),
            (
                "vars",
                "'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL]",
            ),
        ];
        for (field, msg) in notes {
            if k.doc.contains_key(field) {
                self.warnings.push(format!(
                    "{msg} Run 'kustomize edit fix' to update your Kustomization automatically. ({})",
                    k.file
                ));
            }
        }
    }

    fn accumulate_resources(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
        paths: &[String],
    ) -> Result<(), OverlayError> {
        // Files are appended in batches: each append checks ids against an
        // index built from the whole list, so one append per file would be
        // quadratic in the number of files.
        let mut pending: Vec<Resource> = Vec::new();
        for path in paths {
            if is_remote(path) {
                return Err(k.err(
                    "resources",
                    format!("{path}: remote resources (git/http) are not supported offline"),
                ));
            }
            let full = k.loader.resolve(path);
            if full.is_dir() {
                ra.list
                    .append_all(std::mem::take(&mut pending))
                    .map_err(|e| k.err("resources", e))?;
                let (_, sub) = self.accumulate_dir(&full, false, &k.origin_dir.join(path))?;
                ra.list
                    .append_all(sub.list.items)
                    .map_err(|e| k.err("resources", format!("{path}: {e}")))?;
                ra.config
                    .merge(&sub.config)
                    .map_err(|e| k.err("resources", e))?;
                for v in sub.vars {
                    let name = str_field(&v, "name").to_string();
                    if ra.vars.iter().any(|x| str_field(x, "name") == name) {
                        return Err(k.err("vars", format!("var '{name}' already encountered")));
                    }
                    ra.vars.push(v);
                }
            } else {
                let text = k
                    .loader
                    .read_string(path)
                    .map_err(|e| k.err("resources", format!("accumulating resources: {e}")))?;
                let shown = full.display().to_string();
                let mut items = read_resources(&text, &shown)?;
                let origin = super::loader::clean(&k.origin_dir.join(path))
                    .display()
                    .to_string();
                for r in &mut items {
                    let mut o = Map::default();
                    o.insert("path".into(), Value::String(origin.clone()));
                    r.origin = Some(Value::Map(o));
                }
                pending.extend(items);
            }
        }
        ra.list
            .append_all(pending)
            .map_err(|e| k.err("resources", e))?;
        Ok(())
    }

    fn run_generators(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
    ) -> Result<(), OverlayError> {
        let global = GeneratorOptions::from_value(k.get("generatorOptions"));
        for (field, kind) in [
            ("configMapGenerator", GeneratorKind::ConfigMap),
            ("secretGenerator", GeneratorKind::Secret),
        ] {
            for entry in k
                .get(field)
                .map(|v| v.as_seq_slice().to_vec())
                .unwrap_or_default()
            {
                let mut res = generators::generate(kind, &entry, &global, &k.loader)
                    .map_err(|e| k.err(field, e))?;
                res.origin = Some(k.generator_origin(
                    match kind {
                        GeneratorKind::ConfigMap => "ConfigMapGenerator",
                        GeneratorKind::Secret => "SecretGenerator",
                    },
                    None,
                ));
                absorb(&mut ra.list, res).map_err(|e| k.err(field, e))?;
            }
        }
        if k.get("helmCharts").is_some() {
            let charts = super::helm::inflate(k).map_err(|e| k.err("helmCharts", e))?;
            ra.list
                .append_all(charts)
                .map_err(|e| k.err("helmCharts", e))?;
        }
        for entry in k.strings_or_inline("generators") {
            let docs = self.plugin_configs(k, "generators", &entry)?;
            // kustomize names the config file as the origin of what a file
            // configured generator makes; inline configs name the kustomization.
            let configured_in = match &entry {
                Value::String(s) if !s.contains('\n') => {
                    Some(super::loader::clean(&k.origin_dir.join(s)))
                }
                _ => None,
            };
            for doc in docs {
                self.run_builtin_generator(k, ra, &doc, configured_in.as_deref())?;
            }
        }
        Ok(())
    }

    fn run_transformers(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
    ) -> Result<(), OverlayError> {
        let tc = ra.config.clone();
        self.patch_index.invalidate();
        self.in_patch_run = true;
        let result = self.run_patches(k, ra);
        self.in_patch_run = false;
        result?;
        self.run_field_transformers(k, ra, &tc)
    }

    /// patchesStrategicMerge, then patches: consecutive patches share one
    /// target index.
    fn run_patches(&mut self, k: &Kustomization, ra: &mut Accumulator) -> Result<(), OverlayError> {
        // patchesStrategicMerge
        for entry in k
            .get("patchesStrategicMerge")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
        {
            let text = scalar_text(&entry);
            let body = if text.contains('\n') || text.contains(": ") {
                text
            } else {
                k.loader
                    .read_string(&text)
                    .map_err(|e| k.err("patchesStrategicMerge", e))?
            };
            let docs = parse_kyaml_documents(&body)
                .map_err(|e| k.err("patchesStrategicMerge", e.message))?;
            for doc in docs.into_iter().filter(|d| !d.is_null()) {
                patches::apply_smp_by_id(
                    &mut ra.list,
                    &doc,
                    PatchOptions::default(),
                    &self.schema,
                    &mut self.patch_index,
                )
                .map_err(|e| k.err("patchesStrategicMerge", e))?;
            }
        }
        if k.get("patchesStrategicMerge")
            .is_some_and(|v| !v.as_seq_slice().is_empty())
        {
            self.note(k, ra, "PatchStrategicMergeTransformer");
        }
        // patches
        for (i, entry) in k
            .get("patches")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let field = format!("patches[{i}]");
            self.apply_patch_entry(k, ra, entry, &field)?;
            self.note(k, ra, "PatchTransformer");
        }
        Ok(())
    }

    /// Records a builtin transformer of this kustomization on every
    /// resource (kustomize's multiTransformer → AddTransformerAnnotation):
    /// as a transformation, or as the origin of a resource without one.
    fn note(&self, k: &Kustomization, ra: &mut Accumulator, kind: &str) {
        if self.track {
            record_transformation(ra, k.generator_origin(kind, None));
        }
    }

    fn run_field_transformers(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
        tc: &TransformerConfig,
    ) -> Result<(), OverlayError> {
        // namespace
        let ns = k.string("namespace");
        transformers::set_namespace(
            &mut ra.list,
            &ns,
            &tc.namespace,
            RoleBindingSubjects::DefaultOnly,
            false,
        )
        .map_err(|e| k.err("namespace", e))?;
        if !ns.is_empty() {
            self.note(k, ra, "NamespaceTransformer");
        }
        let prefix = k.string("namePrefix");
        transformers::add_name_affix(&mut ra.list, &prefix, true, &tc.name_prefix)
            .map_err(|e| k.err("namePrefix", e))?;
        if !prefix.is_empty() {
            self.note(k, ra, "PrefixTransformer");
        }
        let suffix = k.string("nameSuffix");
        transformers::add_name_affix(&mut ra.list, &suffix, false, &tc.name_suffix)
            .map_err(|e| k.err("nameSuffix", e))?;
        if !suffix.is_empty() {
            self.note(k, ra, "SuffixTransformer");
        }
        // labels
        for entry in k
            .get("labels")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
        {
            let pairs: Vec<(String, String)> = entry
                .as_map()
                .and_then(|m| m.get("pairs"))
                .and_then(Value::as_map)
                .map(|m| m.iter().map(|(a, b)| (a.clone(), scalar_text(b))).collect())
                .unwrap_or_default();
            let flag = |f: &str| {
                entry
                    .as_map()
                    .and_then(|m| m.get(f))
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            };
            let mut specs: Vec<FieldSpec> = Vec::new();
            for fs in entry
                .as_map()
                .and_then(|m| m.get("fields"))
                .map(|v| v.as_seq_slice().to_vec())
                .unwrap_or_default()
            {
                specs.push(FieldSpec::from_value(&fs).map_err(|e| k.err("labels", e))?);
            }
            let merge = |specs: &mut Vec<FieldSpec>, from: &[FieldSpec]| {
                super::fieldspec::merge_field_specs(specs, from)
                    .map_err(|e| k.err("labels", format!("failed to merge labels: {e}")))
            };
            merge(&mut specs, &tc.labels)?;
            if flag("includeSelectors") {
                merge(&mut specs, &tc.common_labels)?;
            } else {
                if flag("includeTemplates") {
                    merge(&mut specs, &tc.template_labels)?;
                }
                merge(&mut specs, &[FieldSpec::any("metadata/labels", true)])?;
            }
            transformers::set_entries(&mut ra.list, &pairs, &specs)
                .map_err(|e| k.err("labels", e))?;
            self.note(k, ra, "LabelTransformer");
        }
        let common_labels = k.pairs("commonLabels");
        transformers::set_entries(&mut ra.list, &common_labels, &tc.common_labels)
            .map_err(|e| k.err("commonLabels", e))?;
        // kustomize configures the commonLabels transformer whenever
        // `labels` or `commonLabels` is set.
        if !common_labels.is_empty()
            || k.get("labels")
                .is_some_and(|v| !v.as_seq_slice().is_empty())
        {
            self.note(k, ra, "LabelTransformer");
        }
        let annotations = k.pairs("commonAnnotations");
        transformers::set_entries(&mut ra.list, &annotations, &tc.common_annotations)
            .map_err(|e| k.err("commonAnnotations", e))?;
        if !annotations.is_empty() {
            self.note(k, ra, "AnnotationsTransformer");
        }
        // patchesJson6902
        self.patch_index.invalidate();
        for entry in k
            .get("patchesJson6902")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
        {
            let target = entry
                .as_map()
                .and_then(|m| m.get("target"))
                .cloned()
                .unwrap_or(Value::Null);
            let sel = Selector::from_value(&target).map_err(|e| k.err("patchesJson6902", e))?;
            let text = match entry.as_map().and_then(|m| m.get("patch")) {
                Some(p) => scalar_text(p),
                None => {
                    let path = str_field(&entry, "path");
                    k.loader
                        .read_string(path)
                        .map_err(|e| k.err("patchesJson6902", e))?
                }
            };
            let ops = crate::yaml::parse_document(&text)
                .map_err(|e| k.err("patchesJson6902", e.message))?;
            patches::apply_to_selected(
                &mut ra.list,
                &sel,
                &PatchBody::Json(ops),
                PatchOptions::default(),
                &self.schema,
                &mut self.patch_index,
            )
            .map_err(|e| k.err("patchesJson6902", e))?;
            self.note(k, ra, "PatchJson6902Transformer");
        }
        // replicas
        for entry in k
            .get("replicas")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
        {
            let name = str_field(&entry, "name").to_string();
            let count = entry
                .as_map()
                .and_then(|m| m.get("count"))
                .cloned()
                .unwrap_or(Value::DocInt(0));
            transformers::set_replicas(&mut ra.list, &name, &count, &tc.replicas)
                .map_err(|e| k.err("replicas", e))?;
            self.note(k, ra, "ReplicaCountTransformer");
        }
        // images
        let mut images = k
            .get("images")
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default();
        images.extend(
            k.get("imageTags")
                .map(|v| v.as_seq_slice().to_vec())
                .unwrap_or_default(),
        );
        for entry in images {
            let rule = ImageRule::from_value(&entry);
            transformers::set_images(&mut ra.list, &rule, &tc.images)
                .map_err(|e| k.err("images", e))?;
            self.note(k, ra, "ImageTagTransformer");
        }
        // replacements
        if let Some(reps) = k.get("replacements") {
            let mut all = Vec::new();
            for r in reps.as_seq_slice() {
                match r.as_map().and_then(|m| m.get("path")) {
                    Some(p) => {
                        let text = k
                            .loader
                            .read_string(&scalar_text(p))
                            .map_err(|e| k.err("replacements", e))?;
                        for d in crate::yaml::parse_documents(&text)
                            .map_err(|e| k.err("replacements", e.message))?
                        {
                            match d {
                                Value::Seq(items) => all.extend(items),
                                Value::Null => {}
                                other => all.push(other),
                            }
                        }
                    }
                    None => all.push(r.clone()),
                }
            }
            super::replacements::apply(&mut ra.list, &all).map_err(|e| k.err("replacements", e))?;
            self.note(k, ra, "ReplacementTransformer");
        }
        // transformers:
        for entry in k.strings_or_inline("transformers") {
            let docs = self.plugin_configs(k, "transformers", &entry)?;
            let configured_in = match &entry {
                Value::String(s) if !s.contains('\n') => {
                    Some(super::loader::clean(&k.origin_dir.join(s)))
                }
                _ => None,
            };
            for doc in docs {
                self.run_builtin_transformer(k, ra, &doc)?;
                if self.track {
                    let mut origin = k.generator_origin(
                        str_field(&doc, "kind"),
                        doc.as_map().and_then(|m| m.get("metadata")),
                    );
                    if let Some(api) = doc.as_map().and_then(|m| m.get("apiVersion"))
                        && let Some(by) = origin
                            .as_map_mut()
                            .and_then(|m| m.get_mut("configuredBy"))
                            .and_then(Value::as_map_mut)
                    {
                        by.insert("apiVersion".into(), Value::String(scalar_text(api)));
                    }
                    if let (Some(p), Some(m)) = (&configured_in, origin.as_map_mut()) {
                        m.insert(
                            "configuredIn".into(),
                            Value::String(p.display().to_string()),
                        );
                    }
                    record_transformation(ra, origin);
                }
            }
        }
        Ok(())
    }

    fn apply_patch_entry(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
        entry: &Value,
        field: &str,
    ) -> Result<(), OverlayError> {
        // Other transformers (or another level) may have renamed things
        // since the index was built.
        if !self.in_patch_run {
            self.patch_index.invalidate();
        }
        let m = entry
            .as_map()
            .ok_or_else(|| k.err(field, "patch entry must be a map"))?;
        let patch_text = m.get("patch").map(scalar_text).unwrap_or_default();
        let path = m.get("path").map(scalar_text).unwrap_or_default();
        let text = match (patch_text.trim().is_empty(), path.is_empty()) {
            (true, true) => return Err(k.err(field, "must specify one of patch and path")),
            (false, false) => {
                return Err(k.err(field, "patch and path can't be set at the same time"));
            }
            (false, true) => patch_text.trim().to_string(),
            (true, false) => k.loader.read_string(&path).map_err(|e| {
                k.err(
                    field,
                    format!("failed to get the patch file from path({path}): {e}"),
                )
            })?,
        };
        let body = patches::parse_patch(&text).map_err(|e| k.err(field, e))?;
        let options = m.get("options");
        let opt = |n: &str| {
            options
                .and_then(|o| o.as_map())
                .and_then(|o| o.get(n))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let opts = PatchOptions {
            allow_name_change: opt("allowNameChange"),
            allow_kind_change: opt("allowKindChange"),
        };
        match (m.get("target").filter(|t| !t.is_null()), &body) {
            (Some(t), _) => {
                if let PatchBody::Strategic(docs) = &body
                    && docs.len() > 1
                {
                    return Err(k.err(field, "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field"));
                }
                let sel = Selector::from_value(t).map_err(|e| k.err(field, e))?;
                patches::apply_to_selected(
                    &mut ra.list,
                    &sel,
                    &body,
                    opts,
                    &self.schema,
                    &mut self.patch_index,
                )
                .map_err(|e| k.err(field, e))
            }
            (None, PatchBody::Strategic(docs)) => {
                for d in docs {
                    patches::apply_smp_by_id(
                        &mut ra.list,
                        d,
                        opts,
                        &self.schema,
                        &mut self.patch_index,
                    )
                    .map_err(|e| k.err(field, e))?;
                }
                Ok(())
            }
            (None, PatchBody::Json(_)) => Err(k.err(field, "must specify a target for JSON patch")),
        }
    }

    /// Reads `generators:`/`transformers:` entries: a file or directory of
    /// plugin configs, or an inline config.
    fn plugin_configs(
        &mut self,
        k: &Kustomization,
        field: &str,
        entry: &Value,
    ) -> Result<Vec<Value>, OverlayError> {
        match entry {
            Value::Map(_) => Ok(vec![entry.clone()]),
            other => {
                let s = scalar_text(other);
                if s.contains('\n') {
                    return crate::yaml::parse_documents(&s)
                        .map(|d| d.into_iter().filter(|d| !d.is_null()).collect())
                        .map_err(|e| k.err(field, e.message));
                }
                let full = k.loader.resolve(&s);
                if full.is_dir() {
                    // A kustomization that produces plugin configs.
                    let (_, sub) = self.accumulate_dir(&full, false, &k.origin_dir.join(&s))?;
                    return Ok(sub.list.items.into_iter().map(|r| r.value).collect());
                }
                let text = k.loader.read_string(&s).map_err(|e| k.err(field, e))?;
                crate::yaml::parse_documents(&text)
                    .map(|d| d.into_iter().filter(|d| !d.is_null()).collect())
                    .map_err(|e| k.err(field, e.message))
            }
        }
    }

    fn run_builtin_generator(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
        doc: &Value,
        configured_in: Option<&Path>,
    ) -> Result<(), OverlayError> {
        let kind = str_field(doc, "kind");
        let gk = match kind {
            "ConfigMapGenerator" => GeneratorKind::ConfigMap,
            "SecretGenerator" => GeneratorKind::Secret,
            "IAMPolicyGenerator" => {
                let mut res =
                    iam_policy_service_account(doc).map_err(|e| k.err("generators", e))?;
                res.origin =
                    Some(k.generator_origin(kind, doc.as_map().and_then(|m| m.get("metadata"))));
                return absorb(&mut ra.list, res).map_err(|e| k.err("generators", e));
            }
            other => {
                return Err(k.err("generators", format!("plugin kind '{other}' is not a supported builtin generator (external plugins are not supported)")));
            }
        };
        let mut entry = doc.as_map().cloned().unwrap_or_default();
        if let Some(Value::Map(meta)) = entry.get("metadata").cloned() {
            for key in ["name", "namespace"] {
                if let Some(v) = meta.get(key) {
                    entry.entry(key.to_string()).or_insert(v.clone());
                }
            }
        }
        let mut res = generators::generate(
            gk,
            &Value::Map(entry),
            &GeneratorOptions::default(),
            &k.loader,
        )
        .map_err(|e| k.err("generators", e))?;
        let mut origin = k.generator_origin(kind, doc.as_map().and_then(|m| m.get("metadata")));
        if let (Some(p), Some(m)) = (configured_in, origin.as_map_mut()) {
            m.insert(
                "configuredIn".into(),
                Value::String(p.display().to_string()),
            );
        }
        res.origin = Some(origin);
        absorb(&mut ra.list, res).map_err(|e| k.err("generators", e))
    }

    fn run_builtin_transformer(
        &mut self,
        k: &Kustomization,
        ra: &mut Accumulator,
        doc: &Value,
    ) -> Result<(), OverlayError> {
        let kind = str_field(doc, "kind");
        let m = doc.as_map().cloned().unwrap_or_default();
        let specs = |key: &str, default: &[FieldSpec]| -> Result<Vec<FieldSpec>, OverlayError> {
            match m.get(key) {
                Some(Value::Seq(items)) => items
                    .iter()
                    .map(|v| FieldSpec::from_value(v).map_err(|e| k.err("transformers", e)))
                    .collect(),
                _ => Ok(default.to_vec()),
            }
        };
        let pairs = |key: &str| -> Vec<(String, String)> {
            m.get(key)
                .and_then(Value::as_map)
                .map(|m| m.iter().map(|(a, b)| (a.clone(), scalar_text(b))).collect())
                .unwrap_or_default()
        };
        let tc = ra.config.clone();
        let e = |e: String| k.err("transformers", e);
        match kind {
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                let fs = specs("fieldSpecs", &tc.name_prefix)?;
                let p = m.get("prefix").map(scalar_text).unwrap_or_default();
                let s = m.get("suffix").map(scalar_text).unwrap_or_default();
                transformers::add_name_affix(&mut ra.list, &p, true, &fs).map_err(e)?;
                transformers::add_name_affix(&mut ra.list, &s, false, &fs).map_err(|x| k.err("transformers", x))
            }
            "LabelTransformer" => transformers::set_entries(&mut ra.list, &pairs("labels"), &specs("fieldSpecs", &tc.common_labels)?).map_err(e),
            "AnnotationsTransformer" => transformers::set_entries(&mut ra.list, &pairs("annotations"), &specs("fieldSpecs", &tc.common_annotations)?).map_err(e),
            "NamespaceTransformer" => {
                let ns = m.get("metadata").map(|md| str_field(md, "namespace").to_string()).unwrap_or_default();
                let subjects = match m.get("setRoleBindingSubjects").map(scalar_text).as_deref() {
                    Some("allServiceAccounts") => RoleBindingSubjects::AllServiceAccounts,
                    Some("none") => RoleBindingSubjects::None,
                    _ => RoleBindingSubjects::DefaultOnly,
                };
                let unset_only = m.get("unsetOnly").and_then(Value::as_bool).unwrap_or(false);
                transformers::set_namespace(&mut ra.list, &ns, &specs("fieldSpecs", &tc.namespace)?, subjects, unset_only).map_err(e)
            }
            "ImageTagTransformer" => {
                let rule = ImageRule::from_value(m.get("imageTag").unwrap_or(&Value::Null));
                transformers::set_images(&mut ra.list, &rule, &specs("fieldSpecs", &tc.images)?).map_err(e)
            }
            "ReplicaCountTransformer" => {
                let rep = m.get("replica").cloned().unwrap_or(Value::Null);
                let count = rep.as_map().and_then(|r| r.get("count")).cloned().unwrap_or(Value::DocInt(0));
                transformers::set_replicas(&mut ra.list, str_field(&rep, "name"), &count, &specs("fieldSpecs", &tc.replicas)?).map_err(e)
            }
            "PatchTransformer" | "PatchStrategicMergeTransformer" | "PatchJson6902Transformer" => {
                let mut entry = m.clone();
                if kind == "PatchJson6902Transformer"
                    && let Some(op) = entry.shift_remove("jsonOp") {
                        entry.insert("patch".into(), op);
                    }
                if kind == "PatchStrategicMergeTransformer" {
                    if let Some(paths) = entry.get("paths").cloned() {
                        for p in paths.as_seq_slice() {
                            let mut one = Map::default();
                            one.insert("path".into(), p.clone());
                            self.apply_patch_entry(k, ra, &Value::Map(one), "transformers")?;
                        }
                        return Ok(());
                    }
                    if let Some(p) = entry.shift_remove("patches") {
                        entry.insert("patch".into(), p);
                    }
                }
                self.apply_patch_entry(k, ra, &Value::Map(entry), "transformers")
            }
            "ReplacementTransformer" => {
                let reps = m.get("replacements").map(|v| v.as_seq_slice().to_vec()).unwrap_or_default();
                super::replacements::apply(&mut ra.list, &reps).map_err(e)
            }
            other => Err(k.err("transformers", format!("plugin kind '{other}' is not a supported builtin transformer (external plugins are not supported)"))),
        }
    }
}

impl Kustomization {
    /// The origin kustomize records for an object made by a generator
    /// configured in this kustomization.
    fn generator_origin(&self, kind: &str, meta: Option<&Value>) -> Value {
        let mut by = Map::default();
        by.insert("apiVersion".into(), Value::String("builtin".into()));
        by.insert("kind".into(), Value::String(kind.into()));
        if let Some(meta) = meta {
            for key in ["name", "namespace"] {
                let v = str_field(meta, key);
                if !v.is_empty() {
                    by.insert(key.into(), Value::String(v.to_string()));
                }
            }
        }
        let mut o = Map::default();
        let configured_in = super::loader::clean(&self.origin_dir.join(&self.file_name));
        o.insert(
            "configuredIn".into(),
            Value::String(configured_in.display().to_string()),
        );
        o.insert("configuredBy".into(), Value::Map(by));
        Value::Map(o)
    }

    /// Entries of a list field that may hold strings or inline maps.
    fn strings_or_inline(&self, key: &str) -> Vec<Value> {
        self.get(key)
            .map(|v| v.as_seq_slice().to_vec())
            .unwrap_or_default()
    }
}

/// Adds a generated resource, merging into or replacing an existing one
/// per its behavior (`resWrangler.appendReplaceOrMerge`).
pub fn absorb(list: &mut ResourceList, mut res: Resource) -> Result<(), String> {
    let id = res.cur_id();
    let behavior = res.behavior.clone().unwrap_or_else(|| "create".into());
    let matches: Vec<usize> = list
        .items
        .iter()
        .enumerate()
        .filter(|(_, r)| r.has_id(&id))
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [] => {
            if behavior == "merge" || behavior == "replace" {
                return Err(format!("id {id} does not exist; cannot merge or replace"));
            }
            // No current (or previous) id matched, so the id is new.
            list.items.push(res);
            Ok(())
        }
        [i] => {
            let old = &list.items[*i];
            match behavior.as_str() {
                "replace" | "merge" => {
                    // Labels and annotations: the old ones, overridden by the new.
                    for field in ["labels", "annotations"] {
                        let mut merged = Map::default();
                        for (k, v) in old.meta_map(field) {
                            merged.insert(k, Value::String(v));
                        }
                        for (k, v) in res.meta_map(field) {
                            merged.insert(k, Value::String(v));
                        }
                        if let Some(meta) = res.metadata_mut() {
                            if merged.is_empty() {
                                meta.shift_remove(field);
                            } else {
                                meta.insert(field.to_string(), Value::Map(merged));
                            }
                        }
                    }
                    if behavior == "merge" {
                        for field in ["data", "binaryData"] {
                            let mut merged = old
                                .value
                                .as_map()
                                .and_then(|m| m.get(field))
                                .and_then(Value::as_map)
                                .cloned()
                                .unwrap_or_default();
                            if let Some(new) = res
                                .value
                                .as_map()
                                .and_then(|m| m.get(field))
                                .and_then(Value::as_map)
                            {
                                for (k, v) in new {
                                    merged.insert(k.clone(), v.clone());
                                }
                            }
                            if let Some(m) = res.value.as_map_mut()
                                && !merged.is_empty()
                            {
                                m.insert(field.to_string(), Value::Map(merged));
                            }
                        }
                    }
                    let (name, ns) = (old.name().to_string(), old.namespace().to_string());
                    res.set_name(&name);
                    if let Some(meta) = res.metadata_mut() {
                        if ns.is_empty() {
                            meta.shift_remove("namespace");
                        } else {
                            meta.insert("namespace".into(), Value::String(ns));
                        }
                    }
                    res.needs_hash = res.needs_hash && old.needs_hash;
                    res.prev_ids = old.prev_ids.clone();
                    res.prefixes = old.prefixes.clone();
                    res.suffixes = old.suffixes.clone();
                    res.source = old.source.clone();
                    res.ref_vars = old.ref_vars.clone();
                    if old.origin.is_some() {
                        res.origin = old.origin.clone();
                    }
                    list.items[*i] = res;
                    Ok(())
                }
                _ => Err(format!("id {id} exists; behavior must be merge or replace")),
            }
        }
        _ => Err(format!(
            "found multiple objects that could accept merge of {id}"
        )),
    }
}

/// Reads the resources of one file: every non-empty document, `List`
/// kinds expanded into their items.
pub fn read_resources(text: &str, shown: &str) -> Result<Vec<Resource>, OverlayError> {
    let docs = parse_kyaml_documents(text).map_err(|e| OverlayError::Yaml {
        path: shown.to_string(),
        message: e.message,
        line: e.line,
        column: e.column,
    })?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Value::Null => {}
            Value::Map(ref m) if m.is_empty() => {}
            Value::Map(ref m) => {
                let kind = m.get("kind").map(scalar_text).unwrap_or_default();
                if kind.ends_with("List")
                    && let Some(Value::Seq(items)) = m.get("items")
                {
                    for it in items {
                        out.push(Resource::new(stringify_annotations(it.clone()), shown));
                    }
                    continue;
                }
                if kind.is_empty() {
                    return Err(OverlayError::build(
                        shown,
                        "missing Resource metadata: kind is required".to_string(),
                    ));
                }
                out.push(Resource::new(stringify_annotations(d), shown));
            }
            other => {
                return Err(OverlayError::build(
                    shown,
                    format!("expected a YAML map as resource, got {}", other.type_name()),
                ));
            }
        }
    }
    Ok(out)
}

/// kustomize reads annotations into a `map[string]string` and writes them
/// back, so non-string annotation values come out as strings (`port: 8080`
/// becomes `port: "8080"`); labels are left alone.
fn stringify_annotations(mut v: Value) -> Value {
    if let Some(Value::Map(ann)) = v
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(Value::as_map_mut)
        .and_then(|m| m.get_mut("annotations"))
    {
        for val in ann.values_mut() {
            if !matches!(val, Value::String(_) | Value::Map(_) | Value::Seq(_)) {
                *val = Value::String(scalar_text(val));
            }
        }
    }
    v
}

/// Reads resource and patch YAML the way kustomize's kyaml (go-yaml v3)
/// does, where skiff's shared reader follows Helm: `yes`/`no`/`on`/`off`
/// stay strings (YAML 1.2 booleans only), and a mapping key that appears
/// twice is an error (`mapping key "env" already defined`) instead of the
/// last one winning. Legacy octal (`0755`) still reads as a number, as the
/// JSON round trip of kustomize's output does.
pub fn parse_kyaml_documents(text: &str) -> Result<Vec<Value>, crate::yaml::YamlError> {
    parse_kyaml_documents_with(text, crate::yaml::fast::Timestamps::Rfc3339)
}

/// [`parse_kyaml_documents`] with a choice for plain timestamps: JSON 6902
/// op lists keep them as written (kustomize reads those through JSON,
/// where they are strings).
pub fn parse_kyaml_documents_with(
    text: &str,
    timestamps: crate::yaml::fast::Timestamps,
) -> Result<Vec<Value>, crate::yaml::YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if crate::yaml::is_blank(text) {
        return Ok(Vec::new());
    }
    // Reading dominated large builds; the fast reader takes the common
    // block-style text and declines the rest (see yaml::fast).
    if let Some(docs) = crate::yaml::fast::parse_stream_parallel(text, kyaml_options, timestamps) {
        return Ok(docs);
    }
    serde_saphyr::from_multiple_with_options::<Value>(text, kyaml_options())
        .map_err(crate::yaml::convert_error)
}

/// How kyaml reads resources: YAML 1.1 octal, only `true`/`false` as
/// booleans, duplicate keys rejected.
fn kyaml_options() -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.legacy_octal_numbers = true;
    o.strict_booleans = true;
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    o.budget = None;
    o
}

/// kustomize's builtin IAMPolicyGenerator (GKE only): a ServiceAccount
/// annotated with the Google service account it impersonates.
fn iam_policy_service_account(doc: &Value) -> Result<Resource, String> {
    let cloud = str_field(doc, "cloud");
    if cloud != "gke" {
        return Err(format!("cloud provider {cloud} not supported yet"));
    }
    let field = |outer: &str, inner: &str| {
        doc.as_map()
            .and_then(|m| m.get(outer))
            .map(|o| str_field(o, inner).to_string())
            .unwrap_or_default()
    };
    let mut ann = Map::default();
    ann.insert(
        "iam.gke.io/gcp-service-account".into(),
        Value::String(format!(
            "{}@{}.iam.gserviceaccount.com",
            field("serviceAccount", "name"),
            field("serviceAccount", "projectId")
        )),
    );
    let mut meta = Map::default();
    meta.insert("annotations".into(), Value::Map(ann));
    meta.insert(
        "name".into(),
        Value::String(field("kubernetesService", "name")),
    );
    let ns = field("kubernetesService", "namespace");
    if !ns.is_empty() {
        meta.insert("namespace".into(), Value::String(ns));
    }
    let mut m = Map::default();
    m.insert("apiVersion".into(), Value::String("v1".into()));
    m.insert("kind".into(), Value::String("ServiceAccount".into()));
    m.insert("metadata".into(), Value::Map(meta));
    Ok(Resource::new(Value::Map(m), ""))
}

fn record_transformation(ra: &mut Accumulator, origin: Value) {
    for r in &mut ra.list.items {
        if r.origin.is_none() {
            r.origin = Some(origin.clone());
        } else {
            r.transformations.push(origin.clone());
        }
    }
}

/// kustomize decodes the kustomization into Go structs after a YAML 1.1
/// read, so an unquoted `true`, `yes`, `y`, `on` or number where a string
/// belongs (label values, prefixes, …) is an error there
/// (`json: cannot unmarshal bool into Go struct field … of type string`);
/// we reject the same inputs instead of silently stringifying them.
fn check_string_fields(doc: &Map) -> Result<(), (String, String)> {
    fn kind_of(v: &Value) -> Option<&'static str> {
        match v {
            Value::Bool(_) => Some("bool"),
            Value::Int(_) | Value::DocInt(_) | Value::Float(_) => Some("number"),
            Value::Seq(_) => Some("array"),
            Value::Map(_) => Some("object"),
            Value::Null | Value::String(_) => None,
        }
    }
    let bad = |field: &str, go: &str, v: &Value| -> Result<(), (String, String)> {
        match kind_of(v) {
            Some(k) => Err((
                field.to_string(),
                format!("json: cannot unmarshal {k} into Go struct field {go} of type string"),
            )),
            None => Ok(()),
        }
    };
    let string_map = |field: &str, go: &str, v: Option<&Value>| -> Result<(), (String, String)> {
        if let Some(Value::Map(m)) = v {
            for val in m.values() {
                bad(field, go, val)?;
            }
        }
        Ok(())
    };
    for key in ["namePrefix", "nameSuffix", "namespace"] {
        if let Some(v) = doc.get(key) {
            bad(key, &format!("Kustomization.{key}"), v)?;
        }
    }
    string_map(
        "commonLabels",
        "Kustomization.commonLabels",
        doc.get("commonLabels"),
    )?;
    string_map(
        "commonAnnotations",
        "Kustomization.commonAnnotations",
        doc.get("commonAnnotations"),
    )?;
    for item in doc
        .get("labels")
        .map(|v| v.as_seq_slice())
        .unwrap_or_default()
    {
        string_map(
            "labels",
            "Label.labels.pairs",
            item.as_map().and_then(|m| m.get("pairs")),
        )?;
    }
    let options = |field: &str, v: Option<&Value>| -> Result<(), (String, String)> {
        let m = v.and_then(Value::as_map);
        string_map(
            field,
            "GeneratorOptions.labels",
            m.and_then(|m| m.get("labels")),
        )?;
        string_map(
            field,
            "GeneratorOptions.annotations",
            m.and_then(|m| m.get("annotations")),
        )
    };
    options("generatorOptions", doc.get("generatorOptions"))?;
    for field in ["configMapGenerator", "secretGenerator"] {
        for item in doc.get(field).map(|v| v.as_seq_slice()).unwrap_or_default() {
            options(field, item.as_map().and_then(|m| m.get("options")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(name: &str, behavior: &str, data: &[(&str, &str)], hash: bool) -> Resource {
        let mut text =
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n");
        for (k, v) in data {
            text.push_str(&format!("  {k}: {v}\n"));
        }
        let mut r = Resource::new(crate::yaml::parse_document(&text).unwrap(), "");
        r.behavior = Some(behavior.to_string());
        r.needs_hash = hash;
        r
    }

    #[test]
    fn absorb_merges_replaces_and_rejects() {
        let mut list = ResourceList::default();
        absorb(&mut list, cm("c", "create", &[("a", "1")], true)).unwrap();
        absorb(&mut list, cm("c", "merge", &[("b", "2")], true)).unwrap();
        let data = list.items[0]
            .value
            .get_path("data")
            .unwrap()
            .as_map()
            .unwrap()
            .clone();
        assert_eq!(data.len(), 2);
        absorb(&mut list, cm("c", "replace", &[("z", "9")], false)).unwrap();
        let data = list.items[0]
            .value
            .get_path("data")
            .unwrap()
            .as_map()
            .unwrap()
            .clone();
        assert_eq!(data.keys().collect::<Vec<_>>(), ["z"]);
        assert!(!list.items[0].needs_hash, "hash needs both sides");
        assert!(
            absorb(&mut list, cm("c", "create", &[], true))
                .unwrap_err()
                .contains("behavior must be merge or replace")
        );
        assert!(
            absorb(&mut list, cm("d", "merge", &[], true))
                .unwrap_err()
                .contains("does not exist")
        );
    }

    #[test]
    fn kyaml_reading_keeps_yes_as_string_and_rejects_duplicates() {
        let docs = parse_kyaml_documents("a: yes\nb: true\nc: 010\n").unwrap();
        assert_eq!(docs[0].get_path("a"), Some(&Value::String("yes".into())));
        assert_eq!(docs[0].get_path("b"), Some(&Value::Bool(true)));
        assert_eq!(docs[0].get_path("c"), Some(&Value::DocInt(8)));
        assert!(parse_kyaml_documents("a: 1\na: 2\n").is_err());
    }

    #[test]
    fn unquoted_booleans_in_string_fields_are_rejected() {
        let doc = crate::yaml::parse_document("commonLabels:\n  env: yes\n").unwrap();
        let Value::Map(m) = doc else { panic!() };
        let err = check_string_fields(&m).unwrap_err();
        assert_eq!(err.0, "commonLabels");
        assert!(err.1.contains("cannot unmarshal bool"));
    }
}
