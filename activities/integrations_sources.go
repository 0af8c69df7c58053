package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/httpsfile"
	"github.com/staffsync/staffsync/sources/sftp"
	"github.com/staffsync/staffsync/store"
)

// MaxIntegrationFileBytes is the largest file an integration imports (as uploads: 50 MiB).
const MaxIntegrationFileBytes = 50 << 20

// fileSource builds the source of a file integration with its decrypted secrets.
func (a *Activities) fileSource(integ store.Integration) (sources.FileSource, error) {
	sec, err := a.openSecrets(integ)
	if err != nil {
		return nil, err
	}
	set := integ.Settings
	switch integ.Kind {
	case store.KindHTTPS:
		return httpsfile.New(httpsfile.Config{
			URL: set["url"], Username: set["username"], Password: sec["password"], BearerToken: sec["token"],
			MaxBytes: MaxIntegrationFileBytes, Network: a.network(),
		})
	case store.KindSFTP:
		port := 0
		if p := strings.TrimSpace(set["port"]); p != "" {
			if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
				return nil, sources.Errorf(sources.ErrConfig, "port %q is not a port number", p)
			}
		}
		return sftp.New(sftp.Config{
			Host: set["host"], Port: port, User: set["user"], Password: sec["password"],
			PrivateKey: sec["private_key"], Passphrase: sec["passphrase"], HostKey: set["host_key"],
			Dir: set["dir"], Glob: set["glob"], MaxBytes: MaxIntegrationFileBytes, Network: a.network(),
		})
	}
	return nil, sources.Errorf(sources.ErrConfig, "integration kind %q has no file source", integ.Kind)
}

// recordSource builds the HR system client of an integration. The HRIS packages plug in
// through RecordSources so this package does not change when one is added.
func (a *Activities) recordSource(integ store.Integration) (sources.RecordSource, error) {
	sec, err := a.openSecrets(integ)
	if err != nil {
		return nil, err
	}
	build, ok := RecordSources[integ.Kind]
	if !ok {
		return nil, sources.Errorf(sources.ErrConfig, "the %s integration is not available in this build of staffsync", integ.Kind)
	}
	return build(integ.Settings, sec, a.network())
}

// RecordSourceBuilder makes an HR system client from settings and decrypted secrets.
type RecordSourceBuilder func(settings, secrets map[string]string, network sources.Network) (sources.RecordSource, error)

// RecordSources holds the HR system clients by integration kind.
var RecordSources = map[string]RecordSourceBuilder{}

// TestResult is the outcome of a connection test, worded for the admin. HR systems also say
// how many people the credentials see and which fields a sync depends on they can read.
type TestResult struct {
	OK          bool
	Message     string
	People      int
	PeopleKnown bool
	Fields      []FieldAccess
	Warnings    []string
}

// FieldAccess says whether the credentials can read one field.
type FieldAccess struct {
	Name     string
	Readable bool
}

// TestIntegration checks an integration's settings and credentials without importing.
func (a *Activities) TestIntegration(ctx context.Context, ref IntegrationRef) (TestResult, error) {
	integ, err := a.Store.GetIntegration(ctx, ref.CompanyID, ref.IntegrationID)
	if err != nil {
		return TestResult{}, permanentOrRetryable(err)
	}
	var msg string
	switch {
	case integ.Kind == store.KindSFTPDrop:
		files, ferr := a.Store.ListDropFiles(ctx, integ.ID)
		if ferr != nil {
			return TestResult{}, ferr
		}
		msg = fmt.Sprintf("the drop is ready for user %q; %d file(s) uploaded", integ.Settings["user"], len(files))
	case store.IsHRIS(integ.Kind):
		var src sources.RecordSource
		if src, err = a.recordSource(integ); err == nil {
			var res TestResult
			if res, err = testRecordSource(ctx, src); err == nil {
				return res, nil
			}
		}
	default:
		var src sources.FileSource
		if src, err = a.fileSource(integ); err == nil {
			tester, ok := src.(sources.ConnectionTester)
			if !ok {
				return TestResult{OK: true, Message: "nothing to test"}, nil
			}
			msg, err = tester.TestConnection(ctx)
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return TestResult{}, err
		}
		return TestResult{Message: err.Error()}, nil
	}
	return TestResult{OK: true, Message: msg}, nil
}
