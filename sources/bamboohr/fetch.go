package bamboohr

import (
	"context"
	"fmt"
	"strings"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// accessFields are what the connection test asks for, in sources.Access order.
var accessFields = []struct{ id, name string }{
	{"status", sources.AccessStatus}, {"workEmail", sources.AccessWorkEmail},
	{"supervisorEId", sources.AccessSupervisor}, {"hireDate", sources.AccessHireDate},
}

// CountPeople runs the report with only the id field and returns how many people the API
// key can see (active and inactive).
func (c *Client) CountPeople(ctx context.Context) (int, error) {
	ids, err := c.countRoster(ctx, &sources.RetryBudget{Max: c.cfg.MaxTotalWait})
	return len(ids), err
}

// countRoster runs the id-only report: the roster's row count and ids.
func (c *Client) countRoster(ctx context.Context, budget *sources.RetryBudget) ([]string, error) {
	answer, err := c.runReport(ctx, []string{"id"}, MaxCountBytes, budget)
	if err != nil {
		return nil, err
	}
	if answer.Employees == nil {
		return nil, incomplete("BambooHR's report has no employees list")
	}
	ids := make([]string, 0, len(answer.rows()))
	for _, emp := range answer.rows() {
		ids = append(ids, strings.TrimSpace(emp["id"].Text))
	}
	return ids, nil
}

// TestAccess is the connection test: how many people the key sees, and whether it can read
// status, work email, supervisor and hire date (BambooHR leaves a field the key's user
// cannot read out of the report's fields, still answering 200).
func (c *Client) TestAccess(ctx context.Context) (sources.Access, error) {
	ids := make([]string, len(accessFields))
	for i, f := range accessFields {
		ids[i] = f.id
	}
	answer, err := c.runReport(ctx, ids, MaxCountBytes*4, &sources.RetryBudget{Max: c.cfg.MaxTotalWait})
	if err != nil {
		return sources.Access{}, err
	}
	visible := visibleFields(answer)
	readable := map[string]bool{}
	for _, f := range accessFields {
		readable[f.name] = visible[f.id]
	}
	access := sources.AccessFrom("BambooHR", len(answer.rows()), readable)
	if len(answer.rows()) == 0 {
		access.Warnings = append([]string{"BambooHR: the API key sees no employees; give the key's user access to all employees"}, access.Warnings...)
	}
	return access, nil
}

// FetchRecords returns everyone the API key can see, active and inactive, as records in the
// report's order (Row 2 is the first employee of the answer). People who cannot be imported
// are records with Skip set. Fields the key cannot read are Keep and listed in Warnings;
// null or empty ones are cleared. The roster is complete only when the full report has the
// rows of the id-only report that counted it first: otherwise sources.ErrIncompleteRoster.
func (c *Client) FetchRecords(ctx context.Context) ([]directory.Record, error) {
	budget := &sources.RetryBudget{Max: c.cfg.MaxTotalWait}
	ids, err := c.countRoster(ctx, budget)
	if err != nil {
		return nil, err
	}
	answer, err := c.runReport(ctx, ReportFields, int64(reportSlack+len(ids)*bytesPerPerson), budget)
	if err != nil {
		return nil, err
	}
	records, warnings, err := recordsFromReport(answer)
	if err != nil {
		return nil, err
	}
	if err := sameRoster(ids, answer.rows()); err != nil {
		return nil, err
	}
	c.Record(records, warnings)
	return records, nil
}

// sameRoster checks the full report against the count: the same number of rows with the
// same ids. A hire or a deletion between the two requests fails too; the next run agrees.
func sameRoster(counted []string, rows []map[string]flexString) error {
	if len(rows) != len(counted) {
		return incomplete(fmt.Sprintf("BambooHR's report has %d people but the API key sees %d", len(rows), len(counted)))
	}
	want := make(map[string]int, len(counted))
	for _, id := range counted {
		want[id]++
	}
	for _, emp := range rows {
		id := strings.TrimSpace(emp["id"].Text)
		if want[id] == 0 {
			return incomplete("BambooHR's report and its count name different people (the roster changed while it was read)")
		}
		want[id]--
	}
	return nil
}

func incomplete(what string) error {
	return sources.Errorf(sources.ErrIncompleteRoster, "%s; without the whole roster nobody is deactivated or counted as missing, and the next run tries again", what)
}
