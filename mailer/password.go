package mailer

import (
	"fmt"
	"strings"
)

// Recipient is a new person invited to set their password.
type Recipient struct {
	FirstName     string
	PreferredName string
	Gender        string
	Email         string
	// AltEmail, when set, receives the email instead of the login email (people who cannot
	// read their work mailbox yet).
	AltEmail    string
	CompanyName string
}

// Pronouns derives the pronouns shown in notifications from the Gender field (M, F, N).
func Pronouns(gender string) string {
	switch strings.ToUpper(strings.TrimSpace(gender)) {
	case "M", "MALE":
		return "he/him"
	case "F", "FEMALE":
		return "she/her"
	}
	return "they/them"
}

// PasswordEmail writes the email that invites a new person to set their password at signInURL.
func PasswordEmail(r Recipient, signInURL string) (to, subject, body string) {
	to = r.Email
	if r.AltEmail != "" {
		to = r.AltEmail
	}
	name := r.PreferredName
	if name == "" {
		name = r.FirstName
	}
	company := r.CompanyName
	if company == "" {
		company = "your company"
	}
	subject = fmt.Sprintf("Welcome to %s's people directory: set your password", company)
	body = fmt.Sprintf(`Hi %s,

%s added you to its people directory. Your login email is %s.

Set your password to sign in:
%s

Your profile shows the pronouns %s; you can change them on your profile page.
`, name, company, r.Email, signInURL, Pronouns(r.Gender))
	return to, subject, body
}
