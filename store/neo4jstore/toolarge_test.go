package neo4jstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func TestTooLargeSaysWhatToDo(t *testing.T) {
	mem := &neo4j.Neo4jError{Code: "Neo.TransientError.General.MemoryPoolOutOfMemoryError", Msg: "pool full"}
	err := tooLarge(mem, 500000)
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("code = %q, want INVALID_ARGUMENT (retrying the same load cannot help)", domain.ErrorCode(err))
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "500000 rows") || !strings.Contains(msg, "split") {
		t.Errorf("message = %q; want the row count and what to do", msg)
	}
	other := errors.New("connection reset")
	if got := tooLarge(other, 1); got != other {
		t.Errorf("tooLarge(other) = %v, want it unchanged", got)
	}
}
