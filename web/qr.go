package web

import (
	"errors"
	"fmt"
	"strings"
)

// This file draws QR codes (ISO/IEC 18004), for the URI of a second
// factor: byte mode, error correction level M, the smallest version that
// holds the text, the mask with the least penalty. It follows Project
// Nayuki's reference implementation, which is in the public domain as
// far as its algorithm goes.

// qrCode is a QR code drawn for an SVG: its size in modules, with a
// quiet zone of 4 around, and the path of its dark modules.
type qrCode struct {
	Size int
	Path string
}

// qrQuiet is the light margin around a code, in modules.
const qrQuiet = 4

// Error correction at level M, by version (index 0 unused): the ECC
// codewords of each block, and the blocks.
var (
	qrECCPerBlock = [41]int{-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28,
		28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28}
	qrBlocks = [41]int{-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26,
		28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49}
)

// qrMaxVersion bounds the codes drawn: version 20, 97 modules a side,
// holds over 600 bytes, more than any URI of a second factor.
const qrMaxVersion = 20

// errQRTooLong refuses text that no version up to qrMaxVersion holds.
var errQRTooLong = errors.New("qr: text too long")

// encodeQR draws text as a QR code.
func encodeQR(text string) (*qrCode, error) {
	ver := qrVersion(len(text))
	if ver == 0 {
		return nil, errQRTooLong
	}
	m := newQRMatrix(ver)
	m.drawFunctions()
	m.drawCodewords(qrInterleave(ver, qrData(ver, []byte(text))))
	best, bestPenalty := 0, -1
	for mask := range 8 {
		m.applyMask(mask)
		m.drawFormat(mask)
		if p := m.penalty(); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = mask, p
		}
		m.applyMask(mask) // undoes it
	}
	m.applyMask(best)
	m.drawFormat(best)
	return m.svg(), nil
}

// qrRawModules is how many modules of a version hold data and ECC.
func qrRawModules(ver int) int {
	n := (16*ver+128)*ver + 64
	if ver >= 2 {
		align := ver/7 + 2
		n -= (25*align-10)*align - 55
		if ver >= 7 {
			n -= 36
		}
	}
	return n
}

// qrDataCodewords is how many bytes of data a version holds at level M.
func qrDataCodewords(ver int) int {
	return qrRawModules(ver)/8 - qrECCPerBlock[ver]*qrBlocks[ver]
}

// qrCountBits is the width of the length of byte-mode data.
func qrCountBits(ver int) int {
	if ver < 10 {
		return 8
	}
	return 16
}

// qrVersion returns the smallest version that holds n bytes, or 0.
func qrVersion(n int) int {
	for ver := 1; ver <= qrMaxVersion; ver++ {
		if 4+qrCountBits(ver)+8*n <= 8*qrDataCodewords(ver) {
			return ver
		}
	}
	return 0
}

// qrBits accumulates bits, most significant first.
type qrBits []bool

func (b *qrBits) add(v, n int) {
	for i := n - 1; i >= 0; i-- {
		*b = append(*b, v>>i&1 == 1)
	}
}

// qrData returns the data codewords of text: the mode, the length, the
// bytes, a terminator, and padding to the version's capacity.
func qrData(ver int, text []byte) []byte {
	var bits qrBits
	bits.add(0b0100, 4) // byte mode
	bits.add(len(text), qrCountBits(ver))
	for _, c := range text {
		bits.add(int(c), 8)
	}
	capacity := 8 * qrDataCodewords(ver)
	bits.add(0, min(4, capacity-len(bits)))
	bits.add(0, (8-len(bits)%8)%8)
	for pad := 0xEC; len(bits) < capacity; pad ^= 0xEC ^ 0x11 {
		bits.add(pad, 8)
	}
	data := make([]byte, len(bits)/8)
	for i, bit := range bits {
		if bit {
			data[i/8] |= 0x80 >> (i % 8)
		}
	}
	return data
}

// qrInterleave splits data into blocks, adds each block's Reed-Solomon
// codewords, and interleaves the blocks.
func qrInterleave(ver int, data []byte) []byte {
	nblocks, ecclen := qrBlocks[ver], qrECCPerBlock[ver]
	raw := qrRawModules(ver) / 8
	nshort, shortLen := nblocks-raw%nblocks, raw/nblocks
	div := rsDivisor(ecclen)
	blocks := make([][]byte, nblocks)
	k := 0
	for i := range blocks {
		n := shortLen - ecclen
		if i >= nshort {
			n++
		}
		dat := append([]byte(nil), data[k:k+n]...)
		k += n
		ecc := rsRemainder(dat, div)
		if i < nshort {
			dat = append(dat, 0) // a place holder, skipped below
		}
		blocks[i] = append(dat, ecc...)
	}
	out := make([]byte, 0, raw)
	for i := range blocks[0] {
		for j, b := range blocks {
			if i != shortLen-ecclen || j >= nshort {
				out = append(out, b[i])
			}
		}
	}
	return out
}

// rsMul multiplies in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
func rsMul(x, y byte) byte {
	var z int
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= int(y>>i&1) * int(x)
	}
	return byte(z)
}

// rsDivisor returns the generator polynomial of degree n, its leading
// term omitted, coefficients from the highest power.
func rsDivisor(n int) []byte {
	d := make([]byte, n)
	d[n-1] = 1
	root := byte(1)
	for range n {
		for j := range d {
			d[j] = rsMul(d[j], root)
			if j+1 < n {
				d[j] ^= d[j+1]
			}
		}
		root = rsMul(root, 2)
	}
	return d
}

// rsRemainder returns the Reed-Solomon codewords of data.
func rsRemainder(data, div []byte) []byte {
	r := make([]byte, len(div))
	for _, b := range data {
		f := b ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		for i, c := range div {
			r[i] ^= rsMul(c, f)
		}
	}
	return r
}

// qrMatrix is a code being drawn: its modules (dark is true) and which
// of them belong to the function patterns, which masks leave alone.
type qrMatrix struct {
	ver, size int
	dark, fn  [][]bool
}

func newQRMatrix(ver int) *qrMatrix {
	size := 4*ver + 17
	m := &qrMatrix{ver: ver, size: size, dark: make([][]bool, size), fn: make([][]bool, size)}
	for y := range size {
		m.dark[y], m.fn[y] = make([]bool, size), make([]bool, size)
	}
	return m
}

// set sets a module of a function pattern.
func (m *qrMatrix) set(x, y int, dark bool) { m.dark[y][x], m.fn[y][x] = dark, true }

// drawFunctions draws the timing, finder and alignment patterns, and
// reserves the places of the format and version information.
func (m *qrMatrix) drawFunctions() {
	for i := range m.size {
		m.set(6, i, i%2 == 0)
		m.set(i, 6, i%2 == 0)
	}
	for _, p := range [][2]int{{3, 3}, {m.size - 4, 3}, {3, m.size - 4}} {
		m.drawFinder(p[0], p[1])
	}
	pos := m.alignmentPositions()
	last := len(pos) - 1
	for i, x := range pos {
		for j, y := range pos {
			if !(i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0) {
				m.drawAlignment(x, y)
			}
		}
	}
	m.drawFormat(0)
	m.drawVersion()
}

func (m *qrMatrix) drawFinder(x, y int) {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			xx, yy := x+dx, y+dy
			if xx >= 0 && xx < m.size && yy >= 0 && yy < m.size {
				d := max(qrAbs(dx), qrAbs(dy))
				m.set(xx, yy, d != 2 && d != 4)
			}
		}
	}
}

func (m *qrMatrix) drawAlignment(x, y int) {
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			m.set(x+dx, y+dy, max(qrAbs(dx), qrAbs(dy)) != 1)
		}
	}
}

// alignmentPositions returns the centres of the alignment patterns, on
// each axis.
func (m *qrMatrix) alignmentPositions() []int {
	if m.ver == 1 {
		return nil
	}
	n := m.ver/7 + 2
	step := (m.ver*8 + n*3 + 5) / (n*4 - 4) * 2
	pos := make([]int, n)
	pos[0] = 6
	for i := 1; i < n; i++ {
		pos[n-i] = m.size - 7 - (i-1)*step
	}
	return pos
}

// drawFormat draws the format information: level M and the mask, twice.
func (m *qrMatrix) drawFormat(mask int) {
	data := 0<<3 | mask // level M is 0b00
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := range 6 {
		m.set(8, i, bit(i))
	}
	m.set(8, 7, bit(6))
	m.set(8, 8, bit(7))
	m.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		m.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		m.set(m.size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		m.set(8, m.size-15+i, bit(i))
	}
	m.set(8, m.size-8, true)
}

// drawVersion draws the version information of versions 7 and up.
func (m *qrMatrix) drawVersion() {
	if m.ver < 7 {
		return
	}
	rem := m.ver
	for range 12 {
		rem = rem<<1 ^ (rem>>11)*0x1F25
	}
	bits := m.ver<<12 | rem
	for i := range 18 {
		dark := bits>>i&1 == 1
		a, b := m.size-11+i%3, i/3
		m.set(a, b, dark)
		m.set(b, a, dark)
	}
}

// drawCodewords places the codewords in the zigzag of two-module
// columns, from the bottom right.
func (m *qrMatrix) drawCodewords(data []byte) {
	i := 0
	for right := m.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := range m.size {
			for j := range 2 {
				x, y := right-j, vert
				if (right+1)&2 == 0 {
					y = m.size - 1 - vert
				}
				if !m.fn[y][x] && i < len(data)*8 {
					m.dark[y][x] = data[i>>3]>>(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
}

// applyMask flips the data modules that the mask selects; applying it
// twice undoes it.
func (m *qrMatrix) applyMask(mask int) {
	for y := range m.size {
		for x := range m.size {
			if !m.fn[y][x] && qrMasked(mask, x, y) {
				m.dark[y][x] = !m.dark[y][x]
			}
		}
	}
}

// qrMasked reports whether a mask flips the module at x, y.
func qrMasked(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	}
	return ((x+y)%2+x*y%3)%2 == 0
}

// penalty scores how hard the code is to read, by the standard's four
// rules: runs of one colour, 2×2 blocks, finder-like patterns, and the
// balance of dark and light.
func (m *qrMatrix) penalty() int {
	p := 0
	at := func(x, y int, transpose bool) bool {
		if transpose {
			return m.dark[x][y]
		}
		return m.dark[y][x]
	}
	for _, tr := range []bool{false, true} {
		for y := range m.size {
			run := 0
			var line uint32
			for x := range m.size {
				d := at(x, y, tr)
				if x > 0 && d == at(x-1, y, tr) {
					run++
					if run == 5 {
						p += 3
					} else if run > 5 {
						p++
					}
				} else {
					run = 1
				}
				line = line<<1 | qrBit(d)
				if x >= 10 && (line&0x7FF == 0x5D0 || line&0x7FF == 0x05D) {
					p += 40
				}
			}
		}
	}
	darkCount := 0
	for y := range m.size {
		for x := range m.size {
			if m.dark[y][x] {
				darkCount++
			}
			if x+1 < m.size && y+1 < m.size && m.dark[y][x] == m.dark[y][x+1] &&
				m.dark[y][x] == m.dark[y+1][x] && m.dark[y][x] == m.dark[y+1][x+1] {
				p += 3
			}
		}
	}
	total := m.size * m.size
	k := (qrAbs(darkCount*20-total*10)+total-1)/total - 1
	return p + k*10
}

// svg returns the code as the path of an SVG, with its quiet zone.
func (m *qrMatrix) svg() *qrCode {
	var b strings.Builder
	for y := range m.size {
		for x := range m.size {
			if m.dark[y][x] {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
			}
		}
	}
	return &qrCode{Size: m.size + 2*qrQuiet, Path: b.String()}
}

// qrAbs returns the absolute value of x.
func qrAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// qrBit returns 1 for true, 0 for false.
func qrBit(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
