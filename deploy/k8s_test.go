package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// k8sManifests decodes every document of deploy/k8s strictly into the Kubernetes API's own
// types: an unknown or misspelt field fails, as `kubectl apply --validate=strict` would.
type k8sManifests struct {
	deployments map[string]*appsv1.Deployment
	jobs        map[string]*batchv1.Job
	services    map[string]*corev1.Service
	secrets     map[string]*corev1.Secret
	configMaps  map[string]*corev1.ConfigMap
	files       []string
}

func loadK8s(t *testing.T) k8sManifests {
	t.Helper()
	m := k8sManifests{deployments: map[string]*appsv1.Deployment{}, jobs: map[string]*batchv1.Job{},
		services: map[string]*corev1.Service{}, secrets: map[string]*corev1.Secret{}, configMaps: map[string]*corev1.ConfigMap{}}
	paths, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(path) == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, filepath.Base(path))
		for i, doc := range bytes.Split(raw, []byte("\n---\n")) {
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s document %d: %v", path, i, err)
			}
			var target any
			switch meta.APIVersion + " " + meta.Kind {
			case "apps/v1 Deployment":
				target = &appsv1.Deployment{}
			case "batch/v1 Job":
				target = &batchv1.Job{}
			case "v1 Service":
				target = &corev1.Service{}
			case "v1 Secret":
				target = &corev1.Secret{}
			case "v1 ConfigMap":
				target = &corev1.ConfigMap{}
			default:
				t.Fatalf("%s document %d: unexpected %s %s", path, i, meta.APIVersion, meta.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, target); err != nil {
				t.Fatalf("%s document %d (%s): %v", path, i, meta.Kind, err)
			}
			switch o := target.(type) {
			case *appsv1.Deployment:
				m.deployments[o.Name] = o
			case *batchv1.Job:
				m.jobs[o.Name] = o
			case *corev1.Service:
				m.services[o.Name] = o
			case *corev1.Secret:
				m.secrets[o.Name] = o
			case *corev1.ConfigMap:
				m.configMaps[o.Name] = o
			}
		}
	}
	return m
}

// TestKubernetesManifests: the API and worker Deployments and the migration Job are complete
// and consistent: probes on declared ports, resource requests and a memory limit, non-root
// with a read-only root and a writable /tmp, settings from the ConfigMap and the Secret
// (which holds STAFFSYNC_SECRET_KEY), scrape annotations on the metrics port, a Service
// selecting the API, and a kustomization listing every file.
func TestKubernetesManifests(t *testing.T) {
	m := loadK8s(t)
	for _, name := range []string{"staffsync-api", "staffsync-worker"} {
		if m.deployments[name] == nil {
			t.Fatalf("no Deployment %s", name)
		}
	}
	job := m.jobs["staffsync-migrate"]
	if job == nil || !slices.Equal(job.Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
		t.Fatalf("no migration Job running `staffsync migrate`")
	}
	secret := m.secrets["staffsync"]
	if secret == nil || secret.StringData["STAFFSYNC_SECRET_KEY"] == "" || secret.StringData["DATABASE_URL"] == "" {
		t.Fatalf("the Secret staffsync lacks STAFFSYNC_SECRET_KEY or DATABASE_URL")
	}
	config := m.configMaps["staffsync"]
	if config == nil || config.Data["STAFFSYNC_HTTP_ADDR"] != ":8080" || config.Data["STAFFSYNC_METRICS_ADDR"] != ":9090" {
		t.Fatalf("the ConfigMap must make the servers listen beyond loopback (:8080, :9090): %v", config)
	}

	wantArgs := map[string]string{"staffsync-api": "serve", "staffsync-worker": "worker"}
	for name, d := range m.deployments {
		t.Run(name, func(t *testing.T) {
			pod := d.Spec.Template
			if d.Spec.Selector == nil || !subset(d.Spec.Selector.MatchLabels, pod.Labels) {
				t.Errorf("the selector does not match the pod labels")
			}
			c := pod.Spec.Containers[0]
			if !slices.Equal(c.Args, []string{wantArgs[name]}) {
				t.Errorf("args %v, want [%s]", c.Args, wantArgs[name])
			}
			checkPodSecurity(t, pod.Spec, c)
			checkEnvFrom(t, c)
			ports := map[string]int32{}
			for _, p := range c.Ports {
				ports[p.Name] = p.ContainerPort
			}
			for probeName, probe := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
				if probe == nil {
					t.Errorf("no %s probe", probeName)
					continue
				}
				var port string
				switch {
				case probe.HTTPGet != nil:
					port = probe.HTTPGet.Port.String()
				case probe.TCPSocket != nil:
					port = probe.TCPSocket.Port.String()
				case probe.GRPC != nil:
					port = strconv.Itoa(int(probe.GRPC.Port))
				}
				if _, named := ports[port]; !named && !slices.Contains(mapValues(ports), atoi(port)) {
					t.Errorf("%s probe on port %q, not a container port %v", probeName, port, ports)
				}
			}
			scrapePort := pod.Annotations["prometheus.io/port"]
			if pod.Annotations["prometheus.io/scrape"] != "true" || pod.Annotations["prometheus.io/path"] != "/metrics" ||
				!slices.Contains(mapValues(ports), atoi(scrapePort)) {
				t.Errorf("scrape annotations %v do not point at a container port %v", pod.Annotations, ports)
			}
		})
	}
	checkPodSecurity(t, job.Spec.Template.Spec, job.Spec.Template.Spec.Containers[0])
	checkEnvFrom(t, job.Spec.Template.Spec.Containers[0])

	svc := m.services["staffsync-api"]
	if svc == nil || !subset(svc.Spec.Selector, m.deployments["staffsync-api"].Spec.Template.Labels) {
		t.Errorf("no Service selecting the API's pods")
	}

	kustomization, err := os.ReadFile("k8s/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(kustomization, &k); err != nil {
		t.Fatal(err)
	}
	slices.Sort(k.Resources)
	slices.Sort(m.files)
	if !slices.Equal(k.Resources, m.files) {
		t.Errorf("kustomization resources %v, files %v", k.Resources, m.files)
	}
}

func checkPodSecurity(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: the pod may run as root", c.Name)
	}
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: want no privilege escalation, a read-only root and all capabilities dropped", c.Name)
	}
	req := c.Resources.Requests
	if req.Cpu().IsZero() || req.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: want cpu and memory requests and a memory limit, got %v", c.Name, c.Resources)
	}
	if c.Image == "" {
		t.Errorf("%s: no image", c.Name)
	}
	if c.Name != "migrate" && !slices.ContainsFunc(c.VolumeMounts, func(v corev1.VolumeMount) bool { return v.MountPath == "/tmp" }) {
		t.Errorf("%s: the root is read-only but /tmp is not mounted (large XLSX parts are unpacked there)", c.Name)
	}
}

func checkEnvFrom(t *testing.T, c corev1.Container) {
	t.Helper()
	var config, secret bool
	for _, e := range c.EnvFrom {
		config = config || (e.ConfigMapRef != nil && e.ConfigMapRef.Name == "staffsync")
		secret = secret || (e.SecretRef != nil && e.SecretRef.Name == "staffsync")
	}
	if !config || !secret {
		t.Errorf("%s: settings must come from the ConfigMap and the Secret staffsync", c.Name)
	}
	for _, e := range c.Env {
		if strings.Contains(e.Name, "SECRET") && e.Value != "" {
			t.Errorf("%s: %s is set in plain text; take it from the Secret", c.Name, e.Name)
		}
	}
}

func subset(want, have map[string]string) bool {
	if len(want) == 0 {
		return false
	}
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func mapValues(m map[string]int32) []int32 {
	var out []int32
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func atoi(s string) int32 {
	n, _ := strconv.Atoi(s)
	return int32(n)
}
