{{/* The chart's name. */}}
{{- define "nms-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release's full name: the StatefulSet's, hence its pods' <fullname>-N, whose N is the shard.
Shorter than 63 so that the pods' names and the controller-revision-hash label still fit.
*/}}
{{- define "nms-exporter.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The headless Service: each pod's own DNS name, <fullname>-N.<this>. */}}
{{- define "nms-exporter.headlessName" -}}
{{- printf "%s-headless" (include "nms-exporter.fullname" .) -}}
{{- end -}}

{{- define "nms-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nms-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nms-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nms-exporter.labels" -}}
helm.sh/chart: {{ include "nms-exporter.chart" . }}
{{ include "nms-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "nms-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nms-exporter.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "nms-exporter.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* A file of files/ named as a Kubernetes object: base name without extension, "_" as "-". */}}
{{- define "nms-exporter.fileObjectName" -}}
{{- base . | trimSuffix (ext .) | replace "_" "-" -}}
{{- end -}}

{{/*
Fails the render when the config holds a secret inline: the ConfigMap is readable by whoever may
read the namespace's ConfigMaps. Called with (dict "path" "config" "value" .Values.config).
*/}}
{{- define "nms-exporter.noInlineSecrets" -}}
{{- $secrets := list "token" "password" "client_secret" "webhook_secret" "bearer_token" -}}
{{- if kindIs "map" .value -}}
{{- range $key, $value := .value -}}
{{- $at := printf "%s.%s" $.path $key -}}
{{- if has $key $secrets -}}
{{- fail (printf "%s: a secret given inline would be stored in a ConfigMap; mount its Secret with secretMounts and set %s_file, or set %s_env from a Secret in env" $at $key $key) -}}
{{- end -}}
{{- include "nms-exporter.noInlineSecrets" (dict "path" $at "value" $value) -}}
{{- end -}}
{{- else if kindIs "slice" .value -}}
{{- range $i, $value := .value -}}
{{- include "nms-exporter.noInlineSecrets" (dict "path" (printf "%s[%d]" $.path $i) "value" $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The folder a secretMounts entry is mounted at. */}}
{{- define "nms-exporter.secretMountPath" -}}
{{- default (printf "/etc/nms_exporter/secrets/%s" .name) .mountPath -}}
{{- end -}}
