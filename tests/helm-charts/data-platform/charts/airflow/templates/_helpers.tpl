{{/*
Shared named templates of the airflow chart (Go-template version of
charts-examples/airflow). Each returns text without a trailing newline.
*/}}

{{- define "airflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>", or the release name when it already contains the chart name. */}}
{{- define "airflow.fullname" -}}
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

{{/* "<fullname>-<component>" under 63 characters; call with (list $ "component"). */}}
{{- define "airflow.componentName" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- printf "%s-%s" (include "airflow.fullname" $root | trunc (int (sub 62 (len $component)))) $component }}
{{- end }}

{{/* Selector labels; call with (list $ "component"). */}}
{{- define "airflow.selectorLabels" -}}
{{- $root := first . -}}
app.kubernetes.io/name: {{ include "airflow.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ last . }}
{{- end }}

{{/* Standard labels plus global.labels; call with (list $ "component"). */}}
{{- define "airflow.labels" -}}
{{- $root := first . -}}
{{ include "airflow.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- with $root.Values.global.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Image reference: global.imageRegistry wins; a digest wins over the tag. */}}
{{- define "airflow.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- with $registry }}{{ . }}/{{ end }}{{ .Values.image.repository }}
{{- if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}
{{- end }}

{{/* Secret holding the fernet key, webserver key and DB connection. */}}
{{- define "airflow.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "airflow.fullname" .)) }}
{{- end }}

{{/*
Fernet key: secrets.fernetKey, else 32 hex characters of a hash of the release,
base64-encoded: valid and reproducible, but derived from public names.
*/}}
{{- define "airflow.fernetKey" -}}
{{- .Values.secrets.fernetKey | default (printf "%s/%s/fernet" .Release.Namespace .Release.Name | sha256sum | trunc 32 | b64enc) }}
{{- end }}

{{- define "airflow.webserverSecretKey" -}}
{{- .Values.secrets.webserverSecretKey | default (printf "%s/%s/webserver" .Release.Namespace .Release.Name | sha256sum) }}
{{- end }}

{{/*
Environment every Airflow container shares: executor, secrets, and
.Values.config flattened to AIRFLOW__SECTION__KEY variables.
*/}}
{{- define "airflow.env" -}}
- name: AIRFLOW__CORE__EXECUTOR
  value: {{ .Values.executor | quote }}
{{- range $pair := list (list "AIRFLOW__CORE__FERNET_KEY" "fernet-key") (list "AIRFLOW__WEBSERVER__SECRET_KEY" "webserver-secret-key") (list "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" "sql-alchemy-conn") }}
- name: {{ index $pair 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "airflow.secretName" $ }}
      key: {{ index $pair 1 }}
{{- end }}
# Task logs are served by the scheduler (LocalExecutor); record pod IPs, not
# pod hostnames, so the webserver can reach them.
- name: AIRFLOW__CORE__HOSTNAME_CALLABLE
  value: airflow.utils.net.get_host_ip_address
{{- range $section, $options := .Values.config }}
{{- range $key, $value := $options }}
- name: AIRFLOW__{{ upper $section }}__{{ upper $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volumes shared by webserver, scheduler and jobs. */}}
{{- define "airflow.volumes" -}}
- name: dags
{{- if .Values.dags.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.dags.existingClaim }}
    readOnly: true
{{- else }}
  emptyDir: {}
{{- end }}
- name: logs
  emptyDir: {}
{{- end }}

{{- define "airflow.mounts" -}}
- name: dags
  mountPath: /opt/airflow/dags
  readOnly: true
- name: logs
  mountPath: /opt/airflow/logs
{{- end }}

{{/* Scheduling and security shared by every Airflow pod. */}}
{{- define "airflow.podCommon" -}}
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
