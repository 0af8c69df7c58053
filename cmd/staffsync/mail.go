package main

import (
	"os"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/mailer"
)

// devMailLog is set by `staffsync dev`: emails are appended to this file instead of sent.
var devMailLog string

// configureMail sets how the worker delivers emails: SMTP_URL when set, the dev mail log in
// `staffsync dev`, otherwise not at all (emails stay queued in the outbox until SMTP_URL is
// configured). STAFFSYNC_SIGN_IN_URL is the link password emails carry.
func configureMail(acts *activities.Activities) error {
	acts.SignInURL = os.Getenv("STAFFSYNC_SIGN_IN_URL")
	switch {
	case os.Getenv("SMTP_URL") != "":
		sender, err := mailer.NewSMTP(os.Getenv("SMTP_URL"))
		if err != nil {
			return err
		}
		acts.Mailer = sender
	case devMailLog != "":
		acts.Mailer = &mailer.LogFile{Path: devMailLog}
	}
	return nil
}
