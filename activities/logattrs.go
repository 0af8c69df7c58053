package activities

import "log/slog"

// LogAttrs are the ids every log line of an activity on an import carries (the worker's
// logging interceptor adds them, with the workflow id).
func (r ImportRef) LogAttrs() []slog.Attr {
	return []slog.Attr{slog.Int64("company_id", r.CompanyID), slog.Int64("import_id", r.ImportID)}
}

// LogAttrs are the ids every log line of an activity on an integration carries.
func (r IntegrationRef) LogAttrs() []slog.Attr {
	return []slog.Attr{slog.Int64("company_id", r.CompanyID), slog.Int64("integration_id", r.IntegrationID)}
}
