package logline

import "time"

// appendTime appends t, in UTC, as a JSON string holding an RFC 3339
// time: the date and clock, a dot and frac if frac is not empty, and Z.
// The year must be in range (see inRange).
func appendTime(dst []byte, t time.Time, frac []byte) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, '"')
	dst = append2(append2(dst, y/100), y%100)
	dst = append2(append(dst, '-'), int(mo))
	dst = append2(append(dst, '-'), d)
	dst = append2(append(dst, 'T'), h)
	dst = append2(append(dst, ':'), mi)
	dst = append2(append(dst, ':'), s)
	if len(frac) > 0 {
		dst = append(append(dst, '.'), frac...)
	}
	return append(dst, 'Z', '"')
}

// inRange reports whether the year of t, in UTC, has four digits, as
// RFC 3339 requires.
func inRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// append2 appends n, between 0 and 99, as two digits.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// number returns the value of b, one to 18 decimal digits.
func number(b []byte) (n int, ok bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// month returns the month of an English three-letter abbreviation such as
// "Oct", or 0.
func month(b []byte) time.Month {
	if len(b) == 3 {
		for m := time.January; m <= time.December; m++ {
			if s := m.String(); b[0] == s[0] && b[1] == s[1] && b[2] == s[2] {
				return m
			}
		}
	}
	return 0
}

// date returns the time of a date and clock in UTC; ok is false if one of
// them is out of range (no leap seconds).
func date(y int, mo time.Month, d, h, mi, s int) (_ time.Time, ok bool) {
	if mo < time.January || mo > time.December || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC), true
}

// daysIn returns the number of days in a month.
func daysIn(mo time.Month, y int) int {
	switch mo {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// parseRFC3339 reads an RFC 3339 timestamp at the start of b, such as
// 2003-10-11T22:14:15.003Z or 2003-08-24T05:14:15.000003-07:00. It returns
// the time, the digits of its fraction of a second, and the length it
// read; ok is false if b does not start with a valid timestamp.
func parseRFC3339(b []byte) (t time.Time, frac []byte, n int, ok bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, nil, 0, false
	}
	y, ok1 := number(b[0:4])
	mo, ok2 := number(b[5:7])
	d, ok3 := number(b[8:10])
	h, ok4 := number(b[11:13])
	mi, ok5 := number(b[14:16])
	s, ok6 := number(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, nil, 0, false
	}
	if t, ok = date(y, time.Month(mo), d, h, mi, s); !ok {
		return time.Time{}, nil, 0, false
	}
	n = 19
	if b[n] == '.' {
		n++
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		frac = b[20:n]
		if len(frac) == 0 || len(frac) > 9 || n == len(b) {
			return time.Time{}, nil, 0, false
		}
	}
	if b[n] == 'Z' {
		return t, frac, n + 1, true
	}
	z := b[n:]
	if len(z) < 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return time.Time{}, nil, 0, false
	}
	zh, ok1 := number(z[1:3])
	zm, ok2 := number(z[4:6])
	if !ok1 || !ok2 || zh > 23 || zm > 59 {
		return time.Time{}, nil, 0, false
	}
	off := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if z[0] == '+' {
		off = -off
	}
	return t.Add(off), frac, n + 6, true
}
