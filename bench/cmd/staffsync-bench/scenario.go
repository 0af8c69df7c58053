package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	enumspb "go.temporal.io/api/enums/v1"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// statsSettle is how long to wait before reading pg_stat_user_tables: PostgreSQL 15 flushes
// an idle backend's pending counters after up to 10 s.
const statsSettle = 11 * time.Second

// pollEvery is how often the import's status is read while waiting.
const pollEvery = 10 * time.Millisecond

// runScenario uploads content, waits for the preview, approves it and waits until applied,
// measuring each step.
func (r *benchRun) runScenario(ctx context.Context, name string, tn *tenant, file string, content []byte, opts *v1.ImportOptions, check func(*v1.Summary) error) error {
	before, err := r.rowsWritten(ctx)
	if err != nil {
		return err
	}
	if err := r.resetPeaks(); err != nil {
		return err
	}
	t0 := time.Now()
	id, note, err := r.upload(ctx, tn, file, content, opts)
	if err != nil {
		return err
	}
	uploaded := time.Since(t0)
	seen, im, err := r.waitFor(ctx, tn, id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if err != nil {
		return err
	}
	previewed := time.Since(t0)
	if err := check(im.Summary); err != nil {
		return err
	}
	previewWorker, previewAPI, err := r.peaks()
	if err != nil {
		return err
	}
	time.Sleep(statsSettle)
	afterPreview, err := r.rowsWritten(ctx)
	if err != nil {
		return err
	}

	if err := r.resetPeaks(); err != nil {
		return err
	}
	t1 := time.Now()
	if _, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: id, PreviewVersion: im.PreviewVersion})); err != nil {
		return fmt.Errorf("approve: %w", err)
	}
	if _, _, err := r.waitFor(ctx, tn, id, v1.ImportStatus_IMPORT_STATUS_APPLIED); err != nil {
		return err
	}
	applied := time.Since(t1)
	applyWorker, applyAPI, err := r.peaks()
	if err != nil {
		return err
	}
	events, err := r.historyEvents(ctx, tn.companyID, id)
	if err != nil {
		return err
	}
	time.Sleep(statsSettle)
	afterApply, err := r.rowsWritten(ctx)
	if err != nil {
		return err
	}

	parseDone := seen[v1.ImportStatus_IMPORT_STATUS_PREVIEWING]
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	add := func(s step) {
		if r.floor > 0 {
			s.RatioToFloor = s.Seconds / r.floor
		}
		r.results = append(r.results, s)
	}
	add(step{Scenario: name, Step: "upload", Seconds: uploaded.Seconds(), Note: note})
	if parseDone > 0 {
		add(step{Scenario: name, Step: "parse -> previewing", Seconds: parseDone.Seconds()})
		add(step{Scenario: name, Step: "plan + save preview", Seconds: (previewed - uploaded - parseDone).Seconds()})
	}
	add(step{Scenario: name, Step: "upload -> awaiting_approval", Seconds: previewed.Seconds(),
		WorkerPeakMiB: mib(previewWorker), APIPeakMiB: mib(previewAPI),
		RowsWritten: ptr(afterPreview.people - before.people), AllRowsWritten: ptr(afterPreview.all - before.all)})
	add(step{Scenario: name, Step: "approve -> applied", Seconds: applied.Seconds(),
		WorkerPeakMiB: mib(applyWorker), APIPeakMiB: mib(applyAPI),
		RowsWritten: ptr(afterApply.people - afterPreview.people), AllRowsWritten: ptr(afterApply.all - afterPreview.all)})
	add(step{Scenario: name, Step: "upload -> applied", Seconds: (previewed + applied).Seconds(),
		WorkerPeakMiB: mib(max(previewWorker, applyWorker)), APIPeakMiB: mib(max(previewAPI, applyAPI)),
		RowsWritten: ptr(afterApply.people - before.people), AllRowsWritten: ptr(afterApply.all - before.all), HistoryEvents: events})
	r.log.Info("scenario done", "name", name, "preview_s", previewed.Seconds(), "apply_s", applied.Seconds())
	return nil
}

// waitFor polls the import until it reaches want, recording when each status was first seen
// (time since waitFor was called).
func (r *benchRun) waitFor(ctx context.Context, tn *tenant, id string, want v1.ImportStatus) (map[v1.ImportStatus]time.Duration, *v1.Import, error) {
	start := time.Now()
	seen := map[v1.ImportStatus]time.Duration{}
	deadline := start.Add(30 * time.Minute)
	for {
		resp, err := tn.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: id}))
		if err != nil {
			return nil, nil, fmt.Errorf("get import %s: %w", id, err)
		}
		im := resp.Msg.Import
		if _, ok := seen[im.Status]; !ok {
			seen[im.Status] = time.Since(start)
		}
		switch im.Status {
		case want:
			return seen, im, nil
		case v1.ImportStatus_IMPORT_STATUS_FAILED, v1.ImportStatus_IMPORT_STATUS_REJECTED, v1.ImportStatus_IMPORT_STATUS_EXPIRED:
			return nil, nil, fmt.Errorf("import %s ended %v: %s", id, im.Status, im.ErrorMessage)
		}
		if err := r.worker.running(); err != nil {
			return nil, nil, err
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("import %s is still %v after 30 minutes", id, im.Status)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

func (r *benchRun) resetPeaks() error {
	if err := r.worker.resetPeakRSS(); err != nil {
		return err
	}
	return r.api.resetPeakRSS()
}

func (r *benchRun) peaks() (worker, api int64, err error) {
	if worker, err = r.worker.peakRSS(); err != nil {
		return 0, 0, err
	}
	api, err = r.api.peakRSS()
	return worker, api, err
}

type rowCounts struct{ people, all int64 }

// rowsWritten sums inserted, updated and deleted tuples: of people and people_history, and of
// every table.
func (r *benchRun) rowsWritten(ctx context.Context) (rowCounts, error) {
	var c rowCounts
	err := r.stats.QueryRow(ctx, `
		SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del) FILTER (WHERE relname IN ('people', 'people_history')), 0)::bigint,
			coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint
		FROM pg_stat_user_tables`).Scan(&c.people, &c.all)
	if err != nil {
		return c, fmt.Errorf("read pg_stat_user_tables: %w", err)
	}
	return c, nil
}

// historyEvents waits for the import's workflow to finish and counts its history events.
func (r *benchRun) historyEvents(ctx context.Context, companyID int64, importID string) (int, error) {
	var id int64
	if _, err := fmt.Sscan(importID, &id); err != nil {
		return 0, fmt.Errorf("import id %q: %w", importID, err)
	}
	wid := workflowID(companyID, id)
	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := r.temporal.GetWorkflow(waitCtx, wid, "").Get(waitCtx, nil); err != nil {
		return 0, fmt.Errorf("workflow %s: %w", wid, err)
	}
	iter := r.temporal.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for iter.HasNext() {
		if _, err := iter.Next(); err != nil {
			return 0, fmt.Errorf("history of %s: %w", wid, err)
		}
		n++
	}
	return n, nil
}

// printTable writes the results as an aligned text table.
func printTable(w io.Writer, people int, steps []step) {
	fmt.Fprintf(w, "\nstaffsync bench: %d people, %d CPUs, %s\n\n", people, numCPU(), goVersion())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tstep\tseconds\tx floor\tworker MiB\tAPI MiB\tpeople rows\tall rows\thistory events\t")
	for _, s := range steps {
		cell := func(ok bool, format string, v any) string {
			if !ok {
				return ""
			}
			return fmt.Sprintf(format, v)
		}
		rows, all := "", ""
		if s.RowsWritten != nil {
			rows, all = fmt.Sprint(*s.RowsWritten), fmt.Sprint(*s.AllRowsWritten)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.1f\t%s\t%s\t%s\t%s\t%s\t\n", s.Scenario, s.Step, s.Seconds, s.RatioToFloor,
			cell(s.WorkerPeakMiB > 0, "%.0f", s.WorkerPeakMiB), cell(s.APIPeakMiB > 0, "%.0f", s.APIPeakMiB),
			rows, all, cell(s.HistoryEvents > 0, "%d", s.HistoryEvents))
	}
	tw.Flush()
	var notes []string
	for _, s := range steps {
		if s.Note != "" {
			notes = append(notes, s.Scenario+" "+s.Step+": "+s.Note)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\n"+strings.Join(notes, "\n"))
	}
	fmt.Fprintln(w)
}

func numCPU() int       { return runtime.NumCPU() }
func goVersion() string { return runtime.Version() }
