package prefilter

import (
	"slices"
	"strings"
)

// Some fields and values make poor literals: the prefilter lets through
// every event that holds them. The names are paths in the namespace of
// event patterns, where a CloudTrail record is read below "detail".
var (
	// sharedFields hold values shared by many events (every IAM call has
	// eventSource "iam.amazonaws.com"): a literal from one counts as a
	// third of its length. A long one still wins over a short one of
	// another field ("payment-cryptography.amazonaws.com" over
	// "DeleteKey"): a rare service is rare, and the prefilter reads
	// documents at a stride the shortest literal sets.
	sharedFields = []string{"detail.eventSource"}
	// enumFields hold one of a handful of values, used only when a rule
	// names nothing else.
	enumFields = []string{
		"detail.eventType", "detail.eventCategory", "detail.eventVersion", "detail.readOnly",
		"detail.managementEvent", "detail.userIdentity.type", "detail.awsRegion",
		"detail.recipientAccountId", "detail.userIdentity.accountId",
	}
	// commonValues are held by most CloudTrail events, and commonAffixes
	// start or end the values of most: a literal that is one of them, or
	// part of one, is used last of all.
	commonValues = []string{
		`"AwsApiCall"`, `"AwsServiceEvent"`, `"Management"`, `"Data"`, `"AssumedRole"`,
		`"AWSService"`, `"IAMUser"`, `"Role"`, `"us-east-1"`,
	}
	commonAffixes = []string{`.amazonaws.com"`, `"arn:aws:`}
)

// Score ranks the literals a rule's condition on one field offers: a rule
// gives the prefilter those of its best-ranked condition. Longer literals
// select better and let the prefilter read at a longer stride; fewer
// alternatives select better too; shared fields, enumerations and common
// values come last.
func Score(path string, lits []Literal) int {
	shortest := -1
	for _, l := range lits {
		if shortest < 0 || len(l.Text) < shortest {
			shortest = len(l.Text)
		}
	}
	switch {
	case slices.ContainsFunc(lits, common):
		return shortest - 1<<22
	case slices.Contains(enumFields, path):
		return shortest - 1<<21
	case slices.Contains(sharedFields, path):
		return shortest*64/3 - len(lits)
	}
	return shortest*64 - len(lits)
}

// common reports whether most CloudTrail events hold a literal, in any
// case, with or without its quotes.
func common(l Literal) bool {
	t := strings.ToLower(l.Text)
	for _, v := range commonValues {
		if v = strings.ToLower(v); t == v || t == strings.Trim(v, `"`) {
			return true
		}
	}
	return slices.ContainsFunc(commonAffixes, func(a string) bool { return strings.Contains(strings.ToLower(a), t) })
}
