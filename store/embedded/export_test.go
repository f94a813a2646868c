package embedded

// SetTestHookWriting makes Apply call f as it starts writing the file,
// until the returned function restores the default.
func SetTestHookWriting(f func()) (restore func()) {
	testHookWriting = f
	return func() { testHookWriting = nil }
}

// SetTestHookCommit makes every write call f halfway through its
// transaction (nodes written, relations not), failing there if f fails.
func SetTestHookCommit(f func() error) (restore func()) {
	testHookCommit = f
	return func() { testHookCommit = nil }
}
