package directory

import (
	"reflect"
	"strings"
	"testing"
)

func TestCellsPackAndRead(t *testing.T) {
	tests := []struct {
		name string
		in   map[Field]Value
		want map[Field]Value // cells not listed read as Keep
	}{
		{name: "no cells"},
		{
			name: "set and clear cells keep their order and texts",
			in: map[Field]Value{FirstName: SetValue("Zoë"), Email: SetValue("zoe@example.com"), Title: {Op: Clear},
				Status: SetValue("Active"), EmploymentType: SetValue("Full-time")},
			want: map[Field]Value{FirstName: SetValue("Zoë"), Email: SetValue("zoe@example.com"), Title: {Op: Clear},
				Status: SetValue("Active"), EmploymentType: SetValue("Full-time")},
		},
		{
			name: "an empty Set stays a Set",
			in:   map[Field]Value{LastName: SetValue("")},
			want: map[Field]Value{LastName: SetValue("")},
		},
		{
			name: "Keep and Clear drop stray text; an unknown op is Keep",
			in:   map[Field]Value{FirstName: {Op: Keep, Text: "x"}, LastName: {Op: Clear, Text: "y"}, Title: {Op: 7, Text: "z"}},
			want: map[Field]Value{LastName: {Op: Clear}},
		},
		{
			name: "a text over 64 KiB keeps every cell",
			in: map[Field]Value{Title: SetValue(strings.Repeat("t", 40_000)), Department: SetValue(strings.Repeat("d", 30_000)),
				Team: {Op: Clear}, Status: SetValue("Active")},
			want: map[Field]Value{Title: SetValue(strings.Repeat("t", 40_000)), Department: SetValue(strings.Repeat("d", 30_000)),
				Team: {Op: Clear}, Status: SetValue("Active")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var values [NumFields]Value
			for f, v := range tt.in {
				values[f] = v
			}
			packed := PackCells(&values)
			var bySet Cells
			for f := NumFields - 1; f >= 0; f-- { // out of order on purpose
				bySet.Set(f, values[f])
			}
			if !reflect.DeepEqual(packed, bySet) {
				t.Errorf("PackCells and Set pack the same cells differently:\n%+v\n%+v", packed, bySet)
			}
			for f := Field(0); f < NumFields; f++ {
				if got := packed.Get(f); got != tt.want[f] {
					t.Errorf("%s = %+v, want %+v", f.Key(), got, tt.want[f])
				}
			}
			if unpacked := packed.Unpack(); !reflect.DeepEqual(PackCells(&unpacked), packed) {
				t.Errorf("unpacking and packing again changed the cells")
			}
		})
	}
}
