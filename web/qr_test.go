package web

import (
	"slices"
	"strings"
	"testing"
)

// TestQRCapacity checks the tables of versions against the byte-mode
// capacities at level M that ISO/IEC 18004 lists.
func TestQRCapacity(t *testing.T) {
	for ver, capacity := range map[int]int{1: 14, 2: 26, 3: 42, 4: 62, 5: 84, 6: 106, 7: 122, 10: 213, 15: 412, 20: 666} {
		if got := qrVersion(capacity); got != ver {
			t.Errorf("%d bytes: version %d, want %d", capacity, got, ver)
		}
		if got := qrVersion(capacity + 1); got != ver+1 && ver < qrMaxVersion {
			t.Errorf("%d bytes: version %d, want %d", capacity+1, got, ver+1)
		}
	}
	if _, err := encodeQR(strings.Repeat("x", 667)); err == nil {
		t.Error("667 bytes: no error")
	}
}

// TestQRPatterns checks the alignment patterns and the version
// information against the standard's tables.
func TestQRPatterns(t *testing.T) {
	for ver, want := range map[int][]int{1: nil, 2: {6, 18}, 7: {6, 22, 38}, 14: {6, 26, 46, 66}, 20: {6, 34, 62, 90}} {
		if got := newQRMatrix(ver).alignmentPositions(); !slices.Equal(got, want) {
			t.Errorf("version %d: alignment at %v, want %v", ver, got, want)
		}
	}
	m := newQRMatrix(7)
	m.drawVersion()
	bits := 0
	for i := range 18 {
		if m.dark[i/3][m.size-11+i%3] {
			bits |= 1 << i
		}
	}
	if bits != 0x07C94 {
		t.Errorf("version 7 information %#x, want 0x07C94", bits)
	}
}

// TestQRCode draws a code and reads back its format, its finders and
// the Reed-Solomon codewords of its blocks.
func TestQRCode(t *testing.T) {
	const uri = "otpauth://totp/vigil:admin?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=vigil&algorithm=SHA1&digits=6&period=30"
	q, err := encodeQR(uri)
	if err != nil {
		t.Fatal(err)
	}
	ver := qrVersion(len(uri))
	if q.Size != 4*ver+17+2*qrQuiet || !strings.HasPrefix(q.Path, "M4 4h1v1h-1z") {
		t.Errorf("size %d, path %.40s", q.Size, q.Path)
	}
	m := newQRMatrix(ver)
	m.drawFunctions()
	for _, mask := range []int{0, 5} {
		m.drawFormat(mask)
		first, second := 0, 0
		for i, p := range [][2]int{{8, 0}, {8, 1}, {8, 2}, {8, 3}, {8, 4}, {8, 5}, {8, 7}, {8, 8}, {7, 8}, {5, 8}, {4, 8}, {3, 8}, {2, 8}, {1, 8}, {0, 8}} {
			if m.dark[p[1]][p[0]] {
				first |= 1 << i
			}
		}
		for i := range 15 {
			x, y := m.size-1-i, 8
			if i >= 8 {
				x, y = 8, m.size-15+i
			}
			if m.dark[y][x] {
				second |= 1 << i
			}
		}
		// Level M (00) and the mask, with their BCH code, masked.
		if first != second || (first^0x5412)>>10 != mask {
			t.Errorf("mask %d: format %#x and %#x", mask, first, second)
		}
	}
	data := qrData(ver, []byte(uri))
	if len(data) != qrDataCodewords(ver) || data[len(data)-1] != 0xEC && data[len(data)-1] != 0x11 {
		t.Errorf("data codewords %x", data)
	}
	ecclen := qrECCPerBlock[ver]
	div := rsDivisor(ecclen)
	block := append(slices.Clone(data[:len(data)/qrBlocks[ver]]), rsRemainder(data[:len(data)/qrBlocks[ver]], div)...)
	for i, root := 0, byte(1); i < ecclen; i, root = i+1, rsMul(root, 2) {
		var s byte
		for _, c := range block {
			s = rsMul(s, root) ^ c
		}
		if s != 0 {
			t.Fatalf("syndrome %d of a block is %#x, not 0", i, s)
		}
	}
	if n := len(qrInterleave(ver, data)); n != qrRawModules(ver)/8 {
		t.Errorf("%d codewords, want %d", n, qrRawModules(ver)/8)
	}
}
