package main

import (
	"bytes"
	"testing"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func TestConnectionTestOutput(t *testing.T) {
	hris := &v1.TestConnectionResponse{Ok: true, Message: "connected; the credentials see 25 people but cannot read hire date",
		People: 25, PeopleKnown: true,
		Fields:   []*v1.FieldAccess{{Name: "status", Readable: true}, {Name: "hire date"}},
		Warnings: []string{"BambooHR: the credentials cannot read the hire date"}}
	file := &v1.TestConnectionResponse{Ok: true, Message: "found people.csv"}
	tests := []struct {
		name string
		resp *v1.TestConnectionResponse
		json bool
		want string
	}{
		{"hris text", hris, false, "ok: connected; the credentials see 25 people but cannot read hire date\n" +
			"  status:     readable\n  hire date:  NOT readable\nwarning: BambooHR: the credentials cannot read the hire date\n"},
		{"hris json", hris, true, `{
  "ok": true,
  "message": "connected; the credentials see 25 people but cannot read hire date",
  "people": 25,
  "fields": [
    {
      "name": "status",
      "readable": true
    },
    {
      "name": "hire date",
      "readable": false
    }
  ],
  "warnings": [
    "BambooHR: the credentials cannot read the hire date"
  ]
}
`},
		{"file json has no people", file, true, "{\n  \"ok\": true,\n  \"message\": \"found people.csv\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &app{stdout: &out}
			a.global.json = tt.json
			if err := a.writeTestResult(tt.resp); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tt.want)
			}
		})
	}
	a := &app{stdout: &bytes.Buffer{}}
	if err := a.writeTestResult(&v1.TestConnectionResponse{Message: "refused"}); err == nil || err.Error() != "connection test failed: refused" {
		t.Errorf("failed test: %v", err)
	}
}
