{{- define "syntax.wrap" -}}<{{ . }}>{{- end -}}
{{- define "syntax.outer" -}}outer({{ template "syntax.wrap" .inner }}){{- end -}}
