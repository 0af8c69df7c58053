package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/staffsync/staffsync/api/fileupload"
	"github.com/staffsync/staffsync/bench"
	"github.com/staffsync/staffsync/devstack"
	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// maxUploadBytes mirrors the API's upload limit (api.MaxUploadBytes, import-rules: 50 MiB).
// Larger benchmark files (1M people) are stored as rows, as an HR system sync stores them,
// and their workflow started the way the API starts it; preview and apply are the same.
var maxUploadBytes = 50 << 20

// benchRun is the running stack and what the scenarios share.
type benchRun struct {
	cfg      config
	log      *slog.Logger
	dir      string
	store    *store.Store
	stats    *pgx.Conn
	temporal client.Client
	worker   *serverProcess
	api      *serverProcess
	apiURL   string
	floor    float64
	results  []step
}

// step is one line of the results table.
type step struct {
	Scenario       string  `json:"scenario"`
	Step           string  `json:"step"`
	Seconds        float64 `json:"seconds"`
	RatioToFloor   float64 `json:"ratio_to_floor"`
	WorkerPeakMiB  float64 `json:"worker_peak_rss_mib,omitempty"`
	APIPeakMiB     float64 `json:"api_peak_rss_mib,omitempty"`
	RowsWritten    *int64  `json:"people_rows_written,omitempty"`
	AllRowsWritten *int64  `json:"all_rows_written,omitempty"`
	HistoryEvents  int     `json:"temporal_history_events,omitempty"`
	Note           string  `json:"note,omitempty"`
}

type resultsFile struct {
	People    int       `json:"people"`
	FileBytes int       `json:"csv_bytes"`
	StartedAt time.Time `json:"started_at"`
	GoVersion string    `json:"go_version"`
	CPUs      int       `json:"cpus"`
	Floor     float64   `json:"floor_seconds"`
	Steps     []step    `json:"steps"`
}

func run(ctx context.Context, log *slog.Logger, cfg config) error {
	startedAt := time.Now().UTC()
	dir := cfg.dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "staffsync-bench-"); err != nil {
			return fmt.Errorf("create work directory: %w", err)
		}
		if !cfg.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	// The stack of an earlier run in the same directory must not be reused: its companies
	// would own the generated emails, and E2E-new would preview them as another company's.
	for _, stale := range []string{"postgres", "temporal"} {
		if err := os.RemoveAll(filepath.Join(dir, stale)); err != nil {
			return fmt.Errorf("remove the %s data of an earlier run: %w", stale, err)
		}
	}
	binary := cfg.binary
	if binary == "" {
		log.Info("building staffsync")
		var err error
		if binary, err = buildStaffsync(ctx, dir); err != nil {
			return err
		}
	}

	enabled := map[string]bool{}
	for _, s := range strings.Split(cfg.scenarios, ",") {
		enabled[strings.TrimSpace(s)] = true
	}
	log.Info("generating people", "people", cfg.people)
	people := bench.GeneratePeople(cfg.people, 1)
	changed, counts := bench.Change(people)
	files := map[string][]byte{}
	for name, f := range map[string]struct {
		format string
		people []bench.Person
	}{
		"people.csv": {"csv", people}, "people-changed.csv": {"csv", changed},
		// The XLSX company is a second tenant: the same people under another email domain.
		"people.xlsx": {"xlsx", bench.InDomain(people, "xlsx.bench.example.com")},
	} {
		if name == "people.xlsx" && !enabled["xlsx"] || name == "people-changed.csv" && !enabled["change"] {
			continue
		}
		var buf bytes.Buffer
		if err := bench.WriteFile(&buf, f.format, f.people); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		files[name] = buf.Bytes()
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	people, changed = nil, nil

	serverLog, err := os.Create(filepath.Join(dir, "servers.log"))
	if err != nil {
		return err
	}
	defer serverLog.Close()
	log.Info("starting PostgreSQL (fsync on) and the Temporal dev server", "dir", dir)
	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(dir, "postgres"), Fsync: true, Log: serverLog})
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer pg.Stop()
	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{Dir: filepath.Join(dir, "temporal"), Log: serverLog})
	if err != nil {
		return fmt.Errorf("start Temporal: %w", err)
	}
	defer tmp.Stop()

	st, err := store.Open(ctx, pg.URL())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	statsConn, err := pgx.Connect(ctx, pg.URL())
	if err != nil {
		return fmt.Errorf("connect for statistics: %w", err)
	}
	defer statsConn.Close(context.Background())
	if cfg.explain > 0 {
		ms := fmt.Sprint(cfg.explain.Milliseconds())
		for _, set := range []string{
			`LOAD 'auto_explain'`,
			`ALTER SYSTEM SET session_preload_libraries = 'auto_explain'`,
			`ALTER SYSTEM SET auto_explain.log_min_duration = ` + ms,
			`ALTER SYSTEM SET auto_explain.log_analyze = on`,
			`ALTER SYSTEM SET log_min_duration_statement = ` + ms,
			`SELECT pg_reload_conf()`,
		} {
			if _, err := statsConn.Exec(ctx, set); err != nil {
				return fmt.Errorf("turn on auto_explain: %w", err)
			}
		}
	}
	tc, err := client.Dial(client.Options{HostPort: tmp.Address(), Logger: quietLogger{}})
	if err != nil {
		return fmt.Errorf("dial Temporal: %w", err)
	}
	defer tc.Close()

	env := []string{"DATABASE_URL=" + pg.URL(), "TEMPORAL_ADDRESS=" + tmp.Address(), "TEMPORAL_NAMESPACE=" + devstack.TemporalNamespace}
	workerEnv := env
	if cfg.cpuProfile != "" {
		abs, err := filepath.Abs(cfg.cpuProfile)
		if err != nil {
			return err
		}
		workerEnv = append(workerEnv, "STAFFSYNC_CPUPROFILE="+abs)
	}
	worker, err := startServer(ctx, "worker", binary, filepath.Join(dir, "worker.log"), workerEnv, "worker")
	if err != nil {
		return err
	}
	defer worker.stop()
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	api, err := startServer(ctx, "API", binary, filepath.Join(dir, "api.log"), env, "serve", "--api-addr", addr)
	if err != nil {
		return err
	}
	defer api.stop()
	r := &benchRun{cfg: cfg, log: log, dir: dir, store: st, stats: statsConn, temporal: tc, worker: worker, api: api, apiURL: "http://" + addr}
	if err := waitHealthy(ctx, api, r.apiURL); err != nil {
		return err
	}

	log.Info("timing the floor: psql \\copy of the same CSV into a plain 18-column table")
	if r.floor, err = r.measureFloor(ctx, pg.URL(), filepath.Join(dir, "people.csv")); err != nil {
		return err
	}
	r.results = append(r.results, step{Scenario: "floor", Step: `psql \copy (median of 3)`, Seconds: r.floor, RatioToFloor: 1})

	var main *tenant
	if enabled["new"] || enabled["noop"] || enabled["change"] {
		if main, err = r.newTenant(ctx, "Bench CSV"); err != nil {
			return err
		}
	}
	scenarios := []struct {
		key, name, file string
		tenant          func() (*tenant, error)
		options         *v1.ImportOptions
		check           func(*v1.Summary) error
	}{
		{"new", "E2E-new", "people.csv", func() (*tenant, error) { return main, nil }, nil,
			expectSummary(&v1.Summary{New: int64(cfg.people)})},
		{"noop", "E2E-noop", "people.csv", func() (*tenant, error) { return main, nil }, nil,
			expectSummary(&v1.Summary{Unchanged: int64(cfg.people)})},
		{"change", "E2E-change", "people-changed.csv", func() (*tenant, error) { return main, nil }, &v1.ImportOptions{DeactivateMissing: ptr(true), MaxDeactivations: -1, MaxManagerChanges: -1},
			expectSummary(&v1.Summary{New: int64(counts.New), Updated: int64(counts.Changed), Deactivated: int64(counts.Missing),
				Unchanged: int64(cfg.people - counts.Changed - counts.Missing)})},
		{"xlsx", "XLSX", "people.xlsx", func() (*tenant, error) { return r.newTenant(ctx, "Bench XLSX") }, nil,
			expectSummary(&v1.Summary{New: int64(cfg.people)})},
	}
	for _, sc := range scenarios {
		if !enabled[sc.key] {
			continue
		}
		tn, err := sc.tenant()
		if err != nil {
			return err
		}
		log.Info("scenario", "name", sc.name, "file", sc.file, "bytes", len(files[sc.file]))
		if err := r.runScenario(ctx, sc.name, tn, sc.file, files[sc.file], sc.options, sc.check); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
	}

	printTable(os.Stdout, cfg.people, r.results)
	out := resultsFile{People: cfg.people, FileBytes: len(files["people.csv"]), StartedAt: startedAt, GoVersion: goVersion(), CPUs: numCPU(), Floor: r.floor, Steps: r.results}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfg.out, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	log.Info("results written", "file", cfg.out)
	return nil
}

func ptr[T any](v T) *T { return &v }

// expectSummary checks the preview's counts so a fast but wrong run does not pass for a result.
func expectSummary(want *v1.Summary) func(*v1.Summary) error {
	return func(got *v1.Summary) error {
		if got.New != want.New || got.Updated != want.Updated || got.Unchanged != want.Unchanged ||
			got.Deactivated != want.Deactivated || got.Error != 0 {
			return fmt.Errorf("preview summary is new=%d updated=%d unchanged=%d deactivated=%d error=%d, want new=%d updated=%d unchanged=%d deactivated=%d error=0",
				got.New, got.Updated, got.Unchanged, got.Deactivated, got.Error, want.New, want.Updated, want.Unchanged, want.Deactivated)
		}
		return nil
	}
}

// measureFloor times psql's \copy of the CSV into an unindexed 18-column table, three times.
func (r *benchRun) measureFloor(ctx context.Context, url, csvPath string) (float64, error) {
	cols := make([]string, directory.NumFields)
	for f := range cols {
		cols[f] = directory.Field(f).Key() + " text"
	}
	if _, err := r.stats.Exec(ctx, `CREATE TABLE bench_floor (`+strings.Join(cols, ", ")+`)`); err != nil {
		return 0, fmt.Errorf("create floor table: %w", err)
	}
	var times []float64
	for range 3 {
		if _, err := r.stats.Exec(ctx, `TRUNCATE bench_floor`); err != nil {
			return 0, err
		}
		cmd := exec.CommandContext(ctx, "psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
			fmt.Sprintf(`\copy bench_floor from '%s' csv header`, strings.ReplaceAll(csvPath, "'", "''")))
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("psql \\copy: %w: %s", err, out)
		}
		times = append(times, time.Since(start).Seconds())
	}
	if _, err := r.stats.Exec(ctx, `DROP TABLE bench_floor`); err != nil {
		return 0, err
	}
	sort.Float64s(times)
	return times[1], nil
}

// tenant is a company seen through its admin's token.
type tenant struct {
	companyID int64
	adminID   int64
	token     string
	imports   staffsyncv1connect.ImportServiceClient
}

func (r *benchRun) newTenant(ctx context.Context, name string) (*tenant, error) {
	id, token, err := r.store.CreateCompany(ctx, name, "bench admin")
	if err != nil {
		return nil, err
	}
	p, err := r.store.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	})
	return &tenant{
		companyID: id, adminID: p.AdminID, token: token,
		imports: staffsyncv1connect.NewImportServiceClient(http.DefaultClient, r.apiURL,
			connect.WithInterceptors(auth), connect.WithSendMaxBytes(maxUploadBytes+1<<20)),
	}, nil
}

// upload starts the import through the API, or directly for files over the API's limit.
func (r *benchRun) upload(ctx context.Context, tn *tenant, name string, content []byte, opts *v1.ImportOptions) (string, string, error) {
	if len(content) <= maxUploadBytes {
		// As staffsyncctl uploads: the file streams to the API and on into PostgreSQL.
		im, err := fileupload.Start(ctx, http.DefaultClient, r.apiURL, tn.token, name, bytes.NewReader(content), int64(len(content)), opts)
		if err != nil {
			return "", "", fmt.Errorf("start import: %w", err)
		}
		return im.Id, "", nil
	}
	options := directory.DefaultOptions()
	if opts != nil {
		if opts.DeactivateMissing != nil {
			options.DeactivateMissing = *opts.DeactivateMissing
		}
		if opts.MaxDeactivations != 0 {
			options.MaxDeactivations = int(opts.MaxDeactivations)
		}
		if opts.MaxManagerChanges != 0 {
			options.MaxManagerChanges = int(opts.MaxManagerChanges)
		}
	}
	// Over the upload limit the file would be refused, so its rows are stored the way an HR
	// system sync stores fetched records (the workflow then skips parsing): the bench parses
	// the file itself, and this step's time includes that.
	id, err := r.store.CreateImport(ctx, store.NewImport{CompanyID: tn.companyID, AdminID: tn.adminID, Source: directory.SourceUpload,
		FileName: name, Options: options})
	if err != nil {
		return "", "", err
	}
	reader, err := importfile.Open(bytes.NewReader(content), int64(len(content)), name, importfile.Options{MaxBytes: 1 << 40, MaxRows: 10_000_000})
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", name, err)
	}
	defer reader.Close()
	if _, err := r.store.SaveRows(ctx, tn.companyID, id, reader.Next, reader.Warnings); err != nil {
		return "", "", err
	}
	// Started as api.ImportServer.startWorkflow starts it.
	_, err = r.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflowID(tn.companyID, id),
		TaskQueue: "staffsync",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("StaffsyncCompany").ValueSet(fmt.Sprint(tn.companyID)),
			temporal.NewSearchAttributeKeyKeyword("StaffsyncSource").ValueSet(directory.SourceUpload),
			temporal.NewSearchAttributeKeyKeyword("StaffsyncStatus").ValueSet(string(directory.StatusParsing)),
		),
	}, "Import", struct{ CompanyID, ImportID int64 }{tn.companyID, id})
	if err != nil {
		return "", "", fmt.Errorf("start import workflow: %w", err)
	}
	return fmt.Sprint(id), fmt.Sprintf("over the %d MiB upload limit: rows parsed by the bench and stored as an HR sync stores them; parse is part of this step", maxUploadBytes>>20), nil
}

func workflowID(companyID, importID int64) string {
	return fmt.Sprintf("import/%d/%d", companyID, importID)
}
