{{/* Defined here and in both subcharts: the parent's (shallowest) wins everywhere. */}}
{{- define "shared.name" -}}parent:{{ .Chart.Name }}{{- end }}

{{/* Also defined in templates/_zz.tpl of this chart: this file sorts first and wins. */}}
{{- define "parent.twofiles" -}}from _helpers.tpl{{- end }}
