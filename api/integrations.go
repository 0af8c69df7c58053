package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"sort"
	"strings"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// MinIntegrationInterval is the shortest interval between scheduled runs.
const MinIntegrationInterval = 5 * time.Minute

// DefaultIntegrationInterval returns the default interval of a kind (BambooHR 3 h, others 2 h).
func DefaultIntegrationInterval(kind string) time.Duration {
	if kind == store.KindBambooHR {
		return 3 * time.Hour
	}
	return 2 * time.Hour
}

// kindSpec lists the settings and secrets a kind accepts.
type kindSpec struct {
	settings, required, secrets []string
}

var kindSpecs = map[string]kindSpec{
	store.KindHTTPS:    {settings: []string{"url", "username"}, required: []string{"url"}, secrets: []string{"password", "token"}},
	store.KindSFTP:     {settings: []string{"host", "port", "user", "host_key", "dir", "glob", "archive"}, required: []string{"host", "user"}, secrets: []string{"password", "private_key", "passphrase"}},
	store.KindSFTPDrop: {settings: []string{"user", "authorized_keys"}, required: []string{"user", "authorized_keys"}, secrets: []string{"password"}},
	store.KindBambooHR: {settings: []string{"subdomain", "base_url"}, required: []string{"subdomain"}, secrets: []string{"api_key"}},
	store.KindPersonio: {settings: []string{"base_url"}, secrets: []string{"client_id", "client_secret"}},
}

var dropUserPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// IntegrationServer implements IntegrationService.
type IntegrationServer struct {
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// Secrets seals credentials; nil (no STAFFSYNC_SECRET_KEY) refuses integrations with secrets.
	Secrets *secrets.Box
}

func (s *IntegrationServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// validateConfig checks settings and secret names of a kind; messages say what to fix.
func validateConfig(kind string, settings map[string]string, secretNames []string) error {
	spec, ok := kindSpecs[kind]
	if !ok {
		return directory.Errorf(directory.ErrInvalid, "unknown integration kind %q; use https, sftp, sftp-drop, bamboohr or personio", kind)
	}
	if spec.settings != nil {
		for _, k := range sortedKeys(settings) {
			if !contains(spec.settings, k) {
				return directory.Errorf(directory.ErrInvalid, "a %s integration has no setting %q; its settings are %s", kind, k, strings.Join(spec.settings, ", "))
			}
		}
	}
	for _, k := range spec.required {
		if strings.TrimSpace(settings[k]) == "" {
			return directory.Errorf(directory.ErrInvalid, "a %s integration needs the setting %q", kind, k)
		}
	}
	for _, name := range secretNames {
		if !contains(spec.secrets, name) {
			if len(spec.secrets) == 0 {
				return directory.Errorf(directory.ErrInvalid, "a %s integration takes no secrets", kind)
			}
			return directory.Errorf(directory.ErrInvalid, "a %s integration has no secret %q; its secrets are %s", kind, name, strings.Join(spec.secrets, ", "))
		}
	}
	switch kind {
	case store.KindHTTPS:
		if u := settings["url"]; !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return directory.Errorf(directory.ErrInvalid, "the url %q must start with https://", u)
		}
	case store.KindSFTP:
		if hk := settings["host_key"]; hk != "" && !strings.HasPrefix(hk, "SHA256:") {
			return directory.Errorf(directory.ErrInvalid, "host_key must be a SHA256 fingerprint like SHA256:abc...; run `staffsyncctl integrations test` to see the server's")
		}
	case store.KindSFTPDrop:
		if !dropUserPattern.MatchString(settings["user"]) {
			return directory.Errorf(directory.ErrInvalid, "the SFTP user name %q must be 3-32 lower-case letters, digits, '.', '_' or '-', starting with a letter", settings["user"])
		}
		if err := checkAuthorizedKeys(settings["authorized_keys"]); err != nil {
			return err
		}
	}
	return nil
}

// checkAuthorizedKeys parses public keys in authorized_keys format, one a line.
func checkAuthorizedKeys(text string) error {
	n := 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line)); err != nil {
			return directory.Errorf(directory.ErrInvalid, "authorized_keys line %d is not an SSH public key (paste the content of the .pub file)", i+1)
		}
		n++
	}
	if n == 0 {
		return directory.Errorf(directory.ErrInvalid, "authorized_keys needs at least one SSH public key")
	}
	return nil
}

func intervalOf(kind string, seconds int64) (time.Duration, error) {
	if seconds == 0 {
		return DefaultIntegrationInterval(kind), nil
	}
	d := time.Duration(seconds) * time.Second
	if d < MinIntegrationInterval {
		return 0, directory.Errorf(directory.ErrInvalid, "the interval must be at least %v", MinIntegrationInterval)
	}
	return d, nil
}

func hintsOf(values map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range values {
		out[k] = secrets.Hint(v)
	}
	return out
}

func (s *IntegrationServer) sealer() (*secrets.Box, error) { return sealerOf(s.Secrets) }

// sealerOf is the configured secret box, or one from STAFFSYNC_SECRET_KEY.
func sealerOf(box *secrets.Box) (*secrets.Box, error) {
	if box != nil {
		return box, nil
	}
	box, err := secrets.FromEnv()
	if err != nil {
		return nil, directory.Errorf(directory.ErrPrecondition, "%s", err.Error())
	}
	return box, nil
}

// CreateIntegration stores an integration and starts its sync.
func (s *IntegrationServer) CreateIntegration(ctx context.Context, req *connect.Request[v1.CreateIntegrationRequest]) (*connect.Response[v1.CreateIntegrationResponse], error) {
	p := principal(ctx)
	m := req.Msg
	name := strings.TrimSpace(m.Name)
	if name == "" {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "give the integration a name, e.g. \"HR export\""))
	}
	settings := map[string]string{}
	for k, v := range m.Settings {
		if v = strings.TrimSpace(v); v != "" {
			settings[k] = v
		}
	}
	secretValues := map[string]string{}
	for k, v := range m.Secrets {
		if v != "" {
			secretValues[k] = v
		}
	}
	if err := validateConfig(m.Kind, settings, sortedKeys(secretValues)); err != nil {
		return nil, s.fail(ctx, err)
	}
	interval, err := intervalOf(m.Kind, m.IntervalSeconds)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	opts, err := optionsFromProto(m.Options)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	var seal func(int64) ([]byte, error)
	if len(secretValues) > 0 {
		box, err := s.sealer()
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		seal = func(id int64) ([]byte, error) { return box.SealMap(secretValues, store.SecretsAAD(p.CompanyID, id)) }
	}
	cfg := store.IntegrationConfig{Kind: m.Kind, Name: name, Settings: settings, SecretHints: hintsOf(secretValues),
		Interval: interval, Options: opts, AutoApply: m.AutoApply}
	if m.ShowPhotos && m.Kind != "bamboohr" {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "only BambooHR integrations can show employee photos"))
	}
	id, err := s.Store.CreateIntegration(ctx, p.CompanyID, cfg, seal)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if m.ShowPhotos {
		if err := s.Store.SetShowPhotos(ctx, p.CompanyID, id, true); err != nil {
			_ = s.Store.DeleteIntegration(context.WithoutCancel(ctx), p.CompanyID, id)
			return nil, s.fail(ctx, err)
		}
	}
	if err := s.signal(ctx, p.CompanyID, id, m.Kind, workflows.SignalReconfigure, nil); err != nil {
		_ = s.Store.DeleteIntegration(context.WithoutCancel(ctx), p.CompanyID, id)
		return nil, s.fail(ctx, err)
	}
	return s.answer(ctx, p.CompanyID, id, func(in *v1.Integration) *connect.Response[v1.CreateIntegrationResponse] {
		return connect.NewResponse(&v1.CreateIntegrationResponse{Integration: in})
	})
}

// answer loads the integration and wraps it in a response.
func answer[T any](s *IntegrationServer, ctx context.Context, companyID, id int64, wrap func(*v1.Integration) *connect.Response[T]) (*connect.Response[T], error) {
	in, err := s.Store.GetIntegration(ctx, companyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return wrap(integrationToProto(in)), nil
}

func (s *IntegrationServer) answer(ctx context.Context, companyID, id int64, wrap func(*v1.Integration) *connect.Response[v1.CreateIntegrationResponse]) (*connect.Response[v1.CreateIntegrationResponse], error) {
	return answer(s, ctx, companyID, id, wrap)
}

// signal sends a signal to the integration's sync, starting the sync if it is not running.
func (s *IntegrationServer) signal(ctx context.Context, companyID, id int64, kind, name string, arg any) error {
	return SignalIntegration(ctx, s.Temporal, companyID, id, kind, name, arg)
}

// SignalIntegration sends a signal to an integration's sync, starting the sync if it is not
// running (after a deploy that lost it, or for a new integration).
func SignalIntegration(ctx context.Context, tc client.Client, companyID, id int64, kind, name string, arg any) error {
	_, err := tc.SignalWithStartWorkflow(ctx, workflows.IntegrationSyncWorkflowID(companyID, id), name, arg,
		client.StartWorkflowOptions{
			TaskQueue: workflows.TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				workflows.SearchCompany.ValueSet(formatID(companyID)),
				workflows.SearchSource.ValueSet(kind),
			),
		}, workflows.IntegrationSync, workflows.IntegrationSyncInput{CompanyID: companyID, IntegrationID: id})
	if err != nil {
		return fmt.Errorf("signal integration sync: %w: %w", directory.ErrUnavailable, err)
	}
	return nil
}

func (s *IntegrationServer) get(ctx context.Context, rawID string) (store.Integration, error) {
	id, err := parseID("integration", rawID)
	if err != nil {
		return store.Integration{}, err
	}
	return s.Store.GetIntegration(ctx, principal(ctx).CompanyID, id)
}

// UpdateIntegration changes an integration; secrets given replace the stored ones.
func (s *IntegrationServer) UpdateIntegration(ctx context.Context, req *connect.Request[v1.UpdateIntegrationRequest]) (*connect.Response[v1.UpdateIntegrationResponse], error) {
	p := principal(ctx)
	m := req.Msg
	cur, err := s.get(ctx, m.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	cfg := store.IntegrationConfig{Kind: cur.Kind, Name: cur.Name, Settings: maps.Clone(cur.Settings), SecretHints: maps.Clone(cur.SecretHints),
		Interval: cur.Interval, Options: cur.Options, AutoApply: cur.AutoApply}
	if m.Name != nil {
		if cfg.Name = strings.TrimSpace(*m.Name); cfg.Name == "" {
			return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "the name cannot be empty"))
		}
	}
	for k, v := range m.Settings {
		if v = strings.TrimSpace(v); v == "" {
			delete(cfg.Settings, k)
		} else {
			cfg.Settings[k] = v
		}
	}
	newSecrets, removed := map[string]string{}, []string{}
	for k, v := range m.Secrets {
		if v == "" {
			removed = append(removed, k)
			delete(cfg.SecretHints, k)
		} else {
			newSecrets[k] = v
			cfg.SecretHints[k] = secrets.Hint(v)
		}
	}
	if err := validateConfig(cur.Kind, cfg.Settings, append(sortedKeys(newSecrets), removed...)); err != nil {
		return nil, s.fail(ctx, err)
	}
	if m.IntervalSeconds != 0 {
		if cfg.Interval, err = intervalOf(cur.Kind, m.IntervalSeconds); err != nil {
			return nil, s.fail(ctx, err)
		}
	}
	if m.Options != nil {
		if cfg.Options, err = optionsFromProto(m.Options); err != nil {
			return nil, s.fail(ctx, err)
		}
	}
	if m.AutoApply != nil {
		cfg.AutoApply = *m.AutoApply
	}
	dropOld, needed, changed := secretsAfterUpdate(cur.Kind, cur, cfg.Settings, newSecrets, removed)
	cfg.SecretsNeeded = needed
	if dropOld {
		cfg.SecretHints = hintsOf(newSecrets)
	}
	if len(needed) > 0 {
		cfg.PauseReason = secretsDroppedReason(cur.ID, changed, needed)
	}
	var sealed []byte
	if len(newSecrets) > 0 || len(removed) > 0 || dropOld {
		var update []byte
		if len(newSecrets) > 0 {
			box, err := s.sealer()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if update, err = box.SealMap(newSecrets, store.SecretsAAD(p.CompanyID, cur.ID)); err != nil {
				return nil, s.fail(ctx, err)
			}
		}
		old := cur.SealedSecrets
		if dropOld {
			// The endpoint moved: only what was entered with it may go there.
			old = nil
		}
		if sealed, err = secrets.Merge(old, update, removed); err != nil {
			return nil, s.fail(ctx, err)
		}
		if sealed == nil {
			sealed = []byte{} // non-nil: the store drops the old ones
		}
	}
	if m.ShowPhotos != nil && *m.ShowPhotos && cur.Kind != "bamboohr" {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "only BambooHR integrations can show employee photos"))
	}
	if err := s.Store.UpdateIntegration(ctx, p.CompanyID, cur.ID, cfg, sealed); err != nil {
		return nil, s.fail(ctx, err)
	}
	if m.ShowPhotos != nil {
		if err := s.Store.SetShowPhotos(ctx, p.CompanyID, cur.ID, *m.ShowPhotos); err != nil {
			return nil, s.fail(ctx, err)
		}
	}
	if err := s.signal(ctx, p.CompanyID, cur.ID, cur.Kind, workflows.SignalReconfigure, nil); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.followSecretsNeeded(ctx, cur, cfg); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, p.CompanyID, cur.ID, func(in *v1.Integration) *connect.Response[v1.UpdateIntegrationResponse] {
		return connect.NewResponse(&v1.UpdateIntegrationResponse{Integration: in})
	})
}

// ListIntegrations lists the caller's integrations.
func (s *IntegrationServer) ListIntegrations(ctx context.Context, _ *connect.Request[v1.ListIntegrationsRequest]) (*connect.Response[v1.ListIntegrationsResponse], error) {
	list, err := s.Store.ListIntegrations(ctx, principal(ctx).CompanyID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListIntegrationsResponse{}
	for _, in := range list {
		out.Integrations = append(out.Integrations, integrationToProto(in))
	}
	return connect.NewResponse(out), nil
}

// GetIntegration returns one integration.
func (s *IntegrationServer) GetIntegration(ctx context.Context, req *connect.Request[v1.GetIntegrationRequest]) (*connect.Response[v1.GetIntegrationResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetIntegrationResponse{Integration: integrationToProto(in)}), nil
}

// testTimeout bounds a connection test.
const testTimeout = 90 * time.Second

// TestConnection runs the test in the worker (where secrets may be decrypted) and waits.
func (s *IntegrationServer) TestConnection(ctx context.Context, req *connect.Request[v1.TestConnectionRequest]) (*connect.Response[v1.TestConnectionResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := needsSecrets(in); err != nil {
		return nil, s.fail(ctx, err)
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       fmt.Sprintf("integration-test/%d/%d/%d", in.CompanyID, in.ID, time.Now().UnixNano()),
		TaskQueue:                workflows.TaskQueue,
		WorkflowExecutionTimeout: testTimeout,
	}, workflows.TestIntegrationConnection, activities.IntegrationRef{CompanyID: in.CompanyID, IntegrationID: in.ID})
	if err != nil {
		return nil, s.fail(ctx, fmt.Errorf("start connection test: %w: %w", directory.ErrUnavailable, err))
	}
	var result activities.TestResult
	if err := run.Get(ctx, &result); err != nil {
		return nil, s.fail(ctx, fmt.Errorf("connection test: %w: %w", directory.ErrUnavailable, err))
	}
	return connect.NewResponse(testResultToProto(result)), nil
}

// PauseIntegration pauses an integration with a reason.
func (s *IntegrationServer) PauseIntegration(ctx context.Context, req *connect.Request[v1.PauseIntegrationRequest]) (*connect.Response[v1.PauseIntegrationResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	reason := strings.TrimSpace(req.Msg.Reason)
	if reason == "" {
		reason = "paused by " + principal(ctx).AdminName
	}
	if err := s.Store.SetIntegrationPaused(ctx, in.CompanyID, in.ID, true, reason); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.signal(ctx, in.CompanyID, in.ID, in.Kind, workflows.SignalPause, workflows.PauseSignal{Reason: reason}); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, in.CompanyID, in.ID, func(v *v1.Integration) *connect.Response[v1.PauseIntegrationResponse] {
		return connect.NewResponse(&v1.PauseIntegrationResponse{Integration: v})
	})
}

// ResumeIntegration resumes a paused integration; it runs at once.
func (s *IntegrationServer) ResumeIntegration(ctx context.Context, req *connect.Request[v1.ResumeIntegrationRequest]) (*connect.Response[v1.ResumeIntegrationResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := needsSecrets(in); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Store.SetIntegrationPaused(ctx, in.CompanyID, in.ID, false, ""); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.signal(ctx, in.CompanyID, in.ID, in.Kind, workflows.SignalResume, nil); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, in.CompanyID, in.ID, func(v *v1.Integration) *connect.Response[v1.ResumeIntegrationResponse] {
		return connect.NewResponse(&v1.ResumeIntegrationResponse{Integration: v})
	})
}

// SyncNow asks for a run at once.
func (s *IntegrationServer) SyncNow(ctx context.Context, req *connect.Request[v1.SyncNowRequest]) (*connect.Response[v1.SyncNowResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := needsSecrets(in); err != nil {
		return nil, s.fail(ctx, err)
	}
	if in.State == store.StatePaused {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrPrecondition, "integration %d is paused (%s); resume it to run it", in.ID, in.PausedReason))
	}
	if err := s.signal(ctx, in.CompanyID, in.ID, in.Kind, workflows.SignalSyncNow, nil); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, in.CompanyID, in.ID, func(v *v1.Integration) *connect.Response[v1.SyncNowResponse] {
		return connect.NewResponse(&v1.SyncNowResponse{Integration: v})
	})
}

// DeleteIntegration stops the sync and removes the integration.
func (s *IntegrationServer) DeleteIntegration(ctx context.Context, req *connect.Request[v1.DeleteIntegrationRequest]) (*connect.Response[v1.DeleteIntegrationResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Store.DeleteIntegration(ctx, in.CompanyID, in.ID); err != nil {
		return nil, s.fail(ctx, err)
	}
	// The sync also ends by itself when it finds the integration gone; this is only quicker.
	err = s.Temporal.TerminateWorkflow(ctx, workflows.IntegrationSyncWorkflowID(in.CompanyID, in.ID), "", "integration deleted")
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		s.Log.WarnContext(ctx, "could not stop the sync of a deleted integration", "integration", in.ID, "error", err)
	}
	return connect.NewResponse(&v1.DeleteIntegrationResponse{}), nil
}

var stateToProto = map[string]v1.IntegrationState{
	store.StateActive:           v1.IntegrationState_INTEGRATION_STATE_ACTIVE,
	store.StatePaused:           v1.IntegrationState_INTEGRATION_STATE_PAUSED,
	store.StateFailing:          v1.IntegrationState_INTEGRATION_STATE_FAILING,
	store.StateAwaitingApproval: v1.IntegrationState_INTEGRATION_STATE_AWAITING_APPROVAL,
}

func optionalTime(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func optionalID(id int64) string {
	if id == 0 {
		return ""
	}
	return formatID(id)
}

// integrationToProto never carries a secret: only the stored hints.
func integrationToProto(in store.Integration) *v1.Integration {
	out := &v1.Integration{
		Id: formatID(in.ID), Kind: in.Kind, Name: in.Name, Settings: in.Settings, Secrets: in.SecretHints,
		IntervalSeconds: int64(in.Interval / time.Second), Options: optionsToProto(in.Options), AutoApply: in.AutoApply,
		State: stateToProto[in.State], PausedReason: in.PausedReason, LastError: in.LastError,
		ConsecutiveFailures: int32(in.ConsecutiveFailures), CurrentImportId: optionalID(in.CurrentImportID),
		LastImportId: optionalID(in.LastImportID), LastResult: in.LastResult, LastRunAt: optionalTime(in.LastRunAt),
		NextRunAt: optionalTime(in.NextRunAt), CreatedAt: timestamppb.New(in.CreatedAt),
		AutomaticRuns: in.AutomaticRuns, ShowPhotos: in.ShowPhotos,
	}
	if !in.AutomaticRuns {
		// Nothing runs by itself: a next run time would mislead.
		out.NextRunAt = nil
	}
	return out
}
