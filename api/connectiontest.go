package api

import (
	"math"

	"github.com/staffsync/staffsync/activities"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// testResultToProto maps a connection test's outcome, the HR systems' access report included.
func testResultToProto(r activities.TestResult) *v1.TestConnectionResponse {
	out := &v1.TestConnectionResponse{Ok: r.OK, Message: r.Message, PeopleKnown: r.PeopleKnown,
		People: int32(min(r.People, math.MaxInt32)), Warnings: r.Warnings}
	for _, f := range r.Fields {
		out.Fields = append(out.Fields, &v1.FieldAccess{Name: f.Name, Readable: f.Readable})
	}
	return out
}
