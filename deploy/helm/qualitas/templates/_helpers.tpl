{{- define "qualitas.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "qualitas.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels for one component: web, worker, beat or migrate. */}}
{{- define "qualitas.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "qualitas.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "qualitas.secretName" -}}
{{ .Values.existingSecret | default (include "qualitas.fullname" .) }}
{{- end -}}

{{/* The environment every Qualitas container gets. */}}
{{- define "qualitas.envFrom" -}}
- configMapRef:
    name: {{ include "qualitas.fullname" . }}
- secretRef:
    name: {{ include "qualitas.secretName" . }}
{{- end -}}

{{/* Writable folders under a read-only root filesystem. */}}
{{- define "qualitas.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: var
  mountPath: /srv/qualitas/var
- name: media
  mountPath: /srv/qualitas/media
{{- end -}}

{{- define "qualitas.volumes" -}}
- name: tmp
  emptyDir: {}
- name: var
  emptyDir: {}
- name: media
{{- if .Values.media.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.media.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* An httpGet probe body: the path, plus the headers the ingress would send, so that Django
     neither refuses the host (ALLOWED_HOSTS) nor redirects to HTTPS. */}}
{{- define "qualitas.probe" -}}
path: {{ .path }}
port: http
httpHeaders:
  - name: Host
    value: {{ first .root.Values.hosts | quote }}
  - name: X-Forwarded-Proto
    value: https
{{- end -}}

{{/* Pods start only once the migrate Job has applied every migration. */}}
{{- define "qualitas.waitForMigrations" -}}
- name: wait-for-migrations
  image: {{ include "qualitas.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["sh", "-c", "until python manage.py migrate --check >/dev/null 2>&1; do echo waiting for migrations; sleep 5; done"]
  envFrom:
    {{- include "qualitas.envFrom" . | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    {{- include "qualitas.volumeMounts" . | nindent 4 }}
{{- end -}}
