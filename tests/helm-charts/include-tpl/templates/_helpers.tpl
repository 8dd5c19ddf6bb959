{{- define "include-tpl.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Takes a dict: name and root. */}}
{{- define "include-tpl.component" -}}
{{ include "include-tpl.fullname" .root }}-{{ .name }}
{{- end }}

{{/* Takes a list. */}}
{{- define "include-tpl.joinList" -}}
{{ join "+" . }}
{{- end }}

{{/* Takes a string. */}}
{{- define "include-tpl.shout" -}}
{{ upper . }}!
{{- end }}

{{/* Takes a number; recursive countdown through include. */}}
{{- define "include-tpl.countdown" -}}
{{ . }}{{ if gt (int .) 0 }},{{ include "include-tpl.countdown" (sub (int .) 1) }}{{ end }}
{{- end }}

{{/* Multi-line output for nindent. */}}
{{- define "include-tpl.block" -}}
line1: {{ .Release.Name }}
line2:
  nested: true
{{- end }}

{{/* Scope: $ inside a define is the include argument. */}}
{{- define "include-tpl.scope" -}}
{{ $.name }}/{{ .name }}
{{- end }}
