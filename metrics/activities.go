package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// activityBuckets reach from a quick bookkeeping step to a long apply.
var activityBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}

// ActivityTimings returns a worker interceptor that records each staffsync activity's
// duration (parse, preview, apply, fetch, post-steps: the phases of an import and a run)
// by activity and outcome (ok or error).
func (r *Registry) ActivityTimings() interceptor.WorkerInterceptor {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "activity_duration_seconds",
		Help:    "Time spent in each activity attempt, by activity (ParseImport, PreviewImport, ApplyImport, ...) and outcome.",
		Buckets: activityBuckets,
	}, []string{"activity", "outcome"})
	r.reg.MustRegister(h)
	return &activityTimings{histogram: h}
}

type activityTimings struct {
	interceptor.WorkerInterceptorBase
	histogram *prometheus.HistogramVec
}

func (t *activityTimings) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityTiming{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, histogram: t.histogram}
}

type activityTiming struct {
	interceptor.ActivityInboundInterceptorBase
	histogram *prometheus.HistogramVec
}

func (a *activityTiming) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	started := time.Now()
	out, err := a.Next.ExecuteActivity(ctx, in)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	a.histogram.WithLabelValues(activity.GetInfo(ctx).ActivityType.Name, outcome).Observe(time.Since(started).Seconds())
	return out, err
}
