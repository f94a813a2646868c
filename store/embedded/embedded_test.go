package embedded_test

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/storetest"
)

func openMemory(t *testing.T) domain.Store {
	t.Helper()
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDisk(t *testing.T) domain.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContractInMemory(t *testing.T) { storetest.Run(t, openMemory) }

func TestContractOnDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("the in-memory run covers the same contract")
	}
	storetest.Run(t, openDisk)
}
