// Command gen writes a corpus of realistic CloudTrail records, either as
// newline-delimited JSON or as the gzip files CloudTrail delivers to S3.
//
// Usage:
//
//	go run ./bench/corpus/gen [-n 100000] [-seed 1] [-format ndjson|cloudtrail] [-o FILE|DIR]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"vigil/bench/corpus"
)

func main() {
	n := flag.Int("n", 100000, "number of records")
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives the same corpus")
	out := flag.String("o", "", "output file for ndjson (default stdout), directory for cloudtrail")
	format := flag.String("format", "ndjson", "ndjson, one record a line, or cloudtrail, gzip files in the S3 layout")
	flag.Parse()
	var err error
	switch *format {
	case "ndjson":
		err = writeNDJSON(*out, *n, *seed)
	case "cloudtrail":
		err = writeArchive(*out, *n, *seed)
	default:
		err = fmt.Errorf("unknown format %q", *format)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// writeNDJSON writes n records to the file named out, or to stdout.
func writeNDJSON(out string, n int, seed uint64) error {
	var w io.Writer = os.Stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	g := corpus.New(seed)
	var rec []byte
	for range n {
		rec = append(g.Record(rec[:0]), '\n')
		if _, err := bw.Write(rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeArchive writes n records as a CloudTrail archive under directory out.
func writeArchive(out string, n int, seed uint64) error {
	if out == "" {
		return fmt.Errorf("-format cloudtrail needs -o DIR")
	}
	g := corpus.New(seed)
	a := corpus.NewArchive(out, seed)
	var rec []byte
	for range n {
		rec = g.Record(rec[:0])
		if err := a.Add(rec); err != nil {
			return err
		}
	}
	return a.Close()
}
