package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vigil/chart"
	"vigil/mask"
	"vigil/rule"
	"vigil/session"
	"vigil/store"
)

// A span of the overview's chart: how far back, in bars of what width,
// and how bars are labelled.
type span struct {
	Name        string // as the query names it: range=24h
	Label       string // as the switch shows it
	bars        int
	width       time.Duration
	axis, title string // time layouts of a bar's label and title
}

// spans are the overview's choices: the last 24 hours by hour, or the
// last 30 days by day; the first is the default.
var spans = []span{
	{"24h", "Last 24 hours", 24, time.Hour, "15:04", "2006-01-02 15:04 UTC"},
	{"30d", "Last 30 days", 30, 24 * time.Hour, "01-02", "2006-01-02"},
}

// start returns when the first bar of the span starts, for a chart that
// ends with the bar holding now.
func (s span) start(now time.Time) time.Time {
	return now.UTC().Truncate(s.width).Add(-time.Duration(s.bars-1) * s.width)
}

// How many rules, entities and items waiting the overview lists.
const (
	topN      = 10
	waitingN  = 100
	silentFor = 15 * time.Minute
)

// overviewData is what the overview shows.
type overviewData struct {
	Span     span
	Spans    []span
	Chart    template.HTML
	Buckets  []bucketRow
	InHand   *store.InHand
	TopRules []store.RuleCount
	Entities []entityRow
	Silent   []sourceRow
	Pending  waiting
	Dead     waiting
}

// bucketRow is a bar of the chart, as its fallback table shows it.
type bucketRow struct {
	Label  string
	Counts []int // by severitiesDown
	Total  int
}

// entityRow is one of the top entities. Link is the filtered alert list,
// for values that need no masking.
type entityRow struct {
	store.EntityCount
	Shown, Link string
}

// waiting is how many things wait for someone: at most waitingN, More
// when there are more.
type waiting struct {
	N    int
	More bool
}

// Text writes how many: "12", or "100+" when there are more.
func (w waiting) Text() string {
	if w.More {
		return strconv.Itoa(w.N) + "+"
	}
	return strconv.Itoa(w.N)
}

// overview serves GET /: what is happening, at a glance.
func (c *Console) overview(w http.ResponseWriter, r *http.Request, s *session.Session) {
	ctx := r.Context()
	sp := spans[0]
	for _, x := range spans {
		if r.URL.Query().Get("range") == x.Name {
			sp = x
		}
	}
	now := time.Now()
	since := sp.start(now)
	d := &overviewData{Span: sp, Spans: spans}
	var err error
	buckets, err := c.Store.AlertCounts(ctx, since, now, sp.width)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	d.Chart, d.Buckets = alertChart(langOf(r), sp, buckets)
	if d.InHand, err = c.Store.AlertsInHand(ctx); err != nil {
		c.storeFail(w, r, err)
		return
	}
	if d.TopRules, err = c.Store.TopRules(ctx, since, topN); err != nil {
		c.storeFail(w, r, err)
		return
	}
	ents, err := c.Store.TopEntities(ctx, since, topN)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	for _, e := range ents {
		d.Entities = append(d.Entities, entityRow{e, mask.String(e.Value), entityLink(e.Value)})
	}
	if err := c.waiting(r, d, now); err != nil {
		c.storeFail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "overview", "Overview", d)
}

// waiting fills in the sources gone silent, the actions waiting for
// approval and the dead letters.
func (c *Console) waiting(r *http.Request, d *overviewData, now time.Time) error {
	ctx := r.Context()
	rows, err := c.sourceRows(r, now)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.State == "silent" {
			d.Silent = append(d.Silent, row)
		}
	}
	acts, next, err := c.Store.Actions(ctx, store.ActionQuery{State: store.ActionPending, Limit: waitingN})
	if err != nil {
		return err
	}
	d.Pending = waiting{len(acts), next != ""}
	dead, next, err := c.Store.Deliveries(ctx, store.DeliveryQuery{State: store.Dead, Limit: waitingN})
	if err != nil {
		return err
	}
	d.Dead = waiting{len(dead), next != ""}
	return nil
}

// alertChart returns the chart of alerts by severity over a span, and
// its rows for the table beside it.
func alertChart(lang Lang, sp span, buckets []store.Bucket) (template.HTML, []bucketRow) {
	ch := chart.Stacked{Title: lang.T("Alerts by severity") + ", " + lang.T(sp.Label), Width: 1240, Height: 230, MinStep: 1}
	for _, sev := range severitiesDown {
		ch.Series = append(ch.Series, chart.Series{Name: lang.T(sev.String()), Class: severityClass(sev)})
	}
	rows := make([]bucketRow, len(buckets))
	for i, b := range buckets {
		bar := chart.Bar{Label: b.Start.UTC().Format(sp.axis), Title: b.Start.UTC().Format(sp.title)}
		rows[i].Label = bar.Title
		for _, sev := range severitiesDown {
			n := b.Counts[sev]
			bar.Values = append(bar.Values, float64(n))
			rows[i].Counts = append(rows[i].Counts, n)
			rows[i].Total += n
		}
		ch.Bars = append(ch.Bars, bar)
	}
	// The chart escapes every text it writes.
	return template.HTML(ch.SVG()), rows
}

// entityLink returns the alert list filtered by an entity's value, or ""
// when the value holds personal data, which is not put in links.
func entityLink(v string) string {
	if mask.String(v) != v {
		return ""
	}
	return withQuery("/alerts", url.Values{"entity": {v}})
}

// severityLink returns the list of the alerts in hand of a severity.
func severityLink(sev rule.Severity, status store.Status) string {
	return withQuery("/alerts", url.Values{"severity": {sev.String()}, "status": {string(status)}})
}

func init() {
	funcs["severityLink"] = severityLink
	funcs["entityLink"] = entityLink
}
