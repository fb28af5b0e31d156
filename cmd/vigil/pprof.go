package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// pprofEnv names the variable that turns profiling on: with
// VIGIL_PPROF=127.0.0.1:0 (or any loopback address and port), vigil serve
// also serves Go's profiles (net/http/pprof) over plain HTTP on that
// address, and logs it as "pprof listening". It is for benchmarks
// (bench/serve.sh): off unless set, and refused on any address not
// loopback, since profiles have neither TLS nor tokens.
const pprofEnv = "VIGIL_PPROF"

// startPprof serves the profiles when pprofEnv asks for them.
func startPprof(log *slog.Logger) error {
	addr := os.Getenv(pprofEnv)
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s=%q: want a loopback IP address and port, such as 127.0.0.1:6060", pprofEnv, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", pprofEnv, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("pprof listening", "addr", ln.Addr().String(), "env", pprofEnv)
	go http.Serve(ln, mux)
	return nil
}
