package corpus

import (
	"strconv"
	"strings"
	"time"
)

// values holds the functions that fill template placeholders.
var values = map[string]valueFunc{
	"acct":        func(c *call, b []byte, _ string) []byte { return append(b, c.acct.id...) },
	"alias":       func(c *call, b []byte, _ string) []byte { return append(b, c.acct.alias...) },
	"region":      func(c *call, b []byte, _ string) []byte { return append(b, c.region...) },
	"az":          func(c *call, b []byte, _ string) []byte { return append(append(b, c.region...), "abc"[c.intn(3)]) },
	"caller":      func(c *call, b []byte, _ string) []byte { return c.appendCallerARN(b) },
	"pname":       func(c *call, b []byte, _ string) []byte { return append(b, c.p.name...) },
	"session":     func(c *call, b []byte, _ string) []byte { return append(b, c.sess...) },
	"srcip":       func(c *call, b []byte, _ string) []byte { return append(b, c.ip...) },
	"hostname":    hostname,
	"privateIp":   func(c *call, b []byte, _ string) []byte { return c.appendPrivateIP(b, c.rand()) },
	"instanceNet": instanceNet,
	"reqid":       requestID,
	"uuid":        func(c *call, b []byte, _ string) []byte { return appendUUID(b, c.rand()) },
	"hex":         func(c *call, b []byte, n string) []byte { return appendChars(b, hexDigits, atoi(n), c.rand()) },
	"digits":      func(c *call, b []byte, n string) []byte { return appendChars(b, digits, atoi(n), c.rand()) },
	"ident":       func(c *call, b []byte, n string) []byte { return appendChars(b, base32, atoi(n), c.rand()) },
	"upper":       func(c *call, b []byte, n string) []byte { return appendChars(b, upperAlnum, atoi(n), c.rand()) },
	"int":         randomInt,
	"size":        objectSize,
	"amzid":       func(c *call, b []byte, _ string) []byte { return append(appendChars(b, base64Std, 75, c.rand()), '=') },
	"s3version":   func(c *call, b []byte, _ string) []byte { return appendChars(b, mixedAlnum, 32, c.rand()) },
	"now":         func(c *call, b []byte, _ string) []byte { return appendTime(b, c.now) },
	"javaIn":      func(c *call, b []byte, s string) []byte { return appendJavaTime(b, c.now.Add(seconds(s))) },
	"epochMs": func(c *call, b []byte, _ string) []byte {
		return strconv.AppendInt(b, c.now.UnixMilli()+int64(c.intn(1000)), 10)
	},
	"epoch": func(c *call, b []byte, s string) []byte {
		return strconv.AppendInt(b, c.now.Add(seconds(s)).Unix(), 10)
	},
	"day":      func(c *call, b []byte, _ string) []byte { return c.now.AppendFormat(b, "2006-01-02") },
	"dayPath":  func(c *call, b []byte, _ string) []byte { return c.now.AppendFormat(b, "2006/01/02") },
	"instance": func(c *call, b []byte, _ string) []byte { return c.stable(b, "i-0", "instance", 24, 16, hexDigits) },
	"ami":      func(c *call, b []byte, _ string) []byte { return c.stable(b, "ami-0", "ami", 3, 16, hexDigits) },
	"sg":       func(c *call, b []byte, _ string) []byte { return c.stable(b, "sg-0", "sg", 8, 16, hexDigits) },
	"vpc":      func(c *call, b []byte, _ string) []byte { return c.stable(b, "vpc-0", "vpc", 1, 16, hexDigits) },
	"subnet":   func(c *call, b []byte, _ string) []byte { return c.stable(b, "subnet-0", "subnet", 6, 16, hexDigits) },
	"vol":      func(c *call, b []byte, _ string) []byte { return c.stable(b, "vol-0", "vol", 40, 16, hexDigits) },
	"snap":     func(c *call, b []byte, _ string) []byte { return c.stable(b, "snap-0", "snap", 20, 16, hexDigits) },
	"zone":     func(c *call, b []byte, _ string) []byte { return c.stable(b, "Z0", "zone", 2, 19, upperAlnum) },
	"detector": func(c *call, b []byte, _ string) []byte { return c.stable(b, "", "detector", 1, 32, hexDigits) },
	"lbid":     func(c *call, b []byte, _ string) []byte { return c.stable(b, "", "alb", 1, 16, hexDigits) },
	"tgid":     func(c *call, b []byte, _ string) []byte { return c.stable(b, "", "tg", 3, 16, hexDigits) },
	"taskid":   func(c *call, b []byte, _ string) []byte { return appendChars(b, hexDigits, 32, c.rand()) },
	"asia": func(c *call, b []byte, _ string) []byte {
		return appendChars(append(b, "ASIA"...), base32, 16, c.rand())
	},
	"akia": func(c *call, b []byte, _ string) []byte {
		return appendChars(append(b, "AKIA"...), base32, 16, c.rand())
	},
	"roleId": func(c *call, b []byte, name string) []byte { return appendRoleID(b, c.acct, name) },
	"bucket": func(c *call, b []byte, _ string) []byte {
		return append(append(append(b, c.acct.alias...), '-'), buckets[c.pick(pickBucket)]...)
	},
	"objkey":    func(c *call, b []byte, _ string) []byte { return objectKeys[c.pick(pickBucket)].render(c, b) },
	"kmskey":    kmsKey,
	"kmsalias":  func(c *call, b []byte, _ string) []byte { return append(b, kmsAlias[c.pick(pickKey)]...) },
	"secret":    func(c *call, b []byte, _ string) []byte { return append(b, secrets[c.pick(pickSecret)]...) },
	"secretArn": secretARN,
	"param":     oneOf(params),
	"fn":        oneOf(functions),
	"table":     oneOf(tables),
	"db":        oneOf(databases),
	"repo":      oneOf(repos),
	"role":      oneOf(roles),
	"user":      oneOf(users),
	"loggroup":  oneOf(logGroups),
	"stack":     oneOf(stacks),
	"topic":     oneOf(topics),
	"queue":     oneOf(queues),
	"gluetable": oneOf(glueTabs),
	"policy":    policyARN,
	"cmd":       cliCommand,
	"action":    iamAction,
	"sdkapi":    func(c *call, b []byte, _ string) []byte { return append(b, c.svc.sdk...) },
	"tlsver":    func(c *call, b []byte, _ string) []byte { return append(b, tlsSuites[c.pick(pickTLS)].version...) },
	"cipher":    func(c *call, b []byte, _ string) []byte { return append(b, tlsSuites[c.pick(pickTLS)].cipher...) },
}

// Entities several placeholders of a record must agree on.
const (
	pickBucket = iota
	pickKey
	pickSecret
	pickTLS
	numPicks
)

// pickSizes is how many entities of each pick there are.
var pickSizes = [numPicks]int{len(buckets), len(kmsAlias), len(secrets), len(tlsSuites)}

// tlsSuites are the TLS versions and cipher suites clients negotiate.
var tlsSuites = []struct{ version, cipher string }{
	{"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
	{"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
	{"TLSv1.3", "TLS_AES_256_GCM_SHA384"},
	{"TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"},
}

// objectKeys holds, for each bucket of buckets, the keys its objects have.
var objectKeys []template

// objectKeySources are the templates of objectKeys.
var objectKeySources = []string{
	"inbound/${dayPath}/SETL_${digits:6}.xml",
	"payments-api/prod/application.yml",
	"exports/daily/dt=${day}/part-${digits:5}-${uuid}.snappy.parquet",
	"statements/${dayPath}/acct-${digits:10}.pdf",
	"env/prod/payments-api/terraform.tfstate",
	"fraud-scoring/build-${digits:4}.zip",
	"results/${uuid}.csv",
	"alb/AWSLogs/${acct}/elasticloadbalancing/${region}/${dayPath}/${acct}_elasticloadbalancing_${region}_app.payments-api-alb.${lbid}_${hex:8}.log.gz",
}

// oneOf fills a placeholder with one of names.
func oneOf(names []string) valueFunc {
	return func(c *call, b []byte, _ string) []byte { return append(b, names[c.intn(len(names))]...) }
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic("corpus: bad number in placeholder: " + s)
	}
	return n
}

func seconds(s string) time.Duration { return time.Duration(atoi(s)) * time.Second }

// randomInt fills ${int:lo-hi}.
func randomInt(c *call, b []byte, span string) []byte {
	lo, hi, _ := strings.Cut(span, "-")
	l := atoi(lo)
	return strconv.AppendInt(b, int64(l+c.intn(atoi(hi)-l+1)), 10)
}

// objectSize fills ${size}: object sizes from a few hundred bytes to tens of
// megabytes, small ones more often.
func objectSize(c *call, b []byte, _ string) []byte {
	n := int64(256) << c.intn(18)
	return strconv.AppendInt(b, n+int64(c.intn(int(n))), 10)
}

// hostname fills ${hostname}: the private DNS name of the caller's address.
func hostname(c *call, b []byte, _ string) []byte {
	return appendHostname(b, c.ip, c.region)
}

// appendHostname appends the private DNS name EC2 gives address ip.
func appendHostname[T string | []byte](b []byte, ip T, region string) []byte {
	b = append(b, "ip-"...)
	for i := 0; i < len(ip); i++ {
		ch := ip[i]
		if ch == '.' {
			ch = '-'
		}
		b = append(b, ch)
	}
	if region == "us-east-1" {
		return append(b, ".ec2.internal"...)
	}
	return append(append(append(b, '.'), region...), ".compute.internal"...)
}

// instanceNet fills ${instanceNet} with the privateDnsName and
// privateIpAddress members of a new instance.
func instanceNet(c *call, b []byte, _ string) []byte {
	from := len(b)
	b = c.appendPrivateIP(b, c.rand())
	ip := string(b[from:])
	b = appendHostname(append(b[:from], `"privateDnsName":"`...), ip, c.region)
	return append(append(append(b, `","privateIpAddress":"`...), ip...), '"')
}

// requestID fills ${reqid} in the style of the record's service.
func requestID(c *call, b []byte, _ string) []byte {
	if c.svc.s3IDs {
		return appendChars(b, upperAlnum, 16, c.rand())
	}
	return appendUUID(b, c.rand())
}

// kmsKey fills ${kmskey}: the ID of one of the account's keys in the region.
func kmsKey(c *call, b []byte, _ string) []byte {
	return appendUUID(b, c.acct.seed^hashString(hashString(uint64(c.pick(pickKey)), "kms"), c.region))
}

// secretARN fills ${secretArn}, whose last six characters AWS picks at random
// when the secret is made.
func secretARN(c *call, b []byte, _ string) []byte {
	name := secrets[c.pick(pickSecret)]
	b = append(b, "arn:aws:secretsmanager:"...)
	b = append(append(b, c.region...), ':')
	b = append(append(b, c.acct.id...), ":secret:"...)
	b = append(append(b, name...), '-')
	return appendChars(b, mixedAlnum, 6, c.acct.seed^hashString(hashString(0, name), c.region))
}

// policyARN fills ${policy} with an AWS or a customer managed policy.
func policyARN(c *call, b []byte, _ string) []byte {
	i := c.intn(len(awsPolicies) + len(ownPolicies))
	if i < len(awsPolicies) {
		return append(append(b, "arn:aws:iam::aws:policy/"...), awsPolicies[i]...)
	}
	b = append(append(b, "arn:aws:iam::"...), c.acct.id...)
	return append(append(b, ":policy/"...), ownPolicies[i-len(awsPolicies)]...)
}

// appendRoleID appends the unique ID IAM gave role name in account a.
func appendRoleID(b []byte, a *account, name string) []byte {
	return appendChars(append(b, "AROA"...), base32, 17, a.seed^hashString(1, name))
}

// cliCommand fills ${cmd}, the "service.operation" an AWS CLI user agent
// names, e.g. "ec2.describe-instances".
func cliCommand(c *call, b []byte, _ string) []byte {
	b = append(append(b, c.svc.cli...), '.')
	name := operation(c.e.name)
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if isUpper(ch) {
			if i > 0 && (!isUpper(name[i-1]) || i+1 < len(name) && !isUpper(name[i+1])) {
				b = append(b, '-')
			}
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	return b
}

// iamAction fills ${action}, the IAM action of the call, e.g. "kms:Decrypt".
func iamAction(c *call, b []byte, _ string) []byte {
	b = append(append(b, c.svc.action...), ':')
	return append(b, operation(c.e.name)...)
}

// operation drops the API version Lambda appends to its event names.
func operation(eventName string) string {
	if i := strings.IndexAny(eventName, digits); i > 0 {
		return eventName[:i]
	}
	return eventName
}

func isUpper(ch byte) bool { return 'A' <= ch && ch <= 'Z' }
