package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// corsOrigins parses CITYGRAPH_CORS_ORIGINS: comma-separated origins
// (https://app.example.org, http://localhost:5173), "*" for any, or one
// wildcard in a host (https://*.example.org). Unset is none: browsers on
// other origins cannot read the API's answers.
func corsOrigins(v string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
				strings.Count(o, "*") > 1 {
				return nil, fmt.Errorf("CITYGRAPH_CORS_ORIGINS: %q is not an origin: write scheme://host[:port], as https://app.example.org", o)
			}
			o = strings.TrimSuffix(o, "/") // browsers send the origin without it
		}
		origins = append(origins, o)
	}
	return origins, nil
}

// allowOrigins lets browser apps on origins call next: it answers their
// preflight requests and adds the CORS headers to the responses. Other
// origins get no CORS headers, so their browsers keep the answers from
// them. With no origins next is returned as it is.
func allowOrigins(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next // rs/cors would read an empty list as "*"
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		// What GraphQL clients send beyond the CORS-safelisted headers.
		AllowedHeaders: []string{"Content-Type", "Accept", "Authorization"},
		ExposedHeaders: []string{"Retry-After", "WWW-Authenticate"},
		MaxAge:         600,
	}).Handler(next)
}
