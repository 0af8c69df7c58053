// Command staffsyncctl is the admins' command-line client of the staffsync API: it starts,
// reviews, approves and rejects imports, lists people and exports the directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// globalFlags are accepted before, between and after the command words.
type globalFlags struct {
	addr  string
	token string
	json  bool
}

func defaultAddr(env func(string) string) string {
	if addr := env("STAFFSYNC_ADDR"); addr != "" {
		return addr
	}
	return "http://127.0.0.1:8080"
}

func addGlobalFlags(fs *flag.FlagSet, g *globalFlags) {
	fs.StringVar(&g.addr, "addr", g.addr, "staffsync API address (env STAFFSYNC_ADDR)")
	fs.StringVar(&g.token, "token", g.token, "API token (env STAFFSYNC_TOKEN; default: .staffsync/dev/token of `make dev`)")
	fs.BoolVar(&g.json, "json", g.json, "print JSON instead of text")
}

// command is one leaf of the command tree, e.g. "import start".
type command struct {
	name    string
	args    string
	summary string
	// flags defines the command's own flags and returns a function that runs it with the
	// positional arguments once the flags are parsed.
	flags func(fs *flag.FlagSet) commandFunc
}

var commands = []command{
	{name: "import start", args: "FILE [--wait] [option flags]", summary: "upload a CSV/XLSX file and start its import", flags: importStartFlags},
	{name: "import show", args: "ID", summary: "show an import: status, options, warnings and summary", flags: importShowFlags},
	{name: "import changes", args: "ID [--kind KIND]... [--warnings] [--search S] [--limit N]", summary: "list an import's previewed changes per person", flags: importChangesFlags},
	{name: "import approve", args: "ID [--wait]", summary: "apply the preview you reviewed", flags: importApproveFlags},
	{name: "import reject", args: "ID [--reason TEXT]", summary: "discard a previewed import", flags: importRejectFlags},
	{name: "import list", args: "[--limit N]", summary: "list recent imports, newest first", flags: importListFlags},
	{name: "import revert", args: "ID [--wait]", summary: "undo an import applied in the last 30 days (as a new import to approve)", flags: importRevertFlags},
	{name: "people list", args: "[--status active|deactivated|all] [--department D] [--location L] [--manager EMAIL] [--search S]", summary: "list people of the directory", flags: peopleListFlags},
	{name: "people show", args: "EMAIL", summary: "show a person with managers, reports and integration-owned fields", flags: peopleShowFlags},
	{name: "people update", args: "EMAIL --set FIELD=VALUE [--set ...]", summary: "change fields of a person", flags: peopleUpdateFlags},
	{name: "people deactivate", args: "EMAIL...", summary: "deactivate people (they keep their data and are not billable)", flags: peopleStatusFlags(false)},
	{name: "people reactivate", args: "EMAIL...", summary: "reactivate deactivated people", flags: peopleStatusFlags(true)},
	{name: "people merge", args: "SOURCE DEST [--dry-run]", summary: "merge the SOURCE account into DEST and deactivate SOURCE", flags: peopleMergeFlags},
	{name: "people delete", args: "EMAIL --confirm EMAIL", summary: "erase a deactivated person and all their data", flags: peopleDeleteFlags},
	{name: "people history", args: "EMAIL [--limit N]", summary: "list every change of a person, with import or admin", flags: peopleHistoryFlags},
	{name: "people send-password-emails", args: "[EMAIL...]", summary: "email people a link to set their password (default: everyone who never got one)", flags: peopleSendPasswordEmailsFlags},
	{name: "directory export", args: "[--format csv|xlsx] [--output FILE]", summary: "export the directory as an import file that re-imports with zero changes", flags: exportFlags},
	{name: "template", args: "[--format csv|xlsx] [--output FILE]", summary: "download the import template", flags: templateFlags},
	{name: "cycles list", args: "", summary: "list performance cycles (objectives, review, 360)", flags: cyclesListFlags},
	{name: "cycles create", args: "NAME --kind objectives|review|360 [--open-to-everyone]", summary: "open a cycle", flags: cyclesCreateFlags},
	{name: "cycles add-people", args: "ID EMAIL...", summary: "add active people to an open cycle, with their manager as reviewer", flags: cyclesAddPeopleFlags},
	{name: "cycles reset-reviewers", args: "ID", summary: "set a review cycle's reviewers to the current managers", flags: cyclesResetReviewersFlags},
}

// commandFunc runs a command with its positional arguments.
type commandFunc func(ctx context.Context, a *app, args []string) error

// usageError is a mistake on the command line: exit 2 with help.
type usageError struct {
	msg string
	cmd *command
	// group is set when a group word like "import" came without its subcommand.
	group string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd *command, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), cmd: cmd}
}

// run is the whole command: it parses args, talks to the API and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	a := &app{
		stdout: stdout, stderr: stderr, env: env,
		global:       globalFlags{addr: defaultAddr(env)},
		pollInterval: 300 * time.Millisecond,
		location:     time.Local,
	}
	if tz := env("TZ"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			a.location = loc
		}
	}
	err := a.dispatch(ctx, args)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "staffsyncctl: %s\n\n", ue.msg)
		switch {
		case ue.cmd != nil:
			printCommandHelp(stderr, ue.cmd)
		case ue.group != "":
			printGroupHelp(stderr, ue.group)
		default:
			printHelp(stderr)
		}
		return exitUsage
	default:
		fmt.Fprintf(stderr, "staffsyncctl: %s\n", a.describeError(err))
		return exitError
	}
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	var words []string
	rest := args
	// The command words may be separated by global flags: parse up to each word in turn.
	for len(words) < 2 {
		fs := flag.NewFlagSet("staffsyncctl", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		addGlobalFlags(fs, &a.global)
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				if len(words) > 0 {
					printGroupHelp(a.stdout, words[0])
				} else {
					printHelp(a.stdout)
				}
				return flag.ErrHelp
			}
			return usagef(nil, "%v", err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		words = append(words, rest[0])
		rest = rest[1:]
		if !hasGroup(words[0]) {
			break
		}
	}
	if len(words) == 0 {
		return usagef(nil, "missing command")
	}
	if words[0] == "help" {
		printHelp(a.stdout)
		return nil
	}
	name := strings.Join(words, " ")
	cmd := findCommand(name)
	if cmd == nil {
		if len(words) == 1 && hasGroup(words[0]) {
			return &usageError{msg: fmt.Sprintf("%q needs a subcommand: %s", words[0], strings.Join(groupCommands(words[0]), ", ")), group: words[0]}
		}
		return usagef(nil, "unknown command %q", name)
	}
	fs := flag.NewFlagSet("staffsyncctl "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, &a.global)
	runCmd := cmd.flags(fs)
	positional, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(a.stdout, cmd)
			return flag.ErrHelp
		}
		return usagef(cmd, "%v", err)
	}
	a.cmd = cmd
	a.flags = fs
	return runCmd(ctx, a, positional)
}

// parseInterspersed parses flags that may come before, between or after the positional
// arguments, which the flag package alone stops at; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		remaining := fs.Args()
		consumed := args[:len(args)-len(remaining)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, remaining...), nil
		}
		if len(remaining) == 0 {
			return positional, nil
		}
		positional = append(positional, remaining[0])
		args = remaining[1:]
	}
}

func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func hasGroup(word string) bool { return len(groupCommands(word)) > 0 }

func groupCommands(word string) []string {
	var names []string
	for _, c := range commands {
		if group, sub, ok := strings.Cut(c.name, " "); ok && group == word {
			names = append(names, sub)
		}
	}
	return names
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `staffsyncctl talks to the staffsync API.

Usage: staffsyncctl [global flags] COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags (anywhere on the line):
  --addr URL     staffsync API address (env STAFFSYNC_ADDR, default http://127.0.0.1:8080)
  --token TOKEN  API token (env STAFFSYNC_TOKEN; default: .staffsync/dev/token written by 'make dev')
  --json         print JSON instead of text

Run 'staffsyncctl COMMAND --help' for a command's flags.
`)
}

func printGroupHelp(w io.Writer, group string) {
	cmdNames := groupCommands(group)
	if len(cmdNames) == 0 {
		printHelp(w)
		return
	}
	fmt.Fprintf(w, "Usage: staffsyncctl %s SUBCOMMAND\n\nSubcommands:\n", group)
	for _, sub := range cmdNames {
		c := findCommand(group + " " + sub)
		fmt.Fprintf(w, "  %-10s %s\n", sub, c.summary)
	}
}

func printCommandHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: staffsyncctl %s %s\n\n%s.\n", cmd.name, cmd.args, upperFirst(cmd.summary))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.flags(fs)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprint(w, "\nFlags:\n")
	}
	for _, name := range names {
		f := fs.Lookup(name)
		valueName, usage := flag.UnquoteUsage(f)
		line := "  --" + name
		if valueName != "" {
			line += " " + valueName
		}
		fmt.Fprintf(w, "%-42s %s", line, usage)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
	if cmd.name == "import start" {
		fmt.Fprint(w, "\nOnly the options you set are sent; the others take the server's defaults. Turn a\ndefault-on option off with --option=false, e.g. --update-existing-core-fields=false.\n")
	}
	fmt.Fprint(w, "\nGlobal flags: --addr URL, --token TOKEN, --json (see 'staffsyncctl help').\n")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
