package e2e

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func fields(kv ...string) []*v1.FieldValue {
	var out []*v1.FieldValue
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &v1.FieldValue{Field: kv[i], Value: kv[i+1]})
	}
	return out
}

// Adding one person is a one-person import: the planner's checks, the import's history,
// and the welcome email delivered like any other.
func TestAddPersonIsAOnePersonImport(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Add Corp")
	ctx := context.Background()
	im := tn.start(t, "people.csv", generatedPeople(2, "add-corp.example"), nil)
	tn.approve(t, tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL))

	added, err := tn.people.AddPerson(ctx, connect.NewRequest(&v1.AddPersonRequest{
		Fields:           fields("first_name", "Nia", "last_name", "Okafor", "email", "nia@add-corp.example", "manager_email", "person0@add-corp.example", "title", "Designer", "gender", "female"),
		SendWelcomeEmail: true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	p := added.Msg.Person
	if p.Email != "nia@add-corp.example" || p.ManagerEmail != "person0@add-corp.example" || p.Gender != "F" || p.EmploymentType != "Full-time" || !p.Active || p.Id == "" {
		t.Fatalf("added = %+v; want the fields stored as an import stores them", p)
	}
	mail := s.waitForMail(t, "nia@add-corp.example", 1)
	if !strings.Contains(mail[0], "Welcome to Add Corp") {
		t.Fatalf("welcome email = %v", mail)
	}
	hist, err := tn.people.GetPersonHistory(ctx, connect.NewRequest(&v1.GetPersonHistoryRequest{Person: p.Id}))
	if err != nil || len(hist.Msg.Entries) == 0 || hist.Msg.Entries[len(hist.Msg.Entries)-1].ImportSource != "manual" ||
		hist.Msg.Entries[len(hist.Msg.Entries)-1].ImportId != added.Msg.ImportId || hist.Msg.Entries[len(hist.Msg.Entries)-1].Admin == "" {
		t.Fatalf("history = %v (%v), want the manual import by the admin", hist, err)
	}

	// Without the welcome email, nobody is emailed.
	if _, err := tn.people.AddPerson(ctx, connect.NewRequest(&v1.AddPersonRequest{Fields: fields("first_name", "Omar", "last_name", "Haddad", "email", "omar@add-corp.example")})); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		fields   []*v1.FieldValue
		code     connect.Code
		contains string
	}{
		{"missing name", fields("first_name", "X", "email", "x@add-corp.example"), connect.CodeInvalidArgument, "last_name is required"},
		{"bad email", fields("first_name", "X", "last_name", "Y", "email", "not-an-email"), connect.CodeInvalidArgument, "not added: "},
		{"bad gender", fields("first_name", "X", "last_name", "Y", "email", "xy@add-corp.example", "gender", "Q"), connect.CodeInvalidArgument, "Gender"},
		{"already there", fields("first_name", "Zoë0", "last_name", "Müller0", "email", "PERSON0@add-corp.example"), connect.CodeAborted, "already in the directory"},
		{"unknown field", fields("first_name", "X", "last_name", "Y", "email", "z@add-corp.example", "shoe_size", "44"), connect.CodeInvalidArgument, "shoe_size"},
		{"status", fields("first_name", "X", "last_name", "Y", "email", "z@add-corp.example", "status", "Inactive"), connect.CodeInvalidArgument, "added active"},
		{"a field twice", fields("first_name", "X", "last_name", "Y", "email", "z@add-corp.example", "title", "A", "title", "B"), connect.CodeInvalidArgument, "given twice"},
		{"a huge value", fields("first_name", strings.Repeat("x", 1001), "last_name", "Y", "email", "z@add-corp.example"), connect.CodeInvalidArgument, "longer than 1,000"},
	}
	for _, tt := range tests {
		_, err := tn.people.AddPerson(ctx, connect.NewRequest(&v1.AddPersonRequest{Fields: tt.fields, SendWelcomeEmail: true}))
		if connect.CodeOf(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%s: %v, want %v containing %q", tt.name, err, tt.code, tt.contains)
		}
	}
	if got := s.mail.sentTo("@add-corp.example"); len(got) != 1 {
		t.Fatalf("%d emails sent, want only Nia's welcome", len(got))
	}
	if n := len(tn.allPeople(t)); n != 4 {
		t.Fatalf("%d people, want 2 imported and 2 added", n)
	}
}
