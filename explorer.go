package main

import (
	"net/http"

	"github.com/citygraph/citygraph/explore"
)

// explorer is whether /explore serves the graph explorer, and what its page
// must tell a user of this server.
type explorer struct {
	on     bool
	notice string
}

// loadExplorer reads CITYGRAPH_EXPLORE. The explorer needs no
// introspection, but in trusted mode its queries run only if the operator's
// manifest holds them, so it defaults to off there, and says so when asked for.
func loadExplorer(getenv func(string) string, e exposure) (explorer, error) {
	trusted := e.graph.Trusted != nil
	on, err := envOnOff(getenv, "CITYGRAPH_EXPLORE", !trusted)
	if err != nil {
		return explorer{}, err
	}
	x := explorer{on: on}
	if on && trusted {
		x.notice = "This server runs only its operator's trusted documents: the explorer's queries are refused unless its manifest holds them."
	}
	return x, nil
}

// explorerHandler serves /explore and its files, or, switched off, a 404
// that says so.
func explorerHandler(x explorer) http.Handler {
	if !x.on {
		return explore.SwitchedOff("set CITYGRAPH_EXPLORE=true to serve it; GraphQL requests go to /graphql")
	}
	opts := []explore.Option{explore.WithExport("/export")}
	if x.notice != "" {
		opts = append(opts, explore.WithNotice(x.notice))
	}
	return explore.Handler("/graphql", opts...)
}
