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
// first, or "" when it is not: it is common, a keyboard or alphabet
// sequence (1qaz2wsx, qwe123), a repetition (abcabcabc), a date, or a few
// letters with predictable digits; or, once up to three characters are
// taken off either end (Password1A is Password1 and A), a base of common
// words, names, sequences and dates with predictable digits or symbols
// among them (Zhangsan1990, Nongxin2024!, p@ssw0rd).
func weakness(p string) string {
	rs := []rune(p)
	switch {
	case isCommonLeet(p):
		return "it is common"
	case isWalk(p):
		return "it is a keyboard or alphabet sequence"
	case isRepeat(p):
		return "it repeats a few characters"
	case !hasLetter(p) && isDate(digits(p)):
		return "it is a date"
	case fewLetters(p):
		return "it is a few letters with predictable digits or symbols"
	}
	bs := bases(rs)
	for _, b := range bs[1:] {
		if why := weakTrimmed(b); why != "" {
			return why
		}
	}
	for _, b := range bs {
		for _, greedy := range []bool{false, true} {
			if why := weakRuns(splitRuns(b, greedy)); why != "" {
				return why
			}
		}
	}
	return ""
}

// Bases: the characters taken off either end of a password, at most, and
// the least that a base keeps.
const (
	maxTrim = 3
	minBase = 4
)

// bases returns the password rs and what is left of it with up to maxTrim
// characters taken off either end, of minBase characters or more; rs
// first.
func bases(rs []rune) []string {
	var out []string
	for i := 0; i <= maxTrim; i++ {
		for j := 0; j <= maxTrim && len(rs)-i-j >= minBase; j++ {
			out = append(out, string(rs[i:len(rs)-j]))
		}
	}
	if len(out) == 0 {
		out = append(out, string(rs))
	}
	return out
}

// weakTrimmed says how b, what is left of a password with characters
// taken off its ends, is weak, or "".
func weakTrimmed(b string) string {
	switch {
	case isCommonLeet(b):
		return "it is a common word or name with predictable digits or symbols"
	case utf8.RuneCountInString(b) >= minSequence && (isLongWalk(b) || isRepeat(b)):
		return "it is a sequence with predictable digits or symbols"
	case !hasLetter(b) && isDate(digits(b)):
		return "it is a date with predictable characters around it"
	}
	return ""
}

// runs are a password split into runs of letters (leetspeak read as
// letters) and runs of other characters.
type runs struct {
	letters, others []string
}

// splitRuns splits b into runs of letters and of other characters. The
// digits and symbols of leetspeak (isLeet) count as letters between
// letters (p@ssw0rd); when greedy, also at the edge of a word (4dmin).
func splitRuns(b string, greedy bool) runs {
	rs := []rune(b)
	isLetter := make([]bool, len(rs))
	for i, r := range rs {
		isLetter[i] = unicode.IsLetter(r)
	}
	for i := 0; i < len(rs); {
		if isLetter[i] || !isLeet(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && !isLetter[j] && isLeet(rs[j]) {
			j++
		}
		before, after := i > 0 && isLetter[i-1], j < len(rs) && isLetter[j]
		if before && after || greedy && (before || after) {
			for k := i; k < j; k++ {
				isLetter[k] = true
			}
		}
		i = j
	}
	var out runs
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && isLetter[j] == isLetter[i] {
			j++
		}
		if isLetter[i] {
			out.letters = append(out.letters, string(rs[i:j]))
		} else {
			out.others = append(out.others, string(rs[i:j]))
		}
		i = j
	}
	return out
}

// weakRuns says how a password split into runs is weak, or "": when each
// of its runs of digits and symbols is predictable, and its letters are
// common words or names, read together or each run alone, or together a
// sequence or repetition.
func weakRuns(r runs) string {
	letters := strings.Join(r.letters, "")
	if utf8.RuneCountInString(letters) < minBase {
		return ""
	}
	for _, o := range r.others {
		if !predictableRun(o) {
			return ""
		}
	}
	switch {
	case isCommonLeet(letters) || allRuns(r.letters, isCommonLeet):
		return "it is a common word or name with predictable digits or symbols"
	case utf8.RuneCountInString(letters) >= minSequence && isSequence(letters):
		return "it is a sequence with predictable digits or symbols"
	}
	return ""
}

// minSequence is the least letters of a sequence or repetition that makes
// a password weak with digits and symbols among them: fewer are too
// often a sequence by chance (xyz, tuj).
const minSequence = 6

// allRuns reports whether weak holds of every run, and there are some.
func allRuns(runs []string, weak func(string) bool) bool {
	for _, r := range runs {
		if !weak(r) {
			return false
		}
	}
	return len(runs) > 0
}

// isSequence reports whether s, leetspeak read as letters, is a keyboard
// or alphabet sequence (of runs of four or more) or a repetition.
func isSequence(s string) bool {
	for _, v := range unleetAll(s) {
		if isLongWalk(v) || isRepeat(v) {
			return true
		}
	}
	return false
}

// predictableRun reports whether a run of digits and symbols adds little
// to the letters around it: one or two characters, or a date, a
// sequence, a repetition or a common number, with at most two symbols.
func predictableRun(o string) bool {
	n, d := utf8.RuneCountInString(o), digits(o)
	switch {
	case n <= 2 || isWalk(o) || isRepeat(o):
		return true
	case n-len(d) > 2 || d == "":
		return false
	}
	return isDate(d) || isWalk(d) || isRepeat(d) || isCommon(d)
}

// fewLetters reports whether p is at most three letters with digits and
// symbols that add little to them: a1234567, Zs19900101, 5201314a.
func fewLetters(p string) bool {
	var letters, others strings.Builder
	for _, r := range p {
		if unicode.IsLetter(r) {
			letters.WriteRune(r)
		} else {
			others.WriteRune(r)
		}
	}
	n := utf8.RuneCountInString(letters.String())
	return n > 0 && n <= 3 && predictable(others.String())
}

// isCommonLeet reports whether s is on the list of common passwords as
// it is or with leetspeak read as letters.
func isCommonLeet(s string) bool {
	for _, v := range unleetAll(s) {
		if isCommon(v) {
			return true
		}
	}
	return false
}

// hasLetter reports whether s holds a letter.
func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

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

// leetI and leetL map the digits and symbols of leetspeak to the letters
// they stand for; 1 is i or l.
var (
	leetI = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i", "8", "b")
	leetL = strings.NewReplacer("0", "o", "1", "l", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i", "8", "b")
)

// isLeet reports whether r stands for a letter in leetspeak.
func isLeet(r rune) bool { return strings.ContainsRune("0134578@$!", r) }

// unleet reads leetspeak in s as letters, 1 as i.
func unleet(s string) string { return leetI.Replace(s) }

// unleetAll returns s, and s with leetspeak read as letters, both ways.
func unleetAll(s string) []string { return []string{s, leetI.Replace(s), leetL.Replace(s)} }

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
func isWalk(s string) bool { return isWalkOf(s, 3) }

// isLongWalk is isWalk with runs of four or more: a base or letters with
// characters taken off or out of them are too often a walk of shorter
// runs by chance (keys have many neighbours).
func isLongWalk(s string) bool { return isWalkOf(s, 4) }

// isWalkOf reports whether s is made wholly of runs of minRun or more
// neighbours on a keyboard or the alphabet.
func isWalkOf(s string, minRun int) bool {
	rs := []rune(s)
	if len(rs) < minRun {
		return false
	}
	run := 1
	for i := 1; i <= len(rs); i++ {
		if i < len(rs) && neighbours[[2]rune{rs[i-1], rs[i]}] {
			run++
			continue
		}
		if run < minRun {
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
