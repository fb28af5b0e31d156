// Command sample builds the sample CloudTrail archive in examples/cloudtrail:
// one day of background activity in two accounts and two regions, with an
// attack and a few benign look-alikes woven in.
//
// Usage:
//
//	go run ./bench/corpus/sample -o examples/cloudtrail
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"vigil/bench/corpus"
)

// The accounts, regions and day of the archive.
const (
	mainAccount   = "111122223333"
	secondAccount = "444455556666"
	foreign       = "999988887777" // the attacker's account
	home          = "us-east-1"
)

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// activity is a stretch of background activity in one account and region.
type activity struct {
	account, region string
	from, to        time.Duration // times of day
	records         int
}

// activities are the background of the archive: the main account busy
// through the morning in its home region, two batch runs in Ireland, and a
// deployment in the shared-services account.
var activities = []activity{
	{mainAccount, home, 7*time.Hour + 30*time.Minute, 12 * time.Hour, 1700},
	{mainAccount, "eu-west-1", 7*time.Hour + 30*time.Minute, 8 * time.Hour, 130},
	{mainAccount, "eu-west-1", 11 * time.Hour, 11*time.Hour + 30*time.Minute, 130},
	{secondAccount, home, 10 * time.Hour, 10*time.Hour + 45*time.Minute, 170},
}

func main() {
	out := flag.String("o", "examples/cloudtrail", "directory to write the archive to")
	flag.Parse()
	if err := build(*out); err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(1)
	}
}

// build writes the archive under dir, replacing any earlier one.
func build(dir string) error {
	resetRNG()
	var recs [][]byte
	for i, a := range activities {
		recs = append(recs, a.background(uint64(2026+i))...)
	}
	f, err := learn(recs)
	if err != nil {
		return err
	}
	for _, e := range story(f) {
		recs = append(recs, e.record())
	}
	timed := make([]timedRecord, len(recs))
	for i, r := range recs {
		timed[i] = timedRecord{eventTime(r), r}
	}
	slices.SortStableFunc(timed, func(a, b timedRecord) int { return a.at.Compare(b.at) })
	if err := os.RemoveAll(filepath.Join(dir, "AWSLogs")); err != nil {
		return err
	}
	a := corpus.NewArchive(dir, 2026)
	for _, t := range timed {
		if err := a.Add(t.rec); err != nil {
			return err
		}
	}
	return a.Close()
}

// background generates the records of the activity.
func (a activity) background(seed uint64) [][]byte {
	g := corpus.New(seed)
	g.Accounts, g.Regions = []string{a.account}, []string{a.region}
	g.Clock, g.Step = day.Add(a.from), (a.to-a.from)/time.Duration(a.records)
	var recs [][]byte
	for end := day.Add(a.to); len(recs) < a.records && g.Clock.Before(end); {
		recs = append(recs, g.Record(nil))
	}
	return recs
}

// timedRecord is a record and its eventTime.
type timedRecord struct {
	at  time.Time
	rec []byte
}

// eventTime returns the eventTime of a record.
func eventTime(rec []byte) time.Time {
	var r struct {
		EventTime time.Time `json:"eventTime"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		panic(err)
	}
	return r.EventTime
}
