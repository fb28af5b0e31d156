package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vigil/audit"
)

// translatable finds the texts the console translates: in templates,
// the literals given to T (and the titles given to partials); in Go, the
// literals given to T and to the helpers that translate what they are
// given.
var translatable = map[string][]*regexp.Regexp{
	".html": {
		regexp.MustCompile(`\.T "((?:[^"\\]|\\.)+)"`),
		regexp.MustCompile(`"Title" "((?:[^"\\]|\\.)+)"`),
	},
	".go": {
		regexp.MustCompile(`\bT\("((?:[^"\\]|\\.)+)"`),
		regexp.MustCompile(`(?:flashT|endBrowserSession|userChanged|showOneTime|refuseLogin)\([^"()\n]*(?:"[^"\n]*"[^"()\n]*)*"((?:[^"\\]|\\.)+)"\)`),
		regexp.MustCompile(`c\.render\(w, r, [^,]+, "[^"]+", "((?:[^"\\]|\\.)+)"`),
		regexp.MustCompile(`return f, q, "((?:[^"\\]|\\.)+)"`),
	},
}

// mine are the files whose texts this test checks.
var mine = []string{"auth.go", "account.go", "users.go", "auditpage.go", "web.go", "render.go", "i18n.go",
	"templates/layout.html", "templates/error.html", "templates/login.html", "templates/account.html",
	"templates/account_password.html", "templates/account_totp.html", "templates/users.html", "templates/user.html",
	"templates/users_password.html", "templates/audit.html", "templates/audit_stats.html",
	"templates/partials/lang.html", "templates/partials/users.html", "templates/partials/auditfilter.html"}

// TestChinese checks that every text of the console's pages has its
// Simplified Chinese.
func TestChinese(t *testing.T) {
	for _, name := range mine {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range translatable[filepath.Ext(name)] {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				text, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					t.Errorf("%s: %q: %v", name, m[1], err)
					continue
				}
				if _, ok := zh[text]; !ok {
					t.Errorf("%s: no Chinese for %q", name, text)
				}
			}
		}
	}
}

// TestChineseFormats checks that each translation has the verbs of its
// English, in the same order.
func TestChineseFormats(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)
	for en, cn := range zh {
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(cn, -1); strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%q has %v, its Chinese %q has %v", en, a, cn, b)
		}
	}
}

// TestPolicyReasons checks that every reason the password policy of the
// user package gives has its Chinese.
func TestPolicyReasons(t *testing.T) {
	reason := regexp.MustCompile(`(?:return|refuse\()\s*"(it [^"%]+)"`)
	n := 0
	for _, name := range []string{"../user/policy.go", "../user/manage.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reason.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s: no Chinese for %q", name, m[1])
			}
		}
	}
	if n < 10 {
		t.Errorf("found %d reasons: is the pattern still right?", n)
	}
}

// TestPolicyText translates each reason of the password policy.
func TestPolicyText(t *testing.T) {
	for _, reason := range []string{"shorter than 8 characters", "it is common: attackers try such passwords first",
		"it is too like the user name", "it is a date: attackers try such passwords first",
		"it is a date with predictable characters around it: attackers try such passwords first",
		"it is a sequence with predictable digits or symbols: attackers try such passwords first"} {
		got := policyText(Chinese, reason)
		if regexp.MustCompile(`[a-z]{3,}`).MatchString(got) {
			t.Errorf("%q in Chinese: %q", reason, got)
		}
	}
}

// TestChineseOfValues checks the translations of the values that pages
// translate: results and the ways a trail breaks.
func TestChineseOfValues(t *testing.T) {
	var keys []string
	for _, r := range auditResults {
		keys = append(keys, r)
	}
	for _, k := range []audit.Kind{audit.Changed, audit.Missing, audit.Reordered, audit.Rewritten, audit.BadSeal} {
		keys = append(keys, string(k))
	}
	for _, r := range roles {
		keys = append(keys, string(r))
	}
	for _, k := range keys {
		if _, ok := zh[k]; !ok {
			t.Errorf("no Chinese for %q", k)
		}
	}
}
