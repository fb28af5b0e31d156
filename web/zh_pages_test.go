package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vigil/rule"
	"vigil/store"
)

// templateText finds the literal texts templates translate: {{.T "…"}}
// and {{$.T "…"}}, with or without arguments after.
var templateText = regexp.MustCompile(`\.T "((?:[^"\\]|\\.)+)"`)

// TestEveryTemplateTextHasChinese checks that every literal text of
// every template of the console, whoever wrote it, has its Simplified
// Chinese.
func TestEveryTemplateTextHasChinese(t *testing.T) {
	n := 0
	err := fs.WalkDir(files, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(name) != ".html" {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		for _, m := range templateText.FindAllStringSubmatch(string(b), -1) {
			n++
			text, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Errorf("%s: %q: %v", name, m[1], err)
			} else if _, ok := zh[text]; !ok {
				t.Errorf("%s: no Chinese for %q", name, text)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("found %d texts in the templates: is the pattern still right?", n)
	}
}

// TestEveryGoTextHasChinese checks the texts the Go of the console
// translates: the literals given to T, to flash (the layout translates
// messages) and as the titles of render, in every file of the package;
// and the words of vigil's values that the security team's pages show.
func TestEveryGoTextHasChinese(t *testing.T) {
	texts := map[string]string{} // text → where
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if lit := translated(call); lit != nil {
						s, _ := strconv.Unquote(lit.Value)
						texts[s] = fset.Position(lit.Pos()).String()
					}
				}
				return true
			})
		}
	}
	if len(texts) < 50 {
		t.Errorf("found %d texts in the Go files: is the search still right?", len(texts))
	}
	for _, words := range [][]string{
		severityWords(), {"open", "acknowledged", "resolved", "false positive"},
		{"pending", "queued", "succeeded", "failed", "rejected", "dry run"}, {"auto", "approve", "dry-run"},
		{"privilege", "data", "funds"}, {"ingest", "admin", "analyst", "auditor"},
		{originBuiltin, originFile, originUpload, originSigma, originCorrelation},
		{"Action approved", "Action rejected"},
	} {
		for _, w := range words {
			texts[w] = "a word of the pages"
		}
	}
	for _, sp := range spans {
		texts[sp.Label] = "spans"
	}
	for _, l := range silenceLabels {
		texts[l] = "silenceLabels"
	}
	for _, s := range statuses {
		texts[label(s)] = "statuses"
	}
	for _, s := range []store.ActionState{store.ActionPending, store.ActionQueued, store.ActionSucceeded, store.ActionFailed,
		store.ActionRejected, store.ActionDryRun} {
		texts[label(s)] = "action states"
	}
	for text, where := range texts {
		if _, ok := zh[text]; !ok {
			t.Errorf("%s: no Chinese for %q", where, text)
		}
	}
}

// translatingArg is, for the functions that translate a literal text
// given them, which argument it is: T's text, flash's message (after the
// writer and the request), render's title.
var translatingArg = map[string]int{"T": 0, "flash": 2, "render": 4}

// translated returns the literal text a call translates, or nil.
func translated(call *ast.CallExpr) *ast.BasicLit {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	i, ok := translatingArg[sel.Sel.Name]
	if !ok || len(call.Args) <= i {
		return nil
	}
	lit, ok := call.Args[i].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return nil
	}
	return lit
}

// severityWords are the names of the severities.
func severityWords() []string {
	var out []string
	for s := rule.Info; s <= rule.Critical; s++ {
		out = append(out, s.String())
	}
	return out
}
