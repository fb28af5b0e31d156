package mask

// Numbers are written as groups of digits separated by one space, hyphen
// or dot, or after an area code in parentheses ("6222 0212 3456 7890",
// "138-0013-8000", "138.0013.8000", "(138)0013 8000", "+86 138 0013
// 8000"). A run of such groups may hold several numbers, or one number
// beside others ("2026-03-14 13800138000"), so every span of consecutive
// groups is a candidate, the longest first, from left to right.

// maxDigits bounds the digits of a candidate: 19 for a card, 4 more for
// a "0086" prefix.
const maxDigits = 23

// group is the byte offsets of a group of digits in the text, and the
// separator before it (0 for the first of a run).
type group struct {
	start, end int
	sep        byte
}

// kind is a kind of number, and how much of it stays visible.
type kind struct {
	first, last int // characters kept at each end
}

var (
	idCard    = kind{3, 4}
	bankCard  = kind{4, 4}
	e164Phone = kind{2, 2}
)

// numbers returns the offsets in s of the characters of its sensitive
// numbers to mask, in order.
func numbers(s string) []int {
	var pos []int
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		gs, end := groups(s, i)
		for _, m := range spans(s, gs) {
			pos = m.masked(pos)
		}
		i = end
	}
	return pos
}

// groups returns the groups of the run of digits that starts at i, and
// where the run ends.
func groups(s string, i int) ([]group, int) {
	var gs []group
	sep := byte(0)
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		gs = append(gs, group{i, j, sep})
		n := separator(s, j)
		if n == 0 {
			return gs, j
		}
		sep, i = s[j], j+n
	}
}

// separator returns the length of the separator of two groups at i: a
// space, a hyphen or a dot, or the closing parenthesis of an area code
// with a space or hyphen after it or not; 0 when there is none, or no
// digit after it.
func separator(s string, i int) int {
	n := 0
	switch {
	case i >= len(s):
		return 0
	case s[i] == ' ' || s[i] == '-' || s[i] == '.':
		n = 1
	case s[i] == ')':
		n = 1
		if i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '-') {
			n = 2
		}
	}
	if n == 0 || i+n >= len(s) || !isDigit(s[i+n]) {
		return 0
	}
	return n
}

// masking is the characters of one number to mask.
type masking struct {
	pos         []int // offsets of its characters (digits, and an identity card's X)
	first, last int
}

// masked appends the offsets of the characters m hides to pos.
func (m masking) masked(pos []int) []int {
	for k, p := range m.pos {
		if k >= m.first && k < len(m.pos)-m.last {
			pos = append(pos, p)
		}
	}
	return pos
}

// spans finds the sensitive numbers among the groups of a run.
func spans(s string, gs []group) []masking {
	var out []masking
	for i := 0; i < len(gs); {
		last, n := i, 0
		for last < len(gs) && n+gs[last].end-gs[last].start <= maxDigits {
			n += gs[last].end - gs[last].start
			last++
		}
		found := false
		for j := last; j > i && !found; j-- {
			if m, ok := classify(s, gs[i:j]); ok {
				out = append(out, m)
				i, found = j, true
			}
		}
		if !found {
			i++
		}
	}
	return out
}

// classify tells whether the groups make a sensitive number, and how to
// mask it.
func classify(s string, gs []group) (masking, bool) {
	if !dotted(gs) {
		return masking{}, false
	}
	var d []byte
	var pos []int
	for _, g := range gs {
		for p := g.start; p < g.end; p++ {
			d = append(d, s[p])
			pos = append(pos, p)
		}
	}
	end := gs[len(gs)-1].end
	if len(d) == 17 && end < len(s) && (s[end] == 'X' || s[end] == 'x') {
		if isID18(string(d) + "X") {
			return masking{append(pos, end), idCard.first, idCard.last}, true
		}
	}
	plus := gs[0].start > 0 && s[gs[0].start-1] == '+'
	k, ok := kindOf(string(d), plus)
	return masking{pos, k.first, k.last}, ok
}

// dotted reports whether groups joined by dots, if any, are written as
// phone and card numbers are (groups of 2 to 4 digits), and not as a
// decimal number or a version: 138.0013.8000, not 1741944413.123456.
func dotted(gs []group) bool {
	dots := false
	for _, g := range gs[1:] {
		dots = dots || g.sep == '.'
	}
	if !dots {
		return true
	}
	for _, g := range gs {
		if n := g.end - g.start; n < 2 || n > 4 {
			return false
		}
	}
	return true
}

// kindOf tells which kind of sensitive number the digits d are, if any;
// plus tells that a '+' precedes them.
func kindOf(d string, plus bool) (kind, bool) {
	switch {
	case len(d) == 18 && isID18(d):
		return idCard, true
	case len(d) >= 13 && len(d) <= 19 && luhn(d):
		return bankCard, true
	case len(d) == 15 && isID15(d):
		return idCard, true
	}
	if p, ok := mobileCN(d); ok {
		return kind{p + 3, 4}, true
	}
	if plus && len(d) >= 8 && len(d) <= 15 && d[0] != '0' {
		return e164Phone, true
	}
	return kind{}, false
}

// isID18 reports whether d is an 18-character resident identity card
// number of the People's Republic of China (GB 11643): a region, a date
// of birth, a sequence number and an ISO 7064 MOD 11-2 check character.
func isID18(d string) bool {
	if len(d) != 18 || d[0] == '0' || !allDigits(d[:17]) {
		return false
	}
	if !validDate(d[6:10], d[10:12], d[12:14]) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	return "10X98765432"[sum%11] == d[17]
}

// isID15 reports whether d is a 15-digit identity card number, the form
// issued before 1999: a region (whose first digit is 1 to 8), a date of
// birth written YYMMDD and a sequence number.
func isID15(d string) bool {
	return len(d) == 15 && allDigits(d) && d[0] >= '1' && d[0] <= '8' && validDate("19"+d[6:8], d[8:10], d[10:12])
}

// validDate reports whether the digits are a plausible date of birth.
func validDate(year, month, day string) bool {
	y, m, dd := atoi(year), atoi(month), atoi(day)
	return y >= 1800 && y <= 2099 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31
}

// mobileCN reports whether d is a mainland Chinese mobile number (11
// digits, 1 then 3 to 9), alone or after the country code 86 or 0086,
// and how many digits of prefix it has.
func mobileCN(d string) (prefix int, ok bool) {
	for _, p := range []string{"", "86", "0086"} {
		n := d[min(len(p), len(d)):]
		if len(d) == len(p)+11 && d[:len(p)] == p && n[0] == '1' && n[1] >= '3' && n[1] <= '9' {
			return len(p), true
		}
	}
	return 0, false
}

// luhn reports whether the digits d pass the Luhn check of payment card
// numbers (ISO/IEC 7812).
func luhn(d string) bool {
	sum := 0
	for i := range len(d) {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a few digits.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
