package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// loadResponse reads doc, a YAML document with a response key, over the
// default response, as Load reads a configuration, and resolves it in dir.
func loadResponse(t *testing.T, doc, dir string) (Response, error) {
	t.Helper()
	v := struct {
		Response Response `yaml:"response"`
	}{DefaultResponse()}
	d := yaml.NewDecoder(strings.NewReader(doc))
	d.KnownFields(true)
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", doc, err)
	}
	v.Response.resolve(dir)
	return v.Response, v.Response.check()
}

func TestDefaultResponse(t *testing.T) {
	r := DefaultResponse()
	if err := r.check(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range r.Actions {
		names = append(names, a.Name+"="+a.Type+"/"+a.Mode)
	}
	want := []string{"deactivate-access-key=aws_iam_deactivate_access_key/dry-run", "quarantine=aws_iam_quarantine/dry-run"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("default actions %q, want %q", names, want)
	}
	// Resolving the defaults changes only what inherits: the AWS settings.
	resolved := DefaultResponse()
	resolved.resolve("/etc/vigil")
	for i, a := range resolved.Actions {
		if a.AWS == nil || *a.AWS != (AWS{}) {
			t.Errorf("actions[%d].aws = %+v, want empty settings", i, a.AWS)
		}
		a.AWS = nil
		if !reflect.DeepEqual(a, r.Actions[i]) {
			t.Errorf("resolve changed actions[%d]: %+v, was %+v", i, a, r.Actions[i])
		}
	}
}

func TestResponseLoad(t *testing.T) {
	dir := t.TempDir()
	r, err := loadResponse(t, `
response:
  aws:
    region: eu-west-1
    access_key_id: AKIAVIGILRESPONDER1
    secret_access_key_file: secrets/aws
    role_arn: "arn:aws:iam::{account}:role/vigil-responder"
    external_id: bank-42
  actions:
    - name: deactivate-access-key
      type: aws_iam_deactivate_access_key
      mode: auto
      max_auto_per_hour: 3
    - name: quarantine
      type: aws_iam_quarantine
      mode: approve
      aws:
        role_arn: arn:aws:iam::999988887777:role/quarantine
        access_key_id: AKIAOTHERRESPONDER
        secret_access_key: inline
    - name: soar-webhook
      type: soar_webhook
      mode: auto
      url: https://soar.bank.example/hooks/vigil
      secret_file: /run/secrets/soar
      timeout: 5s
`, dir)
	if err != nil {
		t.Fatal(err)
	}
	deactivate, quarantine, soar := r.Actions[0], r.Actions[1], r.Actions[2]
	wantAWS := AWS{Region: "eu-west-1", AccessKeyID: "AKIAVIGILRESPONDER1", SecretAccessKeyFile: filepath.Join(dir, "secrets/aws"),
		RoleARN: "arn:aws:iam::{account}:role/vigil-responder", ExternalID: "bank-42"}
	if r.AWS != wantAWS {
		t.Errorf("aws = %+v, want %+v", r.AWS, wantAWS)
	}
	if *deactivate.AWS != wantAWS || deactivate.MaxAutoPerHour != 3 || deactivate.Timeout != Duration(DefaultActionTimeout) {
		t.Errorf("deactivate-access-key = %+v, aws %+v; want the response's aws settings, 3 per hour, the default timeout", deactivate, *deactivate.AWS)
	}
	wantQuarantine := AWS{Region: "eu-west-1", AccessKeyID: "AKIAOTHERRESPONDER", SecretAccessKey: "inline",
		RoleARN: "arn:aws:iam::999988887777:role/quarantine", ExternalID: "bank-42"}
	if *quarantine.AWS != wantQuarantine || quarantine.PolicyARN != DefaultPolicyARN || quarantine.MaxAutoPerHour != DefaultMaxAutoPerHour {
		t.Errorf("quarantine = %+v, aws %+v; want aws %+v and the defaults", quarantine, *quarantine.AWS, wantQuarantine)
	}
	if soar.AWS != nil || soar.Timeout != Duration(5*time.Second) || soar.SecretFile != "/run/secrets/soar" {
		t.Errorf("soar-webhook = %+v", soar)
	}
	if r.Lookup("soar-webhook") != &r.Actions[2] || r.Lookup("nope") != nil {
		t.Error("Lookup does not find the actions by name")
	}

	again := r
	again.Actions = append([]Action(nil), r.Actions...)
	for i := range again.Actions {
		if a := again.Actions[i].AWS; a != nil {
			c := *a
			again.Actions[i].AWS = &c
		}
	}
	again.resolve("/elsewhere")
	if !reflect.DeepEqual(again, r) {
		t.Errorf("resolving twice changed the response:\n%+v\n%+v", again, r)
	}
}

func TestResponseErrors(t *testing.T) {
	const soar = "\n    type: soar_webhook\n    mode: auto\n    url: https://soar.example/h\n    secret: s"
	for _, tt := range []struct{ yaml, key, msg string }{
		{"actions:\n  - name: Deactivate\n    type: aws_iam_quarantine\n    mode: auto",
			"response.actions[0].name", `"Deactivate": want lower-case letters, digits, '-' and '_'`},
		{"actions:\n  - name: a" + soar + "\n  - name: a" + soar,
			"response.actions[1].name", `"a" named twice`},
		{"actions:\n  - name: a\n    type: lambda\n    mode: auto",
			"response.actions[0].type", `"lambda": want one of aws_iam_deactivate_access_key, aws_iam_quarantine, soar_webhook`},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine",
			"response.actions[0].mode", `"": want one of auto, approve, dry-run`},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine\n    mode: manual",
			"response.actions[0].mode", `"manual": want one of auto, approve, dry-run`},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine\n    mode: auto\n    max_auto_per_hour: -1",
			"response.actions[0].max_auto_per_hour", "-1: want 0 (the default, 10) or more"},
		{"actions:\n  - name: a" + soar + "\n    timeout: 10m",
			"response.actions[0].timeout", "10m0s: want 1s to 5m"},
		{"actions:\n  - name: a\n    type: soar_webhook\n    mode: auto\n    secret: s",
			"response.actions[0].url", "empty: a soar_webhook action needs the URL to post to"},
		{"actions:\n  - name: a\n    type: soar_webhook\n    mode: auto\n    url: ftp://soar.example/\n    secret: s",
			"response.actions[0].url", `"ftp://soar.example": want an absolute http or https URL`},
		{"actions:\n  - name: a\n    type: soar_webhook\n    mode: auto\n    url: /hooks\n    secret: s",
			"response.actions[0].url", "want an absolute http or https URL"},
		{"actions:\n  - name: a\n    type: soar_webhook\n    mode: auto\n    url: https://soar.example/",
			"response.actions[0].secret", "missing: give secret or secret_file"},
		{"actions:\n  - name: a" + soar + "\n    secret_file: /s",
			"response.actions[0].secret", "give secret or secret_file, not both"},
		{"actions:\n  - name: a" + soar + "\n    policy_arn: arn:aws:iam::aws:policy/AWSDenyAll",
			"response.actions[0].policy_arn", "not a setting of type soar_webhook"},
		{"actions:\n  - name: a" + soar + "\n    aws: {region: us-east-1}",
			"response.actions[0].aws", "not a setting of type soar_webhook"},
		{"actions:\n  - name: a\n    type: aws_iam_deactivate_access_key\n    mode: auto\n    url: https://x.example/",
			"response.actions[0].url", "not a setting of type aws_iam_deactivate_access_key"},
		{"actions:\n  - name: a\n    type: aws_iam_deactivate_access_key\n    mode: auto\n    policy_arn: arn:aws:iam::aws:policy/AWSDenyAll",
			"response.actions[0].policy_arn", "not a setting of type aws_iam_deactivate_access_key"},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine\n    mode: auto\n    policy_arn: AWSDenyAll",
			"response.actions[0].policy_arn", `"AWSDenyAll": want an ARN such as arn:aws:iam::aws:policy/AWSDenyAll`},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine\n    mode: auto\n    aws: {role_arn: \"arn:aws:iam::{acount}:role/r\"}",
			"response.actions[0].aws.role_arn", `"arn:aws:iam::{acount}:role/r": want an ARN such as arn:aws:iam::{account}:role/vigil-responder`},
		{"actions:\n  - name: a\n    type: aws_iam_quarantine\n    mode: auto\n    aws: {access_key_id: AKIAVIGILRESPONDER1}",
			"response.actions[0].aws.access_key_id", "give secret_access_key or secret_access_key_file with it"},
		{"aws: {region: us-east-1a}",
			"response.aws.region", `"us-east-1a": want a region such as us-east-1`},
		{"aws: {secret_access_key: s}",
			"response.aws.access_key_id", "empty: a secret access key needs its access key id"},
		{"aws: {access_key_id: akia, secret_access_key: s}",
			"response.aws.access_key_id", `"akia": want 16 to 128 letters and digits`},
		{"aws: {access_key_id: AKIAVIGILRESPONDER1, secret_access_key: s, secret_access_key_file: f}",
			"response.aws.secret_access_key", "give secret_access_key or secret_access_key_file, not both"},
		{"aws: {endpoint: \"iam.example\"}",
			"response.aws.endpoint", "want an absolute http or https URL"},
		{"aws: {sts_endpoint: \"sts://x\"}",
			"response.aws.sts_endpoint", `"sts://x": want an absolute http or https URL`},
		{"aws: {external_id: x42}",
			"response.aws.external_id", "set without role_arn"},
		{"aws: {role_arn: \"arn:aws:iam::123456789012:role/r\", external_id: \"a b\"}",
			"response.aws.external_id", "want 2 to 1224 letters, digits and +=,.@:/-"},
		{"aws: {role_arn: \"arn:aws:iam::12345678901:role/r\"}",
			"response.aws.role_arn", `"arn:aws:iam::12345678901:role/r": want an ARN such as arn:aws:iam::{account}:role/vigil-responder`},
	} {
		_, err := loadResponse(t, "response:\n  "+strings.ReplaceAll(tt.yaml, "\n", "\n  "), t.TempDir())
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != tt.key || ce.Msg != tt.msg {
			t.Errorf("%s\ngot  %v\nwant %s: %s", tt.yaml, err, tt.key, tt.msg)
		}
	}
}

func TestResponseAccepts(t *testing.T) {
	for _, doc := range []string{
		"aws: {region: cn-north-1}",
		"aws: {region: us-gov-west-1, endpoint: \"http://127.0.0.1:4566\"}",
		"aws: {role_arn: \"arn:aws-cn:iam::{account}:role/path/vigil\", external_id: \"a=b,c.d@e:f/g-h\"}",
		"actions:\n  - {name: q, type: aws_iam_quarantine, mode: approve, policy_arn: \"arn:aws:iam::{account}:policy/security/Quarantine\"}",
		"actions:\n  - {name: never-alone, type: aws_iam_deactivate_access_key, mode: approve, max_auto_per_hour: 0}",
		"actions: []",
	} {
		if _, err := loadResponse(t, "response:\n  "+strings.ReplaceAll(doc, "\n", "\n  "), t.TempDir()); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

func TestResponseUnknownKey(t *testing.T) {
	v := struct {
		Response Response `yaml:"response"`
	}{}
	d := yaml.NewDecoder(strings.NewReader("response:\n  actions:\n    - name: a\n      polcy_arn: x\n"))
	d.KnownFields(true)
	if err := d.Decode(&v); err == nil || !strings.Contains(err.Error(), "field polcy_arn not found") {
		t.Errorf("a misspelt key: %v", err)
	}
}
