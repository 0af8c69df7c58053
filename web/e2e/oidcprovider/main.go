// Command oidcprovider runs the example OpenID Provider of github.com/zitadel/oidc (an
// OpenID Certified library) on a loopback address for the console's browser tests: client
// "web" with secret "secret", and the users given as USER=EMAIL (password "password",
// email verified). It prints the issuer URL on its first line.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	opstorage "github.com/zitadel/oidc/v3/example/server/storage"
)

type users map[string]*opstorage.User

func (u users) GetUserByID(id string) *opstorage.User { return u[id] }
func (u users) GetUserByUsername(name string) *opstorage.User {
	return u[name]
}
func (u users) ExampleClientID() string { return "service" }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	redirect := flag.String("redirect", "", "the relying party's redirect URI")
	flag.Parse()
	all := users{}
	for _, arg := range flag.Args() {
		name, email, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintln(os.Stderr, "usage: oidcprovider --redirect URI USER=EMAIL...")
			os.Exit(2)
		}
		all[name] = &opstorage.User{ID: name, Username: name, Password: "password", FirstName: name, LastName: "Test",
			Email: email, EmailVerified: true, PreferredLanguage: language.English}
	}
	host, _, _ := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "oidcprovider listens on loopback only")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	issuer := fmt.Sprintf("http://%s/", ln.Addr())
	opstorage.RegisterClients(opstorage.WebClient("web", "secret", *redirect))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router := exampleop.SetupServer(issuer, opstorage.NewStorage(all), log, false)
	fmt.Println(issuer)
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
