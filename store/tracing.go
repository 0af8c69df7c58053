package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// WithTracerProvider traces every query and COPY of the store's pool as a child span of
// the caller's (an RPC's or an activity's). A span carries the SQL text, never the
// arguments: they hold people's data.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(_ *Store, p *poolSettings) {
		if tp != nil {
			p.tracer = &queryTracer{tracer: tp.Tracer("github.com/staffsync/staffsync/store")}
		}
	}
}

// queryTracer is a pgx QueryTracer and CopyFromTracer.
type queryTracer struct{ tracer trace.Tracer }

// maxStatementChars bounds the SQL text kept on a span.
const maxStatementChars = 2000

func (q *queryTracer) start(ctx context.Context, operation, statement string) context.Context {
	if len(statement) > maxStatementChars {
		statement = statement[:maxStatementChars]
	}
	ctx, _ = q.tracer.Start(ctx, operation, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "postgresql"),
		attribute.String("db.query.text", strings.Join(strings.Fields(statement), " ")),
	))
	return ctx
}

func end(ctx context.Context, err error, rows int64) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "query failed")
	}
	if rows >= 0 {
		span.SetAttributes(attribute.Int64("db.response.returned_rows", rows))
	}
	span.End()
}

func (q *queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return q.start(ctx, "postgresql.query", data.SQL)
}

func (q *queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	end(ctx, data.Err, data.CommandTag.RowsAffected())
}

func (q *queryTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	return q.start(ctx, "postgresql.copy", "COPY "+data.TableName.Sanitize()+" ("+strings.Join(data.ColumnNames, ", ")+") FROM STDIN")
}

func (q *queryTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	end(ctx, data.Err, data.CommandTag.RowsAffected())
}
