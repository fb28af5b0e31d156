package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vigil/api"
	"vigil/audit"
	"vigil/auth"
	"vigil/bus"
	"vigil/config"
	"vigil/detect"
	"vigil/ingest"
	"vigil/ruleset"
	"vigil/server"
	"vigil/sigma"
	"vigil/store"
	"vigil/web"
)

// serveFlags are the flags of serve that override its configuration file.
type serveFlags struct {
	config, dataDir, listen, natsURL, db string
	rules                                ruleFlags
}

func (f *serveFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration `FILE` (see docs/serve.md); defaults for everything else")
	fs.StringVar(&f.dataDir, "data-dir", "", "the data directory (default vigil-data)")
	fs.StringVar(&f.listen, "listen", "", "HTTPS listen address (default :8443)")
	fs.StringVar(&f.natsURL, "nats-url", "", "NATS cluster to share with other nodes (default: an embedded server)")
	fs.StringVar(&f.db, "db", "", "alert store: a postgres:// URL (default: SQLite in the data directory)")
}

// load returns the configuration: the file's, or the defaults, with the
// flags over it.
func (f *serveFlags) load() (*config.Config, error) {
	c := config.Default()
	if f.config != "" {
		var err error
		if c, err = config.Load(f.config); err != nil {
			return nil, err
		}
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{{f.dataDir, &c.DataDir}, {f.listen, &c.Listen}, {f.natsURL, &c.NATS.URL}, {f.db, &c.DB}} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	c.Rules.Dirs = append(c.Rules.Dirs, f.rules.dirs...)
	c.Rules.Sigma = append(c.Rules.Sigma, f.rules.sigmaDirs...)
	if f.rules.sigmaConfig != "" {
		c.Rules.SigmaConfig = f.rules.sigmaConfig
	}
	if f.rules.noBuiltin {
		no := false
		c.Rules.Builtin = &no
	}
	return c, c.Check()
}

// openStore opens the configured store, SQLite in the data directory by
// default.
func openStore(ctx context.Context, c *config.Config) (*store.DB, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	url := c.DB
	if url == "" {
		url = filepath.Join(c.DataDir, "vigil.db")
	}
	return store.OpenDB(ctx, url)
}

// secretKey returns the server key, made on first use.
func secretKey(c *config.Config) ([]byte, error) {
	file := c.SecretKeyFile
	if file == "" {
		file = filepath.Join(c.DataDir, "secret.key")
	}
	key, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		err = os.WriteFile(file, key, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("server key %s: %w", file, err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("server key %s: %d bytes, want at least 32", file, len(key))
	}
	return key, nil
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := newFlags("serve", stderr)
	f.add(fs)
	f.rules.add(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Errorf("serve: unexpected argument %q", rest[0])}
	}
	c, err := f.load()
	if err != nil {
		return usageError{err}
	}
	log := logger(c.Log, stderr)
	if err := startPprof(log); err != nil {
		return usageError{err}
	}
	return serve(ctx, c, log, stderr)
}

// serve runs the online system until ctx is done.
func serve(ctx context.Context, c *config.Config, log *slog.Logger, stderr io.Writer) error {
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := secretKey(c)
	if err != nil {
		return err
	}
	builtin := c.Rules.Builtin == nil || *c.Rules.Builtin
	rf := ruleFlags{dirs: c.Rules.Dirs, sigmaDirs: c.Rules.Sigma, sigmaConfig: c.Rules.SigmaConfig, noBuiltin: !builtin}
	files, sc, err := rf.load()
	if err != nil {
		return err
	}
	rules, err := consoleRules(ctx, db, files, sc, log)
	if err != nil {
		return err
	}
	tlsConf, fingerprint, err := server.TLSConfig(c.TLS.CertFile, c.TLS.KeyFile, filepath.Join(c.DataDir, "tls"))
	if err != nil {
		return err
	}
	node := c.Node
	if node == "" {
		node = nodeName()
	}
	b, err := bus.Open(ctx, bus.Config{URL: c.NATS.URL, Dir: c.DataDir, Name: node, Replicas: c.NATS.Replicas,
		MaxBytes: int64(c.NATS.MaxBytes), Duplicates: time.Duration(c.NATS.Duplicates), Partitions: c.Detect.Partitions})
	if err != nil {
		return err
	}
	defer b.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	deps := detect.Deps{Bus: b, Store: db, Rules: rules, Metrics: detect.NewMetrics(reg), Log: log}
	activity := &ingest.Activity{Store: db, Log: log}
	in := &ingest.Ingester{Bus: b, Limits: limits(c.Limits), Metrics: ingest.NewMetrics(reg), Log: log, MaxMessage: int(b.NC.MaxPayload()) - 16<<10,
		Activity: activity}
	if in.Limits.MaxEventSize > in.MaxMessage {
		return fmt.Errorf("limits.max_event_size: %d bytes, more than NATS carries in a message (%d)", in.Limits.MaxEventSize, in.MaxMessage)
	}
	limiter := auth.NewLimiter(c.Limits.Rate, float64(c.Limits.Burst))
	sources := map[string]ingest.Source{}
	for _, s := range c.Sources {
		sources[s.Name] = ingest.Source{Name: s.Name, Kind: ingest.Kind(s.Kind)}
	}

	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/ingest/{source}", &ingest.Handler{Ingester: in, Sources: sources, Tokens: db, Limiter: limiter})
	if name := c.PutEventsSource(); name != "" {
		mux.Handle("POST /{$}", &ingest.AWSEvents{Ingester: in, Source: sources[name], Account: c.EventBridge.Account,
			Secret: awsSecrets(db, key, name), Limiter: limiter})
	}
	disp, err := dispatcher(c, db, b, rules, reg, log)
	if err != nil {
		return err
	}
	deps.Recorded = disp.Wake
	names, integrations := receiverNames(disp)
	var corrs []*sigma.Correlation
	if sc != nil {
		corrs = sc.Correlations
	}
	pages := web.Pages{Sources: c.Sources, Inputs: c.Inputs, Rules: files, Correlations: corrs, ServerKey: key}
	con, err := startConsole(ctx, c, db, key, pages, mux, log, stderr)
	if err != nil {
		return err
	}
	(&api.API{Store: db, Limiter: limiter, Log: log, Version: version, ReceiverNames: names, Receivers: integrations,
		Trail: con.trail}).Register(mux)
	health(mux, db, b, reg)

	srv := &server.Server{Addr: c.Listen, Handler: server.Secure(server.Logged(log, mux)), TLS: tlsConf, Log: log, Ready: make(chan struct{})}
	workers := c.Detect.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 16+len(c.Inputs)) // one for each goroutine run starts, and some
	run := func(name string, f func(context.Context) error) {
		wg.Go(func() {
			if err := f(runCtx); err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		})
	}
	run("server", func(ctx context.Context) error { return srv.Run(ctx, 30*time.Second) })
	detector := &detect.Detector{Deps: deps, Workers: workers, Partitions: c.Detect.Partitions}
	run("detect", detector.Run)
	run("rules", func(ctx context.Context) error {
		ruleset.Watch(ctx, db, 5*time.Second, log, func(ctx context.Context) error {
			r, err := consoleRules(ctx, db, files, sc, log)
			if err == nil {
				detector.SetRules(r)
				disp.SetRules(ruleIndex(r))
			}
			return err
		})
		return nil
	})
	run("respond", disp.Run)
	run("audit", con.trail.Run)
	run("sessions", func(ctx context.Context) error { con.sessions.Run(ctx); return nil })
	run("activity", func(ctx context.Context) error { return activity.Run(ctx, 10*time.Second) })
	run("correlate", (&detect.Correlator{Deps: deps, Node: node, Partitions: c.Detect.Partitions, Checkpoint: time.Duration(c.Detect.Checkpoint)}).Run)
	for _, input := range c.Inputs {
		poll := time.Duration(input.Poll)
		if poll == 0 {
			poll = 10 * time.Second
		}
		run("input "+input.Name, (&ingest.Dir{Ingester: in, Name: input.Name, Path: input.Dir, Source: sources[input.Source], Poll: poll, Files: db}).Run)
	}
	select {
	case <-srv.Ready:
		log.Info("vigil serving", "version", version, "listen", srv.Listening.String(), "node", node,
			"tls_sha256", fingerprint, "rules", len(rules.Engine.Rules()), "correlations", len(rules.Correlations),
			"store", db.Dialect(), "nats", natsDesc(c.NATS.URL))
		detail := fmt.Sprintf("version %s, node %s, %d rules, %d correlations", version, node, len(rules.Engine.Rules()), len(rules.Correlations))
		// Recorded even when a stop comes at once: the stop is recorded too.
		rctx, done := context.WithTimeout(context.WithoutCancel(runCtx), 30*time.Second)
		err := con.record(rctx, audit.ActionServeStart, detail)
		done()
		if err != nil {
			errc <- fmt.Errorf("audit: %w", err)
			cancel()
		}
	case <-runCtx.Done():
	}
	<-runCtx.Done()
	log.Info("vigil stopping: finishing the work in hand")
	wg.Wait()
	close(errc)
	errs := collect(errc)
	// The stop is recorded, and sealed, once the work in hand is done.
	bg, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	if err := con.record(bg, audit.ActionServeStop, "node "+node); err != nil {
		errs = append(errs, fmt.Errorf("audit: %w", err))
	} else if err := con.trail.Seal(bg); err != nil {
		errs = append(errs, fmt.Errorf("audit: sealing at stop: %w", err))
	}
	return errors.Join(errs...)
}

func collect(errc <-chan error) []error {
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errs
}

func natsDesc(url string) string {
	if url == "" {
		return "embedded"
	}
	return "external"
}

func limits(l config.Limits) ingest.Limits {
	return ingest.Limits{MaxBody: int64(l.MaxBody), MaxDecompressed: int64(l.MaxDecompressed), MaxEvents: l.MaxEvents,
		MaxEventSize: int(l.MaxEventSize), MaxDepth: l.MaxDepth}
}

// nodeName returns a name for this node: the host's, made unique.
func nodeName() string {
	h, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%x", h, b)
}

// logger returns the logger the configuration asks for.
func logger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// health adds /healthz (the process runs), /readyz (its store and bus
// answer) and /metrics (for tokens that read) to mux.
func health(mux *http.ServeMux, db *store.DB, b *bus.Bus, reg *prometheus.Registry) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		server.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		checks := map[string]string{"store": "ok", "bus": "ok"}
		code := http.StatusOK
		if err := db.Ping(ctx); err != nil {
			checks["store"], code = "unreachable", http.StatusServiceUnavailable
		}
		if _, err := b.JS.AccountInfo(ctx); err != nil {
			checks["bus"], code = "unreachable", http.StatusServiceUnavailable
		}
		server.JSON(w, code, checks)
	})
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		t, err := auth.Bearer(r.Context(), db, r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
			server.Error(w, http.StatusUnauthorized, err.Error())
			return
		}
		if !auth.Allowed(t, store.Admin, store.Analyst, store.Auditor) {
			server.Error(w, http.StatusForbidden, fmt.Sprintf("a token of role %s cannot read metrics", t.Role))
			return
		}
		metrics.ServeHTTP(w, r)
	})
}

// awsSecrets returns the secret access keys of the tokens that may put
// events in a source.
func awsSecrets(db *store.DB, key []byte, source string) func(string) (string, bool) {
	return func(id string) (string, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t, err := db.TokenByID(ctx, id)
		if err != nil || !auth.Allowed(t, store.Ingest, store.Admin) || t.Source != "" && t.Source != source {
			return "", false
		}
		return auth.AWSSecret(key, id), true
	}
}
