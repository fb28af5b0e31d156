package pattern

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"vigil/field"
)

// ec2 is the EC2 state-change event from EventBridge's documentation,
// with extra fields for the operators.
const ec2 = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {
    "instance-id": "i-1234567890abcdef0",
    "state": "terminated",
    "c-count": 3,
    "d-count": 300.0,
    "x-limit": 301.8,
    "price": "300",
    "empty": "",
    "nothing": null,
    "flag": true,
    "list": [],
    "obj": {"c1": 100},
    "tags": ["prod", "pci"],
    "ip": "10.0.0.17",
    "ip6": "2001:db8::1",
    "file": "photo.PNG",
    "path": "a*b\\c",
    "big": 6000000000,
    "account": 123456789012,
    "dotted.key": "yes",
    "perms": [
      {"from": 22, "to": 22, "ranges": [{"cidr": "10.0.0.0/8"}]},
      {"from": 443, "to": 443, "ranges": [{"cidr": "0.0.0.0/0"}]}
    ]
  }
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          bool
	}{
		// exact values
		{"string", `{"source":["aws.ec2"]}`, true},
		{"string other", `{"source":["aws.s3"]}`, false},
		{"string is case sensitive", `{"source":["AWS.EC2"]}`, false},
		{"one of several", `{"source":["aws.s3","aws.ec2"]}`, true},
		{"nested", `{"detail":{"state":["terminated"]}}`, true},
		{"and of fields", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, false},
		{"number", `{"detail":{"c-count":[3]}}`, true},
		{"number written differently", `{"detail":{"d-count":[300]}}`, true},
		{"number with exponent", `{"detail":{"d-count":[3.0e2]}}`, true},
		{"number does not match string", `{"detail":{"price":[300]}}`, false},
		{"string does not match number", `{"detail":{"c-count":["3"]}}`, false},
		{"number beyond numeric range matches its text", `{"detail":{"account":[123456789012]}}`, true},
		{"big number", `{"detail":{"big":[6000000000]}}`, true},
		{"big number written differently", `{"detail":{"big":[6.0e9]}}`, false},
		{"empty string", `{"detail":{"empty":[""]}}`, true},
		{"empty string is not null", `{"detail":{"nothing":[""]}}`, false},
		{"null", `{"detail":{"nothing":[null]}}`, true},
		{"null is not empty string", `{"detail":{"empty":[null]}}`, false},
		{"null does not match a missing field", `{"detail":{"missing":[null]}}`, false},
		{"true", `{"detail":{"flag":[true]}}`, true},
		{"true is not the string", `{"detail":{"flag":["true"]}}`, false},
		{"false", `{"detail":{"flag":[false]}}`, false},
		{"array shares an element", `{"detail":{"tags":["pci","sox"]}}`, true},
		{"array shares none", `{"detail":{"tags":["sox"]}}`, false},
		{"pattern array against event array", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, true},
		{"dotted pattern key", `{"detail.state":["terminated"]}`, true},
		{"nested pattern matches dotted event key", `{"detail":{"dotted":{"key":["yes"]}}}`, true},
		{"dotted pattern matches dotted event key", `{"detail":{"dotted.key":["yes"]}}`, true},
		{"object is not a value", `{"detail":{"obj":[100]}}`, false},
		{"missing field", `{"detail":{"nope":["x"]}}`, false},
		{"last repeated key wins", `{"detail":{"state":["x"],"state":["terminated"]}}`, true},
		{"last repeated key wins, no match", `{"detail":{"state":["terminated"],"state":["x"]}}`, false},
		{"repeated objects keep both paths", `{"detail":{"state":["terminated"]},"detail":{"flag":[true]}}`, true},
		{"repeated objects keep both paths, no match", `{"detail":{"state":["terminated"]},"detail":{"flag":[false]}}`, false},
		{"dotted and nested keys are one path", `{"detail.state":["x"],"detail":{"state":["terminated"]}}`, true},
		{"dotted and nested keys are one path, last wins", `{"detail":{"state":["terminated"]},"detail.state":["x"]}`, false},
		{"two $or both apply", `{"$or":[{"source":["aws.ec2"]},{"region":["x"]}],"$or":[{"detail":{"state":["x"]}},{"detail":{"flag":[true]}}]}`, true},
		{"two $or both apply, no match", `{"$or":[{"source":["aws.ec2"]},{"region":["x"]}],"$or":[{"detail":{"state":["x"]}},{"detail":{"flag":[false]}}]}`, false},

		// prefix and suffix
		{"prefix", `{"time":[{"prefix":"2017-12-22"}]}`, true},
		{"prefix no", `{"time":[{"prefix":"2018"}]}`, false},
		{"empty prefix matches any string", `{"detail":{"empty":[{"prefix":""}]}}`, true},
		{"empty prefix does not match numbers", `{"detail":{"c-count":[{"prefix":""}]}}`, false},
		{"empty prefix does not match null", `{"detail":{"nothing":[{"prefix":""}]}}`, false},
		{"prefix does not match number text", `{"detail":{"c-count":[{"prefix":"3"}]}}`, false},
		{"prefix ignore case", `{"source":[{"prefix":{"equals-ignore-case":"AWS."}}]}`, true},
		{"prefix is case sensitive", `{"source":[{"prefix":"AWS."}]}`, false},
		{"suffix", `{"detail":{"file":[{"suffix":".PNG"}]}}`, true},
		{"suffix is case sensitive", `{"detail":{"file":[{"suffix":".png"}]}}`, false},
		{"suffix ignore case", `{"detail":{"file":[{"suffix":{"equals-ignore-case":".png"}}]}}`, true},
		{"suffix on array", `{"detail":{"tags":[{"suffix":"ci"}]}}`, true},

		// equals-ignore-case
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, true},
		{"equals-ignore-case no", `{"detail-type":[{"equals-ignore-case":"ec2 instance"}]}`, false},
		{"equals-ignore-case not on numbers", `{"detail":{"c-count":[{"equals-ignore-case":"3"}]}}`, false},

		// wildcard
		{"wildcard", `{"detail":{"file":[{"wildcard":"*.PNG"}]}}`, true},
		{"wildcard middle", `{"resources":[{"wildcard":"arn:aws:ec2:*:instance/*"}]}`, true},
		{"wildcard is case sensitive", `{"detail":{"file":[{"wildcard":"*.png"}]}}`, false},
		{"wildcard alone matches any string", `{"detail":{"empty":[{"wildcard":"*"}]}}`, true},
		{"wildcard not on numbers", `{"detail":{"c-count":[{"wildcard":"*"}]}}`, false},
		{"wildcard without star is exact", `{"detail":{"state":[{"wildcard":"terminated"}]}}`, true},
		{"wildcard escapes", `{"detail":{"path":[{"wildcard":"a\\*b\\\\*"}]}}`, true},
		{"wildcard escaped star then a star", `{"detail":{"path":[{"wildcard":"a\\**"}]}}`, true},
		{"wildcard escaped star is literal", `{"detail":{"state":[{"wildcard":"term\\*"}]}}`, false},
		{"wildcard needs all pieces", `{"detail":{"state":[{"wildcard":"t*x*d"}]}}`, false},
		{"wildcard overlapping pieces", `{"detail":{"state":[{"wildcard":"*ter*ted"}]}}`, true},
		{"wildcard prefix and suffix may not overlap", `{"detail":{"state":[{"wildcard":"terminat*nated"}]}}`, false},

		// anything-but
		{"anything-but", `{"detail":{"state":[{"anything-but":"running"}]}}`, true},
		{"anything-but same", `{"detail":{"state":[{"anything-but":"terminated"}]}}`, false},
		{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":3}]}}`, false},
		{"anything-but number written differently", `{"detail":{"d-count":[{"anything-but":[100,300]}]}}`, false},
		{"anything-but number list", `{"detail":{"c-count":[{"anything-but":[100,200]}]}}`, true},
		{"anything-but matches null", `{"detail":{"nothing":[{"anything-but":"x"}]}}`, true},
		{"anything-but matches booleans", `{"detail":{"flag":[{"anything-but":"x"}]}}`, true},
		{"anything-but string matches numbers", `{"detail":{"c-count":[{"anything-but":"3"}]}}`, true},
		{"anything-but number matches strings", `{"detail":{"price":[{"anything-but":300}]}}`, true},
		{"anything-but needs the field", `{"detail":{"missing":[{"anything-but":"x"}]}}`, false},
		{"anything-but not on []", `{"detail":{"list":[{"anything-but":"x"}]}}`, false},
		{"anything-but on arrays: some element differs", `{"detail":{"tags":[{"anything-but":"prod"}]}}`, true},
		{"anything-but on arrays: all excluded", `{"detail":{"tags":[{"anything-but":["prod","pci"]}]}}`, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, true},
		{"anything-but prefix same", `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, false},
		{"anything-but prefix matches numbers", `{"detail":{"c-count":[{"anything-but":{"prefix":"3"}}]}}`, true},
		{"anything-but suffix", `{"detail":{"file":[{"anything-but":{"suffix":".PNG"}}]}}`, false},
		{"anything-but suffix other", `{"detail":{"file":[{"anything-but":{"suffix":".jpg"}}]}}`, true},
		{"anything-but wildcard", `{"detail":{"file":[{"anything-but":{"wildcard":"photo*"}}]}}`, false},
		{"anything-but wildcard other", `{"detail":{"file":[{"anything-but":{"wildcard":"*.jpg"}}]}}`, true},
		{"anything-but equals-ignore-case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"TERMINATED"}}]}}`, false},
		{"anything-but equals-ignore-case list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["RUNNING","STOPPED"]}}]}}`, true},

		// numeric
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{"numeric range out", `{"detail":{"c-count":[{"numeric":[">",3,"<=",5]}]}}`, false},
		{"numeric inclusive bound", `{"detail":{"c-count":[{"numeric":[">=",3,"<",4]}]}}`, true},
		{"numeric upper only", `{"detail":{"c-count":[{"numeric":["<",10]}]}}`, true},
		{"numeric lower bound close to the upper", `{"detail":{"x-limit":[{"numeric":[">",301.7999999,"<",301.8000001]}]}}`, false},
		{"numeric equals", `{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}`, true},
		{"numeric equals other form", `{"detail":{"d-count":[{"numeric":["=",300]}]}}`, true},
		{"numeric does not match strings", `{"detail":{"price":[{"numeric":["=",300]}]}}`, false},
		{"numeric beyond range never matches", `{"detail":{"big":[{"numeric":[">",0]}]}}`, false},
		{"numeric six decimals", `{"detail":{"x-limit":[{"numeric":["=",301.8000001]}]}}`, true},
		{"numeric on arrays of objects", `{"detail":{"perms":{"from":[{"numeric":[">",400]}]}}}`, true},

		// cidr
		{"cidr", `{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}`, true},
		{"cidr out", `{"detail":{"ip":[{"cidr":"10.0.1.0/24"}]}}`, false},
		{"cidr single address", `{"detail":{"ip":[{"cidr":"10.0.0.17"}]}}`, true},
		{"cidr host bits set", `{"detail":{"ip":[{"cidr":"10.0.0.99/24"}]}}`, true},
		{"cidr ipv6", `{"detail":{"ip6":[{"cidr":"2001:db8::/32"}]}}`, true},
		{"cidr ipv6 other", `{"detail":{"ip6":[{"cidr":"2001:db9::/32"}]}}`, false},
		{"cidr v4 never matches v6", `{"detail":{"ip6":[{"cidr":"0.0.0.0/0"}]}}`, false},
		{"cidr not on non-addresses", `{"detail":{"state":[{"cidr":"0.0.0.0/0"}]}}`, false},

		// exists
		{"exists", `{"detail":{"state":[{"exists":true}]}}`, true},
		{"exists missing", `{"detail":{"nope":[{"exists":true}]}}`, false},
		{"exists null", `{"detail":{"nothing":[{"exists":true}]}}`, true},
		{"exists not on []", `{"detail":{"list":[{"exists":true}]}}`, false},
		{"exists not on objects", `{"detail":{"obj":[{"exists":true}]}}`, false},
		{"exists false", `{"detail":{"nope":[{"exists":false}]}}`, true},
		{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, false},
		{"exists false on []", `{"detail":{"list":[{"exists":false}]}}`, true},
		{"exists false on objects", `{"detail":{"obj":[{"exists":false}]}}`, true},
		{"exists false with other fields", `{"source":["aws.ec2"],"detail":{"nope":[{"exists":false}]}}`, true},
		{"exists false or value", `{"detail":{"state":[{"exists":false},"terminated"]}}`, true},

		// $or
		{"or", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"state":["terminated"]}]}}`, true},
		{"or none", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"state":["running"]}]}}`, false},
		{"or top level", `{"$or":[{"source":["aws.s3"]},{"detail":{"state":["terminated"]}}]}`, true},
		{"or with and", `{"source":["aws.s3"],"$or":[{"source":["aws.ec2"]},{"region":["us-west-1"]}]}`, false},
		{"nested or", `{"$or":[{"$or":[{"source":["x"]},{"source":["aws.ec2"]}]},{"region":["y"]}]}`, true},
		{"field named $or", `{"detail":{"$or":["x"]}}`, false},

		// arrays of objects: fields of one element
		{"same element", `{"detail":{"perms":{"from":[443],"ranges":{"cidr":["0.0.0.0/0"]}}}}`, true},
		{"different elements", `{"detail":{"perms":{"from":[22],"ranges":{"cidr":["0.0.0.0/0"]}}}}`, false},
		{"same element, numeric", `{"detail":{"perms":{"from":[{"numeric":["<=",22]}],"to":[{"numeric":[">=",22]}]}}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.pattern))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Match([]byte(ec2))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s: got %v, want %v", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct{ pattern, reason string }{
		{`[]`, "Filter is not an object"},
		{`"x"`, "Filter is not an object"},
		{`{}`, "Empty objects are not allowed"},
		{`{"detail":{}}`, "Empty objects are not allowed"},
		{`{"source":[]}`, "Empty arrays are not allowed"},
		{`{"source":"aws.ec2"}`, `"source" must be an object or an array`},
		{`{"source":5}`, `"source" must be an object or an array`},
		{`{"source":[["x"]]}`, "Match value must be String, number, true, false, or null"},
		{`{"source":[{}]}`, "Empty objects are not allowed"},
		{`{"source":[{"prefix":"a","suffix":"b"}]}`, "Only one key allowed in match expression"},
		{`{"source":[{"foo":"a"}]}`, "Unrecognized match type foo"},
		{`{"source":[{"prefix":5}]}`, "prefix match pattern must be a string"},
		{`{"source":[{"prefix":{"foo":"x"}}]}`, "prefix match pattern must be a string"},
		{`{"source":[{"suffix":null}]}`, "suffix match pattern must be a string"},
		{`{"source":[{"suffix":{"equals-ignore-case":1}}]}`, "equals-ignore-case match pattern must be a string"},
		{`{"source":[{"equals-ignore-case":["a"]}]}`, "equals-ignore-case match pattern must be a string"},
		{`{"source":[{"wildcard":1}]}`, "wildcard match pattern must be a string"},
		{`{"source":[{"wildcard":"a**b"}]}`, "Consecutive wildcard characters at pos 2"},
		{`{"source":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 1"},
		{`{"source":[{"wildcard":"` + strings.Repeat("*ab", 60) + `*"}]}`, "Rule is too complex"},
		{`{"source":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{`{"source":[{"anything-but":[]}]}`, "mixed type is not supported"},
		{`{"source":[{"anything-but":["a",null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{`{"source":[{"anything-but":["a",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{`{"source":[{"anything-but":123456789012}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{`{"source":[{"anything-but":[1,6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{`{"source":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{`{"source":[{"anything-but":[{"prefix":"a"}]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{`{"source":[{"anything-but":{"prefix":""}}]}`, "Null prefix not allowed"},
		{`{"source":[{"anything-but":{"suffix":""}}]}`, "Null suffix not allowed"},
		{`{"source":[{"anything-but":{"prefix":1}}]}`, "prefix match pattern must be a string"},
		{`{"source":[{"anything-but":{"foo":"x"}}]}`, "Unsupported anything-but pattern: foo"},
		{`{"source":[{"anything-but":{"wildcard":"a**"}}]}`, "Consecutive wildcard characters"},
		{`{"source":[{"anything-but":{"equals-ignore-case":[1]}}]}`, "not supported"},
		{`{"source":[{"numeric":5}]}`, "Value of numeric must be an array."},
		{`{"source":[{"numeric":[]}]}`, "Invalid member in numeric match: ]"},
		{`{"source":[{"numeric":[">"]}]}`, "Value of > must be numeric"},
		{`{"source":[{"numeric":[">","5"]}]}`, "Value of > must be numeric"},
		{`{"source":[{"numeric":[5,">"]}]}`, "Invalid member in numeric match: 5"},
		{`{"source":[{"numeric":["!=",5]}]}`, "Unrecognized numeric range operator: !="},
		{`{"source":[{"numeric":[">",10,"<",5]}]}`, "Bad numeric range"},
		{`{"source":[{"numeric":[">",5,"<",5]}]}`, "Bad numeric range"},
		{`{"source":[{"numeric":[">",1,">",2]}]}`, "Too many elements in numeric expression"},
		{`{"source":[{"numeric":["=",1,"<",2]}]}`, "Too many elements in numeric expression"},
		{`{"source":[{"numeric":["<",10,">",0]}]}`, "Too many elements in numeric expression"},
		{`{"source":[{"numeric":[">",0.0000001,"<",0.00000005]}]}`, "Bad numeric range"},
		{`{"source":[{"numeric":[">",6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{`{"source":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{`{"source":[{"cidr":"10.0.0.0/33"}]}`, "Nonsensical CIDR: 10.0.0.0/33"},
		{`{"source":[{"cidr":"10.0.0"}]}`, "Nonsensical CIDR: 10.0.0"},
		{`{"source":[{"cidr":"fe80::1%eth0"}]}`, "Nonsensical CIDR"},
		{`{"source":[{"cidr":1}]}`, "cidr match pattern must be a string"},
		{`{"$or":[{"source":[]}]}`, "There must have at least 2 Objects in $or relationship."},
		{`{"$or":[{"source":[]},{"a":["b"]}]}`, "Empty arrays are not allowed"},
		{`{"a":"bad","a":["x"]}`, `"a" must be an object or an array`},
		{`{"a":[{"prefix":5}],"a":["x"]}`, "prefix match pattern must be a string"},
		{`{"source":[{"prefix":5,"suffix":"y"}]}`, "prefix match pattern must be a string"},
		{`{"source":[{"foo":1,"bar":2}]}`, "Unrecognized match type foo"},
		{`{"source":[tru]}`, "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"},
		{`{"source":[01]}`, "Invalid numeric value: Leading zeroes not allowed"},
		{`{"source":[NaN]}`, "Non-standard token 'NaN': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS to allow"},
		{`{"source":["a"],}`, "Unexpected character"},
		{`{"source":["a"]`, "Unexpected end-of-input"},
		{`{source:["a"]}`, "double-quote to start field name"},
		{`{"a":["\x"]}`, "Unrecognized character escape"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.pattern))
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want an *Error", tt.pattern, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "Event pattern is not valid. Reason: ") || !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("%s:\n got %q\nwant reason containing %q", tt.pattern, msg, tt.reason)
		}
	}
}

func TestTooManyCombinations(t *testing.T) {
	or := `{"$or":[{"a":["1"]},{"a":["2"]},{"a":["3"]},{"a":["4"]},{"a":["5"]},{"a":["6"]},{"a":["7"]},{"a":["8"]},{"a":["9"]},{"a":["10"]}]}`
	three := `{"x":` + or + `,"y":` + or + `,"z":` + or + `}` // 1000: allowed
	if _, err := Parse([]byte(three)); err != nil {
		t.Errorf("1000 combinations: %v", err)
	}
	four := `{"x":` + or + `,"y":` + or + `,"z":` + or + `,"w":{"$or":[{"a":["1"]},{"b":["2"]}]}}`
	if _, err := Parse([]byte(four)); err == nil || !strings.Contains(err.Error(), "combinations") {
		t.Errorf("2000 combinations: got %v", err)
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse([]byte(`{"source":[]}`))
	want := "Event pattern is not valid. Reason: Empty arrays are not allowed\n at [Source: (String)\"{\"source\":[]}\"; line: 1, column: 13]"
	if err == nil || err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{`{"detail":{"eventName":["CreateUser","CreateRole"]}}`, `["CreateRole" false} {"CreateUser" false}]`},
		// A common field only when nothing better is named.
		{`{"detail":{"eventSource":["iam.amazonaws.com"],"eventName":["CreateUser"]}}`, `["CreateUser" false}]`},
		{`{"detail":{"eventSource":["iam.amazonaws.com"]}}`, `["iam.amazonaws.com" false}]`},
		{`{"detail":{"userIdentity":{"type":["Root"]},"eventName":[{"exists":true}]}}`, `["Root" false}]`},
		{`{"detail":{"userIdentity":{"type":["Root"]},"eventType":["AwsApiCall"]}}`, `["Root" false}]`},
		{`{"detail":{"userIdentity":{"type":["Root"]},"eventSource":[{"suffix":".amazonaws.com"}]}}`, `["Root" false}]`},
		{`{"detail":{"eventSource":["payment-cryptography.amazonaws.com"],"eventName":["DeleteKey"]}}`, `["payment-cryptography.amazonaws.com" false}]`},
		{`{"detail":{"eventSource":["kms.amazonaws.com"],"eventName":["DisableKey"]}}`, `["DisableKey" false}]`},
		// Envelope fields are derived for CloudTrail records: no literal.
		{`{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"]}`, `[]`},
		{`{"detail":{"a":[{"prefix":"arn:aws:iam::"}],"b":[{"suffix":".png"}]}}`, `["arn:aws:iam:: false}]`},
		{`{"detail":{"a":[{"equals-ignore-case":"ConsoleLogin"}]}}`, `["consolelogin" true}]`},
		{`{"detail":{"a":[{"wildcard":"*\"Action\":\"*"}]}}`, `[]`},
		{`{"detail":{"a":[{"wildcard":"arn:aws:*:role/Admin*"}]}}`, `[:role/Admin false}]`},
		// Every alternative of an $or must have one.
		{`{"$or":[{"detail":{"a":["xxxxxx"]}},{"detail":{"b":[1]}}]}`, `[]`},
		{`{"$or":[{"detail":{"a":["xxxxxx"]}},{"detail":{"b":["yyyyyy"]}}]}`, `["xxxxxx" false} {"yyyyyy" false}]`},
		{`{"detail":{"a":["a"]}}`, `[]`}, // too short
	}
	for _, tt := range tests {
		p, err := Parse([]byte(tt.pattern))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(p.Literals()), "{", ""), "[", "[")
		want := strings.ReplaceAll(tt.want, "{", "")
		if got != want {
			t.Errorf("%s: got %s, want %s", tt.pattern, got, want)
		}
	}
}

// TestCompositeIsNoValue checks that objects recorded for Sigma at a
// composite path are invisible to patterns.
func TestCompositeIsNoValue(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		want    bool
	}{
		{`{"a":[{"exists":false}]}`, true},
		{`{"a":[{"exists":true}]}`, false},
		{`{"a":[{"anything-but":"x"}]}`, false},
		{`{"a":{"b":[1]}}`, true},
	} {
		p, err := Parse([]byte(tt.pattern))
		if err != nil {
			t.Fatal(err)
		}
		set := field.NewSetOf(p.Paths(), []string{"a"})
		m, err := NewMachine(set, []*Pattern{p})
		if err != nil {
			t.Fatal(err)
		}
		v := field.NewValues(set)
		if err := v.Extract([]byte(`{"a":{"b":1}}`), set.Scope("")); err != nil {
			t.Fatal(err)
		}
		if got := len(m.NewRun().Match(v)) > 0; got != tt.want {
			t.Errorf("%s: %v, want %v", tt.pattern, got, tt.want)
		}
	}
}
