{{- define "helmignore.paths" -}}
{{- $p := list }}{{ range $k, $_ := . }}{{ $p = append $p $k }}{{ end }}{{ join "," $p }}
{{- end }}
