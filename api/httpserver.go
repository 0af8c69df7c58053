package api

import (
	"net/http"
	"time"
)

// ServerTimeouts bound how long a connection may hold the server: a slow client (slowloris,
// a body sent a byte at a time) is cut off by them. WatchImport and the streaming upload
// extend their own deadlines per request. Zero fields take DefaultServerTimeouts.
type ServerTimeouts struct {
	// ReadHeader bounds reading a request's headers; Read its headers and body.
	ReadHeader time.Duration
	Read       time.Duration
	// Write bounds the time from the end of the headers to the end of the answer.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle           time.Duration
	MaxHeaderBytes int
}

// DefaultServerTimeouts: a 1 MiB message in a minute is 17 KB/s, slower than any real client.
var DefaultServerTimeouts = ServerTimeouts{
	ReadHeader:     10 * time.Second,
	Read:           time.Minute,
	Write:          2 * time.Minute,
	Idle:           2 * time.Minute,
	MaxHeaderBytes: 64 << 10,
}

// NewHTTPServer returns the API's HTTP server with the timeouts set. It speaks HTTP/1.1 and
// HTTP/2 on one port, also without TLS (HTTP/2 with prior knowledge, as gRPC clients send
// it); with TLS, ALPN picks the protocol.
func NewHTTPServer(h http.Handler, t ServerTimeouts) *http.Server {
	d := DefaultServerTimeouts
	pick := func(v, def time.Duration) time.Duration {
		if v <= 0 {
			return def
		}
		return v
	}
	if t.MaxHeaderBytes <= 0 {
		t.MaxHeaderBytes = d.MaxHeaderBytes
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Protocols:         &protocols,
		Handler:           h,
		ReadHeaderTimeout: pick(t.ReadHeader, d.ReadHeader),
		ReadTimeout:       pick(t.Read, d.Read),
		WriteTimeout:      pick(t.Write, d.Write),
		IdleTimeout:       pick(t.Idle, d.Idle),
		MaxHeaderBytes:    t.MaxHeaderBytes,
	}
}
