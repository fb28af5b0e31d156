package corpus

import (
	"slices"
	"strings"
	"time"
)

// call is the record being built.
type call struct {
	g        *Generator
	e        *entry
	svc      *service
	acct     *account // the account the record is delivered to
	home     *account // the caller's account
	p        *principal
	region   string
	now      time.Time
	agent    template
	console  bool  // the caller works in the AWS console
	internal bool  // the console made the call through AWS itself
	fault    fault // how the call fails
	sess     []byte
	ip       []byte

	inSession   bool   // the session name is being made
	sessionSeed uint64 // random stream of the session

	gen   uint32 // numbers the records, for memo and picks
	memo  []memo
	arena []byte // values of the memo
	picks [numPicks]picked
}

// picked is the entity of one kind a record uses.
type picked struct {
	gen uint32 // record it was picked for
	i   int
}

// fault is how a call fails.
type fault uint8

const (
	succeeded fault = iota
	denial
	missing
	throttled
)

// errorRate is the share of records of calls that can fail which do.
const errorRate = 0.045

// liveSessions is how many sessions of a role are live in an hour.
const liveSessions = 3

// rand returns a random number. While the session name is made, the numbers
// come from the session's own stream, so that a role has few live sessions.
func (c *call) rand() uint64 {
	if c.inSession {
		c.sessionSeed = mix(c.sessionSeed)
		return c.sessionSeed
	}
	return c.g.rng.Uint64()
}

// intn returns a random number below n, like rand.
func (c *call) intn(n int) int {
	if c.inSession {
		return int(c.rand() % uint64(n))
	}
	return c.g.rng.IntN(n)
}

// pick chooses the entity of kind k for the record, once.
func (c *call) pick(k int) int {
	p := &c.picks[k]
	if p.gen != c.gen {
		p.gen, p.i = c.gen, c.intn(pickSizes[k])
	}
	return p.i
}

// stable appends prefix and one of n IDs that the record's account holds in
// its region, made of chars characters of alphabet.
func (c *call) stable(b []byte, prefix, salt string, n, chars int, alphabet string) []byte {
	h := hashString(hashString(uint64(c.intn(n)), salt), c.region)
	return appendChars(append(b, prefix...), alphabet, chars, c.acct.seed^h)
}

// start sets up the record of a call to e at time now.
func (c *call) start(e *entry, now time.Time) {
	g := c.g
	if c.gen++; c.gen == 0 {
		clear(c.memo)
		c.picks = [numPicks]picked{}
		c.gen = 1
	}
	c.arena = c.arena[:0]
	c.e, c.svc, c.now = e, e.svc, now
	c.acct = g.account(g.Accounts[g.zipf(len(g.Accounts))])
	c.region = g.Regions[g.zipf(len(g.Regions))]
	if e.f&global != 0 {
		c.region = "us-east-1"
	}
	c.p = e.caller(c)
	c.home = c.acct
	if c.p.home != "" {
		c.home = g.account(c.p.home)
	}
	c.chooseSession()
	c.chooseAgent()
	c.ip = c.appendSourceIP(c.ip[:0])
	c.fault = c.chooseFault()
}

// chooseSession sets the caller's session name, if the caller is a role:
// one of the few sessions the role has in the current hour.
func (c *call) chooseSession() {
	c.sess = c.sess[:0]
	if len(c.p.sess) == 0 {
		return
	}
	hour := uint64(c.now.Unix() / 3600)
	c.sessionSeed = hashString(c.acct.seed^mix(hour)^uint64(c.intn(liveSessions)), c.p.name)
	c.inSession = true
	c.sess = c.p.sess[c.intn(len(c.p.sess))].render(c, c.sess)
	c.inSession = false
}

// chooseAgent sets the user agent, and whether the caller uses the console.
func (c *call) chooseAgent() {
	c.agent, c.console, c.internal = c.e.ua, false, false
	p := c.p
	if c.agent != nil || len(p.ua) == 0 {
		return
	}
	i := c.intn(len(p.ua))
	if c.e.f&signin != 0 {
		i = slices.IndexFunc(p.agents, isBrowser)
	}
	c.agent = p.ua[i]
	c.console = isBrowser(p.agents[i])
	c.internal = c.console && c.e.f&signin == 0 && c.intn(7) == 0
}

// isBrowser reports whether user agent ua is a web browser's.
func isBrowser(ua string) bool { return strings.HasPrefix(ua, "Mozilla/") }

// chooseFault decides whether and how the call fails.
func (c *call) chooseFault() fault {
	if c.e.f&(svcEvent|signin) != 0 || c.p.kind == awsService || c.g.rng.Float64() >= errorRate {
		return succeeded
	}
	switch n := c.intn(10); {
	case n == 0 && c.e.f&data == 0:
		return throttled
	case n < 4 && c.e.missMsg != nil:
		return missing
	}
	return denial
}

// via is the service or proxy that made the call for the caller, if any.
func (c *call) via() string {
	switch {
	case c.e.via != "":
		return c.e.via
	case c.internal:
		return "AWS Internal"
	case c.p.origin == fromService && c.p.via != "":
		return c.p.via
	case c.p.origin == fromService:
		return c.p.name
	}
	return ""
}

// appendSourceIP appends the sourceIPAddress of the call.
func (c *call) appendSourceIP(b []byte) []byte {
	if v := c.via(); v != "" {
		return append(b, v...)
	}
	switch c.p.origin {
	case fromPeople:
		if c.intn(4) > 0 {
			return append(b, officeIPs[c.intn(len(officeIPs))]...)
		}
		return appendIPv4(b, homePrefixes, hashString(hashString(0, c.p.name), c.sess))
	case fromDatacenter:
		return append(b, datacenterIPs[c.intn(len(datacenterIPs))]...)
	case fromNAT:
		a := c.acct
		if c.p.natOf != "" {
			a = c.g.account(c.p.natOf)
		}
		return appendIPv4(b, prefixes(natPrefixes, c.region), a.seed^hashString(uint64(c.intn(2)), c.region))
	case fromInstance:
		return c.appendPrivateIP(b, hashString(0, c.sess))
	case fromPrivate: // a task keeps its address
		return c.appendPrivateIP(b, hashString(1, c.sess))
	}
	// A Lambda execution environment keeps its address for a while.
	return appendIPv4(b, prefixes(lambdaPrefixes, c.region), hashString(uint64(c.now.Unix()/3600), c.sess))
}

// prefixes returns the address prefixes of region, or some AWS ones.
func prefixes(m map[string][]string, region string) []string {
	if p := m[region]; p != nil {
		return p
	}
	return []string{"52.95", "54.239"}
}

// appendIPv4 appends an address in one of the /16 prefixes, chosen by h.
func appendIPv4(b []byte, prefixes []string, h uint64) []byte {
	h = mix(h)
	b = append(b, prefixes[h%uint64(len(prefixes))]...)
	b = appendOctet(append(b, '.'), byte(h>>16))
	return appendOctet(append(b, '.'), byte(h>>24)%253+1)
}

// appendPrivateIP appends an address of the account's network chosen by h.
func (c *call) appendPrivateIP(b []byte, h uint64) []byte {
	h = mix(h)
	b = append(b, "10."...)
	b = appendOctet(b, byte(c.acct.net))
	b = appendOctet(append(b, '.'), byte(h)%48)
	return appendOctet(append(b, '.'), byte(h>>8)%250+4)
}

func appendOctet(b []byte, v byte) []byte {
	if v >= 100 {
		b = append(b, '0'+v/100)
	}
	if v >= 10 {
		b = append(b, '0'+v/10%10)
	}
	return append(b, '0'+v%10)
}
