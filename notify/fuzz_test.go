package notify_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/notify"
	"vigil/notify/notifytest"
)

// FuzzSDEscape checks that a PARAM-VALUE escaped by vigil reads back,
// whole, with a strict RFC 5424 parser.
func FuzzSDEscape(f *testing.F) {
	for _, s := range []string{"", `a"b`, `a\b`, "a]b", `\]`, `\\"`, "日本語", "a b=c", "\uFEFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		msg := `<134>1 2026-11-20T09:58:03.000000Z host vigil 1 firing [x@32473 v="` + notify.SDEscape(s) + `" w="end"] msg`
		m, err := notifytest.ParseRFC5424([]byte(msg))
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		if v, _ := m.Param("x@32473", "v"); v != s {
			t.Fatalf("%q read back as %q", s, v)
		}
		if w, _ := m.Param("x@32473", "w"); w != "end" || m.Msg != "msg" {
			t.Fatalf("%q: the next parameter is %q, MSG %q", s, w, m.Msg)
		}
	})
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// FuzzCEFEscape checks that CEF header fields and extension values
// escaped by vigil read back whole (line breaks in a header, which CEF
// does not allow, become spaces).
func FuzzCEFEscape(f *testing.F) {
	for _, s := range []string{"", "a|b", `a\b`, "a=b", "k=v x=y", "line\nbreak\r\n", `\=`, `\|`, "trailing ", " leading", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := "CEF:0|vigil|vigil|1|" + notify.CEFHeader(s) + "|name|5|msg=" + notify.CEFValue(s) + " cnt=1 cs1=" + notify.CEFValue(s)
		c, err := notifytest.ParseCEF(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if want := lineBreaks.Replace(s); c.SignatureID != want || c.Name != "name" || c.Severity != "5" {
			t.Fatalf("%q: header %+v", s, c)
		}
		if c.Ext["msg"] != s || c.Ext["cnt"] != "1" || c.Ext["cs1"] != s {
			t.Fatalf("%q read back as %q (cnt %q, cs1 %q)", s, c.Ext["msg"], c.Ext["cnt"], c.Ext["cs1"])
		}
	})
}
