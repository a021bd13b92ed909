package deploy_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The manifests are checked as the API server would read them: each document is decoded
// into its Kubernetes API type with unknown and duplicate fields refused, so a misspelt or
// misplaced field fails here rather than being dropped silently by kubectl.

// object is one decoded document and the file it came from.
type object struct {
	file string
	kind string
	name string
	obj  any
}

// kinds maps each apiVersion and kind the manifests may use to a new value of its type.
var kinds = map[string]func() any{
	"v1/ConfigMap":                                  func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                                     func() any { return &corev1.Secret{} },
	"v1/Service":                                    func() any { return &corev1.Service{} },
	"v1/Namespace":                                  func() any { return &corev1.Namespace{} },
	"apps/v1/Deployment":                            func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                           func() any { return &appsv1.StatefulSet{} },
	"networking.k8s.io/v1/Ingress":                  func() any { return &networkingv1.Ingress{} },
	"policy/v1/PodDisruptionBudget":                 func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":        func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"postgresql.cnpg.io/v1/Cluster":                 func() any { return &cnpgCluster{} },
	"kustomize.config.k8s.io/v1beta1/Kustomization": func() any { return &kustomization{} },
}

// cnpgCluster is the part of CloudNativePG's Cluster resource the manifests use; decoding
// into it strictly refuses any field outside that part, so a new field is added here on
// purpose after checking it in the operator's API reference.
type cnpgCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Instances             int    `json:"instances"`
		ImageName             string `json:"imageName"`
		PrimaryUpdateStrategy string `json:"primaryUpdateStrategy"`
		Bootstrap             struct {
			InitDB struct {
				Database string `json:"database"`
				Owner    string `json:"owner"`
			} `json:"initdb"`
		} `json:"bootstrap"`
		PostgreSQL struct {
			Parameters map[string]string `json:"parameters"`
		} `json:"postgresql"`
		Storage struct {
			Size         string `json:"size"`
			StorageClass string `json:"storageClass,omitempty"`
		} `json:"storage"`
		Resources corev1.ResourceRequirements `json:"resources"`
	} `json:"spec"`
}

// kustomization is the part of kustomize's Kustomization the manifests use.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Labels     []struct {
		Pairs map[string]string `json:"pairs"`
	} `json:"labels,omitempty"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
	Patches []struct {
		Path   string `json:"path,omitempty"`
		Patch  string `json:"patch,omitempty"`
		Target *struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"target,omitempty"`
	} `json:"patches,omitempty"`
}

// decode reads every document of one YAML file.
func decode(file string, data []byte) ([]object, error) {
	var out []object
	for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var meta struct {
			metav1.TypeMeta `json:",inline"`
			Metadata        struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			return nil, fmt.Errorf("%s, document %d: %w", file, i+1, err)
		}
		key := meta.APIVersion + "/" + meta.Kind
		newObj, ok := kinds[key]
		if !ok {
			return nil, fmt.Errorf("%s, document %d: no type known for %q", file, i+1, key)
		}
		obj := newObj()
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			return nil, fmt.Errorf("%s, document %d (%s %s): %w", file, i+1, meta.Kind, meta.Metadata.Name, err)
		}
		out = append(out, object{file: file, kind: meta.Kind, name: meta.Metadata.Name, obj: obj})
	}
	return out, nil
}

// MustLoad decodes every manifest under dir.
func MustLoad(t testing.TB, dir string) []object {
	t.Helper()
	var all []object
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		objs, err := decode(path, data)
		all = append(all, objs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatalf("no manifests under %s", dir)
	}
	return all
}

func TestManifestsDecodeStrictly(t *testing.T) {
	objs := MustLoad(t, ".")
	counts := map[string]int{}
	for _, o := range objs {
		counts[o.kind]++
	}
	for _, kind := range []string{"Deployment", "StatefulSet", "Service", "Ingress", "ConfigMap", "Secret", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Cluster", "Kustomization"} {
		if counts[kind] == 0 {
			t.Errorf("no %s among the manifests", kind)
		}
	}
	t.Run("a misspelt field is refused", func(t *testing.T) {
		_, err := decode("bad.yaml", []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 3\n"))
		if err == nil {
			t.Fatal("a Deployment with spec.replica decoded")
		}
	})
	t.Run("a field of the wrong type is refused", func(t *testing.T) {
		_, err := decode("bad.yaml", []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: {port: 80}\n"))
		if err == nil {
			t.Fatal("a Service whose ports is a map decoded")
		}
	})
	t.Run("a duplicate key is refused", func(t *testing.T) {
		_, err := decode("bad.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  A: '1'\n  A: '2'\n"))
		if err == nil {
			t.Fatal("a ConfigMap with a duplicate key decoded")
		}
	})
	t.Run("an unknown kind is refused", func(t *testing.T) {
		_, err := decode("bad.yaml", []byte("apiVersion: v1\nkind: Pdo\nmetadata: {name: x}\n"))
		if err == nil {
			t.Fatal("an unknown kind decoded")
		}
	})
	t.Run("a field outside the CloudNativePG subset is refused", func(t *testing.T) {
		_, err := decode("bad.yaml", []byte("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec:\n  instance: 3\n"))
		if err == nil {
			t.Fatal("a Cluster with spec.instance decoded")
		}
	})
}

func TestKustomizationsNameEveryFile(t *testing.T) {
	for _, o := range MustLoad(t, ".") {
		k, ok := o.obj.(*kustomization)
		if !ok {
			continue
		}
		dir := filepath.Dir(o.file)
		named := map[string]bool{}
		for _, r := range k.Resources {
			named[filepath.Clean(r)] = true
			info, err := os.Stat(filepath.Join(dir, r))
			if err != nil {
				t.Errorf("%s: resource %s: %v", o.file, r, err)
			} else if info.IsDir() {
				if _, err := os.Stat(filepath.Join(dir, r, "kustomization.yaml")); err != nil {
					t.Errorf("%s: resource %s is a folder without kustomization.yaml", o.file, r)
				}
			}
		}
		for _, p := range k.Patches {
			if p.Path == "" {
				continue
			}
			named[filepath.Clean(p.Path)] = true
			if _, err := os.Stat(filepath.Join(dir, p.Path)); err != nil {
				t.Errorf("%s: patch %s: %v", o.file, p.Path, err)
			}
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, f := range files {
			if base := filepath.Base(f); base != "kustomization.yaml" && !named[base] {
				t.Errorf("%s is in %s but its kustomization.yaml does not name it", base, dir)
			}
		}
	}
}

// parleyVariables reads the names of the variables Parley reads from its configuration's
// env tags; a secret's NAME_FILE is read too.
func parleyVariables(t testing.TB) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../cmd/parley/config.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		m := regexp.MustCompile("`env:\"([A-Z0-9_]+)\"").FindStringSubmatch(line)
		if m == nil {
			continue
		}
		vars[m[1]] = true
		if strings.Contains(line, `secret:"true"`) {
			vars[m[1]+"_FILE"] = true
		}
	}
	for _, want := range []string{"DATABASE_URL", "DATABASE_URL_FILE", "PARLEY_NATS_REPLICAS", "PARLEY_SHUTDOWN_TIMEOUT"} {
		if !vars[want] {
			t.Fatalf("config.go's env tags did not yield %s; the pattern no longer matches them", want)
		}
	}
	return vars
}

func TestParleyReadsEveryVariableSet(t *testing.T) {
	vars := parleyVariables(t)
	objs := MustLoad(t, ".")
	configMaps := map[string][]string{}
	secrets := map[string][]string{}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *corev1.ConfigMap:
			for k := range v.Data {
				configMaps[v.Name] = append(configMaps[v.Name], k)
			}
		case *corev1.Secret:
			for k := range v.StringData {
				secrets[v.Name] = append(secrets[v.Name], k)
			}
			for k := range v.Data {
				secrets[v.Name] = append(secrets[v.Name], k)
			}
		}
	}
	check := func(t *testing.T, where, name string) {
		if !vars[name] {
			t.Errorf("%s sets %s, which Parley does not read", where, name)
		}
	}
	seen := 0
	for _, o := range objs {
		d, ok := o.obj.(*appsv1.Deployment)
		if !ok {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			if c.Name != "parley" {
				continue
			}
			for _, e := range c.Env {
				check(t, o.file, e.Name)
				seen++
			}
			for _, from := range c.EnvFrom {
				switch {
				case from.ConfigMapRef != nil:
					keys, ok := configMaps[from.ConfigMapRef.Name]
					if !ok {
						t.Errorf("%s: envFrom names ConfigMap %s, which no manifest defines", o.file, from.ConfigMapRef.Name)
					}
					for _, k := range keys {
						check(t, "ConfigMap "+from.ConfigMapRef.Name, from.Prefix+k)
						seen++
					}
				case from.SecretRef != nil:
					for _, k := range secrets[from.SecretRef.Name] {
						check(t, "Secret "+from.SecretRef.Name, from.Prefix+k)
						seen++
					}
				}
			}
		}
	}
	if seen < 5 {
		t.Fatalf("found only %d variables set for the parley container", seen)
	}

	t.Run("docker-compose.yml", func(t *testing.T) {
		data, err := os.ReadFile("../docker-compose.yml")
		if err != nil {
			t.Fatal(err)
		}
		var compose struct {
			Services map[string]struct {
				Environment map[string]any `json:"environment"`
			} `json:"services"`
		}
		if err := yaml.Unmarshal(data, &compose); err != nil {
			t.Fatal(err)
		}
		env := compose.Services["parley"].Environment
		if len(env) < 5 {
			t.Fatalf("docker-compose.yml's parley service sets %d variables", len(env))
		}
		for name := range env {
			check(t, "docker-compose.yml", name)
		}
	})
}

// find returns the object of that kind and name.
func find[T any](t testing.TB, objs []object, kind, name string) T {
	t.Helper()
	for _, o := range objs {
		if o.kind == kind && o.name == name {
			return o.obj.(T)
		}
	}
	t.Fatalf("no %s %s among the manifests", kind, name)
	panic("unreachable")
}

func TestBaseTopology(t *testing.T) {
	objs := MustLoad(t, "base")
	cfg := find[*corev1.ConfigMap](t, objs, "ConfigMap", "parley-config")
	parley := find[*appsv1.Deployment](t, objs, "Deployment", "parley")
	nats := find[*appsv1.StatefulSet](t, objs, "StatefulSet", "nats")

	t.Run("three Parley replicas probed on readyz and healthz", func(t *testing.T) {
		if parley.Spec.Replicas == nil || *parley.Spec.Replicas != 3 {
			t.Errorf("replicas = %v, want 3", parley.Spec.Replicas)
		}
		c := parley.Spec.Template.Spec.Containers[0]
		if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
			t.Errorf("readiness probe %+v, want GET /readyz", p)
		}
		if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
			t.Errorf("liveness probe %+v, want GET /healthz", p)
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("resources %+v: want CPU and memory requests and a memory limit", c.Resources)
		}
	})
	t.Run("termination waits longer than the shutdown timeout", func(t *testing.T) {
		timeout, err := time.ParseDuration(cfg.Data["PARLEY_SHUTDOWN_TIMEOUT"])
		if err != nil {
			t.Fatal(err)
		}
		c := parley.Spec.Template.Spec.Containers[0]
		var pause int64
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			pause = c.Lifecycle.PreStop.Sleep.Seconds
		}
		grace := parley.Spec.Template.Spec.TerminationGracePeriodSeconds
		if grace == nil {
			t.Fatal("no terminationGracePeriodSeconds")
		}
		if *grace <= pause+int64(timeout.Seconds()) {
			t.Errorf("terminationGracePeriodSeconds %d is not longer than the preStop pause %ds plus PARLEY_SHUTDOWN_TIMEOUT %s", *grace, pause, timeout)
		}
	})
	t.Run("the event stream has a replica on every NATS node", func(t *testing.T) {
		if cfg.Data["PARLEY_NATS_REPLICAS"] != "3" {
			t.Errorf("PARLEY_NATS_REPLICAS = %q, want 3", cfg.Data["PARLEY_NATS_REPLICAS"])
		}
		if nats.Spec.Replicas == nil || *nats.Spec.Replicas != 3 {
			t.Errorf("NATS replicas = %v, want 3", nats.Spec.Replicas)
		}
		conf := find[*corev1.ConfigMap](t, objs, "ConfigMap", "nats-config").Data["nats.conf"]
		for i := 0; i < 3; i++ {
			route := fmt.Sprintf("nats://%s-%d.%s:6222", nats.Name, i, nats.Spec.ServiceName)
			if !strings.Contains(conf, route) {
				t.Errorf("nats.conf has no route %s", route)
			}
		}
		if !strings.Contains(conf, "jetstream") || !strings.Contains(conf, "store_dir: /data") {
			t.Error("nats.conf does not store JetStream on the data volume")
		}
	})
	t.Run("selectors and references meet their targets", func(t *testing.T) {
		podLabels := []map[string]string{parley.Spec.Template.Labels, nats.Spec.Template.Labels}
		for _, o := range objs {
			if d, ok := o.obj.(*appsv1.Deployment); ok && d.Name != "parley" {
				podLabels = append(podLabels, d.Spec.Template.Labels)
			}
		}
		matches := func(sel map[string]string) bool {
			return slices.ContainsFunc(podLabels, func(l map[string]string) bool {
				for k, v := range sel {
					if l[k] != v {
						return false
					}
				}
				return len(sel) > 0
			})
		}
		services := map[string]*corev1.Service{}
		for _, o := range objs {
			switch v := o.obj.(type) {
			case *corev1.Service:
				services[v.Name] = v
				if !matches(v.Spec.Selector) {
					t.Errorf("Service %s selects no pods", v.Name)
				}
			case *policyv1.PodDisruptionBudget:
				if !matches(v.Spec.Selector.MatchLabels) {
					t.Errorf("PodDisruptionBudget %s selects no pods", v.Name)
				}
			case *autoscalingv2.HorizontalPodAutoscaler:
				find[*appsv1.Deployment](t, objs, v.Spec.ScaleTargetRef.Kind, v.Spec.ScaleTargetRef.Name)
			}
		}
		ing := find[*networkingv1.Ingress](t, objs, "Ingress", "parley")
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				for _, inside := range []string{"/metrics", "/healthz", "/readyz"} {
					if p.Path == inside || (p.PathType != nil && *p.PathType == networkingv1.PathTypePrefix && strings.HasPrefix(inside, strings.TrimSuffix(p.Path, "/")+"/")) {
						t.Errorf("Ingress path %s routes %s to the internet", p.Path, inside)
					}
				}
				svc, ok := services[p.Backend.Service.Name]
				if !ok || !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == p.Backend.Service.Port.Name }) {
					t.Errorf("Ingress backend %s:%s is no Service port", p.Backend.Service.Name, p.Backend.Service.Port.Name)
				}
			}
		}
		db := find[*cnpgCluster](t, objs, "Cluster", "parley-db")
		for _, e := range parley.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "DATABASE_URL" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != db.Name+"-app") {
				t.Errorf("DATABASE_URL does not come from the Secret %s-app that CloudNativePG writes", db.Name)
			}
		}
	})
}

func TestImageBuildsAsMakeBuildDoes(t *testing.T) {
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LDFLAGS\s*:=\s*(.+)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile sets no LDFLAGS")
	}
	ldflags := strings.ReplaceAll(string(bytes.TrimSpace(m[1])), "$(VERSION)", "${VERSION}")
	var missing []string
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", `-ldflags "` + ldflags + `"`, "./cmd/parley", "npm ci --no-audit --no-fund", "npm run build", "HEALTHCHECK", "USER 65532"} {
		if !bytes.Contains(dockerfile, []byte(want)) {
			missing = append(missing, want)
		}
	}
	if !bytes.Contains(makefile, []byte("npm ci --no-audit --no-fund")) || !bytes.Contains(makefile, []byte("-trimpath")) {
		t.Error("the Makefile no longer builds with npm ci --no-audit --no-fund and -trimpath; update the Dockerfile and this test together")
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the Dockerfile lacks %q", missing)
	}
}
