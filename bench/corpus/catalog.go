package corpus

import (
	"sort"
	"strings"
)

// flag qualifies an API call.
type flag uint8

const (
	ro       flag = 1 << iota // readOnly
	data                      // a data event rather than a management event
	global                    // logged in us-east-1, whatever the caller's region
	svcEvent                  // an AwsServiceEvent rather than an AwsApiCall
	signin                    // an AwsConsoleSignIn
)

// api describes one kind of record: an API call, who makes it, how often,
// and the templates of its parts.
type api struct {
	svc, name string // eventSource prefix and eventName
	w         int    // records per 100,000
	by        kind   // who makes the call
	as        string // the one principal who makes it, overriding by
	f         flag
	req       string // requestParameters; empty for null
	resp      string // responseElements; empty for null
	extra     string // additionalEventData
	res       string // resources
	via       string // service calling on the caller's behalf (invokedBy)
	miss      string // "errorCode|errorMessage" when the resource is missing
	fail      string // "errorCode|errorMessage" of a call that always fails
	ua        string // user agent, overriding the caller's
	host      string // TLS host header, overriding the service's
}

// entry is an api ready to render.
type entry struct {
	*api
	svc                       *service
	req, resp, extra, res, ua template
	host, missMsg, failMsg    template
	missCode, failCode        string
	callers                   []*principal
	callerSum                 []int // cumulative weights of callers
}

// catalog holds every kind of record, and catalogSum their cumulative weights.
var (
	catalog    []entry
	catalogSum []int
)

func init() {
	for _, src := range objectKeySources {
		objectKeys = append(objectKeys, compile(src))
	}
	for _, s := range services {
		s.host = compile(s.hostSrc)
	}
	for _, p := range roster {
		for _, s := range p.sessions {
			p.sess = append(p.sess, compile(s))
		}
		for _, a := range p.agents {
			p.ua = append(p.ua, compile(a))
		}
	}
	total := 0
	for _, group := range [][]api{identityAPIs, keyAPIs, storageAPIs, computeAPIs, networkAPIs, opsAPIs, dataAPIs} {
		for i := range group {
			catalog = append(catalog, newEntry(&group[i]))
			total += group[i].w
			catalogSum = append(catalogSum, total)
		}
	}
}

// newEntry compiles a and finds its callers.
func newEntry(a *api) entry {
	e := entry{api: a, svc: services[a.svc],
		req: compile(a.req), resp: compile(a.resp), extra: compile(a.extra), res: compile(a.res),
		ua: compile(a.ua), host: compile(a.host)}
	if e.svc == nil {
		panic("corpus: unknown service " + a.svc)
	}
	e.missCode, e.missMsg = splitError(a.miss)
	e.failCode, e.failMsg = splitError(a.fail)
	sum := 0
	for _, p := range roster {
		if a.as == p.name || a.as == "" && p.weight > 0 && p.kind&a.by != 0 && p.calls(a.svc) {
			sum += max(p.weight, 1)
			e.callers = append(e.callers, p)
			e.callerSum = append(e.callerSum, sum)
		}
	}
	if len(e.callers) == 0 {
		panic("corpus: nobody calls " + a.svc + " " + a.name)
	}
	return e
}

// splitError splits "code|message".
func splitError(s string) (string, template) {
	if s == "" {
		return "", nil
	}
	code, msg, _ := strings.Cut(s, "|")
	return code, compile(msg)
}

// caller picks who makes the call.
func (e *entry) caller(c *call) *principal {
	return e.callers[weighted(e.callerSum, c.intn(e.callerSum[len(e.callerSum)-1]))]
}

// weighted returns the index of the slot of cumulative weights sum that x
// falls in.
func weighted(sum []int, x int) int {
	return sort.Search(len(sum), func(i int) bool { return sum[i] > x })
}

// eventType is the eventType of the entry's records.
func (e *entry) eventType() string {
	switch {
	case e.f&svcEvent != 0:
		return "AwsServiceEvent"
	case e.f&signin != 0:
		return "AwsConsoleSignIn"
	}
	return "AwsApiCall"
}
