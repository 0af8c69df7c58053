package directory

import (
	"fmt"
	"reflect"
	"testing"
)

// keyIndex and occurrences must answer as a map would: the first item of a key, every
// group of rows sharing a key, nothing for empty or excluded keys.
func TestKeyIndexMatchesAMap(t *testing.T) {
	const n = 50_000
	keys := make([]string, n)
	for i := range keys {
		switch {
		case i%7 == 0:
			keys[i] = "" // no key
		case i%5 == 0:
			keys[i] = fmt.Sprintf("k%d", i/50) // shared by several items
		default:
			keys[i] = fmt.Sprintf("k%d", i)
		}
	}
	key := func(i int32) string { return keys[i] }
	odd := func(i int32) bool { return i%2 == 1 }
	for name, include := range map[string]func(int32) bool{"all": nil, "odd items": odd} {
		x := newKeyIndex(n, key, include)
		first := map[string]int32{}
		for i := int32(0); i < n; i++ {
			if _, seen := first[keys[i]]; !seen && keys[i] != "" && (include == nil || include(i)) {
				first[keys[i]] = i
			}
		}
		for _, k := range append(keys, "absent", "k99999999") {
			want, wantOK := first[k]
			if got, ok := x.find(k); ok != wantOK || ok && got != want {
				t.Fatalf("%s: find(%q) = %d, %v; want %d, %v", name, k, got, ok, want, wantOK)
			}
		}
	}

	groups := map[string][]int32{}
	for i, k := range keys {
		if k != "" {
			groups[k] = append(groups[k], int32(i))
		}
	}
	dups := occurrences(n, func(i int) string { return keys[i] })
	shared := 0
	for k, rows := range groups {
		if len(rows) == 1 {
			if dups.duplicated(k) {
				t.Fatalf("%q is unique but reported duplicated", k)
			}
			continue
		}
		shared++
		if !reflect.DeepEqual(dups.dups[k], rows) {
			t.Fatalf("rows of %q = %v, want %v", k, dups.dups[k], rows)
		}
	}
	if shared == 0 || len(dups.dups) != shared {
		t.Fatalf("%d duplicated keys reported, want %d", len(dups.dups), shared)
	}
}
