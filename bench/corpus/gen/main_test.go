package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNDJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "corpus.ndjson")
	if err := writeNDJSON(out, 500, 9); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	for s := bufio.NewScanner(f); s.Scan(); lines++ {
		if !json.Valid(s.Bytes()) {
			t.Fatalf("line %d is not JSON: %s", lines+1, s.Bytes())
		}
	}
	if lines != 500 {
		t.Errorf("%d lines, want 500", lines)
	}
}

func TestWriteArchive(t *testing.T) {
	dir := t.TempDir()
	if err := writeArchive(dir, 500, 9); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "AWSLogs", "*", "CloudTrail", "*", "2026", "11", "20", "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files written: %v", err)
	}
	if err := writeArchive("", 1, 9); err == nil {
		t.Error("writeArchive without a directory succeeded")
	}
}
