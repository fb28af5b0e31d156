package field

import (
	"testing"

	"github.com/valyala/fastjson"

	"vigil/bench/corpus"
)

func benchDocs() [][]byte {
	g := corpus.New(3)
	var out [][]byte
	for range 2000 {
		out = append(out, g.Record(nil))
	}
	return out
}

// cloudTrailPaths are the paths SigmaHQ's AWS rules read, roughly.
var cloudTrailPaths = []string{"eventName", "eventSource", "errorCode", "errorMessage", "userAgent", "userIdentity.type",
	"userIdentity.arn", "userIdentity.sessionContext.sessionIssuer.type", "requestParameters", "responseElements",
	"requestParameters.attribute", "requestParameters.enable", "responseElements.ConsoleLogin", "eventType",
	"sourceIPAddress", "additionalEventData.MFAUsed", "userIdentity.accountId", "eventID", "eventTime", "awsRegion"}

func BenchmarkExtract(b *testing.B) {
	docs := benchDocs()
	s := NewSetOf(nil, cloudTrailPaths)
	v := NewValues(s)
	scope := s.Scope("")
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size / len(docs)))
	for i := 0; b.Loop(); i++ {
		v.Reset()
		if err := v.Extract(docs[i%len(docs)], scope); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFastjson(b *testing.B) {
	docs := benchDocs()
	var p fastjson.Parser
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size / len(docs)))
	for i := 0; b.Loop(); i++ {
		if _, err := p.ParseBytes(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
}
