//! Emits Go-template files unchanged until the Go text/template engine lands.

use super::{Engine, EngineError, RenderInput, RenderedTemplate, is_partial};

/// Handles every template that no other engine claims (`*.yaml`, `*.tpl`,
/// `NOTES.txt`…) and returns its bytes as they are.
#[derive(Debug, Default)]
pub struct Passthrough;

impl Engine for Passthrough {
    fn name(&self) -> &'static str {
        "passthrough"
    }

    fn handles(&self, file_name: &str) -> bool {
        !file_name.ends_with(".j2")
    }

    fn render(&self, input: &RenderInput<'_>) -> Result<Vec<RenderedTemplate>, EngineError> {
        let mut out = Vec::new();
        for scope in &input.scopes {
            for t in &scope.chart.templates {
                if self.handles(&t.name) && !is_partial(&t.name) {
                    out.push(RenderedTemplate {
                        name: format!("{}/{}", scope.path, t.name),
                        content: t.text().into_owned(),
                    });
                }
            }
        }
        Ok(out)
    }
}
