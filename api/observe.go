package api

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/staffsync/staffsync/api/fileupload"
)

// RPCObserver is told the outcome of every answered RPC: the procedure (a served one) and
// "ok" or the Connect code's name. Metrics count them; nothing of the request is passed.
type RPCObserver func(procedure, code string)

// observeRPCs is the interceptor that reports each RPC's outcome, streams included.
type observeRPCs struct{ observe RPCObserver }

func (o observeRPCs) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(ctx, req)
		o.observe(req.Spec().Procedure, codeName(err))
		return resp, err
	}
}

func (o observeRPCs) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (o observeRPCs) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		o.observe(conn.Spec().Procedure, codeName(err))
		return err
	}
}

// codeName is "ok" for success, else the Connect code's name ("unknown" for an error
// without one).
func codeName(err error) string {
	if err == nil {
		return "ok"
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code().String()
	}
	return connect.CodeUnknown.String()
}

// observedPath is the path as a label: a guarded path the edge refused is a served
// procedure or the upload; anything else is counted as "other" so a caller cannot grow
// the label set with made-up paths.
func (e *edge) observeRefusal(r *http.Request, err error) {
	if e.observe == nil {
		return
	}
	procedure := r.URL.Path
	if !e.served(procedure) {
		procedure = "other"
	}
	e.observe(procedure, codeName(err))
}

// servedProcedures says whether a path is one of the API's procedures or the upload.
func servedProcedures() func(string) bool {
	paths := map[string]bool{fileupload.Path: true}
	for _, name := range apiServices {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			continue
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := range methods.Len() {
			paths["/"+name+"/"+string(methods.Get(i).Name())] = true
		}
	}
	return func(path string) bool { return paths[path] }
}
