package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSFTPHostKeyIsKeptInAVolume: the drop's host key survives a new container (HR systems
// pin it), so serve keeps it in a named volume, at the path it is told to use.
func TestSFTPHostKeyIsKeptInAVolume(t *testing.T) {
	project := mustLoadCompose(t)
	serve := mustService(t, project, "staffsync-serve")
	keyPath, ok := envValue(serve, "STAFFSYNC_SFTP_HOST_KEY")
	if !ok || !filepath.IsAbs(keyPath) {
		t.Fatalf("STAFFSYNC_SFTP_HOST_KEY = %q (set: %v), want an absolute path", keyPath, ok)
	}
	var mounted bool
	for _, v := range serve.Volumes {
		if v.Type != "volume" || v.Source == "" {
			continue
		}
		if strings.HasPrefix(keyPath, strings.TrimSuffix(v.Target, "/")+"/") {
			if _, declared := project.Volumes[v.Source]; !declared {
				t.Errorf("volume %q is not declared under volumes:", v.Source)
			}
			if v.ReadOnly {
				t.Errorf("volume %q is read-only; the key is created on first start", v.Source)
			}
			mounted = true
		}
	}
	if !mounted {
		t.Fatalf("no named volume holds %s; volumes are %+v", keyPath, serve.Volumes)
	}
	// The worker does not serve SFTP and needs no key.
	if _, ok := envValue(mustService(t, project, "staffsync-worker"), "STAFFSYNC_SFTP_HOST_KEY"); ok {
		t.Error("the worker has an SFTP host key setting")
	}

	// The image makes the directory for the runtime user, which a new volume inherits.
	text, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(keyPath)
	var owned bool
	for _, ins := range dockerfileInstructions(string(text)) {
		if ins[0] == "COPY" && strings.Contains(ins[1], "--chown=65532:65532") && strings.HasSuffix(ins[1], " "+filepath.Dir(dir)) {
			owned = true
		}
	}
	if !owned {
		t.Errorf("the Dockerfile does not create %s owned by the nonroot user (65532)", dir)
	}
}
