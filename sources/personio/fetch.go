package personio

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// Attributes are the employee attributes a sync asks for (attributes[]), and nothing else:
// Personio would otherwise send everything the credentials can read, salaries and bank
// details included. docs/hris-wire.md says what each is for. id comes back unasked.
var Attributes = []string{
	"first_name", "last_name", "preferred_name", "email", "gender", "status", "position",
	"employment_type", "hire_date", "termination_date", "termination_type",
	"department", "office", "team", "supervisor",
}

// accessAttributes are what the connection test looks at, in sources.Access order.
var accessAttributes = []struct{ key, name string }{
	{"status", sources.AccessStatus}, {"email", sources.AccessWorkEmail},
	{"supervisor", sources.AccessSupervisor}, {"hire_date", sources.AccessHireDate},
}

type employeesPage struct {
	Metadata *struct {
		TotalElements flexValue `json:"total_elements"`
		CurrentPage   flexValue `json:"current_page"`
		TotalPages    flexValue `json:"total_pages"`
	} `json:"metadata"`
	Data []employee `json:"data"`
}

// total is metadata.total_elements, which the spec requires on every page.
func (p *employeesPage) total() (int, error) {
	if p.Metadata != nil {
		if n, ok := p.Metadata.TotalElements.int(); ok && n >= 0 {
			if n > maxEmployees {
				return 0, fmt.Errorf("Personio says it has %d employees, more than staffsync reads (%d)", n, maxEmployees)
			}
			return n, nil
		}
	}
	return 0, sources.Errorf(sources.ErrIncompleteRoster, "Personio's answer has no metadata.total_elements, so staffsync cannot tell whether it sent every employee; "+
		"nobody is deactivated or counted as missing, and the next run tries again")
}

type employee struct {
	Attributes map[string]json.RawMessage `json:"attributes"`
}

// CountPeople asks for one employee and returns Personio's total.
func (c *Client) CountPeople(ctx context.Context) (int, error) {
	budget := &sources.RetryBudget{Max: c.cfg.MaxTotalWait}
	page, _, err := c.fetchPage(ctx, 1, 0, []string{"status"}, budget)
	if err != nil {
		return 0, err
	}
	return page.total()
}

// TestAccess is the connection test: Personio's total, and which of the attributes a sync
// depends on the credentials can read (an attribute they cannot read is absent from the
// answer, so one employee tells).
func (c *Client) TestAccess(ctx context.Context) (sources.Access, error) {
	budget := &sources.RetryBudget{Max: c.cfg.MaxTotalWait}
	keys := make([]string, len(accessAttributes))
	for i, a := range accessAttributes {
		keys[i] = a.key
	}
	page, _, err := c.fetchPage(ctx, 1, 0, keys, budget)
	if err != nil {
		return sources.Access{}, err
	}
	total, err := page.total()
	if err != nil {
		return sources.Access{}, err
	}
	readable := map[string]bool{}
	if len(page.Data) > 0 {
		view := employeeView(page.Data[0].Attributes)
		for _, a := range accessAttributes {
			readable[a.name] = view.has(a.key)
		}
	}
	access := sources.AccessFrom("Personio", total, readable)
	if len(page.Data) == 0 {
		access.Warnings = append([]string{"Personio: the credentials see no employees, so what they can read is unknown; allow them to read all employees"}, access.Warnings...)
	}
	return access, nil
}

// FetchRecords returns everyone the credentials can see, in Personio's order (Row 2 is the
// first employee). People who cannot be imported are records with Skip set. Attributes the
// credentials cannot read are Keep and listed in Warnings; null ones are cleared. A roster
// that cannot be proven complete is an sources.ErrIncompleteRoster error.
func (c *Client) FetchRecords(ctx context.Context) ([]directory.Record, error) {
	employees, err := c.fetchAll(ctx)
	if err != nil {
		return nil, err
	}
	records, warnings, err := recordsFromEmployees(employees)
	if err != nil {
		return nil, err
	}
	c.Record(records, warnings)
	return records, nil
}

// fetchAll reads every page: it advances by the records received (a page may be shorter
// than asked), stops on an empty page or once the offset reaches total_elements, and fails
// unless the distinct employees read are exactly total_elements.
func (c *Client) fetchAll(ctx context.Context) ([]employee, error) {
	budget := &sources.RetryBudget{Max: c.cfg.MaxTotalWait}
	var all []employee
	seen := map[string]bool{}
	offset, total, bytes := 0, 0, 0
	for pages := 0; ; pages++ {
		// Every page but the last advances the offset, so more pages than employees means
		// the answers contradict themselves.
		if pages > total+1 {
			return nil, sources.Errorf(sources.ErrIncompleteRoster, "Personio kept sending pages (%d for %d employees); nobody is deactivated and the next run tries again", pages, total)
		}
		page, n, err := c.fetchPage(ctx, PageSize, offset, Attributes, budget)
		if err != nil {
			return nil, err
		}
		pageTotal, err := page.total()
		if err != nil {
			return nil, err
		}
		if pages > 0 && pageTotal != total {
			// Someone was added or removed between two pages: offsets shifted, so an
			// employee may have been skipped although the count would still match.
			return nil, sources.Errorf(sources.ErrIncompleteRoster, "Personio's roster changed while it was read (%d employees, then %d); "+
				"nobody is deactivated or counted as missing, and the next run tries again", total, pageTotal)
		}
		total = pageTotal
		if bytes += n; bytes > pageSlack+total*bytesPerEmployee {
			return nil, fmt.Errorf("%w: Personio's answers for %d employees add up to more than %s; staffsync stops reading there",
				sources.ErrAnswerTooLarge, total, sources.ByteSize(int64(pageSlack+total*bytesPerEmployee)))
		}
		if len(page.Data) == 0 {
			break
		}
		for _, emp := range page.Data {
			id, state := employeeView(emp.Attributes).text("id")
			if state == present {
				if seen[id] {
					continue // pages overlap when someone was added while they were read
				}
				seen[id] = true
			}
			all = append(all, emp)
		}
		offset += len(page.Data)
		if offset >= total {
			break
		}
	}
	if len(all) != total {
		return nil, sources.Errorf(sources.ErrIncompleteRoster, "Personio says it has %d employees but sent %d; "+
			"without the whole roster nobody is deactivated or counted as missing, and the next run tries again", total, len(all))
	}
	return all, nil
}
