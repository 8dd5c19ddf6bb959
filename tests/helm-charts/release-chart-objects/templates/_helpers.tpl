{{/* .Template inside include is the caller's template. */}}
{{- define "objects.templateName" -}}{{ .Template.Name }}{{- end }}
