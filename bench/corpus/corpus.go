// Package corpus generates realistic AWS CloudTrail records, for benchmarks
// and for sample archives.
//
// The records have the shape CloudTrail writes: the identity of an IAM user,
// a role session, an AWS service or the root user; the request parameters
// and response elements of each API as AWS logs them; data events with their
// resources; errors, console sessions, cross-account calls. The mix is that
// of a bank's accounts: mostly reads, role assumptions, object reads and
// writes and KMS calls, made by workloads, pipelines, people and AWS
// services, with rare writes and rare high-risk calls.
//
// The same seed always gives the same records.
package corpus

import (
	"math/rand/v2"
	"time"
)

// Generator produces CloudTrail records. Same seed, same records.
//
// Its exported fields may be changed between calls to Record.
type Generator struct {
	// Clock is the eventTime of the next record. Each record moves it
	// forward by a random gap that averages Step.
	Clock time.Time
	// Step is the mean gap between the eventTimes of consecutive records.
	Step time.Duration
	// Accounts are the IDs of the accounts records are delivered to; there
	// must be at least one. The n-th gets a share of the records
	// proportional to 1/n.
	Accounts []string
	// Regions are the regions calls are made in, at least one, shared out
	// like Accounts. Global services log in us-east-1 whatever the region.
	Regions []string

	rng      *rand.Rand
	accounts map[string]*account
	rec      call
}

// New returns a generator seeded with seed, whose records start at
// 2026-11-20T00:00:00Z, 100ms apart on average, over four accounts and four
// regions.
func New(seed uint64) *Generator {
	g := &Generator{
		Clock:    time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Step:     100 * time.Millisecond,
		Accounts: []string{"111122223333", toolingAccount, securityAccount, "222233334444"},
		Regions:  []string{"us-east-1", "eu-west-1", "us-west-2", "eu-central-1"},
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		accounts: map[string]*account{},
	}
	g.rec.g = g
	g.rec.memo = make([]memo, len(slots))
	return g
}

// Record appends one CloudTrail record as compact JSON (no trailing
// newline) to dst and returns it.
func (g *Generator) Record(dst []byte) []byte {
	now := g.Clock.Truncate(time.Second)
	if g.Step > 0 {
		g.Clock = g.Clock.Add(time.Duration(g.rng.Int64N(2*int64(g.Step) + 1)))
	}
	e := &catalog[weighted(catalogSum, g.rng.IntN(catalogSum[len(catalogSum)-1]))]
	g.rec.start(e, now)
	return g.rec.appendRecord(dst)
}

// account returns the account with the given ID.
func (g *Generator) account(id string) *account {
	a := g.accounts[id]
	if a == nil {
		a = newAccount(id)
		g.accounts[id] = a
	}
	return a
}

// zipf returns a random index below n, index i with weight 1/(i+1).
func (g *Generator) zipf(n int) int {
	total := 0.0
	for i := 1; i <= n; i++ {
		total += 1 / float64(i)
	}
	x := g.rng.Float64() * total
	for i := 0; i < n-1; i++ {
		if x -= 1 / float64(i+1); x < 0 {
			return i
		}
	}
	return n - 1
}
