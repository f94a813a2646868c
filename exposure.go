package main

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/playground"
)

// exposure is what the service shows of itself: the GraphQL endpoint's
// production switches and whether / serves the playground.
type exposure struct {
	graph      graph.Exposure
	playground bool
	// playgroundNotice is shown above the playground when it is on but
	// cannot fully work: introspection off or only trusted documents.
	playgroundNotice string
}

// loadExposure reads the production switches. The playground defaults to
// on only where it works: it reads the schema by introspection, and runs
// only manifest documents in trusted mode.
func loadExposure(getenv func(string) string) (exposure, error) {
	var e exposure
	var err error
	if e.graph.Introspection, err = envOnOff(getenv, "CITYGRAPH_INTROSPECTION", true); err != nil {
		return e, err
	}
	if e.graph.Suggestions, err = envOnOff(getenv, "CITYGRAPH_SUGGESTIONS", true); err != nil {
		return e, err
	}
	if e.graph.APQ, err = envOnOff(getenv, "CITYGRAPH_APQ", true); err != nil {
		return e, err
	}
	if path := getenv("CITYGRAPH_TRUSTED_DOCUMENTS"); path != "" {
		if e.graph.Trusted, err = graph.LoadTrustedDocuments(path); err != nil {
			return e, fmt.Errorf("CITYGRAPH_TRUSTED_DOCUMENTS: %w", err)
		}
	}
	fullyWorks := e.graph.Introspection && e.graph.Trusted == nil
	if e.playground, err = envOnOff(getenv, "CITYGRAPH_PLAYGROUND", fullyWorks); err != nil {
		return e, err
	}
	switch {
	case !e.playground:
	case e.graph.Trusted != nil:
		e.playgroundNotice = "This server runs only its operator's trusted documents: queries that are not in its manifest are refused."
	case !e.graph.Introspection:
		e.playgroundNotice = "Introspection is switched off on this server, so the editor has no schema: no completion, no docs. Queries still run."
	}
	return e, nil
}

// envOnOff reads a true/false setting; unset is def.
func envOnOff(getenv func(string) string, key string, def bool) (bool, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q: use true or false", key, v)
	}
	return b, nil
}

// playgroundHandler serves the playground at /, or, when it is switched
// off, a 404 that says so.
func playgroundHandler(e exposure) http.Handler {
	if !e.playground {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "the playground is switched off on this server; send GraphQL requests to /graphql", http.StatusNotFound)
		})
	}
	var opts []playground.Option
	if e.playgroundNotice != "" {
		opts = append(opts, playground.WithNotice(e.playgroundNotice))
	}
	return playground.Handler("citygraph", "/graphql", examples.All(), opts...)
}
