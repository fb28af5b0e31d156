package chart

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
)

// twoBars is a chart of known data: 3 low and 1 high alert in the first
// hour, 2 high in the second, none in the third.
var twoBars = Stacked{
	Title:  "Alerts <by> hour",
	Series: []Series{{Name: "low", Class: "sev-low"}, {Name: "high", Class: "sev-high", Color: "#d9480f"}},
	Bars: []Bar{
		{Label: "09:00", Title: "2026-03-14 09:00", Values: []float64{3, 1}},
		{Label: "10:00", Values: []float64{0, 2}},
		{Label: "11:00", Values: []float64{0, 0}},
	},
	Width: 340, Height: 128, LabelEvery: 1, MinStep: 1,
}

func TestStackedKnownData(t *testing.T) {
	svg := twoBars.SVG()
	// The plot is 292 wide (340 - 40 - 8) and 100 high (128 - 8 - 20);
	// the highest bar is 4, so the axis goes to 4 in steps of 1 and one
	// alert is 25 high. Each slot is 97.3 wide, each bar 77.9.
	for _, want := range []string{
		`viewBox="0 0 340 128" role="img" aria-label="Alerts &lt;by&gt; hour"><title>Alerts &lt;by&gt; hour</title>`,
		// ticks 0 to 4, labelled
		`<text x="36" y="112" text-anchor="end">0</text>`,
		`<text x="36" y="12" text-anchor="end">4</text>`,
		// first bar: low from 108 up 75, high above it 25
		`<title>2026-03-14 09:00: 4 (low 3, high 1)</title>`,
		`<rect x="49.7" y="33" width="77.9" height="75" class="sev-low"/>`,
		`<rect x="49.7" y="8" width="77.9" height="25" class="sev-high" fill="#d9480f"/>`,
		// second bar: high only, 50 high; its title falls back to its label
		`<title>10:00: 2 (high 2)</title>`,
		`<rect x="147.1" y="58" width="77.9" height="50" class="sev-high" fill="#d9480f"/>`,
		// the empty bar has a title and no shape of a series
		`<title>11:00: 0</title>`,
		`<text x="283.3" y="122" text-anchor="middle">11:00</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %s\nin %s", want, svg)
		}
	}
	if n := strings.Count(svg, `class="sev-`); n != 3 {
		t.Errorf("%d shapes of series, want 3: %s", n, svg)
	}
	if n := strings.Count(svg, `class="hit"`); n != 3 {
		t.Errorf("%d areas taking the pointer, want one per bar: %s", n, svg)
	}
	wellFormed(t, svg)
}

func TestStackedScale(t *testing.T) {
	for _, c := range []struct {
		max, minStep, top, step float64
	}{
		{0, 1, 1, 1},
		{0, 0, 1, 1},
		{1, 1, 1, 1},
		{2, 1, 2, 1},
		{2, 0, 2, 0.5},
		{7, 1, 8, 2},
		{17, 1, 20, 5},
		{40, 1, 40, 10},
		{41, 1, 60, 20},
		{1234, 1, 1500, 500},
	} {
		top, step := scale(c.max, c.minStep)
		if top != c.top || step != c.step {
			t.Errorf("scale(%v, %v) = %v, %v; want %v, %v", c.max, c.minStep, top, step, c.top, c.step)
		}
	}
}

func TestStackedLabelsDoNotCrowd(t *testing.T) {
	c := Stacked{Title: "t", Series: []Series{{Name: "n"}}, Width: 720}
	for i := 0; i < 30; i++ {
		c.Bars = append(c.Bars, Bar{Label: "d", Values: []float64{1}})
	}
	// 672 wide for 30 bars: 22.4 each, so one label in three.
	if n := strings.Count(c.SVG(), `text-anchor="middle"`); n != 10 {
		t.Errorf("%d labels, want 10", n)
	}
}

func TestStackedEmpty(t *testing.T) {
	svg := (&Stacked{Title: "nothing"}).SVG()
	wellFormed(t, svg)
	if strings.Contains(svg, "<rect") {
		t.Errorf("bars without data: %s", svg)
	}
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		name   string
		values []float64
		want   string
	}{
		{"rising", []float64{0, 5, 10}, `points="1,23 60,12 119,1"`},
		{"flat at zero", []float64{0, 0}, `points="1,23 119,23"`},
		{"one value", []float64{4}, `points="1,1 119,1"`},
		{"none", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			svg := (&Sparkline{Title: "events & more", Values: c.values}).SVG()
			wellFormed(t, svg)
			if !strings.Contains(svg, `<title>events &amp; more</title>`) {
				t.Errorf("no title: %s", svg)
			}
			if c.want == "" && strings.Contains(svg, "polyline") || c.want != "" && !strings.Contains(svg, c.want) {
				t.Errorf("want %q in %s", c.want, svg)
			}
		})
	}
}

// wellFormed fails the test unless svg is well-formed XML with no
// script and no style.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "style") {
			t.Errorf("a %s element", se.Name.Local)
		}
	}
	if regexp.MustCompile(`\sstyle=`).MatchString(svg) {
		t.Errorf("a style attribute: %s", svg)
	}
}
