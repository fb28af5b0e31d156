// Package mask hides sensitive values in text before vigil stores or
// shows it: Chinese resident identity card numbers, mobile phone
// numbers, bank card numbers, and secrets (vigil tokens, passwords,
// bearer credentials, session cookies).
//
// The security specification vigil meets forbids such values in audit
// records and logs where they are not needed. Masking errs on the side of
// hiding: a number that merely looks like a card number (13 to 19 digits
// passing the Luhn check) is masked too.
package mask

import (
	"regexp"
	"strings"
)

// Hidden replaces a secret's value.
const Hidden = "****"

// String returns s with its sensitive values masked. Digits of numbers
// become '*', keeping a few at each end so that a person can still tell
// two numbers apart; secrets become Hidden. Invalid UTF-8 passes through
// unchanged.
func String(s string) string {
	s = secrets(s)
	// Masking a number can leave digits it kept beside other digits, in
	// a run of groups not yet seen: mask until nothing changes. Each pass
	// only turns digits into '*', so this ends.
	for {
		m := numbers(s)
		if m == s {
			return s
		}
		s = m
	}
}

// tokenRE matches vigil API tokens: "vgl_", the public id, "_" and the
// secret. The id stays: it names the token in lists and logs.
var tokenRE = regexp.MustCompile(`vgl_[A-Za-z0-9_-]+`)

// schemeRE matches the credentials of HTTP authorization schemes.
var schemeRE = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/-]+=*`)

// userinfoRE matches the password of a URL's user information.
var userinfoRE = regexp.MustCompile(`(://[^/\s:@]*:)[^/\s@]+@`)

// keyValueRE matches a value given under a key that names a secret:
// password=..., "token": "...", client_secret: ..., 密码：... The key may
// be quoted; the value is quoted (with escapes) or runs to a space or a
// delimiter.
var keyValueRE = regexp.MustCompile(`(?i)((?:["']?[A-Za-z0-9_.-]*` +
	`(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|session|cookie|csrf|otp)` +
	`[A-Za-z0-9_.-]*["']?|密码|口令|令牌|密钥|验证码|动态码)\s*[:=：]\s*)` +
	`("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&,;"'{}\[\]<>()]+)`)

// secrets masks the secrets of s.
func secrets(s string) string {
	s = tokenRE.ReplaceAllStringFunc(s, maskToken)
	s = schemeRE.ReplaceAllString(s, "${1}${2}"+Hidden)
	s = userinfoRE.ReplaceAllString(s, "${1}"+Hidden+"@")
	return keyValueRE.ReplaceAllStringFunc(s, maskValue)
}

// maskToken keeps the id of a token written as vigil writes them
// (vgl_ID_SECRET, the id 16 characters) and hides the rest.
func maskToken(t string) string {
	rest := t[len("vgl_"):]
	id, secret, ok := strings.Cut(rest, "_")
	switch {
	case ok && len(id) == 16 && secret == "":
		return t // nothing after the id: already masked
	case ok && len(id) == 16:
		return "vgl_" + id + "_" + Hidden
	}
	return "vgl_" + Hidden
}

// maskValue hides the value of a key-value match, keeping its quotes.
func maskValue(m string) string {
	sub := keyValueRE.FindStringSubmatch(m)
	key, value := sub[1], sub[2]
	switch {
	case strings.HasPrefix(value, `"`):
		return key + `"` + Hidden + `"`
	case strings.HasPrefix(value, `'`):
		return key + `'` + Hidden + `'`
	}
	return key + Hidden
}
