package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/event"
	"vigil/pattern"
	"vigil/rule"
)

// records are CloudTrail records of different shapes.
var records = []string{
	`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/ci-deploy","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000001","userName":"ci-deploy"},"eventTime":"2026-11-20T10:04:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","userAgent":"aws-cli/2.15.10","requestParameters":{"userName":"svc-backup"},"responseElements":{"accessKey":{"userName":"svc-backup","accessKeyId":"AKIAEXAMPLENEW0001","status":"Active"}},"eventID":"e-0001","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/CICD-Role/build-42","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/CICD-Role"}}},"eventTime":"2026-11-20T10:05:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"10.1.2.3","requestParameters":{"userName":"rotated"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLENEW0002"}},"eventID":"e-0002","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
	`{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2026-11-20T11:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e-0003","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci-deploy","accountId":"111122223333"},"eventTime":"2026-11-20T10:10:00Z","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.50","requestParameters":{"groupId":"sg-0abc","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},{"ipProtocol":"tcp","fromPort":3306,"toPort":3306,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}}]}},"responseElements":{"_return":true},"eventID":"e-0004","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2026-11-20T12:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","sourceIPAddress":"ec2.amazonaws.com","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null,"eventID":"e-0005","eventType":"AwsServiceEvent","recipientAccountId":"444455556666","userIdentityAccountId":"x"}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/eve","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Admin"}}},"eventTime":"2026-11-20T10:06:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","requestParameters":{"userName":"eve"},"eventID":"e-0007","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a\u00e9"},"eventTime":"2026-11-20T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","awsRegion":"us-east-1","requestParameters":{"bucketName":"payroll","bucketPolicy":{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}},"eventID":"e-0006","eventType":"AwsApiCall","recipientAccountId":"111122223333","resources":[{"ARN":"arn:aws:s3:::payroll","type":"AWS::S3::Bucket"}]}`,
}

// patterns read the envelope and the record in many ways.
var patterns = []string{
	`{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["CreateAccessKey"]}}`,
	`{"detail":{"eventName":["CreateAccessKey"],"userIdentity":{"sessionContext":{"sessionIssuer":{"arn":[{"anything-but":{"prefix":"arn:aws:iam::111122223333:role/CICD-Role"}}]}}}}}`,
	`{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
	`{"detail-type":["AWS Service Event via CloudTrail"]}`,
	`{"account":["444455556666"],"region":[{"prefix":"us-"}]}`,
	`{"id":["e-0004"],"version":["0"]}`,
	`{"time":[{"prefix":"2026-11-20T10"}],"source":[{"anything-but":"aws.iam"}]}`,
	`{"resources":[{"exists":false}],"detail":{"resources":{"type":["AWS::S3::Bucket"]}}}`,
	`{"resources":[{"exists":true}]}`,
	`{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":["<=",3306]}],"toPort":[{"numeric":[">=",3306]}],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}}}`,
	`{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[22],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}}}`,
	`{"detail":{"userIdentity":{"arn":[{"suffix":"/aé"}]}}}`,
	`{"detail":{"sourceIPAddress":[{"cidr":"203.0.113.0/24"}],"eventName":[{"prefix":"Authorize"}]}}`,
	`{"detail":{"responseElements":[null],"eventName":[{"equals-ignore-case":"decrypt"}]}}`,
	`{"detail":{"requestParameters":{"bucketPolicy":{"Statement":{"Principal":["*"]}}}}}`,
}

func compile(t testing.TB, pats []string, exceptions map[int][]string) []*rule.Rule {
	t.Helper()
	var rules []*rule.Rule
	for i, src := range pats {
		p, err := pattern.Parse([]byte(src))
		if err != nil {
			t.Fatalf("pattern %d: %v", i, err)
		}
		r := &rule.Rule{ID: fmt.Sprintf("r%02d", i), Pattern: p}
		for _, x := range exceptions[i] {
			xp, err := pattern.Parse([]byte(x))
			if err != nil {
				t.Fatal(err)
			}
			r.Exceptions = append(r.Exceptions, xp)
		}
		rules = append(rules, r)
	}
	return rules
}

func ids(rules []*rule.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.ID)
	}
	return out
}

// TestEnvelope checks that a bare CloudTrail record, the same record
// really wrapped in its envelope, and each pattern matched alone against
// the wrapped record all give the same result.
func TestEnvelope(t *testing.T) {
	rules := compile(t, patterns, nil)
	e, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	matched := map[string]bool{}
	for i, rec := range records {
		wrapped, err := event.Envelope([]byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range rules {
			ok, err := r.Pattern.Match(wrapped)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				want = append(want, r.ID)
				matched[r.ID] = true
			}
		}
		for _, ev := range []*event.Event{{Raw: []byte(rec)}, {Raw: wrapped}} {
			got, err := x.Eval(ev)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), want) {
				t.Errorf("record %d as %s: got %v, want %v", i, ev.Kind, ids(got), want)
			}
		}
	}
	// The test is only as good as its coverage: every pattern must have
	// matched something, but r08, which no CloudTrail event can match
	// (its envelope has no resources), and r10, which asks port 22 and
	// 0.0.0.0/0 of one element while the record has them in two.
	for _, r := range rules {
		if matched[r.ID] == (r.ID == "r08" || r.ID == "r10") {
			t.Errorf("pattern %s matched: %v", r.ID, matched[r.ID])
		}
	}
}

// TestPrefilterNeverChangesResults evaluates with and without the
// prefilter.
func TestPrefilterNeverChangesResults(t *testing.T) {
	rules := compile(t, patterns, nil)
	e, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := New(rules)
	full.always = true
	x, y := e.NewEvaluator(), full.NewEvaluator()
	for i, rec := range records {
		a, err := x.Eval(&event.Event{Raw: []byte(rec)})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(a)
		b, _ := y.Eval(&event.Event{Raw: []byte(rec)})
		if want := ids(b); !slices.Equal(got, want) {
			t.Errorf("record %d: with prefilter %v, without %v", i, got, want)
		}
	}
}

func TestExceptions(t *testing.T) {
	rules := compile(t, []string{`{"detail":{"eventName":["CreateAccessKey"]}}`}, map[int][]string{
		0: {`{"detail":{"userIdentity":{"sessionContext":{"sessionIssuer":{"arn":[{"prefix":"arn:aws:iam::111122223333:role/CICD-Role"}]}}}}}`},
	})
	e, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	for i, want := range []bool{true, false} {
		got, err := x.Eval(&event.Event{Raw: []byte(records[i])})
		if err != nil {
			t.Fatal(err)
		}
		if (len(got) == 1) != want {
			t.Errorf("record %d: got %v, want match %v", i, ids(got), want)
		}
	}
}

func TestDescribe(t *testing.T) {
	rules := compile(t, []string{`{"detail":{"eventName":["CreateAccessKey"]}}`}, nil)
	rules[0].Dedup = []string{"detail.userIdentity.arn", "detail.requestParameters.missing"}
	rules[0].Entities = map[string]string{"created_access_key": "detail.responseElements.accessKey.accessKeyId"}
	e, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	ev := &event.Event{Raw: []byte(records[0])}
	got, err := x.Eval(ev)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", ids(got), err)
	}
	ms, err := x.Describe(ev, got)
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	if m.EventID != "e-0001" || m.Time.Format("15:04:05") != "10:04:12" {
		t.Errorf("id %s time %v", m.EventID, m.Time)
	}
	wantDedup := []Value{{"arn:aws:iam::111122223333:user/ci-deploy", true}, {}}
	if !slices.Equal(m.Dedup, wantDedup) {
		t.Errorf("dedup %v, want %v", m.Dedup, wantDedup)
	}
	wantEntities := []Entity{
		{"principal", "arn:aws:iam::111122223333:user/ci-deploy"}, {"access_key", "AKIAEXAMPLE000001"},
		{"source_ip", "203.0.113.50"}, {"account", "111122223333"}, {"region", "us-east-1"},
		{"user_agent", "aws-cli/2.15.10"}, {"created_access_key", "AKIAEXAMPLENEW0001"},
	}
	if !slices.Equal(m.Entities, wantEntities) {
		t.Errorf("entities\n got %v\nwant %v", m.Entities, wantEntities)
	}
	// A service name in sourceIPAddress is not an IP.
	ms, _ = x.Describe(&event.Event{Raw: []byte(records[4])}, got)
	for _, en := range ms[0].Entities {
		if en.Type == "source_ip" {
			t.Errorf("source_ip %q", en.Value)
		}
	}
}

func TestMalformed(t *testing.T) {
	e, err := New(compile(t, patterns, nil))
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	for _, raw := range []string{`{"eventName":"CreateAccessKey"`, `["CreateAccessKey"]`, `{"eventName":"CreateAccessKey",}`} {
		if _, err := x.Eval(&event.Event{Raw: []byte(raw)}); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
	// An event that cannot match is not parsed, so its errors go unseen.
	e, err = New(compile(t, patterns[:1], nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.NewEvaluator().Eval(&event.Event{Raw: []byte(`{"x":`)}); err != nil {
		t.Errorf("prefiltered event parsed: %v", err)
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	e, err := New(compile(t, patterns, nil))
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	evs := make([]event.Event, len(records))
	for i, r := range records {
		evs[i] = event.Event{Raw: []byte(r)}
		x.Eval(&evs[i]) // warm up
	}
	n := testing.AllocsPerRun(50, func() {
		for i := range evs {
			evs[i].Kind = event.Unknown
			if _, err := x.Eval(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per round", n)
	}
}

func TestStats(t *testing.T) {
	e, err := New(compile(t, []string{`{"detail":{"eventName":["CreateAccessKey"]}}`, `{"source":["aws.iam"]}`}, nil))
	if err != nil {
		t.Fatal(err)
	}
	s := e.Stats()
	if s.Rules != 2 || s.Literals != 1 || !slices.Equal(s.Unfiltered, []string{"r01"}) {
		t.Errorf("%+v", s)
	}
	if !strings.Contains(fmt.Sprint(e.always), "true") {
		t.Error("a rule without literals must make every event go through")
	}
}

// TestKindGuess checks that events of unknown kind are read as their kind,
// whatever their first key suggests.
func TestKindGuess(t *testing.T) {
	rules := compile(t, []string{
		`{"source":["aws.iam"],"detail":{"eventName":["CreateUser"]}}`,
		`{"eventVersion":["9"],"other":["CreateUser"]}`,
	}, nil)
	e, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	x := e.NewEvaluator()
	for _, tt := range []struct {
		raw  string
		kind event.Kind
		want []string
	}{
		{`{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"CreateUser"}`, event.CloudTrail, []string{"r00"}},
		{`{"eventName":"CreateUser","eventVersion":"1.09","eventSource":"iam.amazonaws.com"}`, event.CloudTrail, []string{"r00"}},
		{`{"detail-type":"x","source":"aws.iam","detail":{"eventName":"CreateUser"}}`, event.EventBridge, []string{"r00"}},
		{`{"version":"0","detail-type":"x","source":"aws.iam","detail":{"eventName":"CreateUser"}}`, event.EventBridge, []string{"r00"}},
		{`{"eventVersion":"9","other":"CreateUser"}`, event.JSON, []string{"r01"}},
		{`{"version":"0","eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"CreateUser"}`, event.CloudTrail, []string{"r00"}},
	} {
		ev := &event.Event{Raw: []byte(tt.raw)}
		got, err := x.Eval(ev)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != tt.kind || !slices.Equal(ids(got), tt.want) {
			t.Errorf("%s: %s %v, want %s %v", tt.raw, ev.Kind, ids(got), tt.kind, tt.want)
		}
	}
}

func TestSample(t *testing.T) {
	var s sample
	for range sampleSize { // a prefilter that rejects most events stays
		if !s.use() {
			t.Fatal("set aside too early")
		}
		s.count(false)
	}
	if !s.use() {
		t.Fatal("a useful prefilter was set aside")
	}
	s = sample{}
	for range sampleSize { // one that lets everything through is set aside...
		s.use()
		s.count(true)
	}
	off := 0
	for !s.use() {
		off++
	}
	if off != offFor { // ...for a while, then tried again
		t.Errorf("set aside for %d events, want %d", off, offFor)
	}
}
