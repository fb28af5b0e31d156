package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/audit"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// registerAudit adds the pages of the audit trail, for auditors and
// administrators. They read and verify the trail; nobody can change it.
func (c *Console) registerAudit(mux *http.ServeMux) {
	c.handle(mux, "GET /audit", user.PermAudit, c.auditTrail)
	c.handle(mux, "POST /audit/verify", user.PermAudit, c.auditVerifyAll)
	c.handle(mux, "GET /audit/stats", user.PermAudit, c.auditStats)
	c.handle(mux, "GET /audit/export.csv", user.PermAudit, c.auditExport)
}

// auditPageSize is how many entries a page of the trail shows.
const auditPageSize = 50

// auditActions are the actions the filter offers.
var auditActions = []string{audit.ActionLogin, audit.ActionLockout, audit.ActionLogout, audit.ActionSessionEnd,
	audit.ActionSessionInvalid, audit.ActionAccessDenied, audit.ActionUserAdd, audit.ActionUserRole,
	audit.ActionUserLock, audit.ActionUserUnlock, audit.ActionPassword, audit.ActionPasswordReset, audit.ActionTOTP,
	audit.ActionTOTPReset, audit.ActionTokenCreate, audit.ActionTokenRevoke, audit.ActionConfigChange,
	audit.ActionRuleChange, audit.ActionAlertStatus, audit.ActionSilenceAdd, audit.ActionSilenceRemove,
	audit.ActionApprove, audit.ActionReject, audit.ActionRedrive, audit.ActionDiscard, audit.ActionStepUp,
	audit.ActionServeStart, audit.ActionServeStop, audit.ActionAuditExport, audit.ActionAuditVerify}

// auditResults are the results the filter offers.
var auditResults = []string{audit.ResultSuccess, audit.ResultFailure, audit.ResultDenied}

// auditFilter is the selection of entries a page shows, as its form
// holds it.
type auditFilter struct {
	Actor, Action, Target, Result, From, To string
	// Zone is the time zone of the days of the statistics: "utc" or
	// "cst" (China, UTC+8).
	Zone string
}

// readAuditFilter reads the filter of a request, and the query it
// makes; a value it cannot read is an error to show.
func readAuditFilter(r *http.Request) (auditFilter, store.AuditQuery, string) {
	v := r.URL.Query()
	f := auditFilter{Actor: strings.TrimSpace(v.Get("actor")), Action: v.Get("action"),
		Target: strings.TrimSpace(v.Get("target")), Result: v.Get("result"), From: v.Get("from"), To: v.Get("to"),
		Zone: v.Get("zone")}
	q := store.AuditQuery{Actor: f.Actor, Action: f.Action, Target: f.Target, Result: f.Result, Newest: true,
		Limit: auditPageSize}
	var from, to bool
	q.From, from = parseWhen(f.From)
	q.To, to = parseWhen(f.To)
	switch {
	case len(f.Actor) > 128 || len(f.Action) > 64 || len(f.Target) > 256:
		return f, q, "A filter is too long."
	case f.Result != "" && !slices.Contains(auditResults, f.Result):
		return f, q, "Choose a result."
	case !from || !to:
		return f, q, "Write times as 2026-03-14 or 2026-03-14T09:30 (UTC)."
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return f, q, "The end of the time range must come after its start."
	case f.Zone != "" && f.Zone != "utc" && f.Zone != "cst":
		return f, q, "Choose a time zone."
	}
	return f, q, ""
}

// parseWhen reads a time of a filter, in UTC: a date, or a date and a
// time as a datetime-local field sends it. It reports false when s is
// not empty and not a time.
func parseWhen(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{time.DateOnly, "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// values returns the filter as the query of a link.
func (f auditFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target, "result": f.Result,
		"from": f.From, "to": f.To, "zone": f.Zone} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// auditTrailPage is what the page of the trail shows.
type auditTrailPage struct {
	Report  *audit.Report
	Entries []store.AuditEntry
	Filter  auditFilter
	Actions []string
	Results []string
	// Older links to the next page of older entries, "" on the last;
	// Newest to the first page, "" on it.
	Older, Newest string
	Export, Stats string
	Error         string
}

// auditTrail shows the entries of the trail, newest first, a page at a
// time, and the outcome of verifying the trail from its last seal found
// good, which it records (audit.Trail.Verify: kept while the trail does
// not change, and then not verified or recorded again):
// GET /audit?actor=&action=&target=&result=&from=&to=&before=.
func (c *Console) auditTrail(w http.ResponseWriter, r *http.Request, s *session.Session) {
	f, q, msg := readAuditFilter(r)
	p := auditTrailPage{Filter: f, Actions: auditActions, Results: auditResults, Error: langOf(r).T(msg)}
	status := http.StatusOK
	if b := r.URL.Query().Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			p.Error, status = langOf(r).T("The page does not exist."), http.StatusBadRequest
		}
		q.Before = n
	}
	report, err := c.Trail.Verify(r.Context(), actor(r, s))
	if err != nil {
		c.Log.Error("console: verifying the audit trail", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	p.Report = report
	if msg != "" {
		status = http.StatusBadRequest
	}
	if status == http.StatusOK {
		if p.Entries, err = c.Trail.Entries(r.Context(), q); err != nil {
			c.Log.Error("console: reading the audit trail", "err", err)
			c.fail(w, r, http.StatusServiceUnavailable)
			return
		}
		p.links(f, q)
	}
	c.render(w, r, status, "audit", "Audit trail", p)
}

// links sets the links of the page: to older entries, to the newest,
// and to the statistics and export of the same selection.
func (p *auditTrailPage) links(f auditFilter, q store.AuditQuery) {
	v := f.values()
	p.Stats, p.Export = "/audit/stats?"+v.Encode(), "/audit/export.csv?"+v.Encode()
	if q.Before > 0 {
		p.Newest = "/audit?" + v.Encode()
	}
	if len(p.Entries) == auditPageSize {
		v.Set("before", strconv.FormatInt(p.Entries[len(p.Entries)-1].Seq, 10))
		p.Older = "/audit?" + v.Encode()
	}
}

// auditStatsPage is what the statistics of the trail show.
type auditStatsPage struct {
	Stats   *store.AuditStats
	Days    []dayBar
	Filter  auditFilter
	Actions []string
	Results []string
	Trail   string // the link to the entries of the same selection
	Error   string
}

// dayBar is a day of the chart of entries per day.
type dayBar struct {
	Day string
	N   int64
	Len int // the bar's length, in the chart's units
}

// zones are the time zones of the days of the statistics.
var zones = map[string]time.Duration{"": 0, "utc": 0, "cst": 8 * time.Hour}

// auditStats counts the entries of a selection by action, actor, result
// and day: GET /audit/stats with the filter of /audit.
func (c *Console) auditStats(w http.ResponseWriter, r *http.Request, _ *session.Session) {
	f, q, msg := readAuditFilter(r)
	p := auditStatsPage{Filter: f, Actions: auditActions, Results: auditResults, Trail: "/audit?" + f.values().Encode()}
	if msg != "" {
		p.Error = langOf(r).T(msg)
		c.render(w, r, http.StatusBadRequest, "audit_stats", "Audit statistics", p)
		return
	}
	st, err := c.Trail.Stats(r.Context(), q, zones[f.Zone])
	if err != nil {
		c.Log.Error("console: audit statistics", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	p.Stats, p.Days = st, dayBars(st.ByDay)
	c.render(w, r, http.StatusOK, "audit_stats", "Audit statistics", p)
}

// chartWidth is the width of the bars of the chart per day.
const chartWidth = 600

// dayBars lays out the chart of entries per day, the last 60 days of the
// selection.
func dayBars(days []store.AuditCount) []dayBar {
	days = days[max(0, len(days)-60):]
	var most int64 = 1
	for _, d := range days {
		most = max(most, d.N)
	}
	bars := make([]dayBar, len(days))
	for i, d := range days {
		bars[i] = dayBar{Day: d.Key, N: d.N, Len: int(d.N * chartWidth / most)}
	}
	return bars
}

// auditVerifyAll verifies the whole trail, records it, and sends the
// browser back to the trail, with the outcome: POST /audit/verify.
func (c *Console) auditVerifyAll(w http.ResponseWriter, r *http.Request, s *session.Session) {
	report, err := c.Trail.VerifyAll(r.Context(), actor(r, s))
	if err != nil {
		c.Log.Error("console: verifying the whole audit trail", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	if report.OK() {
		c.flashT(w, r, "The whole trail was verified: it is intact.")
	} else {
		c.flashT(w, r, "The whole trail was verified: it is broken. %s", report.Problem.String())
	}
	c.redirect(w, r, "/audit")
}

// auditExport writes the entries of a selection as CSV, all of them,
// oldest first, and records the export: GET /audit/export.csv with the
// filter of /audit. The export is recorded first, and refused when it
// cannot be; then the entries are sent as they are read, a page at a
// time.
func (c *Console) auditExport(w http.ResponseWriter, r *http.Request, s *session.Session) {
	_, q, msg := readAuditFilter(r)
	if msg != "" {
		c.fail(w, r, http.StatusBadRequest)
		return
	}
	csv := &csvResponse{w: w}
	err := c.Trail.Export(r.Context(), actor(r, s), q, csv)
	switch {
	case err != nil && !csv.started:
		c.Log.Error("console: exporting the audit trail", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
	case err != nil:
		// Too late for an error page: cut the answer short, so that the
		// browser does not take it for the whole file.
		c.Log.Error("console: exporting the audit trail, cut short", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// csvResponse is the answer of a CSV export, its headers set when the
// first bytes are written.
type csvResponse struct {
	w       http.ResponseWriter
	started bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.w.Header().Set("Content-Disposition", `attachment; filename="vigil-audit.csv"`)
	}
	return c.w.Write(p)
}

func init() {
	addZH(map[string]string{
		"Audit statistics":      "审计统计",
		"A filter is too long.": "筛选条件过长。",
		"Choose a result.":      "请选择结果。",
		"Write times as 2026-03-14 or 2026-03-14T09:30 (UTC).": "时间格式为 2026-03-14 或 2026-03-14T09:30（UTC）。",
		"The end of the time range must come after its start.": "时间范围的结束必须晚于开始。",
		"Choose a time zone.":               "请选择时区。",
		"The page does not exist.":          "该页不存在。",
		"Actor":                             "操作者",
		"Action":                            "操作",
		"Target":                            "对象",
		"Result":                            "结果",
		"Address":                           "地址",
		"Detail":                            "详情",
		"Time (UTC)":                        "时间（UTC）",
		"From (UTC)":                        "起始（UTC）",
		"To (UTC)":                          "截止（UTC）",
		"Days in":                           "日期按",
		"China (UTC+8)":                     "中国（UTC+8）",
		"all":                               "全部",
		"Filter":                            "筛选",
		"Clear":                             "清除",
		"success":                           "成功",
		"failure":                           "失败",
		"denied":                            "拒绝",
		"Statistics":                        "统计",
		"Export as CSV":                     "导出 CSV",
		"Intact":                            "完整",
		"Broken":                            "已损坏",
		"The chain of %d entries verifies.": "%d 条记录的哈希链验证通过。",
		"Sealed up to entry %d at %s.":      "已签封至第 %d 条，时间 %s。",
		"No seal yet.":                      "尚无签封。",
		"%d entries after the last seal are vouched for by the chain only, until the next seal.": "最后一次签封之后的 %d 条记录在下次签封前仅由哈希链保证。",
		"Entry %d: %s":              "第 %d 条：%s",
		"The head of the trail: %s": "日志头：%s",
		"changed":                   "已被修改",
		"missing":                   "缺失",
		"reordered":                 "顺序被调换",
		"rewritten":                 "被重写",
		"bad seal":                  "签封无效",
		"unsealed":                  "未签封",
		"Others":                    "其他",
		"Note: %s":                  "注意：%s",
		"Verify everything":         "全部验证",
		"Verified from the last seal found good, of entry %d: the entries before it were verified then.": "自最后一个验证通过的签封（第 %d 条）起验证；此前的记录已在当时验证。",
		"The whole trail was verified.":                                 "已验证全部日志。",
		"The whole trail was verified: it is intact.":                   "已验证全部日志：完整。",
		"The whole trail was verified: it is broken. %s":                "已验证全部日志：已损坏。%s",
		"Verifies every entry and seal from the first, and records it.": "从第一条起验证每条记录和签封，并记入审计日志。",
		"Entries were changed, deleted or reordered outside vigil. Keep the database as it is and tell whoever answers for security incidents.": "有记录在 vigil 之外被修改、删除或调换顺序。请保持数据库现状，并通知安全事件负责人。",
		"Entries, newest first": "记录（最新在前）",
		"Entries":               "记录",
		"No entries.":           "没有记录。",
		"Pages of entries":      "记录分页",
		"Newest entries":        "最新记录",
		"Older entries":         "更早的记录",
		"%d entries selected.":  "已选择 %d 条记录。",
		"By action":             "按操作",
		"By actor":              "按操作者",
		"By result":             "按结果",
		"Per day":               "按日",
		"Day":                   "日期",
		"Chart":                 "图表",
	})
}
