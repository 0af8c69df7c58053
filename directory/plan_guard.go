package directory

import (
	"fmt"
	"strings"
)

// guard applies the safety limits: by default at most 10% (at least 5) deactivations and 25%
// manager changes of the active people, only for companies with more than 20 active people.
// An explicit positive limit always applies; a negative one turns the check off.
func (p *planner) guard(deactivations, managerChanges int) (bool, string) {
	active := 0
	for i := range p.dir.people {
		if p.dir.people[i].active {
			active++
		}
	}
	limit := func(configured, percent, minimum int) int {
		switch {
		case configured < 0:
			return -1
		case configured > 0:
			return configured
		case active <= 20:
			return -1
		}
		return max(active*percent/100, minimum)
	}
	var reasons []string
	if l := limit(p.opts.MaxDeactivations, 10, 5); l >= 0 && deactivations > l {
		reasons = append(reasons, fmt.Sprintf("would deactivate %d of %d active people (limit %d)", deactivations, active, l))
	}
	if l := limit(p.opts.MaxManagerChanges, 25, 1); l >= 0 && managerChanges > l {
		reasons = append(reasons, fmt.Sprintf("would change the managers of %d of %d active people (limit %d)", managerChanges, active, l))
	}
	return len(reasons) > 0, strings.Join(reasons, "; ")
}
