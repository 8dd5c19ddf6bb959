//! Resources and hooks, and Helm's `SortManifests`: rendered files in,
//! ordered resources out.

use super::error::ManifestError;
use super::head::{Head, read_head};
use super::order::sort_by_install_order;
use super::split::split_manifests;
use crate::engine::RenderedTemplate;
use crate::value::Value;
use crate::yaml::{parse_document, parse_document_head};
use std::fmt;
use std::sync::Arc;

/// Identity of a resource: group, version, kind, namespace, name.
///
/// Absent fields are empty strings (the way kustomize's `ResId` holds them),
/// which keeps ids cheap to compare and hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId {
    /// API group (`apps`; empty for the core group `v1`).
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// Kind (`Deployment`), read like Helm reads it.
    pub kind: String,
    /// `metadata.namespace`, when the document sets a scalar one.
    pub namespace: String,
    /// `metadata.name`, read like Helm reads it.
    pub name: String,
}

impl ResourceId {
    /// The `apiVersion` this id came from (`apps/v1`, or `v1` for the core group).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for ResourceId {
    /// `group/version/Kind namespace/name`, with empty parts left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.kind)?;
        if self.namespace.is_empty() {
            write!(f, " {}", self.name)
        } else {
            write!(f, " {}/{}", self.namespace, self.name)
        }
    }
}

/// A Helm hook event (`helm.sh/hook` annotation values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookEvent {
    /// `pre-install`.
    PreInstall,
    /// `post-install`.
    PostInstall,
    /// `pre-delete`.
    PreDelete,
    /// `post-delete`.
    PostDelete,
    /// `pre-upgrade`.
    PreUpgrade,
    /// `post-upgrade`.
    PostUpgrade,
    /// `pre-rollback`.
    PreRollback,
    /// `post-rollback`.
    PostRollback,
    /// `test` (and its Helm 2 alias `test-success`).
    Test,
}

/// The spellings Helm accepts for hook events (`manifest_sorter.go`
/// `events`), after trimming and lower-casing. `test-success` is kept for
/// Helm 2 charts and means `test`; anything else is unknown.
const HOOK_EVENTS: &[(&str, HookEvent)] = &[
    ("pre-install", HookEvent::PreInstall),
    ("post-install", HookEvent::PostInstall),
    ("pre-delete", HookEvent::PreDelete),
    ("post-delete", HookEvent::PostDelete),
    ("pre-upgrade", HookEvent::PreUpgrade),
    ("post-upgrade", HookEvent::PostUpgrade),
    ("pre-rollback", HookEvent::PreRollback),
    ("post-rollback", HookEvent::PostRollback),
    ("test", HookEvent::Test),
    ("test-success", HookEvent::Test),
];

impl HookEvent {
    /// Parses one event name as Helm does (trimmed, case-insensitive).
    pub fn parse(name: &str) -> Option<HookEvent> {
        let name = name.trim().to_lowercase();
        HOOK_EVENTS
            .iter()
            .find(|(spelling, _)| *spelling == name)
            .map(|(_, e)| *e)
    }

    /// The canonical name (`test` for both test spellings).
    pub fn as_str(self) -> &'static str {
        HOOK_EVENTS
            .iter()
            .find(|(_, e)| *e == self)
            .map(|(s, _)| *s)
            .unwrap_or("test")
    }
}

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The hook weight annotation.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The hook delete policy annotation.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// The hook output log policy annotation.
pub const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// A hook's settings, read from its annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    /// Events, in annotation order.
    pub events: Vec<HookEvent>,
    /// `helm.sh/hook-weight` (0 when absent or not a Go `Atoi` integer).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries, trimmed and lower-cased.
    pub delete_policies: Vec<String>,
    /// `helm.sh/hook-output-log-policy` entries, trimmed and lower-cased.
    pub output_log_policies: Vec<String>,
}

impl Hook {
    /// True when the hook runs on `helm test` (dropped by `--skip-tests`).
    pub fn is_test(&self) -> bool {
        self.events.contains(&HookEvent::Test)
    }
}

/// What a document's hook annotation makes of it.
enum HookKind {
    /// No `helm.sh/hook` annotation.
    None,
    /// A hook with known events.
    Hook(Hook),
    /// Some event is unknown: Helm drops the document silently.
    Unknown,
}

/// Comma-separated annotation values, trimmed and lower-cased like Helm's
/// `operateAnnotationValues`.
fn annotation_list(head: &Head, key: &str) -> Vec<String> {
    head.annotations
        .get(key)
        .map(|v| v.split(',').map(|p| p.trim().to_lowercase()).collect())
        .unwrap_or_default()
}

fn hook_of(head: &Head) -> HookKind {
    let Some(events) = head.annotations.get(HOOK_ANNOTATION) else {
        return HookKind::None;
    };
    // One unknown name (including the empty one of `""` or `a,`) drops the
    // whole document — Helm logs "skipping unknown hooks" and moves on.
    let Some(events) = events
        .split(',')
        .map(HookEvent::parse)
        .collect::<Option<Vec<_>>>()
    else {
        return HookKind::Unknown;
    };
    HookKind::Hook(Hook {
        events,
        // Go's strconv.Atoi: optional sign, decimal digits, int64 range.
        weight: head
            .annotations
            .get(HOOK_WEIGHT_ANNOTATION)
            .and_then(|w| w.parse::<i64>().ok())
            .unwrap_or(0),
        delete_policies: annotation_list(head, HOOK_DELETE_ANNOTATION),
        output_log_policies: annotation_list(head, HOOK_OUTPUT_LOG_ANNOTATION),
    })
}

/// One document of the rendered output.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The template it came from (`chart/templates/x.yaml`).
    pub source: String,
    /// The document as Helm prints it (trimmed, no `---`, no header).
    pub text: String,
    /// Its identity.
    pub id: ResourceId,
    /// Hook settings, for documents annotated `helm.sh/hook`.
    pub hook: Option<Hook>,
    /// The parsed document (`Null` for a comment-only document).
    pub node: Value,
}

/// Rendered resources in Helm's order: manifests, then hooks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceList {
    /// Non-hook documents, in install order.
    pub resources: Vec<Resource>,
    /// Hook documents, in install order by kind (weights are not used).
    pub hooks: Vec<Resource>,
    /// Documents dropped for naming an unknown hook event, in file order.
    /// Helm prints nothing for them but logs
    /// `level=INFO msg="skipping unknown hooks" hookTypes=<value>` on stderr.
    pub dropped_hooks: Vec<DroppedHook>,
}

/// A document that vanished because its `helm.sh/hook` names an unknown event.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedHook {
    /// The template it came from.
    pub source: String,
    /// The raw `helm.sh/hook` annotation value.
    pub hook_types: String,
}

/// Helm drops every rendered file whose name ends in `NOTES.txt` (any
/// chart's notes; `helm template` never prints them).
fn is_notes(name: &str) -> bool {
    name.ends_with("NOTES.txt")
}

/// Partials (basename starting with `_`) render nothing of their own.
fn is_partial(name: &str) -> bool {
    crate::engine::is_partial(name)
}

/// 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The YAML reader's message without its own `line N column M: ` prefix
/// (Helm words the location as `line N: ` itself).
fn strip_location(message: &str) -> &str {
    let Some(rest) = message.strip_prefix("line ") else {
        return message;
    };
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n = digits(rest);
    let Some(rest) = rest[n..].strip_prefix(" column ").filter(|_| n > 0) else {
        return message;
    };
    let m = digits(rest);
    match rest[m..].strip_prefix(": ") {
        Some(tail) if m > 0 => tail,
        _ => message,
    }
}

/// Splits group and version from `apiVersion` like Kubernetes'
/// `schema.ParseGroupVersion` for well-formed values (`apps/v1`, `v1`).
fn group_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

fn namespace_of(node: &Value) -> String {
    match node
        .get_path("metadata")
        .and_then(|m| m.as_map())
        .and_then(|m| m.get("namespace"))
    {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Int(i) | Value::DocInt(i)) => i.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Turns rendered template files into Helm's ordered resources and hooks
/// (Helm's `SortManifests` plus the NOTES.txt removal that precedes it).
///
/// Files are taken in byte order of their names; NOTES.txt, partials and
/// whitespace-only files are skipped; each file is split like
/// [`split_manifests`]; each document must parse and have a Helm-readable
/// head, or the whole render fails like Helm (`YAML parse error on …`).
pub fn sort_manifests(templates: &[RenderedTemplate]) -> Result<ResourceList, ManifestError> {
    sort_with(templates, parse_document)
}

/// [`sort_manifests`] for callers that only print: the same resources,
/// order, hooks and errors, but each [`Resource::node`] is only sure to
/// hold the document's head (its top-level keys, `metadata` and
/// `annotations`; anything nested deeper may be an empty map or list, see
/// [`parse_document_head`]). Reading whole
/// documents only to drop them was the most expensive step of `template`
/// for charts that render large CRDs.
pub fn sort_manifest_heads(templates: &[RenderedTemplate]) -> Result<ResourceList, ManifestError> {
    sort_with(templates, parse_document_head)
}

fn sort_with(
    templates: &[RenderedTemplate],
    parse: fn(&str) -> Result<Value, crate::yaml::YamlError>,
) -> Result<ResourceList, ManifestError> {
    let mut files: Vec<&RenderedTemplate> = templates
        .iter()
        .filter(|t| !is_notes(&t.name) && !is_partial(&t.name) && !t.content.trim().is_empty())
        .collect();
    // Helm: sort.Strings over the file map's keys.
    files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));

    let pieces: Vec<_> = files
        .iter()
        .flat_map(|file| {
            split_manifests(&file.content)
                .into_iter()
                .map(move |p| (*file, p))
        })
        .collect();
    // Documents parse independently: read them on every core, then walk
    // them in order so the first bad one is still the one reported.
    let bytes = pieces.iter().map(|(_, p)| p.text.len()).sum();
    let parsed = crate::parallel::map_ordered(&pieces, bytes, |(_, piece)| parse(piece.text));
    let mut list = ResourceList::default();
    for ((file, piece), node) in pieces.into_iter().zip(parsed) {
        {
            let yaml_error = |cause: String, line: Option<usize>, column: Option<usize>| {
                let first = line_at(&file.content, piece.offset);
                // On the document's first line, columns count from where the
                // (trimmed) document starts, e.g. after a glued `---`.
                let line_start = file.content[..piece.offset]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let shift = file.content[line_start..piece.offset].chars().count();
                ManifestError::Yaml {
                    template: file.name.clone(),
                    cause,
                    file_line: line.map(|l| first + l.max(1) - 1),
                    column: column.map(|c| if line == Some(1) { c + shift } else { c }),
                    rendered: Arc::from(file.content.as_str()),
                }
            };
            let node = node.map_err(|e| {
                let message = strip_location(&e.message);
                let cause = match e.line {
                    Some(l) => format!("error converting YAML to JSON: yaml: line {l}: {message}"),
                    None => format!("error converting YAML to JSON: yaml: {message}"),
                };
                yaml_error(cause, e.line, e.column)
            })?;
            let head = read_head(&node).map_err(|e| {
                yaml_error(
                    format!("error unmarshaling JSON: while decoding JSON: {e}"),
                    None,
                    None,
                )
            })?;
            let hook = match hook_of(&head) {
                HookKind::Unknown => {
                    list.dropped_hooks.push(DroppedHook {
                        source: file.name.clone(),
                        hook_types: head
                            .annotations
                            .get(HOOK_ANNOTATION)
                            .cloned()
                            .unwrap_or_default(),
                    });
                    continue;
                }
                HookKind::None => None,
                HookKind::Hook(h) => Some(h),
            };
            let (group, version) = group_version(&head.api_version);
            let resource = Resource {
                source: file.name.clone(),
                text: piece.text.to_string(),
                id: ResourceId {
                    group,
                    version,
                    kind: head.kind,
                    namespace: namespace_of(&node),
                    name: head.name,
                },
                hook,
                node,
            };
            if resource.hook.is_some() {
                list.hooks.push(resource);
            } else {
                list.resources.push(resource);
            }
        }
    }
    sort_by_install_order(&mut list.resources, |r| r.id.kind.as_str());
    sort_by_install_order(&mut list.hooks, |r| r.id.kind.as_str());
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, content: &str) -> RenderedTemplate {
        RenderedTemplate {
            name: name.to_string(),
            content: content.to_string(),
        }
    }

    fn kinds(rs: &[Resource]) -> Vec<&str> {
        rs.iter().map(|r| r.id.kind.as_str()).collect()
    }

    #[test]
    fn files_sorted_by_name_and_kinds_by_install_order() {
        let list = sort_manifests(&[
            t("c/templates/b.yaml", "kind: Deployment\n---\nkind: Foo\n"),
            t(
                "c/templates/a.yaml",
                "kind: Service\n---\nkind: Bar\n---\nkind: Deployment\nmetadata:\n  name: first\n",
            ),
            t(
                "c/charts/s/templates/z.yaml",
                "kind: Namespace\n---\n# only a comment\n",
            ),
        ])
        .unwrap();
        assert_eq!(
            kinds(&list.resources),
            [
                "Namespace",
                "Service",
                "Deployment",
                "Deployment",
                "",
                "Bar",
                "Foo"
            ]
        );
        assert_eq!(list.resources[2].id.name, "first");
        assert_eq!(list.resources[4].text, "# only a comment");
        assert_eq!(list.resources[4].node, Value::Null);
    }

    #[test]
    fn notes_partials_and_blank_files_are_skipped() {
        let list = sort_manifests(&[
            t("c/templates/NOTES.txt", "kind: Pod\n"),
            t("c/charts/s/templates/NOTES.txt", "kind: Pod\n"),
            t("c/templates/_helpers.tpl", "kind: Pod\n"),
            t("c/templates/blank.yaml", "  \n\n"),
        ])
        .unwrap();
        assert!(list.resources.is_empty() && list.hooks.is_empty());
    }

    #[test]
    fn ids_carry_group_version_namespace() {
        let list = sort_manifests(&[t(
            "c/templates/a.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: ns\n",
        )])
        .unwrap();
        let id = &list.resources[0].id;
        assert_eq!((id.group.as_str(), id.version.as_str()), ("apps", "v1"));
        assert_eq!(id.namespace, "ns");
        assert_eq!(id.api_version(), "apps/v1");
        assert_eq!(id.to_string(), "apps/v1/Deployment ns/d");
    }

    #[test]
    fn hooks_are_separated_and_sorted_by_kind_only() {
        let hook = |kind: &str, event: &str, weight: i64| {
            format!(
                "kind: {kind}\nmetadata:\n  annotations:\n    helm.sh/hook: {event}\n    helm.sh/hook-weight: \"{weight}\"\n"
            )
        };
        let content = [
            hook("Job", "post-install", -5),
            hook("Pod", "test", 0),
            hook("Pod", "pre-install", 5),
            hook("ConfigMap", "TEST-SUCCESS , Pre-Install", 0),
        ]
        .join("---\n");
        let list = sort_manifests(&[t("c/templates/h.yaml", &content)]).unwrap();
        assert!(list.resources.is_empty());
        assert_eq!(kinds(&list.hooks), ["ConfigMap", "Pod", "Pod", "Job"]);
        let cm = list.hooks[0].hook.as_ref().unwrap();
        assert_eq!(cm.events, [HookEvent::Test, HookEvent::PreInstall]);
        assert!(cm.is_test());
        assert_eq!(
            list.hooks[1].hook.as_ref().unwrap().events,
            [HookEvent::Test]
        );
        assert_eq!(list.hooks[2].hook.as_ref().unwrap().weight, 5);
        assert_eq!(list.hooks[3].hook.as_ref().unwrap().weight, -5);
    }

    #[test]
    fn unknown_hooks_vanish() {
        let doc =
            |v: &str| format!("kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: {v}\n");
        for bad in ["test-failure", "\"\"", "pre-install,", "nope,test"] {
            let list = sort_manifests(&[t("c/templates/h.yaml", &doc(bad))]).unwrap();
            assert!(list.resources.is_empty() && list.hooks.is_empty(), "{bad}");
            assert_eq!(list.dropped_hooks.len(), 1);
            assert_eq!(list.dropped_hooks[0].hook_types, bad.trim_matches('"'));
            assert_eq!(list.dropped_hooks[0].source, "c/templates/h.yaml");
        }
    }

    #[test]
    fn hook_policies_and_bad_weight() {
        let list = sort_manifests(&[t(
            "c/templates/h.yaml",
            "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: x\n    helm.sh/hook-delete-policy: Hook-Succeeded, before-hook-creation\n",
        )])
        .unwrap();
        let h = list.hooks[0].hook.as_ref().unwrap();
        assert_eq!(h.weight, 0);
        assert_eq!(
            h.delete_policies,
            ["hook-succeeded", "before-hook-creation"]
        );
        assert!(h.output_log_policies.is_empty());
    }

    #[test]
    fn yaml_errors_name_the_file_and_document_line() {
        let err = sort_manifests(&[t("c/templates/a.yaml", "a: 1\n---\nb: 2\nc: [1\nd: 3\n")])
            .unwrap_err();
        match &err {
            ManifestError::Yaml {
                template,
                cause,
                file_line,
                ..
            } => {
                assert_eq!(template, "c/templates/a.yaml");
                assert!(
                    cause.starts_with("error converting YAML to JSON: yaml: line "),
                    "{cause}"
                );
                // The document starts on file line 3.
                assert!(file_line.unwrap() >= 3, "{file_line:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("YAML parse error on c/templates/a.yaml: ")
        );
    }

    #[test]
    fn first_line_columns_count_from_the_line_start() {
        let err = sort_manifests(&[t("c/templates/a.yaml", "a: 1\n---x: @\n")]).unwrap_err();
        match err {
            ManifestError::Yaml {
                file_line, column, ..
            } => {
                assert_eq!(file_line, Some(2));
                // `@` is the 7th character of the file line `---x: @`.
                assert_eq!(column, Some(7));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shape_errors_are_worded_like_helm() {
        let err = sort_manifests(&[t("c/templates/a.yaml", "- a\n")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "YAML parse error on c/templates/a.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type util.SimpleHead"
        );
    }

    #[test]
    fn reader_location_prefix_is_dropped() {
        assert_eq!(
            strip_location("line 2 column 12: mapping values"),
            "mapping values"
        );
        assert_eq!(strip_location("line x: y"), "line x: y");
        assert_eq!(strip_location("plain"), "plain");
    }

    #[test]
    fn hook_event_names() {
        assert_eq!(
            HookEvent::parse(" Post-Upgrade "),
            Some(HookEvent::PostUpgrade)
        );
        assert_eq!(HookEvent::parse("test-success"), Some(HookEvent::Test));
        assert_eq!(HookEvent::parse("test-failure"), None);
        assert_eq!(HookEvent::Test.as_str(), "test");
        assert_eq!(HookEvent::PreRollback.as_str(), "pre-rollback");
    }

    #[test]
    fn heads_sort_like_full_documents() {
        let files = [
            t(
                "c/templates/a.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\nspec:\n  ports: [{port: 1}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: 5\n",
            ),
            t(
                "c/templates/b.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: {containers: [{name: x}]}\n",
            ),
        ];
        let full = sort_manifests(&files).unwrap();
        let heads = sort_manifest_heads(&files).unwrap();
        let ids = |l: &ResourceList| {
            l.resources
                .iter()
                .chain(&l.hooks)
                .map(|r| (r.id.clone(), r.hook.clone(), r.text.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&heads), ids(&full));
        let bad = [t("c/templates/a.yaml", "kind: A\n---\nspec:\n  x: [1\n")];
        assert_eq!(
            sort_manifest_heads(&bad).unwrap_err().to_string(),
            sort_manifests(&bad).unwrap_err().to_string()
        );
    }
}
