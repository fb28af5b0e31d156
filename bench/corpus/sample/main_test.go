package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// attack lists the attacker's calls, in order, as examples/cloudtrail/README.md
// tells them.
var attack = []string{
	"08:14:07 GetCallerIdentity", "08:14:31 ListUsers", "08:14:52 ListAttachedUserPolicies", "08:15:20 ListBuckets",
	"08:21:03 CreateUser", "08:21:19 CreateAccessKey", "08:21:40 AttachUserPolicy", "08:22:05 CreateLoginProfile",
	"08:27:12 StopLogging", "08:27:38 UpdateTrail", "08:28:10 DeleteDetector", "08:28:41 StopConfigurationRecorder",
	"08:34:15 AuthorizeSecurityGroupIngress", "08:34:29 AuthorizeSecurityGroupIngress",
	"08:39:02 CreateInternetGateway", "08:39:20 AttachInternetGateway", "08:39:51 CreateRoute", "08:41:10 DeleteNatGateway",
	"08:45:33 ModifySnapshotAttribute", "08:46:12 ModifyDBSnapshotAttribute", "08:47:05 PutBucketPublicAccessBlock",
	"08:47:31 PutBucketPolicy", "08:48:02 DeleteBucketPublicAccessBlock", "08:50:41 ListSecrets",
	"08:51:03 GetSecretValue", "08:51:10 GetSecretValue", "08:51:17 GetSecretValue", "08:51:24 GetSecretValue",
	"08:51:31 GetSecretValue", "08:51:38 GetSecretValue", "08:51:45 GetSecretValue", "08:51:52 GetSecretValue",
	"08:51:59 GetSecretValue", "08:52:06 GetSecretValue", "08:52:13 GetSecretValue", "08:52:20 GetSecretValue",
	"08:52:27 GetSecretValue", "08:52:34 GetSecretValue", "08:52:41 GetSecretValue",
	"08:55:12 DisableKey", "08:55:40 ScheduleKeyDeletion",
	"09:02:14 UpdateAssumeRolePolicy", "09:03:01 DeactivateMFADevice", "09:03:09 DeleteVirtualMFADevice",
	"09:06:02 ConsoleLogin", "09:06:19 ConsoleLogin", "09:06:41 ConsoleLogin", "09:07:03 ConsoleLogin",
	"09:07:30 ConsoleLogin", "09:07:52 ConsoleLogin", "09:11:26 ConsoleLogin",
	"09:14:20 SendCommand", "09:18:45 LeaveOrganization",
}

func TestSampleArchive(t *testing.T) {
	dir := t.TempDir()
	if err := build(dir); err != nil {
		t.Fatal(err)
	}
	var got []string
	records, size := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		gz, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		size += len(gz)
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return err
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		var file struct {
			Records []struct {
				EventTime string `json:"eventTime"`
				EventName string `json:"eventName"`
				IP        string `json:"sourceIPAddress"`
			}
		}
		if err := json.Unmarshal(body, &file); err != nil {
			return err
		}
		for _, r := range file.Records {
			if r.IP == attackerIP || r.IP == consoleIP {
				got = append(got, r.EventTime[11:19]+" "+r.EventName)
			}
		}
		records += len(file.Records)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, attack) {
		t.Errorf("the attack in the archive is\n%q\nwant\n%q", got, attack)
	}
	if size > 620_000 {
		t.Errorf("archive of %d bytes, want at most about 600 kB", size)
	}
	if records < 2000 {
		t.Errorf("archive of %d records, want about 2,200", records)
	}
}

// archiveFiles returns the files of the archive under dir by path.
func archiveFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(dir, "AWSLogs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)], err = os.ReadFile(path)
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("%d files under %s: %v", len(files), dir, err)
	}
	return files
}

// sameFiles reports the differences between two archives.
func sameFiles(t *testing.T, got, want map[string][]byte, hint string) {
	t.Helper()
	for path, data := range want {
		if !bytes.Equal(data, got[path]) {
			t.Errorf("%s differs%s", path, hint)
		}
	}
	for path := range got {
		if want[path] == nil {
			t.Errorf("%s is extra%s", path, hint)
		}
	}
}

func TestSampleIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := build(a); err != nil {
		t.Fatal(err)
	}
	if err := build(b); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, archiveFiles(t, b), archiveFiles(t, a), "")
}

// TestCommittedSampleIsCurrent checks that examples/cloudtrail is what this
// program writes.
func TestCommittedSampleIsCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := build(dir); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, archiveFiles(t, "../../../examples/cloudtrail"), archiveFiles(t, dir),
		"; run: go run ./bench/corpus/sample -o examples/cloudtrail")
}
