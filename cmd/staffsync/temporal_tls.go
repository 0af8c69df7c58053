package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
)

// temporalSecurity is how staffsync authenticates to Temporal and checks Temporal's
// identity, from the variables the Temporal samples use: TEMPORAL_TLS_CA (PEM file of the CA
// that signed the server's certificate; default: the system's roots), TEMPORAL_TLS_CERT and
// TEMPORAL_TLS_KEY (PEM files of the client certificate, for mTLS), TEMPORAL_API_KEY (an API
// key, as Temporal Cloud issues), TEMPORAL_TLS_SERVER_NAME (the name in the server's
// certificate when it differs from the address). Any of them turns TLS on; an API key is
// never sent without TLS. None of them: plaintext, for a Temporal on 127.0.0.1 only.
type temporalSecurity struct {
	tls         *tls.Config
	credentials client.Credentials
}

func temporalSecurityFromEnv() (temporalSecurity, error) {
	caFile, certFile, keyFile := os.Getenv("TEMPORAL_TLS_CA"), os.Getenv("TEMPORAL_TLS_CERT"), os.Getenv("TEMPORAL_TLS_KEY")
	apiKey, serverName := os.Getenv("TEMPORAL_API_KEY"), os.Getenv("TEMPORAL_TLS_SERVER_NAME")
	var out temporalSecurity
	if caFile == "" && certFile == "" && keyFile == "" && apiKey == "" && serverName == "" {
		return out, nil
	}
	out.tls = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return out, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return out, fmt.Errorf("TEMPORAL_TLS_CA=%s holds no PEM certificate", caFile)
		}
		out.tls.RootCAs = pool
	}
	switch {
	case certFile != "" && keyFile != "":
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return out, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		out.tls.Certificates = []tls.Certificate{pair}
	case certFile != "" || keyFile != "":
		return out, errors.New("set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (the client certificate and its key), or neither")
	}
	if apiKey != "" {
		out.credentials = client.NewAPIKeyStaticCredentials(apiKey)
	}
	return out, nil
}

// apply sets the security on the client options.
func (s temporalSecurity) apply(o *client.Options) {
	o.ConnectionOptions.TLS = s.tls
	o.Credentials = s.credentials
}
