package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/valyala/fastjson"

	"vigil/bench/corpus"
	"vigil/builtin"
	"vigil/detect"
	"vigil/engine"
	"vigil/event"
	"vigil/field"
	"vigil/pattern"
	"vigil/rule"
	"vigil/scan"
	"vigil/sigma"
)

// records is the corpus the engine benchmarks evaluate: enough records
// that the mix of calls is the generator's, few enough to stay in memory.
const records = 100_000

var (
	corpusOnce sync.Once
	corpusRecs [][]byte
	corpusSize int
)

func testCorpus() [][]byte {
	corpusOnce.Do(func() {
		g := corpus.New(1)
		buf := make([]byte, 0, records*1500)
		for range records {
			start := len(buf)
			buf = g.Record(buf)
			corpusRecs = append(corpusRecs, buf[start:len(buf):len(buf)])
			corpusSize += len(buf) - start
		}
	})
	return corpusRecs
}

// knownWrites returns the ("iam", "CreateUser") pairs of the calls of the
// corpus that are not read-only.
func knownWrites(recs [][]byte) [][2]string {
	set := field.NewSet([]string{"eventSource", "eventName", "readOnly"})
	v := field.NewValues(set)
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, r := range recs[:20000] {
		v.Reset()
		if v.Extract(r, set.Scope("")) != nil || v.First(2) < 0 || v.At(v.First(2)).Kind != field.False {
			continue
		}
		src, _ := v.String(1)
		name, _ := v.String(0)
		svc, _, _ := cutDot(string(src))
		k := [2]string{svc, string(name)}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func cutDot(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func builtinRules(b *testing.B) []*rule.Rule {
	p, err := rule.Load(builtin.FS, ".", true)
	if err != nil || p.Invalid > 0 {
		b.Fatalf("loading the built-in rules: %v %v", err, p.Problems)
	}
	return p.Compose()
}

func generatedRules(b *testing.B, n int) []*rule.Rule {
	srcs := Patterns(n, 7, knownWrites(testCorpus()))
	rules := make([]*rule.Rule, n)
	for i, src := range srcs {
		p, err := pattern.Parse([]byte(src))
		if err != nil {
			b.Fatalf("generated pattern %d: %v\n%s", i, err, src)
		}
		rules[i] = &rule.Rule{ID: fmt.Sprintf("gen-%05d", i), Pattern: p}
	}
	return rules
}

// BenchmarkEngine measures the engine alone: events/s on one core, from
// the raw bytes of each record to the list of rules it fires.
func BenchmarkEngine(b *testing.B) {
	for _, tc := range []struct {
		name  string
		rules func(*testing.B) []*rule.Rule
	}{
		{"builtin", builtinRules},
		{"patterns=1000", func(b *testing.B) []*rule.Rule { return generatedRules(b, 1000) }},
		{"patterns=10000", func(b *testing.B) []*rule.Rule { return generatedRules(b, 10000) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			recs := testCorpus()
			e, err := engine.New(tc.rules(b))
			if err != nil {
				b.Fatal(err)
			}
			x := e.NewEvaluator()
			matched := 0
			b.SetBytes(int64(corpusSize / len(recs)))
			b.ReportAllocs()
			b.ResetTimer()
			var ev event.Event
			for i := 0; b.Loop(); i++ {
				ev = event.Event{Raw: recs[i%len(recs)], Kind: event.CloudTrail}
				rules, err := x.Eval(&ev)
				if err != nil {
					b.Fatal(err)
				}
				matched += len(rules)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
		})
	}
}

// BenchmarkParseFile is the yardstick of scan: reading the same NDJSON
// file as BenchmarkScan, in the same chunks, and merely parsing every line
// with fastjson, one of the fastest JSON parsers in Go.
func BenchmarkParseFile(b *testing.B) {
	path := ndjsonFile(b)
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	events := 0
	var p fastjson.Parser
	buf := make([]byte, 1<<20)
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		carry := 0
		for {
			n, err := io.ReadFull(f, buf[carry:])
			data := buf[:carry+n]
			cut := bytes.LastIndexByte(data, '\n') + 1
			if err != nil {
				cut = len(data)
			}
			for line := range bytes.Lines(data[:cut]) {
				if len(line) > 1 {
					if _, err := p.ParseBytes(line); err != nil {
						b.Fatal(err)
					}
					events++
				}
			}
			carry = copy(buf, data[cut:])
			if err != nil {
				break
			}
		}
		f.Close()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkParse parses each record of the corpus held in memory with
// fastjson: what parsing alone costs.
func BenchmarkParse(b *testing.B) {
	recs := testCorpus()
	var p fastjson.Parser
	b.SetBytes(int64(corpusSize / len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := p.ParseBytes(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

var (
	ndjsonOnce sync.Once
	ndjsonPath string
)

// ndjsonFile writes the corpus as one NDJSON file.
func ndjsonFile(b *testing.B) string {
	ndjsonOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-bench")
		if err != nil {
			b.Fatal(err)
		}
		ndjsonPath = filepath.Join(dir, "corpus.ndjson")
		f, err := os.Create(ndjsonPath)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range testCorpus() {
			f.Write(r)
			f.Write([]byte{'\n'})
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	})
	return ndjsonPath
}

// BenchmarkScan measures vigil scan end to end over an NDJSON file with
// the built-in pack: reading, splitting, evaluating, folding into alerts.
// One worker: events/s per core when run with -cpu 1.
func BenchmarkScan(b *testing.B) {
	path := ndjsonFile(b)
	rules, err := detect.Compile(builtinRules(b), nil, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	events := int64(0)
	for b.Loop() {
		var st scan.Stats
		if _, err := scan.Run(context.Background(), rules, []string{path}, scan.Options{Workers: 1}, &st); err != nil {
			b.Fatal(err)
		}
		events += st.Events.Load()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// sigmaRules loads the SigmaHQ rules below dirs of a checkout at
// $VIGIL_SIGMA (default ../../shared/sigma/rules), skipping the benchmark
// when there is none.
func sigmaRules(b *testing.B, dirs ...string) []*rule.Rule {
	root := os.Getenv("VIGIL_SIGMA")
	if root == "" {
		root = "../../shared/sigma/rules"
	}
	if _, err := os.Stat(root); err != nil {
		b.Skipf("no SigmaHQ rules at %s (set VIGIL_SIGMA): %v", root, err)
	}
	var c sigma.Collection
	for _, d := range dirs {
		if err := c.AddPath(filepath.Join(root, d)); err != nil {
			b.Fatal(err)
		}
	}
	c.Compile(nil)
	var rules []*rule.Rule
	for _, r := range c.Rules {
		rules = append(rules, rule.FromSigma(r))
	}
	return rules
}

// BenchmarkSigma measures the engine with SigmaHQ's rules over the
// CloudTrail corpus: the AWS rules alone, and the AWS, Kubernetes, Linux
// and web rules together.
func BenchmarkSigma(b *testing.B) {
	for _, tc := range []struct {
		name string
		dirs []string
	}{
		{"aws", []string{"cloud/aws"}},
		{"aws+kubernetes+linux+web", []string{"cloud/aws", "application/kubernetes", "linux", "web"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rules := sigmaRules(b, tc.dirs...)
			recs := testCorpus()
			e, err := engine.New(rules)
			if err != nil {
				b.Fatal(err)
			}
			x := e.NewEvaluator()
			matched := 0
			b.SetBytes(int64(corpusSize / len(recs)))
			b.ReportAllocs()
			b.ResetTimer()
			var ev event.Event
			for i := 0; b.Loop(); i++ {
				ev = event.Event{Raw: recs[i%len(recs)], Kind: event.CloudTrail}
				rules, err := x.Eval(&ev)
				if err != nil {
					b.Fatal(err)
				}
				matched += len(rules)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
			b.ReportMetric(float64(len(rules)), "rules")
		})
	}
}
