{{/* Sorted, comma-separated paths of a .Files.Glob result (range over it gives sorted keys). */}}
{{- define "files-api.paths" -}}
{{- $paths := list }}
{{- range $path, $_ := . }}{{ $paths = append $paths $path }}{{ end }}
{{- join "," $paths }}
{{- end }}
