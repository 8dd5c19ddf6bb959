{{- define "crds.paths" -}}
{{- $paths := list }}{{ range $p, $_ := . }}{{ $paths = append $paths $p }}{{ end }}{{ join "," $paths }}
{{- end }}
