package corpus

import "strings"

// The simulated organization: a bank with a few AWS accounts, the people and
// machines that call AWS in each of them, and the resources they touch.

// Accounts with a fixed role in the organization.
const (
	toolingAccount  = "444455556666" // CI/CD runners
	securityAccount = "777788889999" // security tooling
)

// aliases names the default accounts.
var aliases = map[string]string{
	"111122223333":  "payments-prod",
	toolingAccount:  "shared-services",
	securityAccount: "security-tooling",
	"222233334444":  "cards-nonprod",
}

// account is one AWS account of the organization.
type account struct {
	id    string
	alias string
	seed  uint64 // seeds the IDs of the account's resources
	net   int    // second octet of the account's 10.x.0.0/16 network
}

func newAccount(id string) *account {
	alias := aliases[id]
	if alias == "" {
		alias = "workload-" + id[max(0, len(id)-4):]
	}
	seed := hashString(0, id)
	return &account{id: id, alias: alias, seed: seed, net: 16 + int(seed%200)}
}

// kind classifies principals by how they use AWS.
type kind uint16

const (
	human      kind = 1 << iota // IAM users who are people
	robot                       // IAM users whose long-term keys automation uses
	sso                         // IAM Identity Center read-only permission-set roles
	ssoAdmin                    // IAM Identity Center permission-set roles that change things
	cicd                        // deployment pipeline roles
	workload                    // EC2, ECS and Lambda execution roles
	linked                      // service-linked roles
	auditor                     // security scanners
	awsService                  // AWS services acting on their own
)

// Groups of kinds.
const (
	people   = human | sso | ssoAdmin
	builders = robot | cicd
	readers  = people | builders | auditor | linked
)

// origin tells where a principal's calls come from.
type origin uint8

const (
	fromPeople     origin = iota // office egress, sometimes a home connection
	fromDatacenter               // the bank's on-premises datacenter
	fromNAT                      // a NAT gateway of natOf (or the record's account)
	fromInstance                 // the private address of the EC2 instance in the session name
	fromPrivate                  // some private address of the account's network
	fromLambda                   // a public address of the Lambda fleet
	fromService                  // the AWS service named by via or name
)

// principal is someone or something that calls AWS.
type principal struct {
	kind     kind
	name     string // user or role name; the service for kind service
	path     string // role path, e.g. "aws-reserved/sso.amazonaws.com/"
	via      string // service acting through a service-linked role
	home     string // account the principal lives in, if not the record's
	natOf    string // account whose NAT gateways its calls leave from
	weight   int    // share among the principals that make a call
	origin   origin
	sessions []string // session name templates, for roles
	agents   []string // user agent templates
	uses     string   // space-separated event source prefixes; empty is any

	sess []template
	ua   []template
}

// calls reports whether p makes calls to service svc.
func (p *principal) calls(svc string) bool {
	return p.uses == "" || strings.Contains(" "+p.uses+" ", " "+svc+" ")
}

const ssoPath = "aws-reserved/sso.amazonaws.com/"

// User agents.
const (
	cliJenkins = "aws-cli/2.31.18 md/awscrt#0.28.1 ua/2.1 os/linux#5.15.0-1084-aws md/arch#x86_64 lang/python#3.13.7 " +
		"md/pyimpl#CPython m/E cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#${cmd}"
	cliRunner = "aws-cli/2.31.20 md/awscrt#0.28.1 ua/2.1 os/linux#6.8.0-1036-aws md/arch#x86_64 lang/python#3.13.7 " +
		"md/pyimpl#CPython m/E cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${cmd}"
	cliMac = "aws-cli/2.31.12 md/awscrt#0.27.6 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.7 md/pyimpl#CPython " +
		"m/E,b cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${cmd}"
	terraform = "APN/1.0 HashiCorp/1.0 Terraform/1.13.4 (+https://www.terraform.io) terraform-provider-aws/6.18.0 " +
		"(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.39.4 ua/2.1 os/linux lang/go#1.24.8 " +
		"md/GOOS#linux md/GOARCH#amd64 api/${sdkapi} m/C,g"
	boto3OnPrem = "Boto3/1.40.61 md/Botocore#1.40.61 ua/2.1 os/linux#4.18.0-553.22.1.el8_10.x86_64 md/arch#x86_64 " +
		"lang/python#3.11.13 md/pyimpl#CPython m/b,Z cfg/retry-mode#legacy Botocore/1.40.61"
	boto3Fargate = "Boto3/1.40.55 md/Botocore#1.40.55 ua/2.1 os/linux#5.10.244-240.965.amzn2.x86_64 md/arch#x86_64 " +
		"lang/python#3.12.12 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE m/b,Z cfg/retry-mode#legacy Botocore/1.40.55"
	boto3Scanner = "Boto3/1.40.60 md/Botocore#1.40.60 ua/2.1 os/linux#5.10.244-240.965.amzn2.x86_64 md/arch#x86_64 " +
		"lang/python#3.12.12 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE m/b,Z cfg/retry-mode#adaptive Botocore/1.40.60"
	boto3Lambda = "Boto3/1.40.4 md/Botocore#1.40.4 ua/2.1 os/linux#5.10.240-258.953.amzn2.x86_64 md/arch#x86_64 " +
		"lang/python#3.13.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.13 m/b,Z cfg/retry-mode#legacy Botocore/1.40.4"
	goLambda = "aws-sdk-go-v2/1.39.2 ua/2.1 os/linux lang/go#1.25.1 md/GOOS#linux md/GOARCH#arm64 " +
		"exec-env/AWS_Lambda_provided.al2023 api/${sdkapi} m/E,g"
	goNode = "aws-sdk-go-v2/1.39.4 ua/2.1 os/linux lang/go#1.24.8 md/GOOS#linux md/GOARCH#amd64 api/${sdkapi} m/E,g"
	java   = "aws-sdk-java/2.35.10 Linux/6.1.155-176.282.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.8+9-LTS Java/21.0.8 " +
		"vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
	ssmAgent  = "aws-sdk-go/1.55.8 (go1.24.9; linux; amd64) amazon-ssm-agent/3.3.3050.0"
	chromeWin = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
		"Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0"
	chromeMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) " +
		"Chrome/142.0.0.0 Safari/537.36"
	firefoxWin = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0"
)

// Event sources that people browse.
const consoleServices = "s3 ec2 rds monitoring logs cloudtrail kms secretsmanager iam lambda ecs dynamodb " +
	"cloudformation sns sqs ssm guardduty config route53 athena glue elasticloadbalancing autoscaling eks " +
	"organizations signin sts"

// roster lists the principals of every account.
var roster = []*principal{
	{kind: robot, name: "ci-deploy", weight: 25, origin: fromDatacenter, agents: []string{cliJenkins, terraform},
		uses: "sts s3 ecr ecs lambda cloudformation ec2 iam logs ssm elasticloadbalancing autoscaling"},
	{kind: robot, name: "svc-reporting", weight: 25, origin: fromDatacenter, agents: []string{boto3OnPrem},
		uses: "sts s3 kms athena glue"},
	{kind: human, name: "treasury-ops", weight: 3, origin: fromPeople,
		agents: []string{chromeWin, chromeWin, cliMac}, uses: consoleServices},
	{kind: human, name: "m.osei", weight: 2, origin: fromPeople, agents: []string{firefoxWin, cliMac}, uses: consoleServices},
	{kind: sso, name: "AWSReservedSSO_ReadOnlyAccess_0b6e3f2a9c71d845", path: ssoPath, weight: 12, origin: fromPeople,
		sessions: []string{"a.martin@examplebank.com", "j.okafor@examplebank.com", "s.lindqvist@examplebank.com",
			"p.raman@examplebank.com", "l.moreau@examplebank.com"},
		agents: []string{chromeWin, chromeMac, chromeWin, cliMac}, uses: consoleServices},
	{kind: ssoAdmin, name: "AWSReservedSSO_PowerUserAccess_7d21c0f4b9a3e615", path: ssoPath, weight: 8, origin: fromPeople,
		sessions: []string{"k.tanaka@examplebank.com", "r.alvarez@examplebank.com", "j.okafor@examplebank.com"},
		agents:   []string{chromeMac, cliMac, cliMac}, uses: consoleServices},
	{kind: ssoAdmin, name: "AWSReservedSSO_AdministratorAccess_3c9a5e1f0d7b4862", path: ssoPath, weight: 3, origin: fromPeople,
		sessions: []string{"n.brennan@examplebank.com", "k.tanaka@examplebank.com"},
		agents:   []string{chromeWin, cliMac}, uses: consoleServices},
	{kind: sso, name: "AWSReservedSSO_SecurityAudit_9e4d7a2c1b5f3068", path: ssoPath, weight: 4, origin: fromPeople,
		sessions: []string{"h.adeyemi@examplebank.com", "t.varga@examplebank.com"},
		agents:   []string{chromeWin, firefoxWin}, uses: consoleServices},
	{kind: cicd, name: "CICD-Role", weight: 20, origin: fromNAT, natOf: toolingAccount,
		sessions: []string{"GitHubActions", "terraform-apply-${digits:10}"}, agents: []string{terraform, terraform, cliRunner}},
	{kind: workload, name: "payments-api-ec2-role", weight: 30, origin: fromInstance, sessions: []string{"${instance}"},
		agents: []string{java}, uses: "sts s3 kms secretsmanager ssm dynamodb sqs logs ec2"},
	{kind: workload, name: "settlement-batch-task-role", weight: 25, origin: fromPrivate, sessions: []string{"${taskid}"},
		agents: []string{boto3Fargate}, uses: "sts s3 kms secretsmanager sqs sns dynamodb ssm"},
	{kind: workload, name: "fraud-scoring-lambda-role", weight: 20, origin: fromLambda,
		sessions: []string{"fraud-scoring-score-transaction"}, agents: []string{boto3Lambda},
		uses: "dynamodb kms s3 secretsmanager sqs logs ssm"},
	{kind: workload, name: "ledger-reconcile-lambda-role", weight: 10, origin: fromLambda,
		sessions: []string{"ledger-reconcile-nightly"}, agents: []string{goLambda}, uses: "s3 kms athena glue secretsmanager logs"},
	{kind: workload, name: "compliance-rules-lambda-role", weight: 6, origin: fromLambda,
		sessions: []string{"config-rule-s3-bucket-encryption", "config-rule-sg-open-ports"}, agents: []string{boto3Lambda},
		uses: "config logs"},
	{kind: workload, name: "payments-eks-node-role", weight: 12, origin: fromInstance, sessions: []string{"${instance}"},
		agents: []string{goNode}, uses: "ecr ec2 eks sts"},
	{kind: linked, name: "AWSServiceRoleForConfig", path: "aws-service-role/config.amazonaws.com/",
		via: "config.amazonaws.com", weight: 90, origin: fromService, sessions: []string{"AWSConfig-Describe"},
		uses: "ec2 iam s3 kms rds lambda dynamodb elasticloadbalancing autoscaling sns sqs secretsmanager " +
			"cloudtrail logs ecr eks ecs guardduty cloudformation config"},
	{kind: linked, name: "AWSServiceRoleForAccessAnalyzer", path: "aws-service-role/access-analyzer.amazonaws.com/",
		via: "access-analyzer.amazonaws.com", weight: 8, origin: fromService, sessions: []string{"access-analyzer"},
		uses: "s3 iam kms secretsmanager lambda sqs sns ecr"},
	{kind: linked, name: "AWSServiceRoleForAutoScaling", path: "aws-service-role/autoscaling.amazonaws.com/",
		via: "autoscaling.amazonaws.com", weight: 6, origin: fromService, sessions: []string{"AutoScaling"},
		uses: "ec2 elasticloadbalancing"},
	{kind: linked, name: "AWSServiceRoleForECS", path: "aws-service-role/ecs.amazonaws.com/",
		via: "ecs.amazonaws.com", weight: 4, origin: fromService, sessions: []string{"ecs-service-scheduler"},
		uses: "ec2 elasticloadbalancing"},
	{kind: auditor, name: "SecurityAuditRole", weight: 15, origin: fromNAT, natOf: securityAccount,
		sessions: []string{"security-scan-${digits:10}"}, agents: []string{boto3Scanner}},

	// Principals that only the calls pinned to them use.
	{kind: awsService, name: "ec2.amazonaws.com", origin: fromService},
	{kind: awsService, name: "lambda.amazonaws.com", origin: fromService},
	{kind: awsService, name: "ecs-tasks.amazonaws.com", origin: fromService},
	{kind: awsService, name: "config.amazonaws.com", origin: fromService},
	{kind: awsService, name: "kms.amazonaws.com", origin: fromService},
	{kind: awsService, name: "secretsmanager.amazonaws.com", origin: fromService},
	{kind: awsService, name: "cloudtrail.amazonaws.com", origin: fromService},
	{kind: awsService, name: "logs.amazonaws.com", origin: fromService},
	{kind: cicd, name: "github-actions-deployer", home: toolingAccount, natOf: toolingAccount, origin: fromNAT,
		sessions: []string{"GitHubActions"}, agents: []string{cliRunner}},
	{kind: auditor, name: "security-scanner-task-role", home: securityAccount, natOf: securityAccount, origin: fromNAT,
		sessions: []string{"${taskid}"}, agents: []string{boto3Scanner}},
}

// Addresses calls come from.
var (
	officeIPs     = []string{"185.121.44.18", "185.121.44.19", "91.209.112.30"}
	datacenterIPs = []string{"194.75.112.20", "194.75.112.21"}
	homePrefixes  = []string{"86.14", "81.98", "92.40", "2.127", "109.150", "82.132"}
	natPrefixes   = map[string][]string{
		"us-east-1": {"3.218", "44.207", "52.2"}, "us-west-2": {"35.160", "44.231"},
		"eu-west-1": {"34.252", "52.49", "54.75"}, "eu-west-2": {"18.132", "35.178"},
		"eu-central-1": {"3.72", "18.196"},
	}
	lambdaPrefixes = map[string][]string{
		"us-east-1": {"3.236", "44.200", "54.87"}, "us-west-2": {"35.88", "54.186"},
		"eu-west-1": {"34.243", "54.216"}, "eu-west-2": {"3.10", "18.170"},
		"eu-central-1": {"3.121", "18.159"},
	}
)

// Names of the resources every account holds.
var (
	buckets     = []string{"settlement-files", "app-config", "data-exports", "statements-archive", "terraform-state", "lambda-artifacts", "athena-results", "access-logs"}
	kmsAlias    = []string{"payments-app", "s3-settlement", "secrets", "rds-ledger", "ebs-default", "logs"}
	secrets     = []string{"prod/payments-api/db-credentials", "prod/payments-api/jwt-signing-key", "prod/settlement/swift-gateway", "prod/fraud-scoring/model-api-key", "prod/ledger/postgres-master", "prod/cards/tokenization-hmac", "prod/treasury/fx-feed-token", "prod/reporting/smtp-relay"}
	params      = []string{"/payments-api/prod/feature-flags", "/payments-api/prod/db-host", "/settlement/prod/swift-bic", "/settlement/prod/cutoff-utc", "/fraud-scoring/prod/threshold", "/cloudwatch-agent/config"}
	functions   = []string{"fraud-scoring-score-transaction", "ledger-reconcile-nightly", "payments-webhook-dispatcher", "statement-renderer", "key-rotation-orchestrator", "config-rule-s3-bucket-encryption"}
	tables      = []string{"payments-idempotency-keys", "fraud-features", "ledger-entries", "session-store", "terraform-locks"}
	databases   = []string{"payments-core-db-1", "payments-core-db-2", "ledger-aurora-instance-1", "reporting-replica"}
	repos       = []string{"payments-api", "settlement-batch", "fraud-scoring", "ledger-reconcile"}
	roles       = []string{"CICD-Role", "payments-api-ec2-role", "settlement-batch-task-role", "fraud-scoring-lambda-role", "ledger-reconcile-lambda-role", "SecurityAuditRole", "payments-eks-node-role", "OrganizationAccountAccessRole", "break-glass-admin"}
	users       = []string{"ci-deploy", "svc-reporting", "treasury-ops", "m.osei"}
	awsPolicies = []string{"ReadOnlyAccess", "SecurityAudit", "AmazonSSMManagedInstanceCore", "AmazonEKSWorkerNodePolicy"}
	ownPolicies = []string{"payments-api-runtime", "settlement-batch-runtime", "ci-deploy-permissions"}
	logGroups   = []string{"/aws/lambda/fraud-scoring-score-transaction", "/aws/lambda/ledger-reconcile-nightly", "/ecs/settlement-batch", "/aws/eks/payments-eks-prod/cluster", "/payments-api/application", "/aws/vpc/flow-logs"}
	stacks      = []string{"payments-api-prod", "network-baseline", "config-rules-baseline", "settlement-batch-prod", "StackSet-org-guardrails-5b2e9c41-8d7f-4a36-b1e0-2f9c6d3a7e18"}
	topics      = []string{"payments-alerts", "settlement-events", "security-notifications"}
	queues      = []string{"settlement-batch-queue", "payments-webhook-dlq", "fraud-scoring-requests"}
	glueTabs    = []string{"transactions_daily", "card_authorizations", "settlement_positions", "fx_rates"}
)
