//! User values, Helm's coalescing, and schema validation.
//!
//! The stages, in the order `helm template` runs them:
//! 1. [`ValueOptions::merge_values`]: `-f` files and the `--set` family into
//!    one user-values map (`pkg/cli/values/options.go`), with the grammar in
//!    [`strvals`];
//! 2. [`process_dependencies`]: aliases, conditions/tags, import-values
//!    (`pkg/chart/v2/util/dependencies.go`);
//! 3. [`coalesce_values`]: chart defaults under user values, into subcharts,
//!    with `global` propagation and null deletion (`coalesce.go`);
//! 4. [`validate_schemas`]: every chart's `values.schema.json`.

pub mod coalesce;
pub mod dependencies;
pub mod schema;
pub mod strvals;

pub use coalesce::{coalesce_values, coalesce_values_with_warnings, merge_maps};
pub use dependencies::process_dependencies;
pub use schema::{validate_schemas, validate_schemas_with};

use crate::diag::{Diagnostic, Location};
use crate::value::{Map, Value};
use strvals::Mode;

/// An error while reading, merging, coalescing or validating values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValuesError {
    /// A `-f` file (or stdin) could not be read.
    #[error("{message}")]
    ReadFile {
        /// The path as given (`-` for stdin).
        file: String,
        /// Go-style message (`open x.yaml: no such file or directory`).
        message: String,
    },
    /// A `-f` value is a URL; fetching values over the network is not built yet.
    #[error("remote values files are not supported yet: {url}")]
    RemoteValuesFile {
        /// The URL as given.
        url: String,
    },
    /// A `-f` file is not valid YAML or not a map.
    #[error("failed to parse {file}: {message}")]
    ParseFile {
        /// The path as given.
        file: String,
        /// What was wrong.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// The file's text, for the snippet.
        text: Option<String>,
    },
    /// A `--set`-family flag value could not be parsed.
    #[error("failed parsing {flag} data: {message}")]
    SetFlag {
        /// `--set`, `--set-string`, `--set-file`, `--set-json` or `--set-literal`.
        flag: &'static str,
        /// The flag's value as given.
        input: String,
        /// Helm's parser message.
        message: String,
        /// 1-based column in `input` where parsing stopped.
        column: usize,
    },
    /// A `--set-json` value could not be parsed (Helm's message names the
    /// whole value; the cause is ours).
    #[error("failed parsing --set-json data {input} ({cause})")]
    SetJson {
        /// The flag's value as given.
        input: String,
        /// What the JSON reader or key grammar reported.
        cause: String,
        /// 1-based column in `input`, when known.
        column: usize,
    },
    /// Coalescing found a non-map where a subchart's values belong.
    #[error("type mismatch on {name}: {found}")]
    TypeMismatch {
        /// The subchart name (or alias).
        name: String,
        /// Go's `%t` rendering of the value found.
        found: String,
    },
    /// The values nest deeper than any real values file would.
    #[error("values nest too deeply (more than {0} levels)")]
    TooDeep(usize),
    /// Values violate one or more charts' `values.schema.json`.
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )]
    Schema {
        /// Helm-shaped report: `<chart>:\n- at '/a': …` per chart.
        report: String,
    },
}

impl From<ValuesError> for Diagnostic {
    fn from(e: ValuesError) -> Diagnostic {
        let message = e.to_string();
        match e {
            ValuesError::ReadFile { file, .. } | ValuesError::RemoteValuesFile { url: file } => {
                Diagnostic::new(message).at(Location::file(file))
            }
            ValuesError::ParseFile {
                file,
                line,
                column,
                text,
                ..
            } => {
                let mut loc = Location::file(file).at(line, column);
                if let Some(src) = text {
                    loc = loc.with_source(src);
                }
                Diagnostic::new(message).at(loc)
            }
            ValuesError::SetFlag {
                flag,
                input,
                column,
                ..
            } => flag_diagnostic(message, flag, input, column),
            ValuesError::SetJson { input, column, .. } => {
                let input = input.strip_prefix("JSON: ").unwrap_or(&input).to_string();
                flag_diagnostic(message, "--set-json", input, column)
            }
            _ => Diagnostic::new(message),
        }
    }
}

/// A flag error shown with the flag's text as the "source line" and a caret.
fn flag_diagnostic(message: String, flag: &str, input: String, column: usize) -> Diagnostic {
    let loc = Location::file(format!("{flag} value"))
        .at(Some(1), Some(column))
        .with_source(input);
    Diagnostic::new(message).at(loc)
}

/// The value flags of `helm template`/`install`, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueOptions {
    /// `-f`/`--values`: files (each entry may hold several, comma-separated), `-` = stdin.
    pub values_files: Vec<String>,
    /// `--set`.
    pub set: Vec<String>,
    /// `--set-string`.
    pub set_string: Vec<String>,
    /// `--set-file`.
    pub set_file: Vec<String>,
    /// `--set-json`.
    pub set_json: Vec<String>,
    /// `--set-literal`.
    pub set_literal: Vec<String>,
}

/// Reads a file by the name given on the command line (`-` means stdin).
pub type FileReader<'a> = dyn FnMut(&str) -> Result<Vec<u8>, ValuesError> + 'a;

impl ValueOptions {
    /// Helm's `MergeValues`, reading files from disk and stdin.
    pub fn merge_values(&self) -> Result<Value, ValuesError> {
        self.merge_values_with(&mut read_local)
    }

    /// Helm's `MergeValues` with a caller-supplied file reader (tests, embedding).
    ///
    /// Sources are applied by flag *type*, whatever their command-line
    /// order (options.go): `-f` files in order, then `--set-json`, `--set`,
    /// `--set-string`, `--set-file`, `--set-literal`; later writes win.
    pub fn merge_values_with(&self, read: &mut FileReader<'_>) -> Result<Value, ValuesError> {
        let mut base = Map::default();
        for entry in &self.values_files {
            for file in split_string_slice(entry) {
                let raw = read(&file)?;
                let current = load_values(&file, &raw)?;
                merge_maps(&mut base, current);
            }
        }
        for value in &self.set_json {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                // The whole flag is one JSON object merged at the top.
                let parsed: Result<serde_json::Value, _> = serde_json::from_str(trimmed);
                match parsed {
                    Ok(serde_json::Value::Object(_)) => {
                        if let Ok(doc) = parsed
                            && let Value::Map(m) = Value::from_json(&doc)
                        {
                            merge_maps(&mut base, m);
                        }
                    }
                    Ok(_) => {
                        return Err(set_json_error(value, "not a JSON object".into(), 1));
                    }
                    Err(e) => {
                        // Helm: "failed parsing --set-json data JSON: <value>".
                        return Err(ValuesError::SetJson {
                            input: format!("JSON: {value}"),
                            cause: e.to_string(),
                            column: e.column().max(1),
                        });
                    }
                }
            } else {
                strvals::parse_into(value, &mut base, Mode::Json).map_err(|e| {
                    // Helm drops the cause here ("failed parsing --set-json
                    // data <value>"); we keep its shape and add the cause.
                    set_json_error(value, e.message, e.column)
                })?;
            }
        }
        for value in &self.set {
            strvals::parse_into(value, &mut base, Mode::Typed)
                .map_err(|e| set_error("--set", value, e))?;
        }
        for value in &self.set_string {
            strvals::parse_into(value, &mut base, Mode::String)
                .map_err(|e| set_error("--set-string", value, e))?;
        }
        for value in &self.set_file {
            let mut reader = |path: &str| -> Result<Value, String> {
                read(path)
                    .map(|bytes| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
                    .map_err(|e| e.to_string())
            };
            strvals::parse_into(value, &mut base, Mode::File(&mut reader))
                .map_err(|e| set_error("--set-file", value, e))?;
        }
        for value in &self.set_literal {
            strvals::parse_into(value, &mut base, Mode::Literal)
                .map_err(|e| set_error("--set-literal", value, e))?;
        }
        Ok(Value::Map(base))
    }
}

fn set_error(flag: &'static str, input: &str, e: strvals::StrvalsError) -> ValuesError {
    ValuesError::SetFlag {
        flag,
        input: input.to_string(),
        message: e.message,
        column: e.column,
    }
}

fn set_json_error(input: &str, cause: String, column: usize) -> ValuesError {
    ValuesError::SetJson {
        input: input.to_string(),
        cause,
        column,
    }
}

/// Splits one `-f` entry like pflag's `StringSlice` (a CSV record: commas
/// separate, double quotes protect commas, `""` is a quote).
fn split_string_slice(entry: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = entry.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start && !quoted => quoted = true,
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            }
            ',' if !quoted => {
                out.push(std::mem::take(&mut cur));
                at_field_start = true;
                continue;
            }
            c => cur.push(c),
        }
        at_field_start = false;
    }
    out.push(cur);
    out
}

/// Reads a `-f` file from disk or stdin, refusing URLs (Helm would fetch
/// them with its getters).
fn read_local(file: &str) -> Result<Vec<u8>, ValuesError> {
    use std::io::Read;
    if file.trim() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| ValuesError::ReadFile {
                file: file.to_string(),
                message: format!("read /dev/stdin: {}", go_io_error(&e)),
            })?;
        return Ok(buf);
    }
    if is_remote(file) {
        return Err(ValuesError::RemoteValuesFile {
            url: file.to_string(),
        });
    }
    std::fs::read(file).map_err(|e| ValuesError::ReadFile {
        file: file.to_string(),
        message: format!("open {file}: {}", go_io_error(&e)),
    })
}

/// True for the schemes Helm's getters handle (`http`, `https`, `oci`).
fn is_remote(file: &str) -> bool {
    file.split_once("://").is_some_and(|(scheme, _)| {
        matches!(
            scheme.to_ascii_lowercase().as_str(),
            "http" | "https" | "oci"
        )
    })
}

/// Go's wording of common I/O errors.
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// Helm's `loader.LoadValues`: every YAML document of the file must be a
/// map (or empty); documents are merged in order with [`merge_maps`].
pub fn load_values(file: &str, raw: &[u8]) -> Result<Map, ValuesError> {
    let text = String::from_utf8_lossy(raw);
    let docs = crate::yaml::parse_documents(&text).map_err(|e| ValuesError::ParseFile {
        file: file.to_string(),
        message: e.message.clone(),
        line: e.line,
        column: e.column,
        text: Some(text.to_string()),
    })?;
    let mut values = Map::default();
    for doc in docs {
        match doc {
            Value::Null => {}
            Value::Map(m) => merge_maps(&mut values, m),
            other => {
                return Err(ValuesError::ParseFile {
                    file: file.to_string(),
                    message: format!(
                        "cannot unmarshal yaml document: a values document must be a map, not a {}",
                        other.type_name()
                    ),
                    line: None,
                    column: None,
                    text: None,
                });
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests;
