package user

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password lengths, in characters.
const (
	MinPasswordLen = 8   // the least a Config may ask for
	MaxPasswordLen = 128 // long enough for any passphrase, short enough to hash without harm
)

// PolicyError says why a password was refused. Its message is meant for
// the user who chose the password.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return "password not accepted: " + e.Reason }

func refuse(format string, args ...any) error {
	return &PolicyError{fmt.Sprintf(format, args...)}
}

// checkPassword checks a new password of the user named name against
// the policy: at least minLen and at most MaxPasswordLen characters, two
// kinds of characters at least, not like the user name, and not one
// attackers try first.
func checkPassword(pw, name string, minLen int) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return refuse("it holds control characters or is not text")
	case n < minLen:
		return refuse("shorter than %d characters", minLen)
	case n > MaxPasswordLen:
		return refuse("longer than %d characters", MaxPasswordLen)
	case classes(pw) < 2:
		return refuse("it has one kind of character: mix at least two of lower case letters, upper case letters, digits and symbols")
	case similar(strings.ToLower(pw), name):
		return refuse("it is too like the user name")
	}
	if why := weakness(strings.ToLower(pw)); why != "" {
		return refuse("%s: attackers try such passwords first", why)
	}
	return nil
}

// classes counts the kinds of characters in pw: lower case, upper case,
// digits, and anything else (symbols, spaces, Chinese characters...).
func classes(pw string) int {
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// similar reports whether the password p (in lower case) is like the
// user name: it contains the name or the name reversed, the name
// contains it, it is a few edits away from the name, or it contains a
// part of the name (zhang.wei@bank → zhang, wei, bank) of 4 characters
// or more. Leetspeak (p4ssw0rd) is read as letters.
func similar(p, name string) bool {
	name = strings.ToLower(name)
	for _, q := range []string{p, unleet(p)} {
		switch {
		case len(name) >= 3 && (strings.Contains(q, name) || strings.Contains(q, reverse(name))):
			return true
		case strings.Contains(name, q):
			return true
		case distance(q, name) <= 3:
			return true
		}
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(part) >= 4 && strings.Contains(q, part) {
				return true
			}
		}
	}
	return false
}

// weakness says how the password p (in lower case) is one attackers try
// first, or "" when it is not: it is common, a common word or name with
// predictable digits or symbols around it (Password1!, zhangsan1990), a
// keyboard or alphabet sequence (1qaz2wsx, qwe123), a repetition
// (abcabcabc), or a date.
func weakness(p string) string {
	core, decor := strip(p)
	switch {
	case isCommon(p):
		return "it is common"
	case isWalk(p):
		return "it is a keyboard or alphabet sequence"
	case isRepeat(p):
		return "it repeats a few characters"
	case core == "" && isDate(digits(p)):
		return "it is a date"
	case !predictable(decor):
		return ""
	case isCommon(core) || isCommon(unleet(core)):
		return "it is a common word or name with predictable digits or symbols"
	case utf8.RuneCountInString(core) <= 3:
		return "it is a few letters with predictable digits or symbols"
	case isWalk(core) || isRepeat(core):
		return "it is a sequence with predictable digits or symbols"
	}
	return ""
}

// strip splits p into its core, between the first and last letter, and
// the digits and symbols around it.
func strip(p string) (core, decor string) {
	start := strings.IndexFunc(p, unicode.IsLetter)
	if start < 0 {
		return "", p
	}
	end := strings.LastIndexFunc(p, unicode.IsLetter)
	_, size := utf8.DecodeRuneInString(p[end:])
	end += size
	return p[start:end], p[:start] + p[end:]
}

// predictable reports whether the digits and symbols around a word add
// little to it: a few characters, or a date, a sequence, a repetition or
// a common number with at most two symbols.
func predictable(decor string) bool {
	d := digits(decor)
	if utf8.RuneCountInString(decor) <= 4 {
		return true
	}
	if utf8.RuneCountInString(decor)-len(d) > 2 {
		return isWalk(decor)
	}
	return isDate(d) || isWalk(d) || isRepeat(d) || isCommon(d)
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// leet maps the digits and symbols of leetspeak to the letters they
// stand for.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i", "8", "b")

func unleet(s string) string { return leet.Replace(s) }

// walks are sequences on keyboards (rows, shifted rows, columns, the
// numeric keypad) and the alphabet: a password made of runs of three or
// more neighbours on them is a walk.
var walks = []string{
	"`1234567890-=", "~!@#$%^&*()_+", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/",
	"!qaz", "@wsx", "#edc", "$rfv", "%tgb", "^yhn", "&ujm", "*ik<", "(ol>",
	"789", "456", "123", "741", "852", "963", "abcdefghijklmnopqrstuvwxyz",
}

// neighbours holds the pairs of characters next to each other on a walk,
// both ways.
var neighbours = func() map[[2]rune]bool {
	m := map[[2]rune]bool{}
	for _, w := range walks {
		rs := []rune(w)
		for i := 1; i < len(rs); i++ {
			m[[2]rune{rs[i-1], rs[i]}] = true
			m[[2]rune{rs[i], rs[i-1]}] = true
		}
	}
	return m
}()

// isWalk reports whether s is made wholly of runs of three or more
// neighbours on a keyboard or the alphabet: qwerty, 1qaz2wsx, qwe123!@#,
// zaq12wsx, abcdef.
func isWalk(s string) bool {
	rs := []rune(s)
	if len(rs) < 3 {
		return false
	}
	run := 1
	for i := 1; i <= len(rs); i++ {
		if i < len(rs) && neighbours[[2]rune{rs[i-1], rs[i]}] {
			run++
			continue
		}
		if run < 3 {
			return false
		}
		run = 1
	}
	return true
}

// isRepeat reports whether s is a few characters over and over: one unit
// repeated (aaaaaaaa, abcabcabc, 5201314520...) or at most two distinct
// characters.
func isRepeat(s string) bool {
	rs := []rune(s)
	if len(rs) < 3 {
		return false
	}
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) <= 2 {
		return true
	}
	for k := 1; k <= len(rs)/2; k++ {
		if periodic(rs, k) {
			return true
		}
	}
	return false
}

// periodic reports whether rs repeats its first k runes throughout (the
// last repetition may be cut short).
func periodic(rs []rune, k int) bool {
	for i := k; i < len(rs); i++ {
		if rs[i] != rs[i-k] {
			return false
		}
	}
	return true
}

// isDate reports whether the digits d are a date as people write them:
// 19900101, 900101, 01011990, 0101, 1990.
func isDate(d string) bool {
	n := func(s string) int { return atoi(s) }
	year := func(s string) bool { y := n(s); return y >= 1900 && y <= 2099 }
	md := func(m, dd string) bool { return n(m) >= 1 && n(m) <= 12 && n(dd) >= 1 && n(dd) <= 31 }
	switch len(d) {
	case 4:
		return year(d) || md(d[:2], d[2:]) || md(d[2:], d[:2])
	case 6:
		return md(d[2:4], d[4:]) || md(d[:2], d[2:4])
	case 8:
		return year(d[:4]) && md(d[4:6], d[6:]) || year(d[4:]) && (md(d[:2], d[2:4]) || md(d[2:4], d[:2]))
	}
	return false
}

func atoi(s string) int {
	v := 0
	for _, c := range s {
		v = v*10 + int(c-'0')
	}
	return v
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
