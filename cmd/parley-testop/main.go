// Command parley-testop runs a real OpenID Connect provider (zitadel/oidc's example OP) for
// the browser tests of the sign-in popup: one client, "parley" with secret "parley-secret",
// whose redirect URI is -callback, and one reader, "reader" with password "verysecure", whose
// email (-email) is verified. It prints its issuer URL on the first line of stdout and
// serves until it is stopped. It is a test tool: never run it where anyone else can reach it.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"
)

// users is the provider's one reader.
type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (users) ExampleClientID() string { return storage.ServiceUserID }

func main() {
	callback := flag.String("callback", "", "Parley's {publicURL}/oidc/callback, the client's redirect URI")
	email := flag.String("email", "reader@example.org", "the reader's verified email")
	flag.Parse()
	if *callback == "" {
		fmt.Fprintln(os.Stderr, "usage: parley-testop -callback http://localhost:8080/oidc/callback [-email reader@example.org]")
		os.Exit(2)
	}
	// Loopback only, on a free port: the issuer must be http on a loopback host for Parley.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	st := storage.NewStorageWithClients(users{"r1": {ID: "r1", Username: "reader", Password: "verysecure",
		FirstName: "Olga", LastName: "Reader", Email: *email, EmailVerified: true, PreferredLanguage: language.English}},
		map[string]*storage.Client{"parley": storage.WebClient("parley", "parley-secret", *callback)})
	fmt.Println(issuer)
	log.Fatal(http.Serve(ln, exampleop.SetupServer(issuer, st, nil, false)))
}
