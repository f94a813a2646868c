package neo4jstore

// SetTestHookCommit makes every write call f halfway through its
// transaction (nodes written, relations not), failing there if f fails.
func SetTestHookCommit(f func() error) (restore func()) {
	testHookCommit = f
	return func() { testHookCommit = nil }
}
