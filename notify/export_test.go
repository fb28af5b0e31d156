package notify

// What the fuzz tests of package notify_test check against the parsers
// of notifytest, which imports this package.
var (
	SDEscape  = sdEscape
	CEFHeader = cefHeader
	CEFValue  = cefValue
)
