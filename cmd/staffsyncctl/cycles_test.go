package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func TestCyclesUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cycles", "create", "Q3"}, "--kind must be objectives, review or 360"},
		{[]string{"cycles", "create", "--kind", "review"}, "missing the cycle NAME"},
		{[]string{"cycles", "add-people", "3"}, "give the cycle ID and at least one login EMAIL"},
		{[]string{"cycles", "reset-reviewers"}, "missing cycle ID"},
		{[]string{"cycles", "list", "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr, func(string) string { return "" })
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d with %q", code, stderr.String(), exitUsage, tc.want)
			}
		})
	}
}

func TestApprovalOptionFlags(t *testing.T) {
	fs := flag.NewFlagSet("import start", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addImportOptionFlags(fs)
	if err := fs.Parse([]string{"--require-second-approver", "--approval-timeout", "72h"}); err != nil {
		t.Fatal(err)
	}
	got, err := importOptions(fs)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, &v1.ImportOptions{RequireSecondApprover: proto.Bool(true), ApprovalTimeout: durationOf(72 * time.Hour)}) {
		t.Fatalf("options = %v, want second approver and 72h", got)
	}
}

func durationOf(d time.Duration) *durationpb.Duration { return durationpb.New(d) }
