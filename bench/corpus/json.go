package corpus

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// appendString appends s as a quoted JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendStringBytes appends s as a quoted JSON string.
func appendStringBytes(b, s []byte) []byte {
	b = append(b, '"')
	from := len(b)
	b = escapeFrom(append(b, s...), from)
	return append(b, '"')
}

// appendEscaped appends s as the inside of a JSON string: quotes,
// backslashes and control characters are escaped, and invalid UTF-8 becomes
// U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + 1
		}
		i += size
	}
	return append(b, s[start:]...)
}

// escapeFrom escapes b[from:] for use inside a JSON string. It copies only
// when the tail holds something a JSON string cannot carry as is.
func escapeFrom(b []byte, from int) []byte {
	for _, c := range b[from:] {
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendEscaped(b[:from], string(b[from:]))
		}
	}
	return b
}
