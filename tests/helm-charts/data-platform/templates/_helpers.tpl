{{/*
Named templates of the data-platform umbrella. Names are prefixed with the
chart name because Helm keeps one template namespace for the whole chart
tree: a subchart's "kafka.fullname" is callable from here, with that
subchart's own context taken from .Subcharts.
*/}}

{{- define "data-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "data-platform.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- range $key, $value := .Values.global.labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* In-cluster DNS name of a Service; call with (list $ "name"). */}}
{{- define "data-platform.svcHost" -}}
{{- printf "%s.%s.svc.cluster.local" (index . 1) (index . 0).Release.Namespace }}
{{- end }}

{{/*
Whether a subchart is rendered. Helm already dropped disabled dependencies
(conditions, then tags) before rendering, so .Subcharts holds exactly the
enabled ones. Prints "true" or nothing; call with (list $ "key").
*/}}
{{- define "data-platform.enabled" -}}
{{- if hasKey (index . 0).Subcharts (index . 1) }}true{{ end }}
{{- end }}
