package main

import (
	"context"
	"flag"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

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
		nobody := "no welcome email queued"
		if *notYet {
			nobody = "everyone active has been invited already; name people to send them another"
		}
		return a.writeQueuedEmails(resp.Msg, "welcome", nobody)
	}
}

// queuedEmails is an answer that queued emails for people.
type queuedEmails interface {
	proto.Message
	GetQueued() []*v1.PersonRef
	GetWarnings() []string
}

// writeQueuedEmails prints who got an email of kind queued, or nobody when none was.
func (a *app) writeQueuedEmails(m queuedEmails, kind, nobody string) error {
	if a.global.json {
		return writeProtoJSON(a.stdout, m)
	}
	if n := len(m.GetQueued()); n == 0 {
		fmt.Fprintln(a.stdout, nobody)
	} else {
		fmt.Fprintf(a.stdout, "queued %d %s %s for delivery: %s\n", n, kind, pluralWord(n, "email", "emails"), refList(m.GetQueued()))
	}
	writeWarnings(a.stdout, m.GetWarnings())
	return nil
}
