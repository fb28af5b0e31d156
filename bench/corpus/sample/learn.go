package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// facts are what the story takes from the background, so that the attacker
// uses the same keys and resources the account's own principals do.
type facts struct {
	ciDeploy    user   // the IAM user whose access key was stolen
	treasuryOps user   // the IAM user whose MFA the attacker removes
	cicdRoleID  string // unique ID of CICD-Role
	cicdIP      string // address the pipeline's calls come from
	groups      []string
	instances   []string
	vpc         string
	detector    string
	key         string // ID of the KMS key used least
}

// user is an IAM user as the background shows it.
type user struct{ principalID, accessKeyID string }

// Patterns of the resource IDs the story reuses.
var (
	groupID    = regexp.MustCompile(`"(sg-0[0-9a-f]{16})"`)
	instanceID = regexp.MustCompile(`"(i-0[0-9a-f]{16})"`)
	vpcID      = regexp.MustCompile(`"(vpc-0[0-9a-f]{16})"`)
	detectorID = regexp.MustCompile(`"detectorId":"([0-9a-f]{32})"`)
	keyID      = regexp.MustCompile(`arn:aws:kms:us-east-1:` + mainAccount + `:key/([0-9a-f-]{36})`)
)

// learn collects the facts from the background records.
func learn(recs [][]byte) (*facts, error) {
	f := &facts{}
	seen := map[*regexp.Regexp]map[string]int{}
	for _, rec := range recs {
		var r struct {
			Region   string `json:"awsRegion"`
			Account  string `json:"recipientAccountId"`
			IP       string `json:"sourceIPAddress"`
			Identity struct {
				PrincipalID string `json:"principalId"`
				AccessKeyID string `json:"accessKeyId"`
				UserName    string `json:"userName"`
				Context     struct {
					Issuer struct {
						PrincipalID string `json:"principalId"`
						UserName    string `json:"userName"`
					} `json:"sessionIssuer"`
				} `json:"sessionContext"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal(rec, &r); err != nil {
			return nil, err
		}
		if r.Account != mainAccount || r.Region != home {
			continue
		}
		id := r.Identity
		switch {
		case id.UserName == "ci-deploy" && id.AccessKeyID != "":
			f.ciDeploy = user{id.PrincipalID, id.AccessKeyID}
		case id.UserName == "treasury-ops":
			f.treasuryOps.principalID = id.PrincipalID
		case id.Context.Issuer.UserName == "CICD-Role":
			f.cicdRoleID, f.cicdIP = id.Context.Issuer.PrincipalID, r.IP
		}
		for _, re := range []*regexp.Regexp{groupID, instanceID, vpcID, detectorID, keyID} {
			for _, m := range re.FindAllSubmatch(rec, -1) {
				if seen[re] == nil {
					seen[re] = map[string]int{}
				}
				seen[re][string(m[1])]++
			}
		}
	}
	f.groups, f.instances = byCount(seen[groupID]), byCount(seen[instanceID])
	f.vpc, f.detector = first(seen[vpcID]), first(seen[detectorID])
	if keys := byCount(seen[keyID]); len(keys) > 0 {
		f.key = keys[len(keys)-1]
	}
	if f.ciDeploy.accessKeyID == "" || f.treasuryOps.principalID == "" || f.cicdRoleID == "" ||
		len(f.groups) < 2 || len(f.instances) < 2 || f.vpc == "" || f.detector == "" || f.key == "" {
		return nil, fmt.Errorf("the background lacks some of the facts the story needs: %+v", f)
	}
	return f, nil
}

// byCount returns the keys of counts, most counted first.
func byCount(counts map[string]int) []string {
	keys := slices.Sorted(maps.Keys(counts))
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(counts[b], counts[a]) })
	return keys
}

// first returns the most counted key of counts.
func first(counts map[string]int) string {
	if keys := byCount(counts); len(keys) > 0 {
		return keys[0]
	}
	return ""
}
