package notifytest

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseRFC5424 feeds the parser arbitrary bytes: it must not panic,
// and what it accepts must hold to RFC 5424's bounds.
func FuzzParseRFC5424(f *testing.F) {
	for _, s := range []string{
		`<134>1 2026-11-20T09:58:03.000000Z host vigil 42 firing [alert@32473 id="a\"b\\c\]d" n="1"][entity@32473 p="x"] ` + "\uFEFFmsg",
		`<0>1 - - - - - -`,
		`<191>12 2026-11-20T09:58:03Z h a p m - CEF:0|v|p|1|id|name|5|msg=a\=b cnt=1`,
		`<13>1 2026-11-20T09:58:03.1234567Z h a p m -`,
		`<13>1 2026-11-20T09:58:03Z h a p m [a b="]"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseRFC5424(b)
		if err != nil {
			return
		}
		if m.Facility*8+m.Severity > 191 || m.Version < 1 || len(m.Hostname) > 255 || len(m.AppName) > 48 || len(m.ProcID) > 128 || len(m.MsgID) > 32 {
			t.Fatalf("out of bounds: %+v", m)
		}
		for _, e := range m.SD {
			if e.ID == "" || len(e.ID) > 32 {
				t.Fatalf("SD-ID %q", e.ID)
			}
			for _, p := range e.Params {
				if p.Name == "" || len(p.Name) > 32 || !utf8.ValidString(p.Value) {
					t.Fatalf("SD-PARAM %+v", p)
				}
			}
		}
		if m.BOM && !utf8.ValidString(m.Msg) {
			t.Fatalf("MSG after a BOM is not UTF-8: %q", m.Msg)
		}
	})
}

// FuzzParseCEF feeds the CEF parser arbitrary lines: it must not panic.
func FuzzParseCEF(f *testing.F) {
	f.Add("CEF:0|vigil|vigil|1|id|name|5|msg=a\\=b cnt=1 cs1Label=x cs1=y z")
	f.Add("CEF:0|a\\|b|c\\\\|1|id|n|10|")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCEF(s)
		if err == nil && len(c.Keys) != len(c.Ext) {
			t.Fatalf("%d keys, %d values", len(c.Keys), len(c.Ext))
		}
	})
}
