// Command cmd writes schema/filter.graphqls (see package filterschema);
// run from graph/ by go generate.
package main

import (
	"log"
	"os"

	"github.com/citygraph/citygraph/graph/filterschema"
)

func main() {
	if err := os.WriteFile("../schema/filter.graphqls", []byte(filterschema.Text()), 0o644); err != nil {
		log.Fatal(err)
	}
}
