{{- define "shared.name" -}}asub:{{ .Chart.Name }}{{- end }}
{{/* Defined in asub, zsub and deep: asub (shallower than deep, sorts before zsub) wins. */}}
{{- define "subs.only" -}}asub:{{ .Chart.Name }}{{- end }}
{{- define "asub.own" -}}asub own template, rendered for {{ .Chart.Name }}{{- end }}
