package api

import (
	"net/http"

	"github.com/staffsync/staffsync/web"
)

// mountConsole serves the web console at "/". The API's own, longer patterns take precedence
// in ServeMux, so only paths that are not API routes reach the console.
func mountConsole(mux *http.ServeMux) {
	mux.Handle("/", web.Handler())
}
