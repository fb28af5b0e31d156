package jsonscan

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/bench/corpus"
)

func TestValidateValid(t *testing.T) {
	for _, in := range []string{
		`0`, `-0`, `1`, `-1`, `10`, `1e5`, `1E5`, `1e+5`, `1e-5`, `-0.0e-0`, `123.456E+789`, `0.5`,
		`true`, `false`, `null`, `""`, `"a"`, `[]`, `{}`, `[[]]`, `[{}]`, `{"":{}}`,
		` 1 `, "\t\n\r 1\t\n\r ", " [ 1 , 2 ] ", "{ \"a\" : 1 , \"b\" : [ ] }",
		`{"a":[1,true,false,null,"x",{"b":-1.5e3}],"c":{}}`,
		`"\"\\\/\b\f\n\r\t"`, `"\u0000"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`, `"\ud800x"`,
		"\"\x7f\"", "\"é€😀\"", "\"\u07ff\u0800\uffff\U00010000\U0010ffff\"", "\"\xed\x9f\xbf\xee\x80\x80\"",
		`"` + strings.Repeat("abcdefgh", 20) + `\n` + strings.Repeat("é", 9) + `"`,
	} {
		if err := Validate([]byte(in), 64); err != nil {
			t.Errorf("Validate(%q): %v", in, err)
		}
		if !json.Valid([]byte(in)) {
			t.Errorf("json.Valid(%q) is false", in)
		}
	}
}

func TestValidateInvalid(t *testing.T) {
	for _, tt := range []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, `unexpected end of input`},
		{"  \n", 3, `unexpected end of input`},
		{`x`, 0, `invalid character 'x' looking for the start of a value`},
		{`[1,]`, 3, `invalid character ']' looking for the start of a value`},
		{`[,1]`, 1, `invalid character ',' looking for the start of a value`},
		{`{"a":}`, 5, `invalid character '}' looking for the start of a value`},
		{`'a'`, 0, `invalid character '\'' looking for the start of a value`},
		{"\x00", 0, `invalid character U+0000 looking for the start of a value`},
		{"\v1", 0, `invalid character U+000B looking for the start of a value`},
		{"\xef\xbb\xbf{}", 0, `invalid character U+FEFF looking for the start of a value`},
		{"é", 0, `invalid character 'é' looking for the start of a value`},
		{"\xff", 0, `invalid byte 0xFF looking for the start of a value`},
		{"[\xc3]", 1, `invalid byte 0xC3 looking for the start of a value`},
		{`{`, 1, `unexpected end of input in an object`},
		{`{"a"`, 4, `unexpected end of input in an object`},
		{`{"a":`, 5, `unexpected end of input in an object`},
		{`{"a":1`, 6, `unexpected end of input in an object`},
		{`{"a":[1]`, 8, `unexpected end of input in an object`},
		{`[`, 1, `unexpected end of input in an array`},
		{`[1,2`, 4, `unexpected end of input in an array`},
		{`[{}, `, 5, `unexpected end of input in an array`},
		{`{"a":1,}`, 7, `invalid character '}' looking for the start of an object key`},
		{`{1:2}`, 1, `invalid character '1' looking for the start of an object key`},
		{`{,}`, 1, `invalid character ',' looking for the start of an object key`},
		{`{"a" 1}`, 5, `invalid character '1' after an object key`},
		{`{"a",1}`, 4, `invalid character ',' after an object key`},
		{`{"a":1 "b":2}`, 7, `invalid character '"' after an object value`},
		{`{"a":1]`, 6, `invalid character ']' after an object value`},
		{`[1 2]`, 3, `invalid character '2' after an array element`},
		{`[1}`, 2, `invalid character '}' after an array element`},
		{`[1:2]`, 2, `invalid character ':' after an array element`},
		{`[1x]`, 2, `invalid character 'x' after an array element`},
		{`1 2`, 2, `data after the JSON value`},
		{`{}}`, 2, `data after the JSON value`},
		{`[] x`, 3, `data after the JSON value`},
		{"1\x00", 1, `data after the JSON value`},
		{`"abc`, 4, `unexpected end of input in a string`},
		{`"abcdefghijklmnop`, 17, `unexpected end of input in a string`},
		{`"\`, 2, `unexpected end of input in a string`},
		{`"\u12`, 5, `unexpected end of input in a string`},
		{"\"a\nb\"", 2, `control character U+000A in a string`},
		{"\"abcdefghijk\x1f\"", 12, `control character U+001F in a string`},
		{"\"\x00\"", 1, `control character U+0000 in a string`},
		{"\"a\xffb\"", 2, `invalid UTF-8 in a string`},
		{"\"abcdefghij\x80\"", 11, `invalid UTF-8 in a string`},
		{"\"\xc0\xaf\"", 1, `invalid UTF-8 in a string`},         // overlong '/'
		{"\"\xc1\xbf\"", 1, `invalid UTF-8 in a string`},         // overlong
		{"\"\xe0\x80\xaf\"", 1, `invalid UTF-8 in a string`},     // overlong '/'
		{"\"\xe0\x9f\xbf\"", 1, `invalid UTF-8 in a string`},     // overlong U+07FF
		{"\"\xf0\x8f\xbf\xbf\"", 1, `invalid UTF-8 in a string`}, // overlong U+FFFF
		{"\"\xed\xa0\x80\"", 1, `invalid UTF-8 in a string`},     // U+D800
		{"\"\xed\xbf\xbf\"", 1, `invalid UTF-8 in a string`},     // U+DFFF
		{"\"\xf4\x90\x80\x80\"", 1, `invalid UTF-8 in a string`}, // U+110000
		{"\"\xf5\x80\x80\x80\"", 1, `invalid UTF-8 in a string`},
		{"\"\xe2\x82\"", 1, `invalid UTF-8 in a string`}, // cut short
		{"\"\xe2\x82", 1, `invalid UTF-8 in a string`},
		{"\"\xc3", 1, `invalid UTF-8 in a string`},
		{"\"é\xa9\"", 3, `invalid UTF-8 in a string`},
		{`"\x"`, 2, `invalid character 'x' after a backslash in a string`},
		{`"\U0041"`, 2, `invalid character 'U' after a backslash in a string`},
		{`"\'"`, 2, `invalid character '\'' after a backslash in a string`},
		{"\"\\\n\"", 2, `invalid character U+000A after a backslash in a string`},
		{"\"\\é\"", 2, `invalid character 'é' after a backslash in a string`},
		{"\"\\\xff\"", 2, `invalid byte 0xFF after a backslash in a string`},
		{`"\u12x4"`, 5, `invalid character 'x' in a \u escape`},
		{`"\u12"`, 5, `invalid character '"' in a \u escape`},
		{`"\u-123"`, 3, `invalid character '-' in a \u escape`},
		{`01`, 0, `invalid number: leading zero`},
		{`-012`, 1, `invalid number: leading zero`},
		{`[00]`, 1, `invalid number: leading zero`},
		{`-`, 1, `unexpected end of input in a number`},
		{`-x`, 1, `invalid number: no digit after the minus sign`},
		{`--1`, 1, `invalid number: no digit after the minus sign`},
		{`-.5`, 1, `invalid number: no digit after the minus sign`},
		{`1.`, 2, `unexpected end of input in a number`},
		{`1.e5`, 2, `invalid number: no digit after the decimal point`},
		{`[1.]`, 3, `invalid number: no digit after the decimal point`},
		{`.5`, 0, `invalid character '.' looking for the start of a value`},
		{`+1`, 0, `invalid character '+' looking for the start of a value`},
		{`1e`, 2, `unexpected end of input in a number`},
		{`1E+`, 3, `unexpected end of input in a number`},
		{`1ex`, 2, `invalid number: no digit in the exponent`},
		{`1e+-1`, 3, `invalid number: no digit in the exponent`},
		{`1.5.5`, 3, `data after the JSON value`},
		{`tru`, 3, `unexpected end of input in the literal true`},
		{`trux`, 3, `invalid character 'x' in the literal true`},
		{`[fals]`, 5, `invalid character ']' in the literal false`},
		{`nul`, 3, `unexpected end of input in the literal null`},
		{`nill`, 1, `invalid character 'i' in the literal null`},
		{`truee`, 4, `data after the JSON value`},
		{`True`, 0, `invalid character 'T' looking for the start of a value`},
		{`[[[1]]]`, 2, `nested deeper than 2 levels`},
		{`{"a":[{"b":1}]}`, 6, `nested deeper than 2 levels`},
	} {
		err := Validate([]byte(tt.in), 2)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Validate(%q) = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || se.Msg != tt.msg {
			t.Errorf("Validate(%q) = offset %d %q, want offset %d %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
		if json.Valid([]byte(tt.in)) && utf8.ValidString(tt.in) && !strings.HasPrefix(tt.msg, "nested") {
			t.Errorf("json.Valid(%q) is true", tt.in)
		}
	}
}

// nested returns a value nested depth levels deep, objects and arrays by
// turns, and the offset of its innermost opening bracket.
func nested(depth int) ([]byte, int) {
	var b []byte
	last := -1
	for d := range depth {
		if d%2 == 0 {
			last = len(b)
			b = append(b, `{"k":`...)
		} else {
			last = len(b)
			b = append(b, "[0, "...)
		}
	}
	b = append(b, `"x"`...)
	for d := depth - 1; d >= 0; d-- {
		if d%2 == 0 {
			b = append(b, '}')
		} else {
			b = append(b, ']')
		}
	}
	return b, last
}

func TestValidateDepth(t *testing.T) {
	for depth := 0; depth <= 300; depth++ {
		b, last := nested(depth)
		if err := Validate(b, depth); err != nil {
			t.Fatalf("depth %d, maxDepth %d: %v", depth, depth, err)
		}
		if depth == 0 {
			continue
		}
		err := Validate(b, depth-1)
		msg := fmt.Sprintf("nested deeper than %d levels", depth-1)
		if depth-1 == 1 {
			msg = "nested deeper than 1 level"
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != last || se.Msg != msg {
			t.Fatalf("depth %d, maxDepth %d: %v, want %q at offset %d", depth, depth-1, err, msg, last)
		}
	}
	if err := Validate([]byte("[1]"), -1); err == nil {
		t.Error("a negative maxDepth allows an array")
	}
	if err := Validate([]byte("1"), -1); err != nil {
		t.Errorf("a negative maxDepth refuses a number: %v", err)
	}
	// encoding/json stops at 10000 levels.
	for _, depth := range []int{10000, 10001} {
		b := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
		if got, want := Validate(b, 10000) == nil, json.Valid(b); got != want {
			t.Errorf("depth %d: Validate %v, json.Valid %v", depth, got, want)
		}
	}
}

func TestValidateAllocs(t *testing.T) {
	recs := corpusRecords(200)
	deep, _ := nested(64)
	recs = append(recs, deep)
	for _, r := range recs {
		if n := testing.AllocsPerRun(10, func() {
			if err := Validate(r, 64); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Fatalf("%d allocations validating %.80q", int(n), r)
		}
	}
}

// corpusRecords returns n CloudTrail records of the corpus generator.
func corpusRecords(n int) [][]byte {
	g := corpus.New(1)
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = g.Record(nil)
	}
	return recs
}

func TestValidateCorpus(t *testing.T) {
	for _, r := range corpusRecords(2000) {
		if err := Validate(r, 64); err != nil {
			t.Fatalf("%v in %s", err, r)
		}
	}
}

// validateSeeds are inputs that probe the edges of the grammar.
var validateSeeds = []string{
	// numbers
	`0`, `-0`, `-`, `1`, `-1`, `01`, `-01`, `00`, `1.`, `.5`, `-.5`, `1.5`, `1.50`, `0.0`, `1e5`, `1E5`, `1e+5`,
	`1e-5`, `1e`, `1e+`, `1e-`, `1E+-5`, `1ee5`, `1.e5`, `1.5e`, `+1`, `--1`, `0x10`, `1_000`, `Infinity`, `NaN`,
	`-Infinity`, `123456789012345678901234567890`, `1e999999`, `[-0.0e-0]`, `[1,2.5,-3e3]`, `0 `, `0,`, `[0]`,
	`[01]`, `[-]`, `[1.]`, `[1e]`, `{"a":-}`, `{"a":0}`, `{"a":01}`, `1 1`,
	// literals
	`true`, `false`, `null`, `tru`, `fals`, `nul`, `True`, `nil`, `truex`, `true false`, `[true,false,null]`,
	`[tru]`, `{"a":nul}`, `nulll`,
	// strings and escapes
	`""`, `"`, `"a`, `"\"`, `"\\"`, `"\\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\a"`, `"\x41"`, `"\U0041"`, `"\'"`, `"\0"`,
	`"\u"`, `"\u1"`, `"\u12"`, `"\u123"`, `"\u1234"`, `"\u12345"`, `"\uABCD"`, `"\uabcd"`, `"\uGHIJ"`, `"\u00e9"`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\ud83d\"`, `"\ud83d\u"`,
	`"\ud83dx"`, `"\uDFFF"`, `"\uD800\uDC00"`, `"\u0000"`, `"\u001f"`,
	"\"\x00\"", "\"\x1f\"", "\"\x7f\"", "\"\t\"", "\"\n\"", "\"\r\"", "\"a\x01b\"",
	// UTF-8 in strings
	"\"é\"", "\"€\"", "\"😀\"", "\"\u07ff\u0800\uffff\U00010000\U0010ffff\"",
	"\"\x80\"", "\"\xbf\"", "\"\xc0\x80\"", "\"\xc0\xaf\"", "\"\xc1\xbf\"", "\"\xc2\x80\"", "\"\xc2\"", "\"\xc2\x7f\"",
	"\"\xdf\xbf\"", "\"\xe0\x80\x80\"", "\"\xe0\x9f\xbf\"", "\"\xe0\xa0\x80\"", "\"\xe1\x80\x80\"", "\"\xec\xbf\xbf\"",
	"\"\xed\x80\x80\"", "\"\xed\x9f\xbf\"", "\"\xed\xa0\x80\"", "\"\xed\xbf\xbf\"", "\"\xee\x80\x80\"", "\"\xef\xbf\xbf\"",
	"\"\xef\xbf\xbe\"", "\"\xe2\x82\"", "\"\xe2\x82\xac\"", "\"\xe2\"",
	"\"\xf0\x80\x80\x80\"", "\"\xf0\x8f\xbf\xbf\"", "\"\xf0\x90\x80\x80\"", "\"\xf3\xbf\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\"",
	"\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\xfe\"", "\"\xff\"", "\"\xf0\x9f\x98\"",
	"\"\xf0\x9f\"", "\"abcdefg\xe2\x82\xac\"", "\"abcdefgh\xe2\x82\"", "\"abcdefghijklmno\xf0\x9f\x98\x80\"",
	"\"\\\xc3\xa9\"", "\"\\\xff\"",
	// outside strings
	"\xef\xbb\xbf{}", "\xff", "é", "[\xc3\xa9]", "{\"a\"\xc2\xa0:1}",
	// whitespace
	" ", "\t", "\n", "\r", "\v1", "\f1", "\u00a01", " 1", "1 ", "\t\n\r 1 \r\n\t", " [ 1 , 2 ] ", "{ \"a\" : 1 }",
	"[1\v]", "{\"a\":1\f}", "\x001", "1\x00",
	// structure
	``, `[`, `]`, `{`, `}`, `[]`, `{}`, `[[]]`, `[{}]`, `{"a":[]}`, `[}`, `{]`, `[1,]`, `[,1]`, `[,]`, `{,}`,
	`{"a"}`, `{"a":}`, `{"a" 1}`, `{"a":1,}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1]`, `[1}`, `[1 2]`, `[1:2]`,
	`{"a":1}{}`, `[][]`, `"a""b"`, `{"a":{"b":{"c":[1,[2,[3]]]}}}`, `{"":""}`, `{"a":1,"a":2}`,
	strings.Repeat("[", 100) + strings.Repeat("]", 100),
	strings.Repeat(`{"a":[`, 40) + strings.Repeat("]}", 40),
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat("[", 70) + strings.Repeat("]", 69),
	strings.Repeat("[", 70) + strings.Repeat("]", 71),
}

// FuzzValidate checks Validate against encoding/json.Valid, which accepts
// what Validate does and more: invalid UTF-8 in strings.
func FuzzValidate(f *testing.F) {
	for _, s := range validateSeeds {
		f.Add([]byte(s))
	}
	for _, r := range corpusRecords(5) {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Validate(b, 10000)
		if want := json.Valid(b) && utf8.Valid(b); (err == nil) != want {
			t.Fatalf("Validate(%q) = %v; encoding/json and UTF-8 say valid: %v", b, err, want)
		}
		if err == nil {
			return
		}
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Fatalf("Validate(%q) = %T %v, want a *SyntaxError", b, err, err)
		}
		if se.Offset < 0 || se.Offset > len(b) || se.Msg == "" {
			t.Fatalf("Validate(%q) = %v: offset out of 0..%d", b, err, len(b))
		}
		if (se.Offset == len(b)) != strings.HasPrefix(se.Msg, "unexpected end of input") {
			t.Fatalf("Validate(%q) = %v: only the end of input is at offset %d", b, err, len(b))
		}
		// Where b is valid UTF-8, encoding/json stops at the same byte,
		// except that a leading zero is the byte before.
		if !utf8.Valid(b) {
			return
		}
		var serr *json.SyntaxError
		if !errors.As(json.Unmarshal(b, new(json.RawMessage)), &serr) {
			t.Fatalf("encoding/json finds no syntax error in %q", b)
		}
		want := int(serr.Offset) - 1
		if se.Offset == len(b) {
			want = int(serr.Offset)
		} else if strings.HasSuffix(se.Msg, "leading zero") {
			want--
		}
		if se.Offset != want {
			t.Fatalf("Validate(%q) = %v; encoding/json: %v at offset %d", b, err, serr, serr.Offset)
		}
	})
}

// BenchmarkValidate validates the CloudTrail records of the corpus
// generator, one at a time.
func BenchmarkValidate(b *testing.B) {
	benchmarkRecords(b, func(r []byte) bool { return Validate(r, 64) == nil })
}

// BenchmarkStdValid is the yardstick: encoding/json.Valid on the same
// records.
func BenchmarkStdValid(b *testing.B) {
	benchmarkRecords(b, json.Valid)
}

func benchmarkRecords(b *testing.B, valid func([]byte) bool) {
	recs := corpusRecords(5000)
	size := 0
	for _, r := range recs {
		size += len(r)
	}
	b.SetBytes(int64(size / len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if !valid(recs[i%len(recs)]) {
			b.Fatalf("record %d is invalid", i%len(recs))
		}
	}
}
