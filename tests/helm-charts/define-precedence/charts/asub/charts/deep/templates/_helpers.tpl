{{- define "subs.only" -}}deep:{{ .Chart.Name }}{{- end }}
{{- define "shared.name" -}}deep:{{ .Chart.Name }}{{- end }}
{{- define "deep.only" -}}deep only:{{ .Chart.Name }}{{- end }}
