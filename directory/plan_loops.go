package directory

import (
	"fmt"
	"strings"
)

// checkLoops finds reporting loops in the graph as it would be after the import and fails
// every row on one. The graph has one outgoing edge per node (the manager), so one iterative
// walk per node finds every loop in linear time.
func (p *planner) checkLoops(next, visit []int32) bool {
	P := p.dir.Len()
	for n := range next {
		next[n] = none
		visit[n] = 0
	}
	for n := 0; n < P; n++ {
		next[n] = p.personManager(int32(n), 0)
	}
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		next[p.rowNode(i)] = r.mgr[0]
	}
	changed := false
	var loop []int32
	for start := range next {
		if visit[start] != 0 {
			continue
		}
		walk := int32(start + 1)
		n := int32(start)
		for n != none && visit[n] == 0 {
			visit[n] = walk
			n = next[n]
		}
		if n == none || visit[n] != walk {
			continue
		}
		loop = loop[:0]
		for m := n; ; {
			loop = append(loop, m)
			m = next[m]
			if m == n {
				break
			}
		}
		if p.failLoop(loop) {
			changed = true
		}
	}
	return changed
}

// failLoop fails the rows on one loop; a loop of people who are all outside the file
// existed before this import and is not its business.
func (p *planner) failLoop(loop []int32) bool {
	inFile := false
	for _, n := range loop {
		if row := p.rowOfNode(n); row != none && !p.rows[row].failed() {
			inFile = true
			break
		}
	}
	if !inFile {
		return false
	}
	// Start the path at the smallest email so the message does not depend on row order.
	first := 0
	for i := range loop {
		if NormalizeEmail(p.nodeEmail(loop[i])) < NormalizeEmail(p.nodeEmail(loop[first])) {
			first = i
		}
	}
	var b strings.Builder
	for i := range loop {
		b.WriteString(p.nodeEmail(loop[(first+i)%len(loop)]))
		b.WriteString(" -> ")
	}
	b.WriteString(p.nodeEmail(loop[first]))
	message := fmt.Sprintf("%s: this makes a reporting loop %s; change one of these managers", fieldLabel(ManagerEmail), b.String())
	for _, n := range loop {
		row := p.rowOfNode(n)
		if row == none || p.rows[row].failed() {
			continue
		}
		r := &p.rows[row]
		r.fail(Problem{Severity: SeverityError, Code: "manager_loop", Field: ManagerEmail, Value: Clip(p.managerRef(r, 0)), Message: message})
	}
	return true
}
