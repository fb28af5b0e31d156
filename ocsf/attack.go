package ocsf

import (
	"regexp"
	"strings"
)

// Attack is the OCSF attack object: a MITRE ATT&CK tactic, technique and
// sub-technique. It has at least one of the three.
type Attack struct {
	Tactic    *Tactic    `json:"tactic,omitempty"`
	Technique *Technique `json:"technique,omitempty"`
	// SubTechnique has the shape of a technique: its uid is the full
	// sub-technique id (T1098.001), Technique's its parent's (T1098).
	SubTechnique *Technique `json:"sub_technique,omitempty"`
}

// Tactic is the OCSF tactic object: an ATT&CK tactic.
type Tactic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	SrcURL string `json:"src_url,omitempty"`
}

// Technique is the OCSF technique object (and sub_technique object, which
// has the same attributes): an ATT&CK technique or sub-technique.
type Technique struct {
	UID    string `json:"uid"`
	SrcURL string `json:"src_url,omitempty"`
}

// tactics are the tactics of ATT&CK for Enterprise by the name rules tag
// them with (attack.<name>), with their ids and names.
var tactics = map[string]Tactic{
	"reconnaissance":       {UID: "TA0043", Name: "Reconnaissance"},
	"resource-development": {UID: "TA0042", Name: "Resource Development"},
	"initial-access":       {UID: "TA0001", Name: "Initial Access"},
	"execution":            {UID: "TA0002", Name: "Execution"},
	"persistence":          {UID: "TA0003", Name: "Persistence"},
	"privilege-escalation": {UID: "TA0004", Name: "Privilege Escalation"},
	"defense-evasion":      {UID: "TA0005", Name: "Defense Evasion"},
	"credential-access":    {UID: "TA0006", Name: "Credential Access"},
	"discovery":            {UID: "TA0007", Name: "Discovery"},
	"lateral-movement":     {UID: "TA0008", Name: "Lateral Movement"},
	"collection":           {UID: "TA0009", Name: "Collection"},
	"exfiltration":         {UID: "TA0010", Name: "Exfiltration"},
	"command-and-control":  {UID: "TA0011", Name: "Command and Control"},
	"impact":               {UID: "TA0040", Name: "Impact"},
}

// techniqueTag matches the tag of a technique (attack.t1098) or a
// sub-technique (attack.t1098.001), lowercased.
var techniqueTag = regexp.MustCompile(`^attack\.t(\d{4})(?:\.(\d{3}))?$`)

// attacks returns the ATT&CK tactics and techniques of a rule's tags, as
// Sigma writes them: attack.persistence, attack.t1098.001 (case aside, and
// with attack.defense_evasion as older rules write it). Other tags are
// not ATT&CK's or not tactics and techniques (groups, software) and are
// left out.
//
// Tags do not say which tactic a technique serves. When a rule names one
// tactic, each of its techniques is paired with it; otherwise each tactic
// and each technique is an attack of its own, rather than pairing
// techniques with tactics they may not belong to. A rule with tactics and
// no technique has an attack per tactic.
func attacks(tags []string) []Attack {
	var tacs []Tactic
	var techs []Attack
	seen := map[string]bool{}
	for _, tag := range tags {
		tag = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), "_", "-")
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if t, ok := tactic(tag); ok {
			tacs = append(tacs, t)
		} else if t, ok := technique(tag); ok {
			techs = append(techs, t)
		}
	}
	if len(tacs) == 1 && len(techs) > 0 {
		for i := range techs {
			techs[i].Tactic = &tacs[0]
		}
		return techs
	}
	var out []Attack
	for i := range tacs {
		out = append(out, Attack{Tactic: &tacs[i]})
	}
	return append(out, techs...)
}

// tactic returns the tactic of a tag like attack.defense-evasion.
func tactic(tag string) (Tactic, bool) {
	name, ok := strings.CutPrefix(tag, "attack.")
	if !ok {
		return Tactic{}, false
	}
	t, ok := tactics[name]
	if !ok {
		return Tactic{}, false
	}
	t.SrcURL = "https://attack.mitre.org/tactics/" + t.UID + "/"
	return t, true
}

// technique returns the attack of a tag like attack.t1098 or
// attack.t1098.001: the technique, and the sub-technique if it is one.
func technique(tag string) (Attack, bool) {
	m := techniqueTag.FindStringSubmatch(tag)
	if m == nil {
		return Attack{}, false
	}
	id := "T" + m[1]
	a := Attack{Technique: &Technique{UID: id, SrcURL: "https://attack.mitre.org/techniques/" + id + "/"}}
	if m[2] != "" {
		a.SubTechnique = &Technique{
			UID:    id + "." + m[2],
			SrcURL: "https://attack.mitre.org/techniques/" + id + "/" + m[2] + "/",
		}
	}
	return a, true
}
