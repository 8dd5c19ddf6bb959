{{/*
Shared named templates of the trino chart (Go-template version of
charts-examples/trino). Each returns text without a trailing newline.
Templates taking a role are called with (dict "root" $ "role" "worker").
*/}}

{{- define "trino.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "trino.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "trino.componentName" -}}
{{- printf "%s-%s" (include "trino.fullname" .root | trunc (int (sub 62 (len .role)))) .role }}
{{- end }}

{{- define "trino.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trino.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "trino.labels" -}}
{{ include "trino.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- range $key, $value := .root.Values.global.labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{- define "trino.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- with $registry }}{{ . }}/{{ end }}{{ .Values.image.repository }}
{{- if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}
{{- end }}

{{/* node.properties; node.id is set by the image's start script from the hostname. */}}
{{- define "trino.nodeProperties" -}}
node.environment={{ .Values.environment }}
node.data-dir=/data/trino
{{- end }}

{{/* jvm.config from files/, itself a template. */}}
{{- define "trino.jvmConfig" -}}
{{- tpl (.Files.Get "files/jvm.config") . | trim }}
{{- end }}

{{/* config.properties for one role: computed settings, then server.config in key order. */}}
{{- define "trino.configProperties" -}}
{{- $v := .root.Values -}}
{{- if eq .role "coordinator" -}}
coordinator=true
# With workers present, keep queries off the coordinator.
node-scheduler.include-coordinator={{ le (int $v.worker.replicas) 0 }}
http-server.http.port={{ $v.service.port }}
discovery.uri=http://localhost:{{ $v.service.port }}
{{- else -}}
coordinator=false
http-server.http.port={{ $v.service.port }}
discovery.uri=http://{{ include "trino.fullname" .root }}.{{ .root.Release.Namespace }}.svc.cluster.local:{{ $v.service.port }}
{{- end }}
query.max-memory={{ $v.server.queryMaxMemory }}
query.max-memory-per-node={{ $v.server.queryMaxMemoryPerNode }}
{{- range $key, $value := $v.server.config }}
{{ $key }}={{ $value }}
{{- end }}
{{- end }}

{{/*
One catalog from catalogs.custom; call with (dict "root" $ "properties" MAP).
String values go through tpl so they may reference the release.
*/}}
{{- define "trino.catalogProperties" -}}
{{- range $key, $value := .properties }}
{{ $key }}={{ if kindIs "string" $value }}{{ tpl $value $.root }}{{ else }}{{ $value }}{{ end }}
{{- end }}
{{- end }}
