package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// integrationCommands are dispatched like the others; main.go lists them with the rest.
var integrationCommands = []command{
	{name: "integrations create", args: "--kind https|sftp|sftp-drop|bamboohr|personio --name NAME [--setting K=V]... [--secret K=V|K=@FILE|K=-]... [--interval 2h] [--auto-apply] [option flags]", summary: "connect a source that keeps the directory in step", flags: integrationsCreateFlags},
	{name: "integrations update", args: "ID [--name NAME] [--setting K=V]... [--secret K=V|K=@FILE|K=-]... [--interval D] [--auto-apply=true|false] [option flags]", summary: "change an integration; --secret rotates a secret", flags: integrationsUpdateFlags},
	{name: "integrations list", args: "", summary: "list integrations with state and last run", flags: integrationsListFlags},
	{name: "integrations show", args: "ID", summary: "show an integration (secrets show only 'set' and their last 4 characters)", flags: integrationsShowFlags},
	{name: "integrations test", args: "ID", summary: "test the connection (SFTP: shows the server's host key fingerprint to pin)", flags: integrationsTestFlags},
	{name: "integrations pause", args: "ID [--reason TEXT]", summary: "stop runs; a run in flight waits before apply", flags: integrationsPauseFlags},
	{name: "integrations resume", args: "ID", summary: "resume a paused integration and run it now", flags: integrationsResumeFlags},
	{name: "integrations sync", args: "ID", summary: "run an integration now", flags: integrationsSyncFlags},
	{name: "integrations delete", args: "ID", summary: "remove an integration (its imports stay)", flags: integrationsDeleteFlags},
}

// keyValues is a repeatable K=V flag.
type keyValues []string

func (k *keyValues) String() string     { return strings.Join(*k, ",") }
func (k *keyValues) Set(v string) error { *k = append(*k, v); return nil }

func parseKeyValues(list keyValues, what string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--%s %q must look like NAME=VALUE", what, kv)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// parseSecrets reads --secret values: NAME=VALUE, NAME=@FILE (file content) or NAME=-
// (standard input), so secrets can stay out of shell history.
func parseSecrets(list keyValues, stdin io.Reader) (map[string]string, error) {
	raw, err := parseKeyValues(list, "secret")
	if err != nil {
		return nil, err
	}
	usedStdin := false
	for k, v := range raw {
		switch {
		case v == "-":
			if usedStdin {
				return nil, fmt.Errorf("only one --secret can come from standard input")
			}
			usedStdin = true
			b, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("read secret %s from standard input: %w", k, err)
			}
			raw[k] = strings.TrimRight(string(b), "\r\n")
		case strings.HasPrefix(v, "@"):
			b, err := os.ReadFile(v[1:])
			if err != nil {
				return nil, fmt.Errorf("read secret %s: %w", k, err)
			}
			if k == "private_key" {
				raw[k] = string(b) // keys keep their final newline
			} else {
				raw[k] = strings.TrimRight(string(b), "\r\n")
			}
		}
	}
	return raw, nil
}

func (a *app) integrationClient() (staffsyncv1connect.IntegrationServiceClient, error) {
	token, err := a.credential()
	if err != nil {
		return nil, err
	}
	return staffsyncv1connect.NewIntegrationServiceClient(&http.Client{Transport: http.DefaultTransport}, baseURL(a.global.addr),
		connect.WithInterceptors(bearerToken(token))), nil
}

var integrationStateWords = map[v1.IntegrationState]string{
	v1.IntegrationState_INTEGRATION_STATE_ACTIVE:            "active",
	v1.IntegrationState_INTEGRATION_STATE_PAUSED:            "paused",
	v1.IntegrationState_INTEGRATION_STATE_FAILING:           "failing",
	v1.IntegrationState_INTEGRATION_STATE_AWAITING_APPROVAL: "awaiting_approval",
}

// integrationJSON is the --json shape of an integration.
type integrationJSON struct {
	ID                  string            `json:"id"`
	Kind                string            `json:"kind"`
	Name                string            `json:"name"`
	Settings            map[string]string `json:"settings"`
	Secrets             map[string]string `json:"secrets"`
	IntervalSeconds     int64             `json:"interval_seconds"`
	AutoApply           bool              `json:"auto_apply"`
	State               string            `json:"state"`
	PausedReason        string            `json:"paused_reason,omitempty"`
	LastError           string            `json:"last_error,omitempty"`
	ConsecutiveFailures int32             `json:"consecutive_failures"`
	CurrentImportID     string            `json:"current_import_id,omitempty"`
	LastImportID        string            `json:"last_import_id,omitempty"`
	LastResult          string            `json:"last_result,omitempty"`
	LastRunAt           string            `json:"last_run_at,omitempty"`
	NextRunAt           string            `json:"next_run_at,omitempty"`
}

func toIntegrationJSON(in *v1.Integration) integrationJSON {
	out := integrationJSON{ID: in.GetId(), Kind: in.GetKind(), Name: in.GetName(), Settings: in.GetSettings(), Secrets: in.GetSecrets(),
		IntervalSeconds: in.GetIntervalSeconds(), AutoApply: in.GetAutoApply(), State: integrationStateWords[in.GetState()],
		PausedReason: in.GetPausedReason(), LastError: in.GetLastError(), ConsecutiveFailures: in.GetConsecutiveFailures(),
		CurrentImportID: in.GetCurrentImportId(), LastImportID: in.GetLastImportId(), LastResult: in.GetLastResult()}
	if in.GetLastRunAt() != nil {
		out.LastRunAt = timestampJSON(in.GetLastRunAt())
	}
	if in.GetNextRunAt() != nil {
		out.NextRunAt = timestampJSON(in.GetNextRunAt())
	}
	if out.Settings == nil {
		out.Settings = map[string]string{}
	}
	if out.Secrets == nil {
		out.Secrets = map[string]string{}
	}
	return out
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (a *app) writeIntegration(in *v1.Integration) error {
	j := toIntegrationJSON(in)
	if a.global.json {
		return writeJSON(a.stdout, j)
	}
	w := a.stdout
	fmt.Fprintf(w, "integration %s %q (%s): %s\n", j.ID, j.Name, j.Kind, j.State)
	if j.PausedReason != "" {
		fmt.Fprintf(w, "  paused:      %s\n", j.PausedReason)
	}
	if j.LastError != "" {
		fmt.Fprintf(w, "  last error:  %s (%d failed runs in a row)\n", j.LastError, j.ConsecutiveFailures)
	}
	fmt.Fprintf(w, "  interval:    %v, auto-apply %v\n", time.Duration(j.IntervalSeconds)*time.Second, j.AutoApply)
	writeAutomaticRuns(w, in)
	for _, k := range sortedMapKeys(j.Settings) {
		fmt.Fprintf(w, "  setting      %s = %s\n", k, j.Settings[k])
	}
	for _, k := range sortedMapKeys(j.Secrets) {
		fmt.Fprintf(w, "  secret       %s: %s\n", k, j.Secrets[k])
	}
	if j.CurrentImportID != "" {
		fmt.Fprintf(w, "  running:     import %s\n", j.CurrentImportID)
	}
	if j.LastRunAt != "" {
		fmt.Fprintf(w, "  last run:    %s, %s (import %s)\n", j.LastRunAt, orDefault(j.LastResult, "-"), orDefault(j.LastImportID, "-"))
	}
	if j.NextRunAt != "" && j.State != "paused" {
		fmt.Fprintf(w, "  next run:    %s\n", j.NextRunAt)
	}
	return nil
}

// integrationConfigFlags are shared by create and update.
type integrationConfigFlags struct {
	name, interval string
	settings       keyValues
	secrets        keyValues
}

func (c *integrationConfigFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.name, "name", "", "integration `NAME`")
	fs.Var(&c.settings, "setting", "setting `K=V` (repeatable), e.g. url=https://..., host=..., host_key=SHA256:...")
	fs.Var(&c.secrets, "secret", "secret `K=V`, K=@FILE or K=- for standard input (repeatable); never shown again")
	fs.StringVar(&c.interval, "interval", "", "time between runs, e.g. 2h (default: 2h, BambooHR 3h)")
	addImportOptionFlags(fs)
}

func (c *integrationConfigFlags) parse(fs *flag.FlagSet) (settings, secrets map[string]string, seconds int64, opts *v1.ImportOptions, err error) {
	if settings, err = parseKeyValues(c.settings, "setting"); err != nil {
		return
	}
	if secrets, err = parseSecrets(c.secrets, os.Stdin); err != nil {
		return
	}
	if c.interval != "" {
		d, perr := time.ParseDuration(c.interval)
		if perr != nil || d <= 0 {
			err = fmt.Errorf("--interval %q is not a duration like 30m or 2h", c.interval)
			return
		}
		seconds = int64(d / time.Second)
	}
	opts, err = importOptions(fs)
	return
}

func integrationsCreateFlags(fs *flag.FlagSet) commandFunc {
	var c integrationConfigFlags
	c.register(fs)
	kind := fs.String("kind", "", "source kind: https, sftp, sftp-drop, bamboohr or personio (required)")
	autoApply := fs.Bool("auto-apply", false, "apply each automatic run without approval unless the safety guard trips (off: every run stops at the preview)")
	showPhotos := fs.Bool("show-photos", false, "BambooHR: show the employee photos of the HR system")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		if *kind == "" || c.name == "" {
			return usagef(a.cmd, "--kind and --name are required")
		}
		settings, secrets, seconds, opts, err := c.parse(fs)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		cl, err := a.integrationClient()
		if err != nil {
			return err
		}
		resp, err := cl.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{Kind: *kind, Name: c.name, Settings: settings,
			Secrets: secrets, IntervalSeconds: seconds, Options: opts, AutoApply: *autoApply, ShowPhotos: *showPhotos}))
		if err != nil {
			return fmt.Errorf("create integration: %w", err)
		}
		if err := a.writeIntegration(resp.Msg.GetIntegration()); err != nil || a.global.json {
			return err
		}
		id := resp.Msg.GetIntegration().GetId()
		fmt.Fprintf(a.stdout, "\nAutomatic runs are off. Preview with `staffsyncctl integrations fetch %s`, then turn them on with `staffsyncctl integrations automatic %s on`.\n", id, id)
		return nil
	}
}

func integrationsUpdateFlags(fs *flag.FlagSet) commandFunc {
	var c integrationConfigFlags
	c.register(fs)
	autoApply := fs.String("auto-apply", "", "true or false")
	showPhotos := fs.String("show-photos", "", "BambooHR photos: true or false")
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.oneArg(args, "integration ID")
		if err != nil {
			return err
		}
		settings, secrets, seconds, opts, err := c.parse(fs)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		req := &v1.UpdateIntegrationRequest{Id: id, Settings: settings, Secrets: secrets, IntervalSeconds: seconds, Options: opts}
		if c.name != "" {
			req.Name = &c.name
		}
		if *autoApply != "" {
			v, perr := strconv.ParseBool(*autoApply)
			if perr != nil {
				return usagef(a.cmd, "--auto-apply must be true or false")
			}
			req.AutoApply = &v
		}
		if *showPhotos != "" {
			v, perr := strconv.ParseBool(*showPhotos)
			if perr != nil {
				return usagef(a.cmd, "--show-photos must be true or false")
			}
			req.ShowPhotos = &v
		}
		cl, err := a.integrationClient()
		if err != nil {
			return err
		}
		resp, err := cl.UpdateIntegration(ctx, connect.NewRequest(req))
		if err != nil {
			return fmt.Errorf("update integration %s: %w", id, err)
		}
		return a.writeIntegration(resp.Msg.GetIntegration())
	}
}

func integrationsListFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		cl, err := a.integrationClient()
		if err != nil {
			return err
		}
		resp, err := cl.ListIntegrations(ctx, connect.NewRequest(&v1.ListIntegrationsRequest{}))
		if err != nil {
			return fmt.Errorf("list integrations: %w", err)
		}
		list := resp.Msg.GetIntegrations()
		if a.global.json {
			out := make([]integrationJSON, 0, len(list))
			for _, in := range list {
				out = append(out, toIntegrationJSON(in))
			}
			return writeJSON(a.stdout, out)
		}
		if len(list) == 0 {
			fmt.Fprintln(a.stdout, "no integrations yet; connect one with `staffsyncctl integrations create --kind https --name \"HR export\" --setting url=https://...`")
			return nil
		}
		t := &table{header: []string{"ID", "NAME", "KIND", "STATE", "LAST RUN", "RESULT", "NEXT RUN"}}
		for _, in := range list {
			j := toIntegrationJSON(in)
			t.add([]string{j.ID, j.Name, j.Kind, j.State, orDefault(j.LastRunAt, "-"), orDefault(j.LastResult, "-"), orDefault(j.NextRunAt, "-")})
		}
		t.write(a.stdout)
		return nil
	}
}

func integrationsShowFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		return onIntegration(ctx, a, args, "show", func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[v1.GetIntegrationResponse], error) {
			return cl.GetIntegration(ctx, connect.NewRequest(&v1.GetIntegrationRequest{Id: id}))
		})
	}
}

func integrationsTestFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		id, cl, err := a.integrationFor(args)
		if err != nil {
			return err
		}
		resp, err := cl.TestConnection(ctx, connect.NewRequest(&v1.TestConnectionRequest{Id: id}))
		if err != nil {
			return fmt.Errorf("test integration %s: %w", id, err)
		}
		return a.writeTestResult(resp.Msg)
	}
}

func integrationsPauseFlags(fs *flag.FlagSet) commandFunc {
	reason := fs.String("reason", "", "why, shown with the integration (default: paused by <admin>)")
	return func(ctx context.Context, a *app, args []string) error {
		return onIntegration(ctx, a, args, "pause", func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[v1.PauseIntegrationResponse], error) {
			return cl.PauseIntegration(ctx, connect.NewRequest(&v1.PauseIntegrationRequest{Id: id, Reason: *reason}))
		})
	}
}

func integrationsResumeFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		return onIntegration(ctx, a, args, "resume", func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[v1.ResumeIntegrationResponse], error) {
			return cl.ResumeIntegration(ctx, connect.NewRequest(&v1.ResumeIntegrationRequest{Id: id}))
		})
	}
}

func integrationsSyncFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		return onIntegration(ctx, a, args, "sync", func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[v1.SyncNowResponse], error) {
			return cl.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{Id: id}))
		})
	}
}

func integrationsDeleteFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		id, cl, err := a.integrationFor(args)
		if err != nil {
			return err
		}
		if _, err := cl.DeleteIntegration(ctx, connect.NewRequest(&v1.DeleteIntegrationRequest{Id: id})); err != nil {
			return fmt.Errorf("delete integration %s: %w", id, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, struct {
				Deleted string `json:"deleted"`
			}{id})
		}
		fmt.Fprintf(a.stdout, "integration %s deleted\n", id)
		return nil
	}
}

func init() { commands = append(commands, integrationCommands...) }
