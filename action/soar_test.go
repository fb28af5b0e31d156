package action

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/config"
	"vigil/notify"
	"vigil/sign"
)

const soarSecret = "shared secret of the SOAR"

var sentAt = time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC)

// soarServer is a SOAR platform that verifies signatures as
// docs/receivers.md tells, with sign.Verify, at the time sentAt.
type soarServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	header []http.Header
}

func newSOAR(t *testing.T, status int, answer string) *soarServer {
	s := &soarServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies, s.header = append(s.bodies, body), append(s.header, r.Header.Clone())
		s.mu.Unlock()
		err := sign.Verify([]byte(soarSecret), r.Header.Get("X-Vigil-Signature"), body, 5*time.Minute, sentAt)
		if r.Method != http.MethodPost || err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if status/100 == 3 {
			w.Header().Set("Location", "http://elsewhere.example/")
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(s.Close)
	return s
}

func soarAction(url string) config.Action {
	return config.Action{Name: "soar-webhook", Type: config.ActionSOARWebhook, Mode: config.ModeAuto, URL: url, Secret: soarSecret}
}

var soarOptions = Options{Now: func() time.Time { return sentAt }}

func TestWebhook(t *testing.T) {
	s := newSOAR(t, http.StatusCreated, `{"incident":"INC-42"}`)
	w := mustNew(t, soarAction(s.URL+"/hooks/vigil?token=t0p"), soarOptions)
	req, err := w.Plan(testAlert, nil)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(s.URL, "http://")
	wantParams := map[string]string{"alert_id": testAlert.ID, "rule_id": "aws-iam-access-key-created", "host": host}
	if req.Type != config.ActionSOARWebhook || !maps.Equal(req.Params, wantParams) {
		t.Errorf("request %+v, want params %v", req, wantParams)
	}
	res, err := w.Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := "alert 01JALERT0000000000000000AA sent to " + host + ": HTTP 201"; res.Summary != want {
		t.Errorf("summary %q, want %q", res.Summary, want)
	}
	if want := `{"status":201,"body":{"incident":"INC-42"}}`; string(res.Response) != want {
		t.Errorf("response %s, want %s", res.Response, want)
	}
	if len(s.bodies) != 1 {
		t.Fatalf("%d requests, want 1", len(s.bodies))
	}
	var got struct {
		Version int
		Action  string
		Request struct {
			Type    string
			Params  map[string]string
			Payload json.RawMessage
		}
		Alert map[string]any
	}
	if err := json.Unmarshal(s.bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Action != "soar-webhook" || got.Request.Type != "soar_webhook" || !maps.Equal(got.Request.Params, wantParams) ||
		got.Request.Payload != nil || got.Alert["id"] != testAlert.ID || got.Alert["status"] != "open" {
		t.Errorf("posted %s", s.bodies[0])
	}
	h := s.header[0]
	delivery := testAlert.ID + "/soar-webhook"
	if h.Get("Content-Type") != "application/json" || h.Get("Idempotency-Key") != delivery || h.Get("X-Vigil-Delivery") != delivery {
		t.Errorf("headers %v", h)
	}
	if sig := sign.Body([]byte(soarSecret), sentAt, s.bodies[0]); h.Get("X-Vigil-Signature") != sig {
		t.Errorf("signature %q, sign.Body gives %q", h.Get("X-Vigil-Signature"), sig)
	}
}

func TestWebhookAnswers(t *testing.T) {
	for _, tt := range []struct {
		status    int
		answer    string
		secret    string
		permanent bool
		err       string
		response  string
	}{
		{200, "accepted", soarSecret, false, "", `{"status":200,"body":"accepted"}`},
		{204, "", soarSecret, false, "", `{"status":204}`},
		{200, strings.Repeat("x", 5000), soarSecret, false, "", `{"status":200,"body":"` + strings.Repeat("x", 200) + `…"}`},
		{500, "down", soarSecret, false, ": HTTP 500: down", ""},
		{503, "", soarSecret, false, ": HTTP 503: ", ""},
		{429, "slow down", soarSecret, false, ": HTTP 429: slow down", ""},
		{400, `{"error":"bad alert"}`, soarSecret, true, `: HTTP 400: {"error":"bad alert"}`, ""},
		{200, "", "wrong secret", true, ": HTTP 401: bad signature\n", ""},
		// Not followed: the signed alert goes only where configured.
		{302, "", soarSecret, true, ": HTTP 302: ", ""},
	} {
		s := newSOAR(t, tt.status, tt.answer)
		cfg := soarAction(s.URL)
		cfg.Secret = config.Secret(tt.secret)
		w := mustNew(t, cfg, soarOptions)
		req, err := w.Plan(testAlert, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.Run(t.Context(), req)
		name := strconv.Itoa(tt.status) + " " + tt.answer[:min(len(tt.answer), 10)]
		switch {
		case tt.err == "" && (err != nil || string(res.Response) != tt.response):
			t.Errorf("%s: %+v, %v; want response %s", name, res, err, tt.response)
		case tt.err != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.err) || notify.IsPermanent(err) != tt.permanent):
			t.Errorf("%s: error %v (permanent %t), want one ending %q (permanent %t)", name, err, notify.IsPermanent(err), tt.err, tt.permanent)
		}
		if len(s.bodies) != 1 {
			t.Errorf("%s: %d requests, want 1", name, len(s.bodies))
		}
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer s.Close()
	defer close(release)
	cfg := soarAction(s.URL + "/hook?token=secret-token")
	cfg.Timeout = config.Duration(time.Millisecond)
	w := mustNew(t, cfg, soarOptions)
	req, err := w.Plan(testAlert, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Run(t.Context(), req)
	host := strings.TrimPrefix(s.URL, "http://")
	if want := "posting alert 01JALERT0000000000000000AA to " + host + ": context deadline exceeded"; err == nil || err.Error() != want || notify.IsPermanent(err) {
		t.Errorf("Run = %v, want the retryable error %q", err, want)
	}
}

func TestWebhookRequests(t *testing.T) {
	w := mustNew(t, soarAction("https://soar.example/"), soarOptions)
	if _, err := w.Plan(nil, nil); err == nil || err.Error() != "no target: no alert to send" {
		t.Errorf("Plan(nil) = %v", err)
	}
	_, err := w.Run(t.Context(), Request{Type: config.ActionSOARWebhook, Params: map[string]string{"alert_id": "x"}})
	if err == nil || err.Error() != "the soar_webhook request has no payload" || !notify.IsPermanent(err) {
		t.Errorf("Run without payload = %v", err)
	}
}

func TestWebhookSecretFile(t *testing.T) {
	s := newSOAR(t, 200, "")
	file := filepath.Join(t.TempDir(), "soar")
	if err := os.WriteFile(file, []byte(soarSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := soarAction(s.URL)
	cfg.Secret, cfg.SecretFile = "", file
	w := mustNew(t, cfg, soarOptions)
	req, err := w.Plan(testAlert, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Run(t.Context(), req); err != nil {
		t.Errorf("signed with the secret of the file, without its line break: %v", err)
	}
	if err := os.WriteFile(file, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, soarOptions); err == nil || err.Error() != "action soar-webhook: the secret file "+file+" is empty" {
		t.Errorf("an empty secret file: %v", err)
	}
}
