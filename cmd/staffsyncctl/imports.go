package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// maxUploadBytes mirrors the API's limit so a too-big file is refused before it is sent.
const maxUploadBytes = 50 << 20

// boolOption is one optional boolean of ImportOptions and its command-line flag.
type boolOption struct {
	flag  string
	usage string
	def   func(directory.Options) bool
	field func(*v1.ImportOptions) **bool
}

var boolOptions = []boolOption{
	{"send-password-emails", "email new people a link to set their password (to alt_email if set)",
		func(o directory.Options) bool { return o.SendPasswordEmails },
		func(o *v1.ImportOptions) **bool { return &o.SendPasswordEmails }},
	{"update-existing-core-fields", "update the fields of people who already exist, except managers",
		func(o directory.Options) bool { return o.UpdateExistingCoreFields },
		func(o *v1.ImportOptions) **bool { return &o.UpdateExistingCoreFields }},
	{"update-managers-of-existing", "update the manager and secondary manager of people who already exist",
		func(o directory.Options) bool { return o.UpdateManagersOfExisting },
		func(o *v1.ImportOptions) **bool { return &o.UpdateManagersOfExisting }},
	{"set-managers-of-new", "give new people the managers from the file",
		func(o directory.Options) bool { return o.SetManagersOfNew },
		func(o *v1.ImportOptions) **bool { return &o.SetManagersOfNew }},
	{"deactivate-missing", "deactivate active people who are not in the file",
		func(o directory.Options) bool { return o.DeactivateMissing },
		func(o *v1.ImportOptions) **bool { return &o.DeactivateMissing }},
	{"reactivate-matching", "reactivate deactivated people who appear in the file",
		func(o directory.Options) bool { return o.ReactivateMatching },
		func(o *v1.ImportOptions) **bool { return &o.ReactivateMatching }},
	{"add-new-to-open-review-cycles", "add new people to open performance review / 360 cycles",
		func(o directory.Options) bool { return o.AddNewToOpenReviewCycles },
		func(o *v1.ImportOptions) **bool { return &o.AddNewToOpenReviewCycles }},
	{"reset-reviewers-after-manager-change", "reset reviewers in open review cycles to the new manager",
		func(o directory.Options) bool { return o.ResetReviewersAfterManagerChange },
		func(o *v1.ImportOptions) **bool { return &o.ResetReviewersAfterManagerChange }},
	{"require-second-approver", "another admin than you must approve this import",
		func(o directory.Options) bool { return o.RequireSecondApprover },
		func(o *v1.ImportOptions) **bool { return &o.RequireSecondApprover }},
}

var delimiters = []string{"auto", "comma", "semicolon", "tab"}

// addImportOptionFlags defines one flag per import option. Their defaults only document the
// server's defaults: importOptions sends just the flags the admin set.
func addImportOptionFlags(fs *flag.FlagSet) {
	defaults := directory.DefaultOptions()
	for _, o := range boolOptions {
		fs.Bool(o.flag, o.def(defaults), o.usage)
	}
	fs.String("delimiter", string(defaults.Delimiter), "CSV `DELIMITER`: "+strings.Join(delimiters, ", "))
	fs.String("sheet", "", "XLSX worksheet `NAME` to read (default: the first sheet)")
	fs.Int("max-deactivations", 0, "safety guard: most `N` deactivations before approval is required (0: server default, negative: no limit)")
	fs.Int("max-manager-changes", 0, "safety guard: most `N` manager changes before approval is required (0: server default, negative: no limit)")
	fs.Duration("approval-timeout", 0, "the import expires when nobody approves it within `DURATION`, e.g. 72h (default 168h)")
}

// importOptions builds ImportOptions from the option flags the admin set; nil when none was,
// so the server applies its defaults.
func importOptions(fs *flag.FlagSet) (*v1.ImportOptions, error) {
	opts := &v1.ImportOptions{}
	set := false
	var err error
	fs.Visit(func(f *flag.Flag) {
		getter, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		for _, o := range boolOptions {
			if o.flag == f.Name {
				v := getter.Get().(bool)
				*o.field(opts) = &v
				set = true
				return
			}
		}
		switch f.Name {
		case "delimiter":
			d := strings.ToLower(f.Value.String())
			if !contains(delimiters, d) {
				err = fmt.Errorf("unknown delimiter %q: use %s", f.Value.String(), strings.Join(delimiters, ", "))
				return
			}
			opts.Delimiter, set = d, true
		case "sheet":
			opts.Sheet, set = f.Value.String(), true
		case "approval-timeout":
			opts.ApprovalTimeout, set = durationpb.New(getter.Get().(time.Duration)), true
		case "max-deactivations", "max-manager-changes":
			n := getter.Get().(int)
			if n > math.MaxInt32 || n < math.MinInt32 {
				err = fmt.Errorf("--%s %d is out of range", f.Name, n)
				return
			}
			if f.Name == "max-deactivations" {
				opts.MaxDeactivations = int32(n)
			} else {
				opts.MaxManagerChanges = int32(n)
			}
			set = true
		}
	})
	if err != nil || !set {
		return nil, err
	}
	return opts, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// oneArg checks that exactly one positional argument was given.
func (a *app) oneArg(args []string, what string) (string, error) {
	switch {
	case len(args) == 0:
		return "", usagef(a.cmd, "missing %s", what)
	case len(args) > 1:
		return "", usagef(a.cmd, "too many arguments: %s (expected only the %s)", strings.Join(args[1:], " "), what)
	}
	return args[0], nil
}

func (a *app) noArgs(args []string) error {
	if len(args) > 0 {
		return usagef(a.cmd, "unexpected argument %q", args[0])
	}
	return nil
}

func importStartFlags(fs *flag.FlagSet) commandFunc {
	wait := fs.Bool("wait", false, "wait for the preview and print its summary")
	addImportOptionFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		path, err := a.oneArg(args, "FILE to import")
		if err != nil {
			return err
		}
		opts, err := importOptions(fs)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("cannot read the file to import: %w", err)
		}
		if info.Size() > maxUploadBytes {
			return fmt.Errorf("%s is %d MiB; the limit is %d MiB. Split it or remove unused columns", path, info.Size()>>20, maxUploadBytes>>20)
		}
		file, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("cannot read the file to import: %w", err)
		}
		defer file.Close()
		if err := a.connect(); err != nil {
			return err
		}
		// The file streams to the API; it is never read into memory here.
		im, err := a.upload(ctx, filepath.Base(path), file, info.Size(), opts)
		if err != nil {
			return fmt.Errorf("start import: %w", err)
		}
		return a.reportNewImport(ctx, im, *wait)
	}
}

// reportNewImport prints a just-created import (an upload or a revert): its id, or with wait
// its preview once ready. A failed import is an error so scripts see exit status 1.
func (a *app) reportNewImport(ctx context.Context, im *v1.Import, wait bool) error {
	if !wait {
		if a.global.json {
			return writeJSON(a.stdout, toImportJSON(im))
		}
		fmt.Fprintln(a.stdout, im.GetId())
		return nil
	}
	im, err := a.waitForImport(ctx, im, previewDone)
	if err != nil {
		return err
	}
	if err := a.printImport(im); err != nil {
		return err
	}
	if im.GetStatus() == v1.ImportStatus_IMPORT_STATUS_FAILED {
		return fmt.Errorf("import %s failed: %s", im.GetId(), orDefault(im.GetErrorMessage(), "no reason given"))
	}
	return nil
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// previewDone reports whether an import has left parsing and previewing.
func previewDone(im *v1.Import) bool {
	switch im.GetStatus() {
	case v1.ImportStatus_IMPORT_STATUS_UNSPECIFIED, v1.ImportStatus_IMPORT_STATUS_PARSING, v1.ImportStatus_IMPORT_STATUS_PREVIEWING:
		return false
	}
	return true
}

// waitForImport follows an import until done says so: through WatchImport, or by polling
// GetImport when the stream is not available or breaks.
func (a *app) waitForImport(ctx context.Context, im *v1.Import, done func(*v1.Import) bool) (*v1.Import, error) {
	var prog *progress
	if !a.global.json {
		prog = newProgress(a.stdout)
	}
	defer prog.finish()
	prog.show(progressLine(im))
	if done(im) {
		return im, nil
	}
	id := im.GetId()
	stream, err := a.imports.WatchImport(ctx, connect.NewRequest(&v1.WatchImportRequest{ImportId: id}))
	if err == nil {
		for stream.Receive() {
			im = stream.Msg().GetImport()
			prog.show(progressLine(im))
			if done(im) {
				_ = stream.Close()
				return im, nil
			}
		}
		_ = stream.Close()
	}
	if ctx.Err() != nil {
		return nil, stoppedWaiting(id, ctx.Err())
	}
	// The stream failed or ended early: polling gives the same answer, only later.
	ticker := time.NewTicker(a.pollInterval)
	defer ticker.Stop()
	for {
		resp, err := a.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: id}))
		if err != nil {
			return nil, fmt.Errorf("follow import %s: %w", id, err)
		}
		im = resp.Msg.GetImport()
		prog.show(progressLine(im))
		if done(im) {
			return im, nil
		}
		select {
		case <-ctx.Done():
			return nil, stoppedWaiting(id, ctx.Err())
		case <-ticker.C:
		}
	}
}

// stoppedWaiting explains that only the waiting stopped, not the import.
func stoppedWaiting(id string, err error) error {
	return fmt.Errorf("stopped waiting for import %s; it goes on on the server, see it with `staffsyncctl import show %s` (%w)", id, id, err)
}

func progressLine(im *v1.Import) string {
	line := fmt.Sprintf("import %s: %s", im.GetId(), statusText(im.GetStatus()))
	if n := im.GetRowsTotal(); n > 0 {
		line += fmt.Sprintf(" (%d rows)", n)
	}
	return line + progressBar(im)
}

// progressBarWidth is the number of cells of the progress bar.
const progressBarWidth = 20

// progressBar shows how far the running step is, e.g. " applying [#####---------------] 25%
// 12500/50000", or ", 15000 rows so far" while the total is unknown. It is empty once the import
// waits or has ended.
func progressBar(im *v1.Import) string {
	switch im.GetStatus() {
	case v1.ImportStatus_IMPORT_STATUS_PARSING, v1.ImportStatus_IMPORT_STATUS_PREVIEWING, v1.ImportStatus_IMPORT_STATUS_APPLYING:
	default:
		return ""
	}
	phase, done, total := im.GetProgressPhase(), im.GetRowsProcessed(), im.GetProgressTotal()
	switch {
	case phase == "":
		return ""
	case total <= 0:
		return fmt.Sprintf(", %d rows so far", done)
	}
	done = min(done, total)
	filled := int(done * progressBarWidth / total)
	return fmt.Sprintf(" %s [%s%s] %3d%% %d/%d", phase, strings.Repeat("#", filled), strings.Repeat("-", progressBarWidth-filled),
		done*100/total, done, total)
}

func importChangesFlags(fs *flag.FlagSet) commandFunc {
	var kinds kindList
	fs.Var(&kinds, "kind", "only changes of this `KIND` (new, updated, unchanged, deactivated, reactivated, error); repeat for several")
	warnings := fs.Bool("warnings", false, "only rows with warnings")
	search := fs.String("search", "", "only people whose name or email contains `TEXT`")
	limit := fs.Int("limit", 0, "print at most `N` changes (0: all)")
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.oneArg(args, "import ID")
		if err != nil {
			return err
		}
		if *limit < 0 {
			return usagef(a.cmd, "--limit must be 0 (all) or more, not %d", *limit)
		}
		if err := a.connect(); err != nil {
			return err
		}
		changes, total, err := a.listChanges(ctx, &v1.ListChangesRequest{
			ImportId: id, Kinds: kinds, HasWarnings: *warnings, Search: *search,
		}, *limit)
		if err != nil {
			return err
		}
		if a.global.json {
			out := make([]changeJSON, 0, len(changes))
			for _, c := range changes {
				out = append(out, toChangeJSON(c))
			}
			return writeJSON(a.stdout, out)
		}
		im, err := a.getImport(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, summaryBar(im.GetSummary()))
		fmt.Fprintln(a.stdout)
		writeChangesTable(a.stdout, changes)
		if int64(len(changes)) < total {
			fmt.Fprintf(a.stdout, "\nshowing %d of %d changes\n", len(changes), total)
		}
		return nil
	}
}

// listChanges fetches every page of ListChanges, or pages until limit changes (0: no limit).
func (a *app) listChanges(ctx context.Context, req *v1.ListChangesRequest, limit int) ([]*v1.Change, int64, error) {
	const pageSize = 500
	var changes []*v1.Change
	var total int64
	for {
		req.PageSize = pageSize
		if remaining := limit - len(changes); limit > 0 && remaining < pageSize {
			req.PageSize = int32(remaining)
		}
		resp, err := a.imports.ListChanges(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, 0, fmt.Errorf("list changes of import %s: %w", req.ImportId, err)
		}
		changes = append(changes, resp.Msg.GetChanges()...)
		total = resp.Msg.GetTotal()
		if limit > 0 && len(changes) >= limit {
			return changes[:limit], total, nil
		}
		if resp.Msg.GetNextPageToken() == "" {
			return changes, total, nil
		}
		req.PageToken = resp.Msg.GetNextPageToken()
	}
}

// kindList collects repeated --kind flags; "new,updated" works too.
type kindList []v1.ChangeKind

func (k *kindList) String() string {
	words := make([]string, len(*k))
	for i, kind := range *k {
		words[i] = kindWord(kind)
	}
	return strings.Join(words, ",")
}

func (k *kindList) Set(value string) error {
	for _, word := range strings.Split(value, ",") {
		word = strings.ToLower(strings.TrimSpace(word))
		found := false
		for _, kind := range changeKinds {
			if kindWord(kind) == word {
				*k = append(*k, kind)
				found = true
			}
		}
		if !found {
			names := make([]string, len(changeKinds))
			for i, kind := range changeKinds {
				names[i] = kindWord(kind)
			}
			return fmt.Errorf("unknown kind %q: use %s", word, strings.Join(names, ", "))
		}
	}
	return nil
}

func importApproveFlags(fs *flag.FlagSet) commandFunc {
	wait := fs.Bool("wait", false, "wait until the import is applied and print its summary")
	return func(ctx context.Context, a *app, args []string) error {
		id, im, err := a.readImport(ctx, args)
		if err != nil {
			return err
		}
		// Approve exactly the preview we read: if it was recomputed since, the server refuses.
		version := im.GetPreviewVersion()
		resp, err := a.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: id, PreviewVersion: version}))
		if err != nil {
			return fmt.Errorf("approve import %s: %w", id, err)
		}
		im = resp.Msg.GetImport()
		if !*wait {
			if a.global.json {
				return writeJSON(a.stdout, toImportJSON(im))
			}
			fmt.Fprintf(a.stdout, "import %s approved (preview version %d): %s\n", id, version, statusText(im.GetStatus()))
			return nil
		}
		im, err = a.waitForImport(ctx, im, applyDone)
		if err != nil {
			return err
		}
		if err := a.printImport(im); err != nil {
			return err
		}
		switch im.GetStatus() {
		case v1.ImportStatus_IMPORT_STATUS_APPLIED:
			return nil
		case v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL:
			if im.GetPreviewVersion() != version {
				return fmt.Errorf("import %s was not applied: the directory changed after the preview, so it was previewed again (version %d). Review it with `staffsyncctl import changes %s` and approve again", id, im.GetPreviewVersion(), id)
			}
			return fmt.Errorf("import %s was not applied and is awaiting approval again; approve it again", id)
		case v1.ImportStatus_IMPORT_STATUS_FAILED:
			return fmt.Errorf("import %s failed: %s", id, orDefault(im.GetErrorMessage(), "no reason given"))
		}
		return fmt.Errorf("import %s was not applied: it is %s", id, statusText(im.GetStatus()))
	}
}

// applyDone reports whether an approved import has been applied or will not be: it failed,
// ended, or awaits approval again because the directory changed and it was previewed again.
func applyDone(im *v1.Import) bool {
	switch im.GetStatus() {
	case v1.ImportStatus_IMPORT_STATUS_APPLIED, v1.ImportStatus_IMPORT_STATUS_FAILED,
		v1.ImportStatus_IMPORT_STATUS_REJECTED, v1.ImportStatus_IMPORT_STATUS_EXPIRED,
		v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL:
		return true
	}
	return false
}

func importRejectFlags(fs *flag.FlagSet) commandFunc {
	reason := fs.String("reason", "", "why the import is rejected (kept in the history)")
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.connectForImport(args, "import ID")
		if err != nil {
			return err
		}
		resp, err := a.imports.RejectImport(ctx, connect.NewRequest(&v1.RejectImportRequest{ImportId: id, Reason: *reason}))
		if err != nil {
			return fmt.Errorf("reject import %s: %w", id, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, toImportJSON(resp.Msg.GetImport()))
		}
		fmt.Fprintf(a.stdout, "import %s rejected; nothing was changed\n", id)
		return nil
	}
}

func importListFlags(fs *flag.FlagSet) commandFunc {
	limit := fs.Int("limit", 50, "list at most `N` imports (0: all)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		if *limit < 0 {
			return usagef(a.cmd, "--limit must be 0 (all) or more, not %d", *limit)
		}
		if err := a.connect(); err != nil {
			return err
		}
		var imports []*v1.Import
		req := &v1.ListImportsRequest{PageSize: 200}
		for {
			resp, err := a.imports.ListImports(ctx, connect.NewRequest(req))
			if err != nil {
				return fmt.Errorf("list imports: %w", err)
			}
			imports = append(imports, resp.Msg.GetImports()...)
			if *limit > 0 && len(imports) >= *limit {
				imports = imports[:*limit]
				break
			}
			if resp.Msg.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.Msg.GetNextPageToken()
		}
		if a.global.json {
			out := make([]importJSON, 0, len(imports))
			for _, im := range imports {
				out = append(out, toImportJSON(im))
			}
			return writeJSON(a.stdout, out)
		}
		if len(imports) == 0 {
			fmt.Fprintln(a.stdout, "no imports yet: start one with `staffsyncctl import start FILE`")
			return nil
		}
		t := &table{header: []string{"ID", "STATUS", "SOURCE", "FILE", "CREATED", "WHO", "COUNTS"}}
		for _, im := range imports {
			t.add([]string{
				im.GetId(), statusText(im.GetStatus()), orDash(im.GetSource()), orDash(im.GetFileName()),
				a.formatTime(im.GetCreatedAt()), orDash(im.GetCreatedBy()), shortCounts(im.GetSummary()),
			})
		}
		t.write(a.stdout)
		return nil
	}
}

// guardLimit describes a safety guard option: 0 is the server's default, negative is off.
func guardLimit(n int32) string {
	switch {
	case n == 0:
		return "default"
	case n < 0:
		return "off"
	}
	return strconv.Itoa(int(n))
}
