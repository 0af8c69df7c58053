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
		name: "people send-welcome-emails", args: "EMAIL... | --not-yet-invited",
		summary: "email people the welcome (set your password) email and deliver it",
		flags:   peopleSendWelcomeEmailsFlags,
	})
}

func peopleSendWelcomeEmailsFlags(fs *flag.FlagSet) commandFunc {
	notYet := fs.Bool("not-yet-invited", false, "everyone active who never got a welcome or password email")
	return func(ctx context.Context, a *app, args []string) error {
		if *notYet == (len(args) > 0) {
			return usagef(a.cmd, "name people by login email or id, or pass --not-yet-invited (not both)")
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.SendWelcomeEmails(ctx, connect.NewRequest(&v1.SendWelcomeEmailsRequest{People: args, NotYetInvited: *notYet}))
		if err != nil {
			return fmt.Errorf("send welcome emails: %w", err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		n := len(m.GetQueued())
		switch {
		case n == 0 && *notYet:
			fmt.Fprintln(a.stdout, "everyone active has been invited already; name people to send them another")
		case n == 0:
			fmt.Fprintln(a.stdout, "no welcome email queued")
		default:
			fmt.Fprintf(a.stdout, "queued %d welcome %s for delivery: %s\n", n, pluralWord(n, "email", "emails"), refList(m.GetQueued()))
		}
		writeWarnings(a.stdout, m.GetWarnings())
		return nil
	}
}
