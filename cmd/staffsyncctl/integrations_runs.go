package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func init() {
	commands = append(commands,
		command{name: "integrations fetch", args: "ID", summary: "fetch now and preview; never applies by itself (works paused or without automatic runs)", flags: integrationsFetchFlags},
		command{name: "integrations automatic", args: "ID on|off [--auto-apply=true|false]", summary: "turn scheduled runs on (after a good preview) or off", flags: integrationsAutomaticFlags},
	)
}

func writeAutomaticRuns(w io.Writer, in *v1.Integration) {
	if in.GetAutomaticRuns() {
		fmt.Fprintln(w, "  automatic:   on")
	} else {
		fmt.Fprintln(w, "  automatic:   off (runs only when fetched; turn on with `integrations automatic ID on`)")
	}
	if in.GetShowPhotos() {
		fmt.Fprintln(w, "  photos:      shown from the HR system")
	}
}

func integrationsFetchFlags(_ *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		return onIntegration(ctx, a, args, "fetch", func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[v1.FetchPreviewResponse], error) {
			resp, err := cl.FetchPreview(ctx, connect.NewRequest(&v1.FetchPreviewRequest{Id: id}))
			if err == nil && !a.global.json {
				fmt.Fprintf(a.stdout, "fetching; the preview waits for your approval (see `staffsyncctl integrations show %s` for its import)\n", id)
			}
			return resp, err
		})
	}
}

func integrationsAutomaticFlags(fs *flag.FlagSet) commandFunc {
	autoApply := fs.String("auto-apply", "", "also set whether automatic runs apply by themselves: true or false")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			return usagef(a.cmd, "give the integration ID and on or off")
		}
		req := &v1.SetAutomaticRunsRequest{Id: args[0], Enabled: args[1] == "on"}
		if *autoApply != "" {
			v, err := strconv.ParseBool(*autoApply)
			if err != nil {
				return usagef(a.cmd, "--auto-apply must be true or false")
			}
			req.AutoApply = &v
		}
		cl, err := a.integrationClient()
		if err != nil {
			return err
		}
		resp, err := cl.SetAutomaticRuns(ctx, connect.NewRequest(req))
		if err != nil {
			return fmt.Errorf("set automatic runs of integration %s: %w", args[0], err)
		}
		return a.writeIntegration(resp.Msg.GetIntegration())
	}
}
