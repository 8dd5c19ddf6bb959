{{- define "helpers.banner" -}}
{{ .Chart.Name }} in {{ .Values.global.region }}
{{- end }}
