// Package builtin holds the rule packs embedded in vigil: YAML rules in
// the format of package rule, one file per rule, in a directory per
// source (aws/ for CloudTrail).
package builtin

import "embed"

// FS holds the built-in rules.
//
//go:embed aws
var FS embed.FS
