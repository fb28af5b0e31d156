package main

import (
	"strings"
	"testing"
)

// TestStoreCommandUsage checks the usage errors of the commands that work
// on the server's store, before any store is opened.
func TestStoreCommandUsage(t *testing.T) {
	for _, tt := range []struct {
		args, want string
	}{
		{"silence", "vigil: silence: want add, list or expire\n"},
		{"silence mute", `vigil: silence: unknown command "mute": want add, list or expire` + "\n"},
		{"silence list extra", `vigil: silence list: unexpected argument "extra"` + "\n"},
		{"token", "vigil: token: want create, list or revoke\n"},
		{"token create --role admin --name x extra", `vigil: token create: unexpected argument "extra"` + "\n"},
		{"audit", "vigil: audit: want verify or export\n"},
		{"audit seal", `vigil: audit: unknown command "seal": want verify or export` + "\n"},
		{"audit export extra", `vigil: audit export: unexpected argument "extra"` + "\n"},
		{"user delete", `vigil: user: unknown command "delete": want add, passwd, role, lock, unlock, totp-reset or list` + "\n"},
	} {
		out, errOut, code := vigil(t, "", strings.Fields(tt.args)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, tt.want) {
			t.Errorf("vigil %s: exit %d, output %q, errors %q; want exit %d and %q", tt.args, code, out, errOut, exitUsage, tt.want)
		}
	}
}
