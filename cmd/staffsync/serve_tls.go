package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
)

// apiListen is where and how the API listens: plaintext (HTTP/1.1 and HTTP/2 with prior
// knowledge) unless a certificate and key are given, then TLS with HTTP/2 by ALPN.
type apiListen struct {
	addr     string
	certFile string
	keyFile  string
}

func (l *apiListen) register(fs *flag.FlagSet) {
	fs.StringVar(&l.addr, "api-addr", envOr("STAFFSYNC_HTTP_ADDR", "127.0.0.1:8080"), "API listen address (env STAFFSYNC_HTTP_ADDR)")
	fs.StringVar(&l.certFile, "tls-cert", envOr("STAFFSYNC_TLS_CERT", ""), "PEM certificate chain: serve the API over TLS (env STAFFSYNC_TLS_CERT; needs --tls-key)")
	fs.StringVar(&l.keyFile, "tls-key", envOr("STAFFSYNC_TLS_KEY", ""), "PEM private key of --tls-cert (env STAFFSYNC_TLS_KEY)")
}

// listen opens the listener, wrapped in TLS when a certificate is configured. The pair is
// loaded here so a bad file fails the start with a message, not the first handshake.
func (l *apiListen) listen(srv *http.Server) (net.Listener, error) {
	if (l.certFile == "") != (l.keyFile == "") {
		return nil, errors.New("TLS needs both --tls-cert and --tls-key (or neither for plaintext)")
	}
	var config *tls.Config
	if l.certFile != "" {
		pair, err := tls.LoadX509KeyPair(l.certFile, l.keyFile)
		if err != nil {
			return nil, fmt.Errorf("load the TLS certificate %s and key %s: %w", l.certFile, l.keyFile, err)
		}
		config = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	}
	listener, err := net.Listen("tcp", l.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", l.addr, err)
	}
	if config != nil {
		srv.TLSConfig = config
		return tls.NewListener(listener, config), nil
	}
	return listener, nil
}

func (l *apiListen) scheme() string {
	if l.certFile != "" {
		return "https"
	}
	return "http"
}
