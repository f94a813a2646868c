package noloss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client sends GraphQL requests to one service with one credential.
type client struct {
	url   string // the /graphql endpoint
	token string // an API key or JWT; empty for none
	http  *http.Client
	// failed is called after each write attempt that failed.
	failed func()
}

func newClient(base, token string, clients int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = clients
	// An attempt that outlives the service's own request timeout (30 s by
	// default) is one whose answer is lost: the write is retried.
	return &client{url: base + "/graphql", token: token, http: &http.Client{Transport: tr, Timeout: 45 * time.Second}}
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string { c, _ := e.Extensions["code"].(string); return c }

// answer is what one attempt got: data, errors with codes, or no answer
// at all (Transport set: the connection failed or the body was not JSON).
type answer struct {
	Data      json.RawMessage
	Errors    []gqlError
	Transport error
}

// retryable says whether the outcome leaves the write unknown or refused
// for now: no answer, the store away, the deadline passed, or a limit.
func (a answer) retryable() bool {
	if a.Transport != nil {
		return true
	}
	for _, e := range a.Errors {
		switch e.code() {
		case "UNAVAILABLE", "TIMEOUT", "RATE_LIMITED":
			return true
		}
	}
	return false
}

// reason names the outcome in a word: "no answer" or the error's code.
func (a answer) reason() string {
	if a.Transport != nil {
		return "no answer"
	}
	if len(a.Errors) > 0 && a.Errors[0].code() != "" {
		return a.Errors[0].code()
	}
	return "an error without a code"
}

func (a answer) err() error {
	if a.Transport != nil {
		return a.Transport
	}
	if len(a.Errors) > 0 {
		return fmt.Errorf("%s: %s", a.Errors[0].code(), a.Errors[0].Message)
	}
	return nil
}

// do sends one request; it never retries.
func (c *client) do(ctx context.Context, query string, vars map[string]any) answer {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return answer{Transport: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return answer{Transport: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{Transport: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{Transport: fmt.Errorf("reading the answer: %w", err)}
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil || (len(a.Data) == 0 && len(a.Errors) == 0) {
		return answer{Transport: fmt.Errorf("HTTP %d without a GraphQL answer: %.200s", resp.StatusCode, raw)}
	}
	return a
}
