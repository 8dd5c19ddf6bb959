{{- define "no-value.show" -}}dot is {{ . }}{{- end }}
{{/* Prints nil: the captured text is "<no value>", erased only from the final output. */}}
{{- define "no-value.nil" -}}{{ .Values.missing }}{{- end }}
