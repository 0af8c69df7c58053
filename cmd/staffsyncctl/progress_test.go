package main

import (
	"testing"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func TestProgressLineShowsABarWhileWorking(t *testing.T) {
	for _, tc := range []struct {
		name string
		im   *v1.Import
		want string
	}{
		{"applying a quarter", &v1.Import{Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_APPLYING, RowsTotal: 50000, ProgressPhase: "applying", RowsProcessed: 12500, ProgressTotal: 50000},
			"import 7: applying (50000 rows) applying [#####---------------]  25% 12500/50000"},
		{"parsing without a total", &v1.Import{Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_PARSING, ProgressPhase: "parsing", RowsProcessed: 15000},
			"import 7: parsing, 15000 rows so far"},
		{"more done than total is capped", &v1.Import{Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_APPLYING, ProgressPhase: "applied", RowsProcessed: 11, ProgressTotal: 10},
			"import 7: applying applied [####################] 100% 10/10"},
		{"no bar while waiting for approval", &v1.Import{Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, RowsTotal: 3, ProgressPhase: "planning", ProgressTotal: 3},
			"import 7: awaiting approval (3 rows)"},
		{"no bar before the first report", &v1.Import{Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_PARSING},
			"import 7: parsing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := progressLine(tc.im); got != tc.want {
				t.Errorf("progressLine = %q\nwant           %q", got, tc.want)
			}
		})
	}
}
