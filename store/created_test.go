package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// The history of a person created by an import stores their values, and SQL turns them into
// the same field list the planner shows (directory.CreatedFields). The SQL names the fields
// itself, so a field added to the template must be added there too.
func TestCreatedChangesMatchThePlanner(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	full := [directory.NumFields]string{}
	for f := range full {
		full[f] = "value of " + directory.Field(f).Key()
	}
	sparse := [directory.NumFields]string{directory.FirstName: "Zoë", directory.LastName: "O'Neil\nJr.", directory.Email: "zoe@x.example", directory.Status: "Active"}
	for _, values := range [][directory.NumFields]string{full, sparse, {}} {
		var raw []byte
		if err := st.pool.QueryRow(ctx, `SELECT staffsync_history_changes('[]', $1)`, joinAfter(&values)).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var stored []storedFieldChange
		if err := json.Unmarshal(raw, &stored); err != nil {
			t.Fatal(err)
		}
		var got []directory.FieldChange
		for _, s := range stored {
			f, ok := directory.FieldByKey(s.Field)
			if !ok {
				t.Fatalf("unknown field %q in %s", s.Field, raw)
			}
			got = append(got, directory.FieldChange{Field: f, Old: s.Old, New: s.New})
		}
		if want := directory.CreatedFields(values); !slices.Equal(got, want) {
			t.Errorf("created changes of %q:\n got %v\nwant %v", values, got, want)
		}
		if back := splitAfter(joinAfter(&values)); back != values {
			t.Errorf("split(join(%q)) = %q", values, back)
		}
	}
}
