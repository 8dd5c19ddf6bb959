{{- define "parent.twofiles" -}}from _zz.tpl{{- end }}
{{- define "parent.onlyzz" -}}only in _zz.tpl{{- end }}
