{{- define "render-errors.recurse" -}}{{ include "render-errors.recurse" . }}{{- end -}}
