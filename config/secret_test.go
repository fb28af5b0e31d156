package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key, blank := file("key", "  s3cret\r\n"), file("blank", "\n")
	for _, tt := range []struct {
		inline     Secret
		file, want string
		err        string
	}{
		{"inline", "", "inline", ""},
		{"", key, "s3cret", ""},
		{"", "", "", ""},
		{"", blank, "", "the secret file " + blank + " is empty"},
		{"", dir + "/missing", "", "reading the secret: open " + dir + "/missing: no such file or directory"},
	} {
		got, err := ReadSecret(tt.inline, tt.file)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("ReadSecret(%q, %q) = %q, %v; want %q, %q", string(tt.inline), tt.file, got, err, tt.want, tt.err)
		}
	}
}
