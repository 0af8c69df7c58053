package workers

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"github.com/staffsync/staffsync/logcontext"
)

// LogIDs is a worker interceptor that gives every activity's context the ids of its work:
// company, import or integration (from its input), workflow id and activity type. Lines
// logged with that context (logcontext.Handler) carry them.
func LogIDs() interceptor.WorkerInterceptor { return &logIDs{} }

type logIDs struct {
	interceptor.WorkerInterceptorBase
}

func (*logIDs) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityLogIDs{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type activityLogIDs struct {
	interceptor.ActivityInboundInterceptorBase
}

// logAttrser is an activity input that names its work (activities.ImportRef and
// IntegrationRef, and the inputs that embed them).
type logAttrser interface{ LogAttrs() []slog.Attr }

func (a *activityLogIDs) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	attrs := []slog.Attr{slog.String("workflow_id", info.WorkflowExecution.ID), slog.String("activity", info.ActivityType.Name)}
	if len(in.Args) > 0 {
		if named, ok := in.Args[0].(logAttrser); ok {
			attrs = append(named.LogAttrs(), attrs...)
		}
	}
	return a.Next.ExecuteActivity(logcontext.With(ctx, attrs...), in)
}
