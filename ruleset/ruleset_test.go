package ruleset

import (
	"testing"
	"time"

	"vigil/store"
	"vigil/store/storetest"
)

func TestUploadNamesTheFileOfARule(t *testing.T) {
	ctx := t.Context()
	db, err := store.OpenDB(ctx, storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	content := "id: r\ntitle: t\nseverity: low\nscenario: data\npattern: {\"source\": [\"x\"]}\n"
	if _, err := db.AddRuleUpload(ctx, store.RuleUpload{Name: "mine.yaml", Content: []byte(content), UploadedBy: "admin",
		UploadedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	p, err := Console(ctx, db)
	if err != nil || len(p.Rules) != 1 {
		t.Fatalf("console rules: %+v, %v", p, err)
	}
	if name, ok := Upload(p.Rules[0].File); !ok || name != "mine.yaml" {
		t.Errorf("Upload(%q) = %q, %v", p.Rules[0].File, name, ok)
	}
	if name, ok := Upload("rules/mine.yaml"); ok {
		t.Errorf("a file of the disk names upload %q", name)
	}
}
