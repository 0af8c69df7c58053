package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

var cycleKindWords = map[string]v1.CycleKind{
	"objectives": v1.CycleKind_CYCLE_KIND_OBJECTIVES,
	"review":     v1.CycleKind_CYCLE_KIND_REVIEW,
	"360":        v1.CycleKind_CYCLE_KIND_360,
}

func cycleKindWord(k v1.CycleKind) string {
	for w, kind := range cycleKindWords {
		if kind == k {
			return w
		}
	}
	return "unknown"
}

// cycleJSON is the --json shape of a cycle.
type cycleJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Open           bool   `json:"open"`
	OpenToEveryone bool   `json:"open_to_everyone"`
	Participants   int64  `json:"participants"`
	CreatedAt      string `json:"created_at"`
}

func toCycleJSON(c *v1.Cycle) cycleJSON {
	return cycleJSON{ID: c.GetId(), Name: c.GetName(), Kind: cycleKindWord(c.GetKind()), Open: c.GetOpen(),
		OpenToEveryone: c.GetOpenToEveryone(), Participants: c.GetParticipants(), CreatedAt: timestampJSON(c.GetCreatedAt())}
}

// cycleClient connects to CycleService with the same address and token as the other commands.
func (a *app) cycleClient() (staffsyncv1connect.CycleServiceClient, error) {
	token, err := a.credential()
	if err != nil {
		return nil, err
	}
	return staffsyncv1connect.NewCycleServiceClient(&http.Client{Transport: http.DefaultTransport}, baseURL(a.global.addr),
		connect.WithInterceptors(bearerToken(token))), nil
}

func (a *app) writeCycle(c *v1.Cycle, extra string) error {
	if a.global.json {
		return writeJSON(a.stdout, toCycleJSON(c))
	}
	state := "open"
	if !c.GetOpen() {
		state = "closed"
	}
	if c.GetOpenToEveryone() {
		state += ", open to everyone"
	}
	fmt.Fprintf(a.stdout, "cycle %s %q (%s, %s): %d participants%s\n", c.GetId(), c.GetName(), cycleKindWord(c.GetKind()), state, c.GetParticipants(), extra)
	return nil
}

func cyclesListFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		cl, err := a.cycleClient()
		if err != nil {
			return err
		}
		resp, err := cl.ListCycles(ctx, connect.NewRequest(&v1.ListCyclesRequest{}))
		if err != nil {
			return fmt.Errorf("list cycles: %w", err)
		}
		if a.global.json {
			out := make([]cycleJSON, 0, len(resp.Msg.GetCycles()))
			for _, c := range resp.Msg.GetCycles() {
				out = append(out, toCycleJSON(c))
			}
			return writeJSON(a.stdout, out)
		}
		if len(resp.Msg.GetCycles()) == 0 {
			fmt.Fprintln(a.stdout, "no cycles yet; create one with `staffsyncctl cycles create NAME --kind objectives|review|360`")
			return nil
		}
		t := &table{header: []string{"ID", "NAME", "KIND", "OPEN", "TO EVERYONE", "PARTICIPANTS"}}
		for _, c := range resp.Msg.GetCycles() {
			t.add([]string{c.GetId(), c.GetName(), cycleKindWord(c.GetKind()), strconv.FormatBool(c.GetOpen()),
				strconv.FormatBool(c.GetOpenToEveryone()), strconv.FormatInt(c.GetParticipants(), 10)})
		}
		t.write(a.stdout)
		return nil
	}
}

func cyclesCreateFlags(fs *flag.FlagSet) commandFunc {
	kind := fs.String("kind", "", "cycle kind: objectives, review or 360 (required)")
	everyone := fs.Bool("open-to-everyone", false, "objectives only: everyone joins now, and new people join when imported")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) == 0 {
			return usagef(a.cmd, "missing the cycle NAME")
		}
		k, ok := cycleKindWords[strings.ToLower(*kind)]
		if !ok {
			return usagef(a.cmd, "--kind must be objectives, review or 360")
		}
		cl, err := a.cycleClient()
		if err != nil {
			return err
		}
		resp, err := cl.CreateCycle(ctx, connect.NewRequest(&v1.CreateCycleRequest{Name: strings.Join(args, " "), Kind: k, OpenToEveryone: *everyone}))
		if err != nil {
			return fmt.Errorf("create cycle: %w", err)
		}
		return a.writeCycle(resp.Msg.GetCycle(), "")
	}
}

func cyclesAddPeopleFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) < 2 {
			return usagef(a.cmd, "give the cycle ID and at least one login EMAIL")
		}
		cl, err := a.cycleClient()
		if err != nil {
			return err
		}
		resp, err := cl.AddPeople(ctx, connect.NewRequest(&v1.AddPeopleRequest{CycleId: args[0], Emails: args[1:]}))
		if err != nil {
			return fmt.Errorf("add people to cycle %s: %w", args[0], err)
		}
		if a.global.json {
			return writeJSON(a.stdout, struct {
				Cycle cycleJSON `json:"cycle"`
				Added int64     `json:"added"`
			}{toCycleJSON(resp.Msg.GetCycle()), resp.Msg.GetAdded()})
		}
		return a.writeCycle(resp.Msg.GetCycle(), fmt.Sprintf(", %d joined now", resp.Msg.GetAdded()))
	}
}

func cyclesResetReviewersFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		id, err := a.oneArg(args, "cycle ID")
		if err != nil {
			return err
		}
		cl, err := a.cycleClient()
		if err != nil {
			return err
		}
		resp, err := cl.ResetReviewers(ctx, connect.NewRequest(&v1.ResetReviewersRequest{CycleId: id}))
		if err != nil {
			return fmt.Errorf("reset reviewers of cycle %s: %w", id, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, struct {
				Cycle            cycleJSON `json:"cycle"`
				ReviewersChanged int64     `json:"reviewers_changed"`
			}{toCycleJSON(resp.Msg.GetCycle()), resp.Msg.GetReviewersChanged()})
		}
		return a.writeCycle(resp.Msg.GetCycle(), fmt.Sprintf(", %d reviewers changed to the current manager", resp.Msg.GetReviewersChanged()))
	}
}
