// Package deploy holds files the Docker Compose setup mounts into containers (PostgreSQL init
// scripts, Temporal dynamic config) and the tests that check docker-compose.yml and the
// Dockerfile without Docker: the compose file is loaded and validated with the compose-spec
// loader that Docker Compose itself uses.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// testSecretKey stands in for the key users must export; the compose file refuses to load
// without one.
const testSecretKey = "test-only-secret-key"

// repoRoot is where docker-compose.yml and the Dockerfile live.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatalf("resolve repository root: %v", err)
	}
	return root
}

// loaderWarnings collects what compose-go logs through logrus while loading, such as "The
// \"name\" variable is not set": Docker Compose shows these to users, and they mean a $ that
// should have been $$ or a variable the file forgot to default.
type loaderWarnings struct {
	mu       sync.Mutex
	messages []string
}

func (w *loaderWarnings) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (w *loaderWarnings) Fire(entry *logrus.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.messages = append(w.messages, entry.Message)
	return nil
}

func (w *loaderWarnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	messages := w.messages
	w.messages = nil
	return messages
}

var (
	installWarningHook sync.Once
	warnings           = &loaderWarnings{}
)

// loadCompose loads docker-compose.yml the way `docker compose` does, but hermetically: only
// the given variables are visible for interpolation (no OS environment, no .env file), the
// working directory is fixed, and only local files can be read.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	installWarningHook.Do(func() { logrus.AddHook(warnings) })
	warnings.take()
	root := repoRoot(t)
	vars := make([]string, 0, len(env))
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	options, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithName("staffsync"),
		cli.WithEnv(vars),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, fmt.Errorf("compose project options: %w", err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return nil, fmt.Errorf("load docker-compose.yml: %w", err)
	}
	if messages := warnings.take(); len(messages) > 0 {
		return nil, fmt.Errorf("load docker-compose.yml: loader warnings: %q", messages)
	}
	return project, nil
}

func mustLoadCompose(t *testing.T) *types.Project {
	t.Helper()
	project, err := loadCompose(t, map[string]string{"STAFFSYNC_SECRET_KEY": testSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return project
}

func mustService(t *testing.T, project *types.Project, name string) types.ServiceConfig {
	t.Helper()
	service, err := project.GetService(name)
	if err != nil {
		t.Fatalf("service %q: %v", name, err)
	}
	return service
}

// envValue returns a service's environment variable and whether it is set to a value.
func envValue(service types.ServiceConfig, key string) (string, bool) {
	value, ok := service.Environment[key]
	if !ok || value == nil {
		return "", false
	}
	return *value, true
}

func TestComposeHasExactlyTheExpectedServices(t *testing.T) {
	project := mustLoadCompose(t)
	want := []string{
		"postgres",
		"staffsync-migrate",
		"staffsync-serve",
		"staffsync-worker",
		"temporal",
		"temporal-admin-tools",
		"temporal-ui",
	}
	got := project.ServiceNames()
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("services = %v, want %v", got, want)
	}
	if project.Name != "staffsync" {
		t.Errorf("project name = %q, want %q", project.Name, "staffsync")
	}
}

func TestComposeRequiresSecretKey(t *testing.T) {
	_, err := loadCompose(t, map[string]string{})
	if err == nil {
		t.Fatal("docker-compose.yml loaded without STAFFSYNC_SECRET_KEY; it must refuse to start without a key")
	}
	for _, want := range []string{"STAFFSYNC_SECRET_KEY", "openssl rand -base64 32"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestStaffsyncServicesBuildTheDockerfile(t *testing.T) {
	project := mustLoadCompose(t)
	root := repoRoot(t)
	tests := []struct {
		service string
		command []string
	}{
		{"staffsync-migrate", []string{"migrate"}},
		{"staffsync-serve", []string{"serve"}},
		{"staffsync-worker", []string{"worker"}},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			service := mustService(t, project, tt.service)
			if service.Build == nil {
				t.Fatal("no build section: it must build the repository's Dockerfile")
			}
			if service.Build.Context != root {
				t.Errorf("build context = %q, want %q", service.Build.Context, root)
			}
			if filepath.Base(service.Build.Dockerfile) != "Dockerfile" {
				t.Errorf("build dockerfile = %q, want Dockerfile", service.Build.Dockerfile)
			}
			if !slices.Equal([]string(service.Command), tt.command) {
				t.Errorf("command = %q, want %q (the image's entrypoint is staffsync)", service.Command, tt.command)
			}
			if len(service.Entrypoint) != 0 {
				t.Errorf("entrypoint overridden with %q; the Dockerfile's ENTRYPOINT staffsync must apply", service.Entrypoint)
			}
		})
	}
}

func TestComposePublishesPorts(t *testing.T) {
	project := mustLoadCompose(t)
	tests := []struct {
		service   string
		published string
		target    uint32
	}{
		{"staffsync-serve", "8080", 8080},
		{"staffsync-serve", "2022", 2022},
		{"temporal", "7233", 7233},
		{"temporal-ui", "8233", 8080},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.service, tt.published), func(t *testing.T) {
			service := mustService(t, project, tt.service)
			var found []string
			for _, port := range service.Ports {
				found = append(found, fmt.Sprintf("%s->%d", port.Published, port.Target))
				if port.Published == tt.published {
					if port.Target != tt.target {
						t.Errorf("host port %s maps to container port %d, want %d", tt.published, port.Target, tt.target)
					}
					return
				}
			}
			t.Errorf("host port %s not published; ports are %v", tt.published, found)
		})
	}
}

func TestComposeStartupOrder(t *testing.T) {
	project := mustLoadCompose(t)
	tests := []struct {
		service, dependsOn, condition string
	}{
		{"temporal", "postgres", types.ServiceConditionHealthy},
		{"temporal-admin-tools", "temporal", types.ServiceConditionStarted},
		{"temporal-ui", "temporal", types.ServiceConditionStarted},
		{"staffsync-migrate", "postgres", types.ServiceConditionHealthy},
		{"staffsync-serve", "staffsync-migrate", types.ServiceConditionCompletedSuccessfully},
		{"staffsync-serve", "temporal", types.ServiceConditionStarted},
		{"staffsync-serve", "temporal-admin-tools", types.ServiceConditionCompletedSuccessfully},
		{"staffsync-worker", "staffsync-migrate", types.ServiceConditionCompletedSuccessfully},
		{"staffsync-worker", "temporal", types.ServiceConditionStarted},
		{"staffsync-worker", "temporal-admin-tools", types.ServiceConditionCompletedSuccessfully},
	}
	for _, tt := range tests {
		t.Run(tt.service+"->"+tt.dependsOn, func(t *testing.T) {
			service := mustService(t, project, tt.service)
			dependency, ok := service.DependsOn[tt.dependsOn]
			if !ok {
				t.Fatalf("does not depend on %s", tt.dependsOn)
			}
			if dependency.Condition != tt.condition {
				t.Errorf("condition = %q, want %q", dependency.Condition, tt.condition)
			}
			if !dependency.Required {
				t.Errorf("dependency on %s is optional; it must be required", tt.dependsOn)
			}
		})
	}
}

// imageTagPinned reports why an image reference does not name a fixed version, or nil if it
// does. A digest counts as pinned; a tag must not be "latest" and must contain a version number.
func imageTagPinned(image string) error {
	if image == "" {
		return errors.New("no image")
	}
	if strings.Contains(image, "@sha256:") {
		return nil
	}
	// The tag follows the last colon of the last path element; a colon before a slash is a
	// registry port.
	lastElement := image[strings.LastIndex(image, "/")+1:]
	colon := strings.LastIndex(lastElement, ":")
	if colon < 0 {
		return fmt.Errorf("image %q has no tag, so it means latest", image)
	}
	tag := lastElement[colon+1:]
	if strings.EqualFold(tag, "latest") {
		return fmt.Errorf("image %q uses the latest tag", image)
	}
	if !strings.ContainsAny(tag, "0123456789") {
		return fmt.Errorf("image %q tag %q names no version", image, tag)
	}
	return nil
}

func TestImageTagPinned(t *testing.T) {
	tests := []struct {
		image   string
		wantErr string
	}{
		{"postgres:16", ""},
		{"temporalio/auto-setup:1.29.1", ""},
		{"temporalio/admin-tools:1.29.1-tctl-1.18.4-cli-1.5.0", ""},
		{"registry.example:5000/team/app:2.1", ""},
		{"postgres@sha256:0123456789abcdef", ""},
		{"", "no image"},
		{"postgres", `image "postgres" has no tag, so it means latest`},
		{"registry.example:5000/team/app", `image "registry.example:5000/team/app" has no tag, so it means latest`},
		{"temporalio/ui:latest", `image "temporalio/ui:latest" uses the latest tag`},
		{"postgres:alpine", `image "postgres:alpine" tag "alpine" names no version`},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			err := imageTagPinned(tt.image)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("imageTagPinned(%q) = %q, want %q", tt.image, got, tt.wantErr)
			}
		})
	}
}

func TestComposePullsOnlyPinnedImages(t *testing.T) {
	project := mustLoadCompose(t)
	pulled := 0
	for _, name := range project.ServiceNames() {
		service := mustService(t, project, name)
		if service.Build != nil {
			continue
		}
		pulled++
		if err := imageTagPinned(service.Image); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
	}
	if pulled != 4 {
		t.Errorf("%d services pull an image, want 4 (postgres, temporal, temporal-admin-tools, temporal-ui)", pulled)
	}
	wantImages := map[string]string{
		"postgres": "postgres:16",
		"temporal": "temporalio/auto-setup:",
	}
	for name, prefix := range wantImages {
		if image := mustService(t, project, name).Image; !strings.HasPrefix(image, prefix) {
			t.Errorf("service %s image = %q, want %s...", name, image, prefix)
		}
	}
}

func TestStaffsyncEnvironment(t *testing.T) {
	project := mustLoadCompose(t)
	for _, name := range []string{"staffsync-migrate", "staffsync-serve", "staffsync-worker"} {
		t.Run(name, func(t *testing.T) {
			service := mustService(t, project, name)
			exact := map[string]string{
				"TEMPORAL_ADDRESS":     "temporal:7233",
				"TEMPORAL_NAMESPACE":   "default",
				"STAFFSYNC_SECRET_KEY": testSecretKey,
			}
			for key, want := range exact {
				if got, ok := envValue(service, key); !ok || got != want {
					t.Errorf("%s = %q (set: %v), want %q", key, got, ok, want)
				}
			}

			raw, ok := envValue(service, "DATABASE_URL")
			if !ok {
				t.Fatal("DATABASE_URL is not set")
			}
			dbURL, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("DATABASE_URL %q: %v", raw, err)
			}
			password, _ := dbURL.User.Password()
			got := []string{dbURL.Scheme, dbURL.User.Username(), password, dbURL.Host, dbURL.Path}
			want := []string{"postgres", "staffsync", "staffsync", "postgres:5432", "/staffsync"}
			if !slices.Equal(got, want) {
				t.Errorf("DATABASE_URL scheme/user/password/host/path = %q, want %q", got, want)
			}
		})
	}
}

func TestDatabasePasswordIsConfigurable(t *testing.T) {
	project, err := loadCompose(t, map[string]string{
		"STAFFSYNC_SECRET_KEY":  testSecretKey,
		"STAFFSYNC_DB_PASSWORD": "s3cret",
		"TEMPORAL_DB_PASSWORD":  "t3mporal",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service, key, want string
	}{
		{"staffsync-serve", "DATABASE_URL", "postgres://staffsync:s3cret@postgres:5432/staffsync?sslmode=disable"},
		{"postgres", "STAFFSYNC_DB_PASSWORD", "s3cret"},
		{"postgres", "POSTGRES_PASSWORD", "t3mporal"},
		{"temporal", "POSTGRES_PWD", "t3mporal"},
	}
	for _, tt := range tests {
		if got, _ := envValue(mustService(t, project, tt.service), tt.key); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.service, tt.key, got, tt.want)
		}
	}
}

func TestTemporalUsesSharedPostgres(t *testing.T) {
	project := mustLoadCompose(t)
	temporal := mustService(t, project, "temporal")
	postgres := mustService(t, project, "postgres")
	tests := []struct {
		service types.ServiceConfig
		key     string
		want    string
	}{
		{temporal, "DB", "postgres12"},
		{temporal, "DB_PORT", "5432"},
		{temporal, "POSTGRES_SEEDS", "postgres"},
		{temporal, "POSTGRES_USER", "temporal"},
		{temporal, "DYNAMIC_CONFIG_FILE_PATH", "config/dynamicconfig/development-sql.yaml"},
		{postgres, "POSTGRES_USER", "temporal"},
		{mustService(t, project, "temporal-ui"), "TEMPORAL_ADDRESS", "temporal:7233"},
	}
	for _, tt := range tests {
		if got, ok := envValue(tt.service, tt.key); !ok || got != tt.want {
			t.Errorf("%s %s = %q (set: %v), want %q", tt.service.Name, tt.key, got, ok, tt.want)
		}
	}

	if postgres.HealthCheck == nil || !slices.Contains(postgres.HealthCheck.Test, "pg_isready") {
		t.Errorf("postgres healthcheck = %+v, want one running pg_isready", postgres.HealthCheck)
	}
	hasNamedVolume := slices.ContainsFunc(postgres.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == "/var/lib/postgresql/data"
	})
	if !hasNamedVolume {
		t.Errorf("postgres keeps no named volume at /var/lib/postgresql/data; data would be lost with the container")
	}
}

// TestBindMountsExist catches a renamed or misspelled deploy/ path, which Docker would
// silently turn into an empty directory.
func TestBindMountsExist(t *testing.T) {
	project := mustLoadCompose(t)
	mounts := 0
	for _, name := range project.ServiceNames() {
		for _, volume := range mustService(t, project, name).Volumes {
			if volume.Type != types.VolumeTypeBind {
				continue
			}
			mounts++
			if _, err := os.Stat(volume.Source); err != nil {
				t.Errorf("service %s mounts %s: %v", name, volume.Source, err)
			}
		}
	}
	if mounts != 2 {
		t.Errorf("%d bind mounts, want 2 (postgres init scripts, Temporal dynamic config)", mounts)
	}
}

func TestTemporalDynamicConfigIsMounted(t *testing.T) {
	project := mustLoadCompose(t)
	temporal := mustService(t, project, "temporal")
	configPath, _ := envValue(temporal, "DYNAMIC_CONFIG_FILE_PATH")
	// auto-setup resolves the path relative to /etc/temporal.
	inContainer := filepath.Join("/etc/temporal", configPath)
	for _, volume := range temporal.Volumes {
		if volume.Type == types.VolumeTypeBind && strings.HasPrefix(inContainer, volume.Target+"/") {
			onHost := filepath.Join(volume.Source, strings.TrimPrefix(inContainer, volume.Target+"/"))
			if _, err := os.Stat(onHost); err != nil {
				t.Errorf("dynamic config %s is mounted from %s: %v", inContainer, onHost, err)
			}
			return
		}
	}
	t.Errorf("no bind mount provides %s", inContainer)
}

func TestPostgresInitCreatesStaffsyncDatabase(t *testing.T) {
	project := mustLoadCompose(t)
	var initDir string
	for _, volume := range mustService(t, project, "postgres").Volumes {
		if volume.Target == "/docker-entrypoint-initdb.d" {
			initDir = volume.Source
		}
	}
	if initDir == "" {
		t.Fatal("postgres has no /docker-entrypoint-initdb.d mount")
	}
	script, err := os.ReadFile(filepath.Join(initDir, "10-staffsync-database.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CREATE ROLE staffsync LOGIN PASSWORD :'staffsync_password';",
		"CREATE DATABASE staffsync OWNER staffsync",
		"STAFFSYNC_DB_PASSWORD",
	} {
		if !strings.Contains(string(script), want) {
			t.Errorf("init script does not contain %q", want)
		}
	}
}

func TestSearchAttributesAreRegistered(t *testing.T) {
	project := mustLoadCompose(t)
	admin := mustService(t, project, "temporal-admin-tools")
	script := strings.Join(append(slices.Clone([]string(admin.Entrypoint)), admin.Command...), " ")
	for _, want := range []string{
		"temporal operator search-attribute create",
		"--type Keyword",
		"--address temporal:7233",
		"for name in StaffsyncCompany StaffsyncSource StaffsyncStatus; do",
		`--name "$name"`, // $$ in the file, so the shell and not compose expands it
	} {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-admin-tools command does not contain %q:\n%s", want, script)
		}
	}
	if admin.Restart != "no" {
		t.Errorf("temporal-admin-tools restart = %q, want \"no\" for a one-shot job", admin.Restart)
	}
}
