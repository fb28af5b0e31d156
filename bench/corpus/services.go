package corpus

// service describes how one AWS service shows up in CloudTrail.
type service struct {
	source   string // eventSource
	version  string // eventVersion of its records
	action   string // IAM action prefix
	cli      string // AWS CLI command name
	sdk      string // Go SDK module and version, as in its user agent
	deny     string // errorCode of an access denial
	throttle string // errorCode of throttling
	hostSrc  string // TLS host header template
	s3IDs    bool   // requestIDs are S3's 16-character ones

	host template
}

// Error codes shared by many services.
const (
	denied        = "AccessDenied"
	deniedExc     = "AccessDeniedException"
	throttlingExc = "ThrottlingException"
	throttling    = "Throttling"
)

// regional builds the description of a service with a regional endpoint.
func regional(name, version, action, sdk, deny, throttle string) *service {
	return &service{
		source: name + ".amazonaws.com", version: version, action: action, cli: name, sdk: sdk,
		deny: deny, throttle: throttle, hostSrc: name + ".${region}.amazonaws.com",
	}
}

// services maps the eventSource prefix to the service.
var services = map[string]*service{
	"ec2": {source: "ec2.amazonaws.com", version: "1.09", action: "ec2", cli: "ec2", sdk: "ec2#1.254.1",
		deny: "Client.UnauthorizedOperation", throttle: "Client.RequestLimitExceeded", hostSrc: "ec2.${region}.amazonaws.com"},
	"s3": {source: "s3.amazonaws.com", version: "1.09", action: "s3", cli: "s3api", sdk: "s3#1.88.4",
		deny: denied, throttle: "SlowDown", hostSrc: "${bucket}.s3.${region}.amazonaws.com", s3IDs: true},
	"iam": {source: "iam.amazonaws.com", version: "1.08", action: "iam", cli: "iam", sdk: "iam#1.47.8",
		deny: denied, throttle: throttling, hostSrc: "iam.amazonaws.com"},
	"sts":      regional("sts", "1.08", "sts", "sts#1.38.9", denied, throttling),
	"kms":      regional("kms", "1.08", "kms", "kms#1.45.6", deniedExc, throttlingExc),
	"lambda":   regional("lambda", "1.08", "lambda", "lambda#1.77.8", deniedExc, "TooManyRequestsException"),
	"rds":      regional("rds", "1.08", "rds", "rds#1.108.2", denied, throttling),
	"dynamodb": regional("dynamodb", "1.08", "dynamodb", "dynamodb#1.51.1", deniedExc, throttlingExc),
	"monitoring": {source: "monitoring.amazonaws.com", version: "1.08", action: "cloudwatch", cli: "cloudwatch",
		sdk: "cloudwatch#1.51.2", deny: denied, throttle: throttling, hostSrc: "monitoring.${region}.amazonaws.com"},
	"logs":           regional("logs", "1.08", "logs", "cloudwatchlogs#1.58.4", deniedExc, throttlingExc),
	"ssm":            regional("ssm", "1.08", "ssm", "ssm#1.65.1", deniedExc, throttlingExc),
	"secretsmanager": regional("secretsmanager", "1.09", "secretsmanager", "secretsmanager#1.39.6", deniedExc, throttlingExc),
	"ecr":            regional("ecr", "1.08", "ecr", "ecr#1.50.5", deniedExc, throttlingExc),
	"eks":            regional("eks", "1.08", "eks", "eks#1.74.2", deniedExc, throttlingExc),
	"elasticloadbalancing": {source: "elasticloadbalancing.amazonaws.com", version: "1.08", action: "elasticloadbalancing",
		cli: "elbv2", sdk: "elasticloadbalancingv2#1.50.7", deny: denied, throttle: throttling,
		hostSrc: "elasticloadbalancing.${region}.amazonaws.com"},
	"autoscaling":    regional("autoscaling", "1.08", "autoscaling", "autoscaling#1.59.1", denied, throttling),
	"cloudformation": regional("cloudformation", "1.08", "cloudformation", "cloudformation#1.67.3", denied, throttling),
	"sns":            regional("sns", "1.08", "sns", "sns#1.38.3", denied, throttling),
	"sqs":            regional("sqs", "1.08", "sqs", "sqs#1.42.9", denied, throttling),
	"signin": {source: "signin.amazonaws.com", version: "1.08", action: "signin", cli: "signin",
		hostSrc: "signin.aws.amazon.com"},
	"config":        regional("config", "1.08", "config", "configservice#1.58.1", deniedExc, throttlingExc),
	"guardduty":     regional("guardduty", "1.08", "guardduty", "guardduty#1.64.2", deniedExc, throttlingExc),
	"cloudtrail":    regional("cloudtrail", "1.09", "cloudtrail", "cloudtrail#1.53.6", deniedExc, throttlingExc),
	"organizations": regional("organizations", "1.08", "organizations", "organizations#1.45.1", deniedExc, "TooManyRequestsException"),
	"route53": {source: "route53.amazonaws.com", version: "1.08", action: "route53", cli: "route53",
		sdk: "route53#1.58.4", deny: denied, throttle: throttling, hostSrc: "route53.amazonaws.com"},
	"ecs":    regional("ecs", "1.08", "ecs", "ecs#1.65.2", deniedExc, throttlingExc),
	"athena": regional("athena", "1.08", "athena", "athena#1.55.5", deniedExc, throttlingExc),
	"glue":   regional("glue", "1.08", "glue", "glue#1.128.1", deniedExc, throttlingExc),
}
