package pattern

import "fmt"

// Error is an invalid pattern. Its message has the form AWS EventBridge
// uses, so that tools and people that know EventBridge read it at once.
type Error struct {
	Reason string
	At     Pos // zero when the pattern did not come from JSON text
	src    []byte
}

// maxSourceInError is how much of the pattern an error message quotes.
const maxSourceInError = 500

func (e *Error) Error() string {
	if e.src == nil {
		return "Event pattern is not valid. Reason: " + e.Reason
	}
	src := string(e.src)
	if len(src) > maxSourceInError {
		src = fmt.Sprintf("%s\"[truncated %d chars]", src[:maxSourceInError], len(src)-maxSourceInError)
	} else {
		src += `"`
	}
	return fmt.Sprintf("Event pattern is not valid. Reason: %s\n at [Source: (String)\"%s; line: %d, column: %d]",
		e.Reason, src, e.At.Line, e.At.Col)
}
