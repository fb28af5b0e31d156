// Command vigil detects attacks on the cloud infrastructure of financial
// institutions. See README.md and docs/ for its commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFound = 1 // scan --fail-on: an alert at or above the level; lint: invalid rules
	exitUsage = 2 // bad usage, invalid input, unreadable input
)

// usageError is an error in how vigil was called.
type usageError struct{ error }

// exitError ends vigil with a code, having said what it had to say.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

const usage = `vigil detects attacks on the infrastructure of financial institutions.

Usage:
  vigil serve [flags]                   run the online system: ingest, detect, alert
  vigil token create|list|revoke        manage the API's tokens
  vigil silence add|list|expire         mute the notifications of alerts
  vigil user add|passwd|role|lock|unlock|totp-reset|list
                                        manage the console's users
  vigil audit verify|export             check the audit trail, export it as CSV
  vigil scan [flags] PATH...            hunt through log archives
  vigil rule test --pattern P --event E test an event pattern, like aws events test-event-pattern
  vigil rule lint [--rules DIR]...      check rule files
  vigil version                         print the version

Run 'vigil COMMAND -h' for a command's flags.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs vigil with its arguments and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "scan":
		err = scanCmd(ctx, rest, stdin, stdout, stderr)
	case "rule":
		err = ruleCmd(rest, stdout, stderr)
	case "serve":
		err = serveCmd(ctx, rest, stdout, stderr)
	case "token":
		err = tokenCmd(ctx, rest, stdout, stderr)
	case "silence":
		err = silenceCmd(ctx, rest, stdout, stderr)
	case "user":
		err = userCmd(ctx, rest, stdout, stderr)
	case "audit":
		err = auditCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "vigil", version)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Errorf("unknown command %q", cmd)}
	}
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "vigil: %v\n", err)
		fmt.Fprintln(stderr, "Run 'vigil help' for usage.")
		return exitUsage
	}
	fmt.Fprintf(stderr, "vigil: %v\n", err)
	return exitUsage
}
