package sigma

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/field"
)

// event is a Kubernetes-audit-like event: Sigma reads its fields at the
// root, as written.
const k8sEvent = `{
  "kind": "Event", "auditID": "a-1", "stage": "ResponseComplete",
  "verb": "create", "user": {"username": "system:serviceaccount:kube-system:Deployer", "groups": ["system:authenticated", "ops"]},
  "objectRef": {"resource": "pods", "namespace": "kube-system", "name": "evil-pod"},
  "requestURI": "/api/v1/namespaces/kube-system/pods?fieldManager=kubectl",
  "sourceIPs": ["10.1.2.3", "2001:db8::7"],
  "responseStatus": {"code": 201},
  "cmd": "powershell -enc SQBFAFgA -nop /c whoami",
  "b64": "aGVsbG8gd29ybGQ=",
  "long": "xxSGVsbG8gd29ybGQhxx",
  "wide": "w\u0000h\u0000o\u0000",
  "be64": "AEkARQBY",
  "bom64": "//5JAEUAWAA=",
  "path": "C:\\Windows\\System32\\cmd.exe",
  "star": "a*b?c",
  "empty": "",
  "nothing": null,
  "count": 7,
  "ratio": "12.5",
  "flag": true,
  "requestObject": {"spec": {"hostNetwork": true, "containers": [{"image": "alpine", "securityContext": {"privileged": true}}]}},
  "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}",
  "when": "2026-11-20T23:41:05Z",
  "self": "Deployer",
  "other": "deployer"
}`

// check compiles a rule detection, with condition "selection" unless it
// says otherwise, and evaluates it against the event.
func check(t *testing.T, detection string, cfg *Config) bool {
	t.Helper()
	if !strings.Contains(detection, "condition:") {
		detection += "\n    condition: selection"
	}
	doc := "title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    product: kubernetes\n    service: audit\ndetection:\n" + detection + "\n"
	var c Collection
	c.Add("t.yml", []byte(doc))
	c.Compile(cfg)
	for _, p := range c.Problems {
		t.Fatalf("%s\n%s", p, doc)
	}
	return evalRule(t, c.Rules[0], k8sEvent)
}

func evalRule(t *testing.T, r *Rule, ev string) bool {
	t.Helper()
	set := field.NewSetOf(nil, r.Paths())
	prog, err := r.Bind(set)
	if err != nil {
		t.Fatal(err)
	}
	v := field.NewValues(set)
	if err := v.Extract([]byte(ev), set.Scope("")); err != nil {
		t.Fatal(err)
	}
	every := field.NewSet([]string{field.Every})
	leaves := field.NewValues(every)
	ctx := NewContext(v, func() *field.Values {
		leaves.Reset()
		if err := leaves.Extract([]byte(ev), every.Scope("")); err != nil {
			t.Fatal(err)
		}
		return leaves
	})
	ctx.Next()
	return prog.Match(ctx)
}

func TestDetection(t *testing.T) {
	tests := []struct {
		name, detection string
		want            bool
	}{
		// values, case, lists and maps
		{"exact", "    selection:\n        verb: create", true},
		{"case-insensitive", "    selection:\n        verb: CREATE", true},
		{"nested field", "    selection:\n        objectRef.resource: pods", true},
		{"list is or", "    selection:\n        verb:\n            - delete\n            - create", true},
		{"list none", "    selection:\n        verb:\n            - delete\n            - patch", false},
		{"map is and", "    selection:\n        verb: create\n        objectRef.resource: secrets", false},
		{"list of maps is or", "    selection:\n        - verb: delete\n        - objectRef.resource: pods", true},
		{"array field: any element", "    selection:\n        user.groups: ops", true},
		{"number", "    selection:\n        responseStatus.code: 201", true},
		{"number as string", "    selection:\n        responseStatus.code: '201'", true},
		{"boolean", "    selection:\n        flag: true", true},
		{"empty string", "    selection:\n        empty: ''", true},
		{"empty string is not null", "    selection:\n        nothing: ''", false},
		{"null: null", "    selection:\n        nothing: null", true},
		{"null: missing", "    selection:\n        missing: null", true},
		{"null: present", "    selection:\n        verb: null", false},
		// wildcards and escapes
		{"star", "    selection:\n        verb: cr*te", true},
		{"question mark", "    selection:\n        verb: cr?ate", true},
		{"question mark is one character", "    selection:\n        verb: cr?te", false},
		{"star matches nothing too", "    selection:\n        verb: create*", true},
		{"escaped star", "    selection:\n        star: 'a\\*b\\?c'", true},
		{"escaped star is literal", "    selection:\n        star: 'a\\*x*'", false},
		{"plain backslash", "    selection:\n        path: 'C:\\Windows\\System32\\cmd.exe'", true},
		{"doubled backslash", "    selection:\n        path: 'C:\\\\Windows\\\\System32\\\\cmd.exe'", true},
		{"backslash before star", "    selection:\n        path: 'C:\\Windows\\\\*'", true},
		// generic modifiers
		{"contains", "    selection:\n        requestURI|contains: KUBE-SYSTEM", true},
		{"startswith", "    selection:\n        requestURI|startswith: /api/v1", true},
		{"endswith", "    selection:\n        path|endswith: '\\cmd.exe'", true},
		{"endswith no", "    selection:\n        path|endswith: '\\bash'", false},
		{"contains all", "    selection:\n        cmd|contains|all:\n            - '-enc'\n            - whoami", true},
		{"contains all, one missing", "    selection:\n        cmd|contains|all:\n            - '-enc'\n            - mimikatz", false},
		{"cased", "    selection:\n        self|cased: Deployer", true},
		{"cased no", "    selection:\n        self|cased: deployer", false},
		{"cased contains", "    selection:\n        cmd|cased|contains: SQBF", true},
		{"exists", "    selection:\n        objectRef.name|exists: true", true},
		{"exists null", "    selection:\n        nothing|exists: true", true},
		{"exists object", "    selection:\n        requestObject|exists: true", true},
		{"not exists", "    selection:\n        objectRef.subresource|exists: false", true},
		{"neq", "    selection:\n        verb|neq: delete", true},
		{"neq same", "    selection:\n        verb|neq: create", false},
		{"neq list", "    selection:\n        verb|neq:\n            - delete\n            - create", false},
		{"neq missing field", "    selection:\n        missing|neq: x", false},
		{"whole object as text", "    selection:\n        requestObject|contains: '\"privileged\":true'", true},
		{"object with escaped strings as text", "    selection:\n        policy|contains: '\"Action\":\"s3:GetObject\"'", true},
		// string modifiers
		{"windash", "    selection:\n        cmd|windash|contains: ' -nop '", true},
		{"windash slash form", "    selection:\n        cmd|windash|contains: ' -c whoami'", true},
		{"windash not inside words", "    selection:\n        requestURI|windash|contains: 'kube/system'", false},
		{"re", "    selection:\n        objectRef.name|re: '^ev.l-p[aeiou]d$'", true},
		{"re is case-sensitive", "    selection:\n        objectRef.name|re: '^EVIL'", false},
		{"re i", "    selection:\n        objectRef.name|re|i: '^EVIL'", true},
		{"re m", "    selection:\n        cmd|re|m: '^powershell'", true},
		{"re s", "    selection:\n        cmd|re|s: 'enc.+whoami'", true},
		{"base64", "    selection:\n        b64|base64: hello world", true},
		{"base64offset", "    selection:\n        long|base64offset|contains: Hello world!", true},
		{"utf16le then contains", "    selection:\n        wide|utf16le|contains: who", true},
		{"utf16be then base64", "    selection:\n        be64|utf16be|base64: IEX", true},
		{"utf16le is not utf16be", "    selection:\n        be64|utf16le|base64: IEX", false},
		{"utf16 has a byte order mark", "    selection:\n        bom64|utf16|base64: IEX", true},
		{"utf16 without the mark", "    selection:\n        bom64|utf16le|base64: IEX", false},
		{"wide then base64offset", "    selection:\n        cmd|wide|base64offset|contains: IEX", true},
		// numeric, time, ip modifiers
		{"gt", "    selection:\n        count|gt: 6", true},
		{"gte", "    selection:\n        count|gte: 7", true},
		{"lt", "    selection:\n        count|lt: 7", false},
		{"lte string number", "    selection:\n        ratio|lte: 12.5", true},
		{"numeric on text", "    selection:\n        verb|gt: 1", false},
		{"hour", "    selection:\n        when|hour: 23", true},
		{"hour range", "    selection:\n        when|hour|gte: 22", true},
		{"minute", "    selection:\n        when|minute: 40", false},
		{"month year", "    selection:\n        when|month: 11\n        when|year: 2026", true},
		{"day week", "    selection:\n        when|day: 20\n        when|week: 47", true},
		{"cidr", "    selection:\n        sourceIPs|cidr: 10.0.0.0/8", true},
		{"cidr v6", "    selection:\n        sourceIPs|cidr: '2001:db8::/32'", true},
		{"cidr out", "    selection:\n        sourceIPs|cidr: 192.168.0.0/16", false},
		// fieldref
		{"fieldref", "    selection:\n        self|fieldref: other", true},
		{"fieldref cased", "    selection:\n        self|fieldref|cased: other", false},
		{"fieldref startswith", "    selection:\n        user.username|fieldref|endswith: self", true},
		// keywords
		{"keyword", "    keywords:\n        - evil-pod\n    condition: keywords", true},
		{"keyword anywhere in a value", "    keywords:\n        - NOP\n    condition: keywords", true},
		{"keywords none", "    keywords:\n        - mimikatz\n        - rubeus\n    condition: keywords", false},
		{"keywords all", "    keywords:\n        '|all':\n            - evil\n            - whoami\n    condition: keywords", true},
		{"keywords all, one missing", "    keywords:\n        '|all':\n            - evil\n            - rubeus\n    condition: keywords", false},
		// conditions
		{"and", "    a:\n        verb: create\n    b:\n        objectRef.resource: pods\n    condition: a and b", true},
		{"or", "    a:\n        verb: x\n    b:\n        objectRef.resource: pods\n    condition: a or b", true},
		{"not", "    a:\n        verb: create\n    b:\n        objectRef.resource: pods\n    condition: a and not b", false},
		{"precedence: and binds tighter than or", "    a:\n        verb: create\n    b:\n        verb: x\n    c:\n        verb: y\n    condition: a or b and c", true},
		{"precedence: not binds tighter than and", "    a:\n        verb: create\n    b:\n        verb: x\n    condition: not b and a", true},
		{"parentheses", "    a:\n        verb: create\n    b:\n        verb: x\n    c:\n        verb: y\n    condition: (a or b) and c", false},
		{"1 of pattern", "    sel_a:\n        verb: x\n    sel_b:\n        verb: create\n    condition: 1 of sel_*", true},
		{"all of pattern", "    sel_a:\n        verb: x\n    sel_b:\n        verb: create\n    condition: all of sel_*", false},
		{"1 of them", "    a:\n        verb: x\n    b:\n        verb: create\n    condition: 1 of them", true},
		{"all of them skips underscores", "    a:\n        verb: create\n    _b:\n        verb: x\n    condition: all of them", true},
		{"not 1 of", "    sel:\n        verb: create\n    filter_a:\n        verb: x\n    filter_b:\n        objectRef.resource: y\n    condition: sel and not 1 of filter_*", true},
		{"list of conditions is or", "    a:\n        verb: x\n    b:\n        verb: create\n    condition:\n        - a\n        - b", true},
		{"any of", "    a:\n        verb: x\n    b:\n        verb: create\n    condition: any of them", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, tt.detection, nil); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	cfg := &Config{Placeholders: map[string][]string{"Admins": {"root", "*:deployer"}}}
	if !check(t, "    selection:\n        user.username|expand: '%Admins%'", cfg) {
		t.Error("placeholder not expanded")
	}
	var c Collection
	c.Add("t.yml", []byte("title: t\nlogsource: {product: kubernetes, service: audit}\ndetection:\n    selection:\n        verb|expand: '%Nope%'\n    condition: selection\n"))
	c.Compile(nil)
	if n := c.Counts(); n.Unsupported != 1 || !strings.Contains(c.Problems[0].Msg, "placeholder %Nope% is not defined") {
		t.Errorf("%+v %v", n, c.Problems)
	}
}

func TestFieldMapping(t *testing.T) {
	cfg := &Config{FieldMappings: []FieldMapping{{Logsource: Logsource{Product: "kubernetes"}, Fields: map[string]string{"Verb": "verb"}}}}
	if !check(t, "    selection:\n        Verb: create", cfg) {
		t.Error("mapped field not found")
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		doc   string
		class Class
		msg   string
	}{
		{"title: t\nlogsource: {product: windows}\ndetection: {sel: {a: 1}, condition: sel}\n", NotApplicable, "vigil reads no {product: windows} events"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|foo: 1}, condition: sel}\n", Unsupported, `unknown modifier "foo"`},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|re: '(?<=x)y'}, condition: sel}\n", Unsupported, "RE2 has no lookarounds"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a: 1}, condition: 2 of sel}\n", Unsupported, `"2" of is not part of Sigma`},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a: 1}, condition: sel and nope}\n", Invalid, `"nope" is not a search identifier`},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a: 1}, condition: (sel}\n", Invalid, "missing ')'"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a: 1}}\n", Invalid, "no condition"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|re: '(x'}, condition: sel}\n", Invalid, "missing closing )"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|all: x}, condition: sel}\n", Invalid, "needs a list of at least two values"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|lt: x}, condition: sel}\n", Invalid, "lt wants a number"},
		{"title: t\nlogsource: {product: linux, service: auditd}\ndetection: {sel: {a|base64: 'x*'}, condition: sel}\n", Invalid, "base64 cannot encode a value with wildcards"},
		{"title: t\nlogsource: {product: linux, service: auditd}\nlevel: urgent\ndetection: {sel: {a: 1}, condition: sel}\n", Invalid, "level"},
		{"logsource: {product: linux, service: auditd}\ndetection: {sel: {a: 1}, condition: sel}\n", Invalid, "no title"},
		{"title: t\ndetection: {sel: {a: 1}, condition: sel}\n", Invalid, "needs a logsource"},
		{"title: t\ncorrelation: {type: event_count, rules: [x], group-by: [a], timespan: 1h, condition: {gte: 2}}\n", NotApplicable, `rules "x" are not loaded`},
		{"title: t\ncorrelation: {type: event_count, rules: [x], timespan: 90x, condition: {gte: 2}}\n", Invalid, "timespan"},
		{"title: t\ncorrelation: {type: value_count, rules: [x], timespan: 1h, condition: {gte: 2}}\n", Invalid, "needs a field"},
		{"title: t\ncorrelation: {type: nearby, rules: [x], timespan: 1h}\n", Invalid, "correlation type"},
		{"title: t\nfilter: {rules: [x], sel: {a: 1}, condition: not sel}\nlogsource: {product: linux}\n", NotApplicable, `filter: rules "x" are not loaded`},
		{"- a\n", Invalid, "a Sigma document is a mapping"},
		{"title: [\n", Invalid, "did not find expected"},
	}
	for _, tt := range tests {
		var c Collection
		c.Add("t.yml", []byte(tt.doc))
		c.Compile(nil)
		if len(c.Problems) != 1 || c.Problems[0].Class != tt.class || !strings.Contains(c.Problems[0].Msg, tt.msg) {
			t.Errorf("%q:\n got %v\nwant %s: ...%s...", tt.doc, c.Problems, tt.class, tt.msg)
		}
	}
}

func TestFilter(t *testing.T) {
	var c Collection
	c.Add("r.yml", []byte("title: Pods in kube-system\nname: pods_in_system\nlogsource: {product: kubernetes, service: audit}\ndetection:\n    sel: {objectRef.namespace: kube-system}\n    condition: sel\n"))
	c.Add("f.yml", []byte("title: Deployer is fine\nlogsource: {product: kubernetes, service: audit}\nfilter:\n    rules: [pods_in_system]\n    selection: {user.username|endswith: ':deployer'}\n    condition: selection\n"))
	c.Compile(nil)
	if len(c.Problems) > 0 || len(c.Rules) != 1 {
		t.Fatal(c.Problems)
	}
	if evalRule(t, c.Rules[0], k8sEvent) {
		t.Error("the filter did not exclude the event")
	}
	if !evalRule(t, c.Rules[0], strings.Replace(k8sEvent, "Deployer\"", "Mallory\"", 1)) {
		t.Error("the filter excluded another principal")
	}
}

func TestRouting(t *testing.T) {
	for _, tt := range []struct {
		ls     Logsource
		prefix string
		ok     bool
	}{
		{Logsource{Product: "aws", Service: "cloudtrail"}, "detail.", true},
		{Logsource{Product: "kubernetes", Service: "audit", Category: "application"}, "", true},
		{Logsource{Category: "webserver", Product: "apache"}, "", true},
		{Logsource{Category: "proxy"}, "", true},
		{Logsource{Product: "linux", Service: "auditd"}, "", true},
		{Logsource{Product: "linux", Category: "process_creation"}, "", true},
		{Logsource{Product: "linux", Service: "sshd"}, "", true},
		{Logsource{Product: "linux"}, "", true},
		{Logsource{Product: "windows", Category: "process_creation"}, "", false},
		{Logsource{Product: "azure", Service: "activitylogs"}, "", false},
		{Logsource{Product: "linux", Service: "nope"}, "", false},
	} {
		src, why := route(tt.ls)
		if (src != nil) != tt.ok || src != nil && src.Prefix != tt.prefix || src == nil && why == "" {
			t.Errorf("%v: %+v %q", tt.ls, src, why)
		}
	}
}

func TestLiterals(t *testing.T) {
	var c Collection
	c.Add("r.yml", []byte(`title: t
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: iam.amazonaws.com
        eventName:
            - CreateUser
            - DeleteUser
    arn:
        userIdentity.arn|re: '.+:assumed-role/aws:.+'
    quoted:
        requestParameters|contains: '"s3:GetObject"'
    condition: (selection or arn or quoted) and not eventType
    eventType:
        eventType: AwsServiceEvent
`))
	c.Compile(nil)
	if len(c.Problems) > 0 {
		t.Fatal(c.Problems)
	}
	got := fmt.Sprint(c.Rules[0].Literals())
	want := "[{:assumed-role/aws: false} {createuser true} {deleteuser true} {s3:getobject true}]"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestSpecificationExamples loads the examples of the Sigma specification:
// none may be invalid or unsupported. (Their rules are for logs vigil
// does not read, and their correlations and filters name rules that are
// not there: not applicable.)
func TestSpecificationExamples(t *testing.T) {
	dir := "../../shared/reference/sigma-specification/tests/schema"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Sigma specification at %s: %v", dir, err)
	}
	var c Collection
	if err := c.AddPath(dir); err != nil {
		t.Fatal(err)
	}
	c.Compile(nil)
	n := c.Counts()
	for _, p := range c.Problems {
		if p.Class != NotApplicable {
			t.Error(p)
		}
	}
	if n.Loaded+n.NotApplicable != 12 {
		t.Errorf("%+v: want the 12 documents", n)
	}
}

// sigmaHQ is the SigmaHQ rule tree the tests read when it is there.
const sigmaHQ = "../../shared/sigma/rules"

// TestSigmaHQ compiles the whole SigmaHQ tree: no rule may be invalid or
// unsupported, and every AWS, Kubernetes, Linux and web rule must load.
func TestSigmaHQ(t *testing.T) {
	if _, err := os.Stat(sigmaHQ); err != nil {
		t.Skipf("no SigmaHQ rules at %s: %v", sigmaHQ, err)
	}
	var c Collection
	if err := c.AddPath(sigmaHQ); err != nil {
		t.Fatal(err)
	}
	c.Compile(nil)
	for _, p := range c.Problems {
		if p.Class != NotApplicable {
			t.Error(p)
		}
	}
	for _, dir := range []string{"cloud/aws", "application/kubernetes", "linux", "web"} {
		var c Collection
		if err := c.AddPath(filepath.Join(sigmaHQ, dir)); err != nil {
			t.Fatal(err)
		}
		c.Compile(nil)
		for _, p := range c.Problems {
			t.Errorf("%s: %v", dir, p)
		}
		if len(c.Rules) == 0 {
			t.Errorf("%s: no rules", dir)
		}
	}
}
