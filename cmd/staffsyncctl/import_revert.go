package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func importRevertFlags(fs *flag.FlagSet) commandFunc {
	wait := fs.Bool("wait", false, "wait for the preview and print its summary")
	check := fs.Bool("check", false, "only say what the revert would keep and which HR-owned fields it sets; start nothing")
	pause := fs.Bool("pause-integrations", false, "pause the HR integrations that own fields the revert sets, so they do not set them again")
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.connectForImport(args, "ID of the applied import to undo")
		if err != nil {
			return err
		}
		resp, err := a.imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: id, CheckOnly: *check, PauseIntegrations: *pause}))
		if err != nil {
			return fmt.Errorf("revert import %s: %w", id, err)
		}
		m := resp.Msg
		if a.global.json && m.GetCheckOnly() {
			return writeProtoJSON(a.stdout, m)
		}
		if !a.global.json {
			// Without --check the id alone goes to standard output (id=$(... import revert N)).
			out := a.stderr
			if m.GetCheckOnly() {
				out = a.stdout
			}
			writeRevertReport(out, m, id)
		}
		if m.GetCheckOnly() {
			return nil
		}
		return a.reportNewImport(ctx, m.GetImport(), *wait)
	}
}

// writeRevertReport lists what a revert keeps and what the HR system would set again.
func writeRevertReport(w io.Writer, m *v1.RevertImportResponse, id string) {
	if m.GetCheckOnly() {
		fmt.Fprintf(w, "Reverting import %s would keep %d %s changed since:\n", id, m.GetKeptFields(), pluralWord(int(m.GetKeptFields()), "field", "fields"))
	} else if m.GetKeptFields() > 0 {
		fmt.Fprintf(w, "Kept %d %s changed since the import:\n", m.GetKeptFields(), pluralWord(int(m.GetKeptFields()), "field", "fields"))
	}
	for _, k := range m.GetKept() {
		fmt.Fprintf(w, "  %s: %s stays %q (changed by %s)\n", k.GetPerson().GetEmail(), fieldHeader(k.GetField()), k.GetCurrent(), orDash(k.GetChangedBy()))
	}
	if msg := m.GetHrOwnedMessage(); msg != "" {
		fmt.Fprintln(w, "!! "+msg)
		if !m.GetCheckOnly() && len(m.GetPausedIntegrationIds()) == 0 {
			fmt.Fprintf(w, "!! Pause with `staffsyncctl integrations pause ID`, or revert with --pause-integrations.\n")
		}
	}
	for _, pid := range m.GetPausedIntegrationIds() {
		fmt.Fprintf(w, "paused integration %s; resume it with `staffsyncctl integrations resume %s` once the HR system agrees\n", pid, pid)
	}
	if m.GetSkippedPeople() > 0 {
		fmt.Fprintf(w, "%d %s deleted since %s skipped\n", m.GetSkippedPeople(), pluralWord(int(m.GetSkippedPeople()), "person", "people"), pluralWord(int(m.GetSkippedPeople()), "is", "are"))
	}
}
