// Package chart draws small charts as SVG on the server: stacked bars for
// counts over time, and sparklines. The SVG needs no script and no style
// of its own: shapes carry a class for the page's style sheet (or a fill
// colour), and every bar has a <title> that browsers show on hover and
// screen readers read. Pages should still give the numbers as a table.
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Series is a layer of a stacked bar chart.
type Series struct {
	Name  string // in the bars' titles
	Class string // the class of its shapes, for a style sheet
	Color string // their fill, when set: "#a4161a"
}

// Bar is a bar of a stacked bar chart.
type Bar struct {
	Label string // under the bar: "14:00"
	// Title names the bar in its tooltip: "2026-03-14 14:00"; Label
	// when empty.
	Title string
	// Values are the bar's value in each series, stacked from the
	// first (at the bottom) up.
	Values []float64
}

// Stacked is a stacked bar chart.
type Stacked struct {
	Title  string // the chart's accessible name
	Series []Series
	Bars   []Bar
	// Width and Height are the size of the chart in the SVG's units
	// (it scales to its box); 720 by 200 when zero.
	Width, Height int
	// LabelEvery labels one bar in so many; 0 chooses, so that labels
	// do not crowd.
	LabelEvery int
	// MinStep is the least step between the ticks of the y axis: 1 for
	// counts, which have no fractions.
	MinStep float64
}

// The margins of the plot, in SVG units: room for the axis labels.
const (
	marginLeft   = 40
	marginRight  = 8
	marginTop    = 8
	marginBottom = 20
)

// minLabelSpace is the least room, in SVG units, that a label on the x
// axis has when the chart chooses how many to show.
const minLabelSpace = 48

// SVG returns the chart as an <svg> element.
func (c *Stacked) SVG() string {
	w, h := size(c.Width, c.Height, 720, 200)
	plotW, plotH := float64(w-marginLeft-marginRight), float64(h-marginTop-marginBottom)
	top, step := scale(c.maxTotal(), c.MinStep)
	var b strings.Builder
	open(&b, w, h, c.Title)
	for v := 0.0; v <= top+step/2; v += step {
		y := float64(marginTop) + plotH - v/top*plotH
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s" stroke="#d8dde3"/>`,
			marginLeft, num(y), w-marginRight, num(y))
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end">%s</text>`, marginLeft-4, num(y+4), num(v))
	}
	if len(c.Bars) > 0 {
		slot := plotW / float64(len(c.Bars))
		every := c.labelEvery(slot)
		for i, bar := range c.Bars {
			c.bar(&b, bar, float64(marginLeft)+float64(i)*slot, slot, plotH, top)
			if i%every == 0 {
				fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`,
					num(float64(marginLeft)+(float64(i)+0.5)*slot), h-6, html.EscapeString(bar.Label))
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// bar writes one bar, at x in a slot of its width: a group titled with
// its values, a transparent area that takes the pointer over its whole
// height, and a rectangle per series that has a value.
func (c *Stacked) bar(b *strings.Builder, bar Bar, x, slot, plotH, top float64) {
	fmt.Fprintf(b, `<g><title>%s</title>`, html.EscapeString(c.barTitle(bar)))
	fmt.Fprintf(b, `<rect class="hit" x="%s" y="%d" width="%s" height="%s" fill="transparent"/>`,
		num(x), marginTop, num(slot), num(plotH))
	base := float64(marginTop) + plotH
	for i, v := range bar.Values {
		if v <= 0 || i >= len(c.Series) {
			continue
		}
		hgt := v / top * plotH
		base -= hgt
		s := c.Series[i]
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s"%s/>`,
			num(x+slot*0.1), num(base), num(slot*0.8), num(hgt), shapeAttrs(s))
	}
	b.WriteString(`</g>`)
}

// barTitle describes a bar: its title, its total, and each series'
// value that is not zero.
func (c *Stacked) barTitle(bar Bar) string {
	t := bar.Title
	if t == "" {
		t = bar.Label
	}
	var parts []string
	total := 0.0
	for i, v := range bar.Values {
		total += v
		if v != 0 && i < len(c.Series) {
			parts = append(parts, c.Series[i].Name+" "+num(v))
		}
	}
	t += ": " + num(total)
	if len(parts) > 0 {
		t += " (" + strings.Join(parts, ", ") + ")"
	}
	return t
}

// labelEvery returns one bar in how many to label.
func (c *Stacked) labelEvery(slot float64) int {
	if c.LabelEvery > 0 {
		return c.LabelEvery
	}
	return max(1, int(math.Ceil(minLabelSpace/slot)))
}

// maxTotal returns the height of the highest bar.
func (c *Stacked) maxTotal() float64 {
	m := 0.0
	for _, bar := range c.Bars {
		t := 0.0
		for _, v := range bar.Values {
			t += max(v, 0)
		}
		m = max(m, t)
	}
	return m
}

// scale returns the top of the y axis for values up to m and the step
// between its ticks: a round number (1, 2 or 5 times a power of ten),
// at least minStep, at most four steps to the top.
func scale(m, minStep float64) (top, step float64) {
	step = max(niceStep(m/4), minStep)
	if m <= 0 {
		step = max(minStep, 1)
		return step, step
	}
	return math.Ceil(m/step) * step, step
}

// niceStep returns the least of 1, 2 and 5 times a power of ten that is
// not less than x.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= x*(1-1e-9) {
			return f * p
		}
	}
	return 10 * p
}

// Sparkline is a small line chart without axes, such as events per
// minute over the last hour beside a number.
type Sparkline struct {
	Title  string // its accessible name and tooltip
	Values []float64
	// Width and Height are its size in the SVG's units; 120 by 24 when
	// zero.
	Width, Height int
}

// SVG returns the sparkline as an <svg> element: a line from the first
// value to the last, scaled so that the highest touches the top.
func (s *Sparkline) SVG() string {
	w, h := size(s.Width, s.Height, 120, 24)
	var b strings.Builder
	open(&b, w, h, s.Title)
	vals := s.Values
	if len(vals) == 1 {
		vals = []float64{vals[0], vals[0]}
	}
	if len(vals) > 1 {
		hi := 0.0
		for _, v := range vals {
			hi = max(hi, v)
		}
		if hi == 0 {
			hi = 1
		}
		pts := make([]string, len(vals))
		for i, v := range vals {
			x := 1 + float64(i)*float64(w-2)/float64(len(vals)-1)
			y := float64(h-1) - max(v, 0)/hi*float64(h-2)
			pts[i] = num(x) + "," + num(y)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="currentColor" stroke-width="1.5"/>`, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// open writes the start of an <svg> element with its accessible name.
func open(b *strings.Builder, w, h int, title string) {
	t := html.EscapeString(title)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`,
		w, h, t, t)
}

// shapeAttrs returns the class and fill attributes of a series' shapes.
func shapeAttrs(s Series) string {
	var a string
	if s.Class != "" {
		a += ` class="` + html.EscapeString(s.Class) + `"`
	}
	if s.Color != "" {
		a += ` fill="` + html.EscapeString(s.Color) + `"`
	}
	return a
}

// size returns w and h, or their defaults when zero.
func size(w, h, dw, dh int) (int, int) {
	if w <= 0 {
		w = dw
	}
	if h <= 0 {
		h = dh
	}
	return w, h
}

// num writes a number with at most one decimal, as SVG coordinates and
// labels need.
func num(x float64) string {
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}
