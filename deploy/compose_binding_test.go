package deploy

import "testing"

// TestTemporalListensOnLoopbackOnly: Temporal's frontend and UI have no authentication in
// the compose setup, so whoever reached them could start an auto-approved import; they must
// be published on 127.0.0.1 only. staffsync's own ports stay reachable.
func TestTemporalListensOnLoopbackOnly(t *testing.T) {
	project := mustLoadCompose(t)
	tests := []struct {
		service, published, wantHostIP string
	}{
		{"temporal", "7233", "127.0.0.1"},
		{"temporal-ui", "8233", "127.0.0.1"},
		{"staffsync-serve", "8080", ""},
	}
	for _, tt := range tests {
		t.Run(tt.service+"/"+tt.published, func(t *testing.T) {
			service := mustService(t, project, tt.service)
			found := false
			for _, port := range service.Ports {
				if port.Published != tt.published {
					continue
				}
				found = true
				if port.HostIP != tt.wantHostIP {
					t.Errorf("port %s is published on %q, want %q", tt.published, port.HostIP, tt.wantHostIP)
				}
			}
			if !found {
				t.Errorf("port %s is not published", tt.published)
			}
		})
	}
	for _, name := range []string{"temporal", "temporal-ui"} {
		for _, port := range mustService(t, project, name).Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s:%s beyond loopback", name, port.HostIP, port.Published)
			}
		}
	}
}
