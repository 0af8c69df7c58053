package main

import (
	"fmt"
	"io"
	"strings"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// hintJSON is one preview hint in `--json` output.
type hintJSON struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Value    string           `json:"value"`
	Rows     []int32          `json:"rows"`
	RowCount int64            `json:"row_count"`
	People   []hintPersonJSON `json:"people"`
}

type hintPersonJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Row   int32  `json:"row"`
}

func toHintsJSON(hints []*v1.ImportHint) []hintJSON {
	out := make([]hintJSON, 0, len(hints))
	for _, h := range hints {
		j := hintJSON{Code: h.GetCode(), Message: h.GetMessage(), Value: h.GetValue(), Rows: h.GetRows(), RowCount: h.GetRowCount(), People: []hintPersonJSON{}}
		if j.Rows == nil {
			j.Rows = []int32{}
		}
		for _, p := range h.GetPeople() {
			j.People = append(j.People, hintPersonJSON{ID: p.GetId(), Email: p.GetEmail(), Name: p.GetName(), Row: p.GetRow()})
		}
		out = append(out, j)
	}
	return out
}

// optionsSourceText says where an import's options came from, after "Options:".
func optionsSourceText(source string) string {
	switch source {
	case "company_defaults":
		return " (the company's import configuration)"
	case "built_in":
		return " (built-in defaults; save your own with `staffsyncctl import defaults set`)"
	case "request":
		return " (given with the upload, over the company's configuration)"
	}
	return ""
}

// writeHints prints the preview's hints, one paragraph each.
func writeHints(w io.Writer, hints []*v1.ImportHint) {
	if len(hints) == 0 {
		return
	}
	fmt.Fprintln(w, "\nHints:")
	for _, h := range hints {
		fmt.Fprintln(w, "  - "+h.GetMessage())
		if rows := h.GetRows(); len(rows) > 0 {
			text := make([]string, len(rows))
			for i, r := range rows {
				text[i] = fmt.Sprint(r)
			}
			more := ""
			if n := h.GetRowCount() - int64(len(rows)); n > 0 {
				more = fmt.Sprintf(" and %d more", n)
			}
			fmt.Fprintf(w, "    rows %s%s\n", strings.Join(text, ", "), more)
		}
		if h.GetCode() == "possible_duplicate" {
			var ids []string
			for _, p := range h.GetPeople() {
				if p.GetId() != "" {
					ids = append(ids, p.GetEmail())
				}
			}
			if len(ids) == 2 {
				fmt.Fprintf(w, "    merge them with `staffsyncctl people merge %s %s` (the second stays)\n", ids[0], ids[1])
			}
		}
	}
}
