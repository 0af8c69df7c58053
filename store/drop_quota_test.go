package store

import (
	"context"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

func TestDropUsage(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	company, _, _ := st.CreateCompany(ctx, "Drop quota", "admin")
	id, err := st.CreateIntegration(ctx, company, IntegrationConfig{Kind: KindSFTPDrop, Name: "drop",
		Settings: map[string]string{"user": "quota-drop"}, Interval: time.Hour, Options: directory.DefaultOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// In this order: the last one saved is the newest (map order would make the test flaky).
	for _, f := range []struct {
		name string
		size int
	}{{"a.csv", 10}, {"b.csv", 20}, {"c.csv", 30}} {
		if err := st.SaveDropFile(ctx, id, f.name, make([]byte, f.size)); err != nil {
			t.Fatal(err)
		}
	}
	// c.csv is the newest (saved last, or in the same instant and last by name): the run imports it.
	name, content, _, err := st.NextDropFile(ctx, id)
	if err != nil || name != "c.csv" {
		t.Fatalf("next drop file = %q, %v; want c.csv", name, err)
	}
	if _, err := st.CreateRunImport(ctx, RunImport{CompanyID: company, IntegrationID: id, RunKey: "run/1", Source: KindSFTPDrop,
		FileName: name, Content: content, Options: directory.DefaultOptions(), DropFile: name}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		replacing string
		want      DropUsage
	}{
		{"", DropUsage{Files: 3, Waiting: 2, Bytes: 60}},
		{"a.csv", DropUsage{Files: 2, Waiting: 1, Bytes: 50}},
		{name, DropUsage{Files: 2, Waiting: 2, Bytes: 60 - int64(len(content))}},
		{"new.csv", DropUsage{Files: 3, Waiting: 2, Bytes: 60}},
	} {
		got, err := st.DropUsage(ctx, id, tc.replacing)
		if err != nil || got != tc.want {
			t.Errorf("DropUsage(replacing %q) = %+v, %v; want %+v", tc.replacing, got, err, tc.want)
		}
	}
}
