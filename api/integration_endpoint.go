package api

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// endpointSettings are the settings of each kind that say where its secrets are sent.
// Changing one without entering the secrets again drops them, so an admin account (or a
// stolen token) cannot point an integration at its own server and collect the credentials.
var endpointSettings = map[string][]string{
	store.KindHTTPS:    {"url", "username"},
	store.KindSFTP:     {"host", "port", "user", "host_key"},
	store.KindBambooHR: {"subdomain", "base_url"},
	store.KindPersonio: {"base_url"},
	// The hosted drop's secret is a password people log in with, never sent anywhere.
	store.KindSFTPDrop: nil,
}

// secretsDroppedPrefix starts the pause reason of an integration whose secrets were
// dropped; entering them again resumes it.
const secretsDroppedPrefix = "needs its secrets again: "

// changedEndpoint returns the endpoint settings whose value differs between before and after.
func changedEndpoint(kind string, before, after map[string]string) []string {
	var changed []string
	for _, k := range endpointSettings[kind] {
		if strings.TrimSpace(before[k]) != strings.TrimSpace(after[k]) {
			changed = append(changed, k)
		}
	}
	return changed
}

// secretsAfterUpdate decides which stored secrets an update keeps. When the endpoint
// changed, every stored secret not entered again in this update is dropped and listed as
// needed; otherwise the ones still needed are those not entered now. removed are secrets the
// admin cleared on purpose, which are no longer needed.
func secretsAfterUpdate(kind string, cur store.Integration, settings map[string]string, entered map[string]string, removed []string) (dropOld bool, needed []string, changed []string) {
	changed = changedEndpoint(kind, cur.Settings, settings)
	want := map[string]bool{}
	for _, k := range cur.SecretsNeeded {
		want[k] = true
	}
	if len(changed) > 0 {
		dropOld = true
		for k := range cur.SecretHints {
			want[k] = true
		}
	}
	for k := range entered {
		delete(want, k)
	}
	for _, k := range removed {
		delete(want, k)
	}
	for k := range want {
		needed = append(needed, k)
	}
	sort.Strings(needed)
	return dropOld, needed, changed
}

// secretsDroppedReason is the pause reason (and the API's answer) after the secrets were dropped.
func secretsDroppedReason(id int64, changed, needed []string) string {
	sets := make([]string, len(needed))
	for i, k := range needed {
		sets[i] = "--secret " + k + "=..."
	}
	what := "the connection settings changed"
	if len(changed) > 0 {
		what = fmt.Sprintf("the connection settings changed (%s)", strings.Join(changed, ", "))
	}
	return fmt.Sprintf("%s%s, so the stored secrets (%s) were dropped: secrets are only sent to the server they were entered for. Enter them again (staffsyncctl integrations update %d %s), or clear the ones no longer used (--secret NAME=); the integration then resumes",
		secretsDroppedPrefix, what, strings.Join(needed, ", "), id, strings.Join(sets, " "))
}

// needsSecrets refuses to run an integration whose secrets were dropped.
func needsSecrets(in store.Integration) error {
	if len(in.SecretsNeeded) == 0 {
		return nil
	}
	return directory.Errorf(directory.ErrPrecondition, "integration %d cannot connect until its secrets (%s) are entered again: they were dropped when its connection settings changed (staffsyncctl integrations update %d --secret NAME=...)",
		in.ID, strings.Join(in.SecretsNeeded, ", "), in.ID)
}

// followSecretsNeeded tells the sync what an update did to its secrets: newly dropped ones
// pause it; the last needed one entered again resumes it, if that was why it was paused.
func (s *IntegrationServer) followSecretsNeeded(ctx context.Context, cur store.Integration, cfg store.IntegrationConfig) error {
	switch {
	case cfg.PauseReason != "":
		return s.signal(ctx, cur.CompanyID, cur.ID, cur.Kind, workflows.SignalPause, workflows.PauseSignal{Reason: cfg.PauseReason})
	case len(cur.SecretsNeeded) > 0 && cur.State == store.StatePaused && strings.HasPrefix(cur.PausedReason, secretsDroppedPrefix):
		if err := s.Store.SetIntegrationPaused(ctx, cur.CompanyID, cur.ID, false, ""); err != nil {
			return err
		}
		return s.signal(ctx, cur.CompanyID, cur.ID, cur.Kind, workflows.SignalResume, nil)
	}
	return nil
}
