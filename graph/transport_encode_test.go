package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/graph"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The transport writes plain data without encoding/json; the bytes must be
// exactly json.Marshal's, as clients and caches saw them before.
func TestEncodeResponseMatchesJSONMarshal(t *testing.T) {
	tests := []struct {
		name string
		resp graphql.Response
	}{
		{"plain data", graphql.Response{Data: json.RawMessage(`{"city":{"name":"Nanning","partners":{"totalCount":26}}}`)}},
		{"null data", graphql.Response{Data: json.RawMessage(`null`)}},
		{"no data", graphql.Response{}},
		{"HTML characters are escaped", graphql.Response{Data: json.RawMessage(`{"name":"<b>Ho & Co</b>"}`)}},
		{"line separators are escaped", graphql.Response{Data: json.RawMessage("{\"name\":\"a\u2028b\u2029c\"}")}},
		{"other non-ASCII is kept", graphql.Response{Data: json.RawMessage(`{"nameZh":"南宁","name":"Hà Nội"}`)}},
		{"whitespace outside strings is dropped", graphql.Response{Data: json.RawMessage("{\n\t\"a\": 1\r\n}")}},
		{"escapes in strings are kept", graphql.Response{Data: json.RawMessage(`{"a":"say \"hi\"\\ \u0001"}`)}},
		{"a Go escape is refused as json.Marshal refuses it", graphql.Response{Data: json.RawMessage(`{"a":"\x7f"}`)}},
		{"errors beside data", graphql.Response{Data: json.RawMessage(`{"city":null}`), Errors: gqlerror.List{{Message: "no"}}}},
		{"extensions", graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"cost": 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := json.Marshal(struct {
				Errors     gqlerror.List   `json:"errors,omitempty"`
				Data       json.RawMessage `json:"data,omitempty"`
				Extensions map[string]any  `json:"extensions,omitempty"`
			}{tt.resp.Errors, tt.resp.Data, tt.resp.Extensions})
			got, err := graph.EncodeResponse(&tt.resp)
			if (err != nil) != (wantErr != nil) || string(got) != string(want) {
				t.Fatalf("EncodeResponse: got %s, %v; want %s, %v", got, err, want, wantErr)
			}
		})
	}
}
