package admission

import "sync"

// clientsInFlight counts each client's requests in flight, so that one
// client cannot take every slot of the server's bound. It holds an entry
// only while a client has a request in flight, so it is never larger than
// that bound.
type clientsInFlight struct {
	mu  sync.Mutex
	n   map[string]int
	max int
}

func newClientsInFlight(max int) *clientsInFlight {
	return &clientsInFlight{n: map[string]int{}, max: max}
}

// acquire takes one of client's slots, if it has one left.
func (c *clientsInFlight) acquire(client string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[client] >= c.max {
		return false
	}
	c.n[client]++
	return true
}

func (c *clientsInFlight) release(client string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[client]--; c.n[client] <= 0 {
		delete(c.n, client)
	}
}
