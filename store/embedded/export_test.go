package embedded

// SetTestHookWriting makes Apply call f as it starts writing the file,
// until the returned function restores the default.
func SetTestHookWriting(f func()) (restore func()) {
	testHookWriting = f
	return func() { testHookWriting = nil }
}
