{{- define "empty-output.unused" }}never included{{ end }}
