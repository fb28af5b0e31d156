// Package bench measures vigil on a realistic CloudTrail corpus: the
// engine alone with the built-in pack and with 1,000 and 10,000 generated
// patterns, vigil scan end to end, and, as the yardstick, merely parsing
// every record with a fast JSON parser. run.sh runs it all.
package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Patterns returns n event patterns shaped like a large detection library
// written for CloudTrail, as JSON, the same for the same seed:
//
//   - 60% watch a change: one to three write calls of a service (from a
//     vocabulary of ~2,500 names, most of them absent from any given
//     account's traffic, some present), often excluding failed calls, AWS
//     services or a pipeline role;
//   - 25% watch a read call of the commonest kinds (GetObject, AssumeRole,
//     GetSecretValue, Decrypt, ...) only on one sensitive resource or one
//     principal: a bucket, a secret, a role, a key;
//   - 10% watch failures: a service answering AccessDenied or
//     UnauthorizedOperation to someone;
//   - 5% use the heavier operators: ports in numeric ranges, CIDRs,
//     wildcards over policy documents, equals-ignore-case.
//
// known are write calls seen in the corpus, ("iam", "CreateUser") pairs, so
// that some patterns name calls that do occur.
func Patterns(n int, seed uint64, known [][2]string) []string {
	g := &patternGen{rng: rand.New(rand.NewPCG(seed, seed^0xa5a5a5a5)), known: known}
	out := make([]string, n)
	for i := range out {
		switch x := g.rng.IntN(100); {
		case x < 60:
			out[i] = g.change()
		case x < 85:
			out[i] = g.sensitiveRead(i)
		case x < 95:
			out[i] = g.failure()
		default:
			out[i] = g.heavy(i)
		}
	}
	return out
}

type patternGen struct {
	rng   *rand.Rand
	known [][2]string
}

var (
	services = []string{"iam", "s3", "ec2", "kms", "sts", "lambda", "rds", "dynamodb", "ssm", "secretsmanager", "ecr", "eks",
		"ecs", "elasticloadbalancing", "autoscaling", "cloudformation", "sns", "sqs", "cloudtrail", "config", "guardduty",
		"organizations", "route53", "logs", "monitoring", "events", "glue", "athena", "kinesis", "firehose", "backup",
		"acm", "wafv2", "shield", "cognito-idp", "apigateway", "elasticache", "redshift", "sagemaker", "codebuild",
		"codepipeline", "codecommit", "securityhub", "inspector2", "access-analyzer", "sso", "ram", "transfer",
		"payment-cryptography", "cloudhsm", "directconnect", "networkfirewall", "es", "opensearch", "emr", "batch",
		"stepfunctions", "appsync", "elasticfilesystem", "fsx"}
	verbs = []string{"Create", "Delete", "Update", "Put", "Attach", "Detach", "Modify", "Enable", "Disable", "Associate",
		"Disassociate", "Add", "Remove", "Set", "Reset", "Start", "Stop", "Register", "Deregister", "Import", "Export",
		"Revoke", "Authorize", "Grant", "Replace", "Restore", "Copy", "Tag", "Untag", "Share"}
	nouns = []string{"Bucket", "BucketPolicy", "Policy", "User", "Role", "Group", "AccessKey", "Instance", "Snapshot",
		"Volume", "Image", "SecurityGroup", "Route", "RouteTable", "Subnet", "Vpc", "Key", "Alias", "Grant", "Secret",
		"Parameter", "Function", "Layer", "Cluster", "Nodegroup", "Service", "TaskDefinition", "Trail", "Detector",
		"Filter", "Rule", "Targets", "Topic", "Queue", "Subscription", "Stack", "ChangeSet", "HostedZone", "Certificate",
		"LoadBalancer", "Listener", "TargetGroup", "DBInstance", "DBSnapshot", "DBCluster", "Table", "BackupVault",
		"Repository", "Pipeline", "Project", "Domain", "Endpoint", "Workgroup", "Database", "Crawler", "Job",
		"Connection", "Permission", "Configuration", "LoggingConfiguration", "EncryptionConfiguration", "Webhook",
		"Member", "Account", "ResourcePolicy", "LifecyclePolicy", "Replication", "FlowLogs", "NetworkAcl", "Gateway",
		"PeeringConnection", "Recorder", "DeliveryChannel", "Standard", "Insight", "Analyzer", "PermissionSet",
		"ResourceShare", "Server", "Firewall", "FirewallPolicy", "Tags"}
	commonReads = [][2]string{{"s3", "GetObject"}, {"sts", "AssumeRole"}, {"secretsmanager", "GetSecretValue"},
		{"kms", "Decrypt"}, {"ssm", "GetParameter"}, {"s3", "PutObject"}, {"kms", "GenerateDataKey"},
		{"dynamodb", "GetItem"}, {"lambda", "Invoke"}, {"ec2", "DescribeInstances"}, {"iam", "GetRole"}}
	resources = []string{"payroll-exports-prod", "customer-statements-archive", "core-banking-backups",
		"swift-gateway-config", "card-vault-keys", "treasury-reports", "kyc-documents-prod", "fraud-model-artifacts",
		"ledger-snapshots", "aml-case-files", "mobile-app-release", "atm-fleet-telemetry"}
	errorCodes = []string{"AccessDenied", "Client.UnauthorizedOperation", "UnauthorizedOperation", "AccessDeniedException"}
)

func (g *patternGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// call returns a service and a write call of it: a known one now and then.
func (g *patternGen) call() (string, string) {
	if len(g.known) > 0 && g.rng.IntN(10) == 0 {
		k := g.known[g.rng.IntN(len(g.known))]
		return k[0], k[1]
	}
	return g.pick(services), g.pick(verbs) + g.pick(nouns)
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ",")
}

func envelope(svc, detail string) string {
	return fmt.Sprintf(`{"source":["aws.%s"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["%s.amazonaws.com"],%s}}`,
		svc, svc, detail)
}

func (g *patternGen) change() string {
	svc, name := g.call()
	names := []string{name}
	for range g.rng.IntN(3) {
		names = append(names, g.pick(verbs)+g.pick(nouns))
	}
	detail := fmt.Sprintf(`"eventName":[%s]`, quoteAll(names))
	if g.rng.IntN(2) == 0 {
		detail += `,"errorCode":[{"exists":false}]`
	}
	switch g.rng.IntN(5) {
	case 0:
		detail += `,"userIdentity":{"type":[{"anything-but":["AWSService"]}]}`
	case 1:
		detail += `,"userIdentity":{"arn":[{"anything-but":{"prefix":"arn:aws:sts::111122223333:assumed-role/CICD-Role"}}]}`
	}
	return envelope(svc, detail)
}

func (g *patternGen) sensitiveRead(i int) string {
	r := commonReads[g.rng.IntN(len(commonReads))]
	res := fmt.Sprintf("%s-%03d", g.pick(resources), i%500)
	var cond string
	switch g.rng.IntN(3) {
	case 0:
		cond = fmt.Sprintf(`"requestParameters":{"bucketName":[%q]}`, res)
	case 1:
		cond = fmt.Sprintf(`"requestParameters":{"secretId":[{"prefix":"arn:aws:secretsmanager:us-east-1:111122223333:secret:%s"}]}`, res)
	default:
		cond = fmt.Sprintf(`"userIdentity":{"arn":[{"prefix":"arn:aws:sts::111122223333:assumed-role/%s"}]}`, res)
	}
	return envelope(r[0], fmt.Sprintf(`"eventName":[%q],%s`, r[1], cond))
}

func (g *patternGen) failure() string {
	svc := g.pick(services)
	return envelope(svc, fmt.Sprintf(`"errorCode":[%q],"userIdentity":{"type":["IAMUser","AssumedRole"]}`, g.pick(errorCodes)))
}

func (g *patternGen) heavy(i int) string {
	switch g.rng.IntN(4) {
	case 0:
		port := []int{22, 3389, 3306, 5432, 1433, 6379, 9200, 27017}[g.rng.IntN(8)]
		return envelope("ec2", fmt.Sprintf(`"eventName":["AuthorizeSecurityGroupIngress"],"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":["<=",%d]}],"toPort":[{"numeric":[">=",%d]}],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}`, port, port))
	case 1:
		return envelope("iam", fmt.Sprintf(`"eventName":["PutUserPolicy","PutRolePolicy"],"requestParameters":{"policyDocument":[{"wildcard":"*\"Action\":\"%s:*\"*"}]}`, g.pick(services)))
	case 2:
		return envelope(g.pick(services), fmt.Sprintf(`"eventName":[{"equals-ignore-case":%q}]`, g.pick(verbs)+g.pick(nouns)))
	}
	return envelope("signin", fmt.Sprintf(`"eventName":["ConsoleLogin"],"sourceIPAddress":[{"cidr":"198.51.%d.0/24"}]`, i%256))
}
