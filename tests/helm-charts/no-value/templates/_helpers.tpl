{{- define "no-value.show" -}}dot is {{ . }}{{- end }}
