package store

import (
	"strconv"
	"strings"
)

// The store's SQL is built from constant text and parameters only.

// where is the conditions of a query and their arguments.
type where struct {
	conds []string
	args  []any
}

// add adds a condition, written with parameters from param or params.
func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

// param adds an argument and returns its parameter.
func (w *where) param(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// params adds arguments and returns their parameters, separated by commas.
func (w *where) params(vs ...any) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = w.param(v)
	}
	return strings.Join(ps, ", ")
}

// clause returns the WHERE clause of the conditions, "" when there are
// none.
func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}

// params returns n parameters from $start: "$2, $3, $4".
func params(start, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(start + i))
	}
	return b.String()
}

// rowParams returns the parameters of n rows of cols columns: "($1, $2), ($3, $4)".
func rowParams(n, cols int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + params(1+i*cols, cols) + ")")
	}
	return b.String()
}

// typedRow returns a row of parameters from $start cast to types:
// "(CAST($2 AS TEXT), CAST($3 AS BIGINT))".
func typedRow(start int, types []string) string {
	cells := make([]string, len(types))
	for i, t := range types {
		cells[i] = "CAST($" + strconv.Itoa(start+i) + " AS " + t + ")"
	}
	return "(" + strings.Join(cells, ", ") + ")"
}
