package pattern

import (
	"bytes"
	"fmt"
	"strings"
)

// wildcard is a string pattern in which '*' stands for any run of
// characters. "\*" is a literal star and "\\" a literal backslash.
type wildcard struct {
	src    string
	pieces []string // the literal text around the stars: len(pieces) = stars + 1
}

// maxWildcardStates bounds how many states matching a field's wildcards
// may have to track at once. Patterns beyond it are rejected as too
// complex, as EventBridge rejects them.
const maxWildcardStates = 100

// maxWildcardSubsets bounds the work of measuring that.
const maxWildcardSubsets = 4096

const tooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"

func parseWildcard(src string) (*wildcard, string) {
	w := &wildcard{src: src}
	var cur strings.Builder
	wild := false // the last character was an unescaped star
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '*' {
			wild = false
		}
		switch c {
		case '*':
			if wild {
				return nil, fmt.Sprintf("Consecutive wildcard characters at pos %d", i)
			}
			wild = true
			w.pieces = append(w.pieces, cur.String())
			cur.Reset()
		case '\\':
			if i+1 >= len(src) || src[i+1] != '*' && src[i+1] != '\\' {
				return nil, fmt.Sprintf("Invalid escape character at pos %d", i)
			}
			i++
			cur.WriteByte(src[i])
		default:
			cur.WriteByte(c)
		}
	}
	w.pieces = append(w.pieces, cur.String())
	return w, ""
}

func (w *wildcard) match(s []byte) bool {
	p := w.pieces
	if len(p) == 1 {
		return string(s) == p[0]
	}
	first, last := p[0], p[len(p)-1]
	if len(s) < len(first)+len(last) || !bytes.HasPrefix(s, []byte(first)) || !bytes.HasSuffix(s, []byte(last)) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, piece := range p[1 : len(p)-1] {
		i := bytes.Index(s, []byte(piece))
		if i < 0 {
			return false
		}
		s = s[i+len(piece):]
	}
	return true
}

// literal returns the longest piece as a literal the value's JSON text
// must contain, quoted on the side it is anchored.
func (w *wildcard) literal(quoted func(s string, open, closed bool) string) string {
	best, at := "", -1
	for i, p := range w.pieces {
		if len(p) > len(best) {
			best, at = p, i
		}
	}
	if at < 0 {
		return ""
	}
	return quoted(best, at == 0, at == len(w.pieces)-1)
}

// states returns the largest number of positions in the wildcard that
// matching can be at simultaneously, over all inputs, or -1 when
// measuring that takes more than maxWildcardSubsets steps.
func (w *wildcard) states() int {
	// tokens: each literal byte, and 0 for a star (pieces hold no NUL
	// that could collide in practice; a NUL byte only makes the
	// estimate more conservative).
	var toks []byte
	for i, p := range w.pieces {
		if i > 0 {
			toks = append(toks, 0)
		}
		toks = append(toks, p...)
	}
	n := len(toks) + 1
	closure := func(set []bool) {
		for j := 0; j < len(toks); j++ {
			if set[j] && toks[j] == 0 {
				set[j+1] = true
			}
		}
	}
	alphabet := []byte{1} // a byte no piece holds stands for all others
	seen := map[byte]bool{}
	for _, c := range toks {
		if c != 0 && !seen[c] {
			seen[c] = true
			alphabet = append(alphabet, c)
		}
	}
	start := make([]bool, n)
	start[0] = true
	closure(start)
	key := func(set []bool) string {
		var b strings.Builder
		for _, on := range set {
			if on {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
		return b.String()
	}
	visited := map[string]bool{key(start): true}
	queue := [][]bool{start}
	most := 0
	for len(queue) > 0 {
		set := queue[0]
		queue = queue[1:]
		count := 0
		for _, on := range set {
			if on {
				count++
			}
		}
		most = max(most, count)
		for _, c := range alphabet {
			next := make([]bool, n)
			any := false
			for j, on := range set {
				if !on || j == len(toks) {
					continue
				}
				switch {
				case toks[j] == 0:
					next[j], any = true, true
				case toks[j] == c:
					next[j+1], any = true, true
				}
			}
			if !any {
				continue
			}
			closure(next)
			if k := key(next); !visited[k] {
				if len(visited) >= maxWildcardSubsets {
					return -1
				}
				visited[k] = true
				queue = append(queue, next)
			}
		}
	}
	return most
}
