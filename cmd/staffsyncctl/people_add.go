package main

import (
	"context"
	"flag"
	"fmt"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func init() {
	commands = append(commands, command{
		name: "people add", args: "--first-name NAME --last-name NAME --email EMAIL [--manager EMAIL] [--set FIELD=VALUE]... [--no-welcome-email]",
		summary: "add one person (checked and recorded like an import) and send the welcome email",
		flags:   peopleAddFlags,
	})
}

func peopleAddFlags(fs *flag.FlagSet) commandFunc {
	first := fs.String("first-name", "", "first name (required)")
	last := fs.String("last-name", "", "last name (required)")
	email := fs.String("email", "", "login email (required)")
	manager := fs.String("manager", "", "the manager's login `EMAIL`")
	noWelcome := fs.Bool("no-welcome-email", false, "do not send the welcome email now (send it later with `people send-welcome-emails`)")
	var extra fieldAssignments
	fs.Var(&extra, "set", "another template field, `FIELD=VALUE` (e.g. title=Engineer); repeatable")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		if *first == "" || *last == "" || *email == "" {
			return usagef(a.cmd, "--first-name, --last-name and --email are required")
		}
		fields := []*v1.FieldValue{
			{Field: "first_name", Value: *first}, {Field: "last_name", Value: *last}, {Field: "email", Value: *email},
		}
		if *manager != "" {
			fields = append(fields, &v1.FieldValue{Field: "manager_email", Value: *manager})
		}
		fields = append(fields, extra...)
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.AddPerson(ctx, connect.NewRequest(&v1.AddPersonRequest{Fields: fields, SendWelcomeEmail: !*noWelcome}))
		if err != nil {
			return fmt.Errorf("add person: %w", err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		p := m.GetPerson()
		fmt.Fprintf(a.stdout, "added %s <%s> (id %s) with import %s\n", personName(p), p.GetEmail(), p.GetId(), m.GetImportId())
		if m.GetWelcomeEmailQueued() {
			fmt.Fprintln(a.stdout, "the welcome email is on its way")
		} else {
			fmt.Fprintf(a.stdout, "no welcome email sent; send it with `staffsyncctl people send-welcome-emails %s`\n", p.GetEmail())
		}
		writeWarnings(a.stdout, m.GetWarnings())
		return nil
	}
}
