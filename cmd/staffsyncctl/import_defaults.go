package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func init() {
	commands = append(commands, command{
		name: "import defaults", args: "show | set [option flags] [--reset]",
		summary: "show or change the company's import configuration (the options uploads use when they name none); set changes only the flags given",
		flags:   importDefaultsFlags,
	})
}

func importDefaultsFlags(fs *flag.FlagSet) commandFunc {
	addImportOptionFlags(fs)
	reset := fs.Bool("reset", false, "set: start from the built-in defaults instead of the saved configuration")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 1 || (args[0] != "show" && args[0] != "set") {
			return usagef(a.cmd, "say show or set")
		}
		changes, err := importOptions(fs)
		if err != nil {
			return usagef(a.cmd, "%v", err)
		}
		if args[0] == "show" {
			if changes != nil || *reset {
				return usagef(a.cmd, "option flags go with set, not show")
			}
			if err := a.connect(); err != nil {
				return err
			}
			resp, err := a.imports.GetImportDefaults(ctx, connect.NewRequest(&v1.GetImportDefaultsRequest{}))
			if err != nil {
				return fmt.Errorf("get import defaults: %w", err)
			}
			return a.printImportDefaults(resp.Msg.GetDefaults())
		}
		if changes.GetSheet() != "" {
			return usagef(a.cmd, "--sheet belongs to one file; give it with `import start`")
		}
		if changes == nil && !*reset {
			return usagef(a.cmd, "give the options to change (e.g. --deactivate-missing=false) or --reset")
		}
		if err := a.connect(); err != nil {
			return err
		}
		options := &v1.ImportOptions{}
		if !*reset {
			resp, err := a.imports.GetImportDefaults(ctx, connect.NewRequest(&v1.GetImportDefaultsRequest{}))
			if err != nil {
				return fmt.Errorf("get import defaults: %w", err)
			}
			options = resp.Msg.GetDefaults().GetOptions()
		}
		if changes != nil {
			proto.Merge(options, changes)
		}
		resp, err := a.imports.UpdateImportDefaults(ctx, connect.NewRequest(&v1.UpdateImportDefaultsRequest{Options: options}))
		if err != nil {
			return fmt.Errorf("update import defaults: %w", err)
		}
		return a.printImportDefaults(resp.Msg.GetDefaults())
	}
}

func (a *app) printImportDefaults(d *v1.ImportDefaults) error {
	if a.global.json {
		return writeProtoJSON(a.stdout, d)
	}
	writeImportDefaultsText(a.stdout, d, a.formatTime(d.GetUpdatedAt()))
	return nil
}

func writeImportDefaultsText(w io.Writer, d *v1.ImportDefaults, updatedAt string) {
	if d.GetSaved() {
		fmt.Fprintf(w, "Import configuration, saved %s by %s:\n", updatedAt, orDash(d.GetUpdatedBy()))
	} else {
		fmt.Fprintln(w, "Import configuration: the built-in defaults (none saved yet):")
	}
	for _, line := range optionLines(d.GetOptions()) {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintln(w, "\nUploads without option flags use these; a flag given with `import start` wins for that import.")
	fmt.Fprintln(w, "Change them with `staffsyncctl import defaults set --deactivate-missing=false` (any option flag).")
}
