// Package mask hides sensitive values in text before vigil stores or
// shows it: Chinese resident identity card numbers, mobile phone
// numbers, bank card numbers, and secrets (vigil tokens, passwords,
// PINs and card security codes, bearer credentials, session cookies).
//
// The security specification vigil meets forbids such values in audit
// records and logs where they are not needed. Masking errs on the side of
// hiding: a number that merely looks like a card number (13 to 19 digits
// passing the Luhn check) is masked too. Full-width forms, as Chinese
// input methods type them ("１３８００１３８０００", "密码：ｘｙｚ"), are
// read as their ASCII.
package mask

import (
	"regexp"
	"strings"
)

// Hidden replaces a secret's value.
const Hidden = "****"

// String returns s with its sensitive values masked. Digits of numbers
// become '*', keeping a few at each end so that a person can still tell
// two numbers apart; secrets become Hidden. What is not masked is kept
// as written, and invalid UTF-8 passes through unchanged.
func String(s string) string {
	s = secrets(s)
	// Masking a number can leave digits it kept beside other digits, in
	// a run of groups not yet seen: mask until nothing changes. Each pass
	// only turns digits into '*', so this ends.
	for {
		f := fold(s)
		var edits []edit
		tokens := tokenRE.FindAllStringIndex(f.s, -1)
		for _, p := range numbers(f.s) {
			if !within(p, tokens) {
				edits = append(edits, edit{p, p + 1, "*"})
			}
		}
		if len(edits) == 0 {
			return s
		}
		s = f.apply(edits)
	}
}

// within reports whether the offset p is within one of the spans, which
// are in order: the id of a vigil token is not a number, even when it
// could be read as one.
func within(p int, spans [][]int) bool {
	for _, sp := range spans {
		if p < sp[0] {
			return false
		}
		if p < sp[1] {
			return true
		}
	}
	return false
}

// tokenRE matches vigil API tokens: "vgl_", the public id, "_" and the
// secret. The id stays: it names the token in lists and logs.
var tokenRE = regexp.MustCompile(`vgl_[A-Za-z0-9_-]+`)

// schemeRE matches the credentials of HTTP authorization schemes.
var schemeRE = regexp.MustCompile(`(?i)\b(?:bearer|basic)\s+([A-Za-z0-9._~+/-]+=*)`)

// userinfoRE matches the password of a URL's user information.
var userinfoRE = regexp.MustCompile(`://[^/\s:@]*:([^/\s@]+)@`)

// Keys that name secrets.
const (
	// longKeys name a secret wherever they are in a key: user_password,
	// X-Api-Key, client_secret, credentials.
	longKeys = `password|passwd|passcode|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|` +
		`session|cookie|csrf|otp|credential`
	// shortKeys name a secret as a word of a key only (pass, db_pass,
	// card.cvv, PIN), not inside another word (bypass, shipping).
	shortKeys = `pass|pw|pin|cvv2?|cvc2?|cvn`
	// cnKeys are the Chinese words for passwords, PINs, tokens, keys,
	// codes, card secrets and security codes.
	cnKeys = `密码|口令|令牌|密钥|验证码|动态码|校验码|卡密|安全码`
	// value is a value, quoted (with escapes) or running to a space or
	// a delimiter (Chinese punctuation too: 。、 and the full-width forms
	// of , and ;, which fold to ASCII).
	value = `("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&,;"'{}\[\]<>()。、]+)`
)

// keyValueRE matches a value given under a key that names a secret:
// password=..., "token": "...", client_secret: ..., PIN=..., 密码：... The
// key may be quoted.
var keyValueRE = regexp.MustCompile(`(?i)(?:["']?[A-Za-z0-9_.-]*(?:` + longKeys + `)[A-Za-z0-9_.-]*["']?|` +
	`["']?\b(?:[A-Za-z0-9]+[_.-])*(?:` + shortKeys + `)\b["']?|` + cnKeys + `)\s*[:=：]\s*` + value)

// cnValueRE matches a value after a Chinese key and a space or 是 or 为
// ("密码 hunter2", "口令是hunter2", "密码为：hunter2"). The value starts with
// an ASCII character, so that Chinese text that merely speaks of a
// password ("密码 已修改", "密码是否正确") stays.
var cnValueRE = regexp.MustCompile(`(?:` + cnKeys + `)(?:\s*[是为]\s*[:：]?\s*|\s+)` +
	`([A-Za-z0-9!#$%*+./=?@^_|~-][^\s&,;"'{}\[\]<>()。、]*)`)

// secrets masks the secrets of s.
func secrets(s string) string {
	s = replace(s, tokenRE, 0, maskToken)
	s = replace(s, schemeRE, 1, hide)
	s = replace(s, userinfoRE, 1, hide)
	s = replace(s, keyValueRE, 1, maskValue)
	return replace(s, cnValueRE, 1, hide)
}

// replace replaces the submatch sub (0 for the whole match) of each match
// of re in the folded copy of s with what with returns for it.
func replace(s string, re *regexp.Regexp, sub int, with func(string) string) string {
	f := fold(s)
	ms := re.FindAllStringSubmatchIndex(f.s, -1)
	if ms == nil {
		return s
	}
	edits := make([]edit, 0, len(ms))
	for _, m := range ms {
		start, end := m[2*sub], m[2*sub+1]
		edits = append(edits, edit{start, end, with(f.s[start:end])})
	}
	return f.apply(edits)
}

// hide hides a secret.
func hide(string) string { return Hidden }

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

// maskValue hides a value, keeping its quotes.
func maskValue(v string) string {
	switch {
	case strings.HasPrefix(v, `"`):
		return `"` + Hidden + `"`
	case strings.HasPrefix(v, `'`):
		return `'` + Hidden + `'`
	}
	return Hidden
}
