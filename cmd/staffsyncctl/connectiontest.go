package main

import (
	"fmt"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// testResultJSON is `integrations test --json`: people and fields only for HR systems.
type testResultJSON struct {
	OK       bool              `json:"ok"`
	Message  string            `json:"message"`
	People   *int32            `json:"people,omitempty"`
	Fields   []fieldAccessJSON `json:"fields,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}

type fieldAccessJSON struct {
	Name     string `json:"name"`
	Readable bool   `json:"readable"`
}

// writeTestResult prints a connection test: the message, then for HR systems each field a
// sync depends on as readable or not, and the warnings. A failed test is an error (exit 1).
func (a *app) writeTestResult(r *v1.TestConnectionResponse) error {
	if a.global.json {
		out := testResultJSON{OK: r.GetOk(), Message: r.GetMessage(), Warnings: r.GetWarnings()}
		if r.GetPeopleKnown() {
			n := r.GetPeople()
			out.People = &n
		}
		for _, f := range r.GetFields() {
			out.Fields = append(out.Fields, fieldAccessJSON{Name: f.GetName(), Readable: f.GetReadable()})
		}
		return writeJSON(a.stdout, out)
	}
	if !r.GetOk() {
		return fmt.Errorf("connection test failed: %s", r.GetMessage())
	}
	fmt.Fprintf(a.stdout, "ok: %s\n", r.GetMessage())
	for _, f := range r.GetFields() {
		state := "readable"
		if !f.GetReadable() {
			state = "NOT readable"
		}
		fmt.Fprintf(a.stdout, "  %-11s %s\n", f.GetName()+":", state)
	}
	for _, w := range r.GetWarnings() {
		fmt.Fprintf(a.stdout, "warning: %s\n", w)
	}
	return nil
}
