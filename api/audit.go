package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/staffsync/staffsync/store"
)

// changes reports whether a call can change something and so belongs in the audit log:
// every RPC not declared free of side effects, so a new RPC is audited by default.
func changes(spec connect.Spec) bool {
	return spec.IdempotencyLevel != connect.IdempotencyNoSideEffects
}

// maxAuditDetail bounds one event's request JSON; a bigger request (a long list of people)
// keeps only which fields it set.
const maxAuditDetail = 16 << 10

// record appends the call to the caller's audit log. It runs after the handler, so a
// failure to record cannot undo the change; it is logged as an error for the operator.
func (a *authInterceptor) record(ctx context.Context, p store.Principal, procedure, peer string, req, resp any, callErr error) {
	outcome := "ok"
	if callErr != nil {
		outcome = connect.CodeOf(callErr).String()
	}
	event := store.AuditEvent{
		ClientAddress: clientHost(peer),
		Action:        auditAction(procedure),
		Object:        auditObject(procedure, req, resp),
		Outcome:       outcome,
		Detail:        auditDetail(req),
	}
	if err := a.store.RecordAudit(context.WithoutCancel(ctx), p, event); err != nil {
		a.log.ErrorContext(ctx, "audit event not recorded", "action", event.Action, "object", event.Object, "company", p.CompanyID, "error", err)
	}
}

func clientHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// auditObject names what a call acted on from the ids in its request ("import_id=12",
// "person_ids=3,4"), or, for a call that creates something, the id in its answer.
func auditObject(procedure string, req, resp any) string {
	noun := serviceNoun(procedure)
	if m, ok := req.(proto.Message); ok {
		if s := idFields(m.ProtoReflect(), noun); s != "" {
			return s
		}
	}
	if m, ok := resp.(proto.Message); ok {
		r := m.ProtoReflect()
		fields := r.Descriptor().Fields()
		for i := 0; i < fields.Len(); i++ {
			f := fields.Get(i)
			if f.Kind() != protoreflect.MessageKind || f.IsList() || f.IsMap() || !r.Has(f) {
				continue
			}
			inner := r.Get(f).Message()
			if id := inner.Descriptor().Fields().ByName("id"); id != nil && inner.Has(id) {
				return fmt.Sprintf("%s_id=%v", f.Name(), inner.Get(id).Interface())
			}
		}
	}
	return ""
}

// splitProcedure splits "/staffsync.v1.ImportService/StartImport" into its short service
// name and method.
func splitProcedure(procedure string) (service, method string) {
	full, method, _ := strings.Cut(strings.TrimPrefix(procedure, "/"), "/")
	return full[strings.LastIndex(full, ".")+1:], method
}

// auditAction is how the log names a call: "ImportService.StartImport".
func auditAction(procedure string) string {
	service, method := splitProcedure(procedure)
	return service + "." + method
}

// serviceNoun is what a bare "id" field means in a service: IntegrationService -> integration.
func serviceNoun(procedure string) string {
	service, _ := splitProcedure(procedure)
	if service == "AccessService" {
		return "token"
	}
	return strings.ToLower(strings.TrimSuffix(service, "Service"))
}

// personFields name people (by email or id) in directory requests.
var personFields = map[string]bool{"person": true, "people": true, "source": true, "destination": true}

func idFields(m protoreflect.Message, noun string) string {
	var parts []string
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		name := string(f.Name())
		if name != "id" && !strings.HasSuffix(name, "_id") && !strings.HasSuffix(name, "_ids") && !personFields[name] {
			continue
		}
		if !m.Has(f) || f.IsMap() || f.Kind() == protoreflect.MessageKind {
			continue
		}
		if name == "id" {
			name = noun + "_id"
		}
		v := m.Get(f)
		if f.IsList() {
			list := v.List()
			ids := make([]string, 0, min(list.Len(), 20))
			for j := 0; j < list.Len() && j < 20; j++ {
				ids = append(ids, fmt.Sprint(list.Get(j).Interface()))
			}
			if list.Len() > 20 {
				ids = append(ids, fmt.Sprintf("and %d more", list.Len()-20))
			}
			parts = append(parts, name+"="+strings.Join(ids, ","))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", name, v.Interface()))
	}
	return strings.Join(parts, " ")
}

// secretField reports fields whose values never go into the audit log: integration
// secrets, passwords, tokens and client secrets. Only that they were set or removed is kept.
func secretField(name protoreflect.Name) bool {
	n := strings.ToLower(string(name))
	return strings.Contains(n, "secret") || strings.Contains(n, "password") || n == "token" || strings.HasSuffix(n, "_token")
}

// auditDetail is the request as JSON with secret values replaced by "(set)"/"(removed)" and
// file contents by their size, so the log says which settings changed but not to what secret.
func auditDetail(req any) json.RawMessage {
	m, ok := req.(proto.Message)
	if !ok {
		return nil
	}
	clone := proto.Clone(m)
	omitted := map[string]string{}
	redact(clone.ProtoReflect(), "", omitted)
	body, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(clone)
	if err != nil {
		return nil
	}
	out := map[string]any{"request": json.RawMessage(body)}
	if len(omitted) > 0 {
		out["omitted"] = omitted
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	if len(raw) > maxAuditDetail {
		var set []string
		clone.ProtoReflect().Range(func(f protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			set = append(set, string(f.Name()))
			return true
		})
		sort.Strings(set)
		raw, _ = json.Marshal(map[string]any{"fields_set": set, "truncated": fmt.Sprintf("the request was %d bytes", len(raw))})
	}
	return raw
}

func redact(m protoreflect.Message, path string, omitted map[string]string) {
	m.Range(func(f protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := path + string(f.Name())
		switch {
		case f.Kind() == protoreflect.BytesKind && !f.IsList() && !f.IsMap():
			omitted[name] = fmt.Sprintf("%d bytes", len(v.Bytes()))
			m.Clear(f)
		case secretField(f.Name()) && f.IsMap() && f.MapValue().Kind() == protoreflect.StringKind:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				state := "(set)"
				if mv.String() == "" {
					state = "(removed)"
				}
				v.Map().Set(k, protoreflect.ValueOfString(state))
				return true
			})
		case secretField(f.Name()) && f.Kind() == protoreflect.StringKind && !f.IsList():
			m.Set(f, protoreflect.ValueOfString("(set)"))
		case secretField(f.Name()):
			omitted[name] = "secret"
			m.Clear(f)
		case f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap():
			redact(v.Message(), name+".", omitted)
		case f.Kind() == protoreflect.MessageKind && f.IsList():
			for i := 0; i < v.List().Len(); i++ {
				redact(v.List().Get(i).Message(), fmt.Sprintf("%s[%d].", name, i), omitted)
			}
		}
		return true
	})
}

// recordEvent appends an event that is not an RPC (sign-in, sign-out) to the audit log.
func (a *authInterceptor) recordEvent(ctx context.Context, p store.Principal, action, peer, object, outcome string, detail map[string]string) {
	raw, _ := json.Marshal(detail)
	event := store.AuditEvent{ClientAddress: clientHost(peer), Action: action, Object: object, Outcome: outcome, Detail: raw}
	if err := a.store.RecordAudit(context.WithoutCancel(ctx), p, event); err != nil {
		a.log.ErrorContext(ctx, "audit event not recorded", "action", action, "company", p.CompanyID, "error", err)
	}
}
