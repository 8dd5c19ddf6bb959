{{/*
Shared named templates of the spark chart (Go-template version of
charts-examples/spark). Each returns text without a trailing newline.
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "spark.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>", or the release name when it already contains the chart name. */}}
{{- define "spark.fullname" -}}
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

{{/*
"<fullname>-<component>" under 63 characters.
Call with (dict "root" $ "component" "master").
*/}}
{{- define "spark.componentName" -}}
{{- $max := sub 62 (len .component) | int }}
{{- printf "%s-%s" (include "spark.fullname" .root | trunc $max) .component }}
{{- end }}

{{/* Selector labels; call with (dict "root" $ "component" "x"). */}}
{{- define "spark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spark.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Standard labels plus global.labels; call with (dict "root" $ "component" "x"). */}}
{{- define "spark.labels" -}}
{{ include "spark.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- range $key, $value := .root.Values.global.labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Image reference: global.imageRegistry wins; a digest wins over the tag. */}}
{{- define "spark.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- with $registry }}{{ . }}/{{ end }}{{ .Values.image.repository }}
{{- if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}
{{- end }}

{{/* spark:// URL of the master Service. */}}
{{- define "spark.masterUrl" -}}
spark://{{ include "spark.componentName" (dict "root" . "component" "master") }}.{{ .Release.Namespace }}.svc.cluster.local:{{ .Values.master.service.port }}
{{- end }}

{{/* spark-defaults.conf: "key value" lines in key order; string values go through tpl. */}}
{{- define "spark.defaults" -}}
{{- $lines := list }}
{{- range $key, $value := .Values.sparkDefaults.config }}
{{- $lines = append $lines (printf "%s %s" $key (kindIs "string" $value | ternary (tpl (toString $value) $) (toString $value))) }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/* Environment shared by every Spark container. */}}
{{- define "spark.commonEnv" -}}
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: SPARK_NO_DAEMONIZE
  value: "true"
- name: SPARK_DAEMON_MEMORY
  value: {{ .Values.daemonMemory | quote }}
{{- if .Values.sparkDefaults.enabled }}
- name: SPARK_CONF_DIR
  value: /etc/spark/conf
{{- end }}
{{- end }}

{{/* Volumes shared by every Spark pod: a writable /tmp and spark-defaults.conf. */}}
{{- define "spark.commonVolumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.sparkDefaults.enabled }}
- name: spark-conf
  configMap:
    name: {{ include "spark.fullname" . }}-defaults
{{- end }}
{{- end }}

{{/* Mounts matching spark.commonVolumes. */}}
{{- define "spark.commonMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.sparkDefaults.enabled }}
- name: spark-conf
  mountPath: /etc/spark/conf
  readOnly: true
{{- end }}
{{- end }}

{{/* Pod-level scheduling and security shared by every Spark pod. */}}
{{- define "spark.podSpecCommon" -}}
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
