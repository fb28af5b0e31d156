package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/event"
)

func split(t *testing.T, body string) (Format, []string, error) {
	t.Helper()
	var got []string
	f, err := Split([]byte(body), func(i int, raw []byte, kind event.Kind) error {
		if i != len(got) {
			t.Errorf("event numbered %d, want %d", i, len(got))
		}
		got = append(got, fmt.Sprintf("%s:%s", kind, raw))
		return nil
	})
	return f, got, err
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name, body string
		format     Format
		want       []string
	}{
		{"empty", " \n ", Empty, nil},
		{"cloudtrail file", `{"Records":[{"eventName":"A"}, {"eventName":"B"}]}`, Records,
			[]string{`cloudtrail:{"eventName":"A"}`, `cloudtrail:{"eventName":"B"}`}},
		{"cloudtrail file with other keys", `{"x":{"y":[1]}, "Records" : [ {"a":1} ] }`, Records, []string{`cloudtrail:{"a":1}`}},
		{"empty cloudtrail file", `{"Records":[]}`, Records, nil},
		{"kubernetes event list", `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{"auditID":"a"},{"auditID":"b"}]}`, EventList,
			[]string{`k8s-audit:{"auditID":"a"}`, `k8s-audit:{"auditID":"b"}`}},
		{"event list, kind last", `{"items":[{"auditID":"a"}],"kind":"EventList"}`, EventList, []string{`k8s-audit:{"auditID":"a"}`}},
		{"items of something else", `{"kind":"Order","items":[{"sku":"a"}]}`, Single, []string{`unknown:{"kind":"Order","items":[{"sku":"a"}]}`}},
		{"ndjson of event lists", "{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"a\"}]}\n{\"e\":1}", Lines,
			[]string{`k8s-audit:{"auditID":"a"}`, `unknown:{"e":1}`}},
		{"array", `[{"a":1},{"b":"]"}]`, Array, []string{`unknown:{"a":1}`, `unknown:{"b":"]"}`}},
		{"ndjson", "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}", Lines, []string{`unknown:{"a":1}`, `unknown:{"b":2}`, `unknown:{"c":3}`}},
		{"ndjson with a bad line", "{\"a\":1}\n{\"b\":\n{\"c\":3}\n", Lines, []string{`unknown:{"a":1}`, `unknown:{"b":`, `unknown:{"c":3}`}},
		{"ndjson whose first line breaks off", "{\"a\":\n{\"b\":2}\n", Lines, []string{`unknown:{"a":`, `unknown:{"b":2}`}},
		{"ndjson of cloudtrail files", "{\"Records\":[{\"a\":1},{\"a\":2}]}\n{\"e\":1}", Lines,
			[]string{`cloudtrail:{"a":1}`, `cloudtrail:{"a":2}`, `unknown:{"e":1}`}},
		{"stream", "{\n \"a\": 1\n}\n{\n \"b\": 2\n}\n", Stream, []string{"unknown:{\n \"a\": 1\n}", "unknown:{\n \"b\": 2\n}"}},
		{"single", `{"detail-type":"x","detail":{}}`, Single, []string{`unknown:{"detail-type":"x","detail":{}}`}},
		{"single with Records not an array", `{"Records":5}`, Single, []string{`unknown:{"Records":5}`}},
		{"ndjson with an array line", "[{\"a\":1},{\"b\":2}]\n{\"c\":3}\n", Lines, []string{`unknown:{"a":1}`, `unknown:{"b":2}`, `unknown:{"c":3}`}},
		{"ndjson whose first line has junk", "{\"a\":1}}\n{\"b\":2}\n{\"c\":3}", Lines, []string{`unknown:{"a":1}}`, `unknown:{"b":2}`, `unknown:{"c":3}`}},
		{"ndjson with a broken cloudtrail line", "{\"Records\":[{\"a\":1},{\"b\":\n{\"c\":3}", Lines,
			[]string{`cloudtrail:{"a":1}`, `unknown:{"b":`, `unknown:{"c":3}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, got, err := split(t, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if f != tt.format || !slices.Equal(got, tt.want) {
				t.Errorf("got %s %q, want %s %q", f, got, tt.format, tt.want)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	for _, body := range []string{`x`, `{"Records":[{"a":1},{"b":2}`, `[{"a":1} {"b":2}]`, `{"a":1} x`, `[{"a":"unterminated]`} {
		if _, _, err := split(t, body); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
	// The events before a break are still delivered, and the error says
	// where the break is.
	body := `{"Records":[{"a":1},{"b":2},{"c"`
	_, got, err := split(t, body)
	var be *Error
	if !errors.As(err, &be) || len(got) != 2 || be.Offset != strings.Index(body, `{"c"`) {
		t.Errorf("got %q, %v", got, err)
	}
	if f, got, err := split(t, `{"kind":"EventList","items":[{"auditID":"a"},{"au`); f != EventList || err == nil || len(got) != 1 {
		t.Errorf("event list cut short: %s %q, %v", f, got, err)
	}
	pretty := "{\n  \"Records\": [\n    {\"a\": 1},\n    {\"b\": 2},\n    {\"c\""
	if f, got, err := split(t, pretty); f != Records || err == nil || len(got) != 2 {
		t.Errorf("pretty file cut short: %s %q, %v", f, got, err)
	}
}

func TestSplitStops(t *testing.T) {
	stop := fmt.Errorf("stop")
	n := 0
	_, err := Split([]byte("{}\n{}\n{}"), func(int, []byte, event.Kind) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("n=%d err=%v", n, err)
	}
}

// FuzzSplit checks that splitting never panics, that every event is a
// piece of the body, and that a valid JSON array splits as encoding/json
// splits it.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{`{"Records":[{"a":1}]}`, "{\"a\":1}\n{\"b\":2}", `[1,{"a":[]}]`, "{\n}\n{\n}", `{"a":"\"}"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		EachLine(body, func(_ int, raw []byte, _ event.Kind) error {
			if !bytes.Contains(body, raw) {
				t.Fatalf("line event %q is not in the body", raw)
			}
			return nil
		})
		var got [][]byte
		format, err := Split(body, func(_ int, raw []byte, _ event.Kind) error {
			if !bytes.Contains(body, raw) {
				t.Fatalf("event %q is not in the body", raw)
			}
			got = append(got, raw)
			return nil
		})
		var want []json.RawMessage
		if format == Array && json.Unmarshal(body, &want) == nil {
			if err != nil || len(got) != len(want) {
				t.Fatalf("%q: got %d events (%v), want %d", body, len(got), err, len(want))
			}
			for i := range want {
				if !bytes.Equal(bytes.TrimSpace(want[i]), got[i]) && !strings.ContainsAny(string(want[i]), " \t\r\n") {
					t.Fatalf("%q: event %d is %q, want %q", body, i, got[i], want[i])
				}
			}
		}
	})
}
