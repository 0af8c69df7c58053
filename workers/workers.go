// Package workers names the task queue and registers every workflow and activity, so the
// staffsync binary and the tests run exactly the same worker.
package workers

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/workflows"
)

// TaskQueue is the task queue the worker polls.
const TaskQueue = workflows.TaskQueue

// Register adds every workflow and activity to w.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflow(workflows.Import)
	w.RegisterWorkflow(workflows.IntegrationSync)
	w.RegisterWorkflow(workflows.TestIntegrationConnection)
	w.RegisterWorkflow(workflows.OutboxDelivery)
	w.RegisterActivity(acts)
}

// New creates a worker on the staffsync task queue with everything registered; the
// interceptors (metrics, tracing) wrap every workflow and activity.
func New(c client.Client, acts *activities.Activities, interceptors ...interceptor.WorkerInterceptor) worker.Worker {
	w := worker.New(c, TaskQueue, worker.Options{Interceptors: append([]interceptor.WorkerInterceptor{LogIDs()}, interceptors...)})
	Register(w, acts)
	return w
}
