{{- define "shared.name" -}}zsub:{{ .Chart.Name }}{{- end }}
{{/* Defined in asub, zsub and deep: asub (shallower than deep, sorts before zsub) wins. */}}
{{- define "subs.only" -}}zsub:{{ .Chart.Name }}{{- end }}
{{- define "zsub.own" -}}zsub own template, rendered for {{ .Chart.Name }}{{- end }}
