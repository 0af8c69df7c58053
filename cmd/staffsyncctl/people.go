package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

var personStatusFilters = map[string]v1.PersonStatusFilter{
	"active":      v1.PersonStatusFilter_PERSON_STATUS_FILTER_ACTIVE,
	"deactivated": v1.PersonStatusFilter_PERSON_STATUS_FILTER_DEACTIVATED,
	"all":         v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL,
}

func peopleListFlags(fs *flag.FlagSet) commandFunc {
	status := fs.String("status", "active", "which people: active, deactivated or all")
	department := fs.String("department", "", "only people of this `DEPARTMENT`")
	location := fs.String("location", "", "only people at this `LOCATION`")
	search := fs.String("search", "", "only people whose name or email contains `TEXT`")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		filter, ok := personStatusFilters[strings.ToLower(*status)]
		if !ok {
			return usagef(a.cmd, "unknown --status %q: use active, deactivated or all", *status)
		}
		if err := a.connect(); err != nil {
			return err
		}
		req := &v1.ListPeopleRequest{Status: filter, Department: *department, Location: *location, Search: *search, PageSize: 1000}
		var people []*v1.Person
		var billable int64
		for {
			resp, err := a.directory.ListPeople(ctx, connect.NewRequest(req))
			if err != nil {
				return fmt.Errorf("list people: %w", err)
			}
			people = append(people, resp.Msg.GetPeople()...)
			billable = resp.Msg.GetBillableCount()
			if resp.Msg.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.Msg.GetNextPageToken()
		}
		if a.global.json {
			out := peopleJSON{People: make([]personJSON, 0, len(people)), BillableCount: billable}
			for _, p := range people {
				out.People = append(out.People, toPersonJSON(p))
			}
			return writeJSON(a.stdout, out)
		}
		writePeopleTable(a.stdout, people, billable)
		return nil
	}
}

func writePeopleTable(w io.Writer, people []*v1.Person, billable int64) {
	if len(people) > 0 {
		t := &table{header: []string{"NAME", "EMAIL", "TITLE", "DEPARTMENT", "MANAGER", "STATUS"}}
		for _, p := range people {
			status := "active"
			if !p.GetActive() {
				status = "deactivated"
			}
			t.add([]string{orDash(personName(p)), p.GetEmail(), orDash(p.GetTitle()), orDash(p.GetDepartment()), orDash(p.GetManagerEmail()), status})
		}
		t.write(w)
		fmt.Fprintln(w)
	}
	noun := "people"
	if len(people) == 1 {
		noun = "person"
	}
	fmt.Fprintf(w, "%d %s listed · %d billable (active people in the company)\n", len(people), noun, billable)
}

// personName is how the directory shows a person: the preferred name stands in for the first.
func personName(p *v1.Person) string {
	first := p.GetFirstName()
	if p.GetPreferredName() != "" {
		first = p.GetPreferredName()
	}
	return strings.TrimSpace(first + " " + p.GetLastName())
}

var fileFormats = map[string]v1.FileFormat{"csv": v1.FileFormat_FILE_FORMAT_CSV, "xlsx": v1.FileFormat_FILE_FORMAT_XLSX}

// downloadedFile is a file the API returned.
type downloadedFile struct {
	name, contentType string
	content           []byte
}

// fileJSON is the --json answer of export and template.
type fileJSON struct {
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	// Output is the file written; without --output the content itself is in Content.
	Output  string `json:"output,omitempty"`
	Content []byte `json:"content,omitempty"`
}

// fileFlags are the flags of the commands that download a file.
type fileFlags struct {
	format *string
	output *string
}

func addFileFlags(fs *flag.FlagSet) fileFlags {
	return fileFlags{
		format: fs.String("format", "csv", "file format: csv or xlsx"),
		output: fs.String("output", "", "write to `FILE` instead of standard output"),
	}
}

// check validates the flags before any call, so a mistake costs no download.
func (f fileFlags) check(a *app) (v1.FileFormat, error) {
	format, ok := fileFormats[strings.ToLower(*f.format)]
	if !ok {
		return 0, usagef(a.cmd, "unknown --format %q: use csv or xlsx", *f.format)
	}
	if format == v1.FileFormat_FILE_FORMAT_XLSX && *f.output == "" && !a.global.json && isTerminal(a.stdout) {
		return 0, usagef(a.cmd, "an XLSX file is binary and is not written to a terminal: pass --output FILE or redirect the output")
	}
	return format, nil
}

// save writes the downloaded file to --output or standard output. People data stays
// readable by its owner only.
func (f fileFlags) save(a *app, file downloadedFile) error {
	if *f.output != "" {
		if err := os.WriteFile(*f.output, file.content, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", *f.output, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, fileJSON{FileName: file.name, ContentType: file.contentType, Bytes: len(file.content), Output: *f.output})
		}
		fmt.Fprintf(a.stdout, "wrote %s (%d bytes)\n", *f.output, len(file.content))
		return nil
	}
	if a.global.json {
		return writeJSON(a.stdout, fileJSON{FileName: file.name, ContentType: file.contentType, Bytes: len(file.content), Content: file.content})
	}
	if _, err := a.stdout.Write(file.content); err != nil {
		return fmt.Errorf("write %s: %w", file.name, err)
	}
	return nil
}

func exportFlags(fs *flag.FlagSet) commandFunc {
	files := addFileFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		format, err := files.check(a)
		if err != nil {
			return err
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.ExportDirectory(ctx, connect.NewRequest(&v1.ExportDirectoryRequest{Format: format}))
		if err != nil {
			return fmt.Errorf("export the directory: %w", err)
		}
		return files.save(a, downloadedFile{name: resp.Msg.GetFileName(), contentType: resp.Msg.GetContentType(), content: resp.Msg.GetContent()})
	}
}

func templateFlags(fs *flag.FlagSet) commandFunc {
	files := addFileFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		format, err := files.check(a)
		if err != nil {
			return err
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.imports.GetTemplate(ctx, connect.NewRequest(&v1.GetTemplateRequest{Format: format}))
		if err != nil {
			return fmt.Errorf("get the template: %w", err)
		}
		return files.save(a, downloadedFile{name: resp.Msg.GetFileName(), contentType: resp.Msg.GetContentType(), content: resp.Msg.GetContent()})
	}
}
