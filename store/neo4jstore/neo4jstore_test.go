package neo4jstore_test

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/neo4jstore"
	"github.com/citygraph/citygraph/store/storetest"
)

// TestContract runs the shared contract suite against the real server;
// every subtest gets a wiped database (schema and migrations kept).
func TestContract(t *testing.T) {
	serverConfig(t)
	storetest.Run(t, func(t *testing.T) domain.Store { return openEmpty(t) })
}

func TestWriteFailingHalfwayLeavesNothing(t *testing.T) {
	serverConfig(t)
	storetest.WriteFailingHalfway(t, func(t *testing.T) domain.Store { return openEmpty(t) }, neo4jstore.SetTestHookCommit)
}
