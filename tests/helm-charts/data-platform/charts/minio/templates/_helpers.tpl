{{/*
Shared named templates of the minio chart (Go-template version of
charts-examples/minio). Each returns text without a trailing newline.
*/}}

{{- define "minio.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "minio.fullname" -}}
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

{{/* "<fullname>-<component>"; call with (dict "root" $ "component" "x"). */}}
{{- define "minio.componentName" -}}
{{- printf "%s-%s" (include "minio.fullname" .root | trunc (int (sub 62 (len .component)))) .component }}
{{- end }}

{{- define "minio.selectorLabels" -}}
app.kubernetes.io/name: {{ include "minio.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "minio.labels" -}}
{{ include "minio.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- range $key, $value := .root.Values.global.labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/*
Image reference for an image map; call with (dict "root" $ "image" MAP).
global.imageRegistry wins over the map's registry; a digest wins over the tag.
*/}}
{{- define "minio.image" -}}
{{- $registry := .root.Values.global.imageRegistry | default .image.registry -}}
{{- with $registry }}{{ . }}/{{ end }}{{ .image.repository }}
{{- if .image.digest }}@{{ .image.digest }}{{ else }}:{{ .image.tag }}{{ end }}
{{- end }}

{{- define "minio.secretName" -}}
{{- .Values.auth.existingSecret | default (include "minio.fullname" .) }}
{{- end }}

{{/*
Root password: auth.rootPassword, else the one already stored in the release's
Secret (lookup; empty under helm template), else (demo only) 32 hex characters
of a hash of the release: reproducible, NOT secret.
*/}}
{{- define "minio.rootPassword" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "minio.secretName" .) -}}
{{- if .Values.auth.rootPassword -}}
{{- .Values.auth.rootPassword -}}
{{- else if and $existing $existing.data -}}
{{- index $existing.data "MINIO_ROOT_PASSWORD" | b64dec -}}
{{- else -}}
{{- printf "%s/%s/minio" .Release.Namespace .Release.Name | sha256sum | trunc 32 -}}
{{- end -}}
{{- end }}

{{/* StorageClass of the data claim: the chart's own, else global, else persistence. */}}
{{- define "minio.storageClass" -}}
{{- if .Values.storageClass.create }}
{{- .Values.storageClass.name }}
{{- else }}
{{- /* coalesce returns nil when all are empty, and nil would print "<no value>" here
(removed only from the final output, so the caller would see a non-empty string). */}}
{{- coalesce .Values.global.storageClass .Values.persistence.storageClass | default "" }}
{{- end }}
{{- end }}

{{- define "minio.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "minio.fullname" .)) }}
{{- end }}
