package main

import (
	"fmt"
	"time"
)

// Where the attacker works from, and with what.
const (
	attackerIP = "203.0.113.50"
	consoleIP  = "198.51.100.23"
	attackerUA = "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 " +
		"lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.2"
	consoleUA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
)

// How the bank's own people and pipeline work.
const (
	officeIP = "185.121.44.18"
	officeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
		"Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0"
	runnerUA = "aws-cli/2.31.20 md/awscrt#0.28.1 ua/2.1 os/linux#6.8.0-1036-aws md/arch#x86_64 lang/python#3.13.7 " +
		"md/pyimpl#CPython m/E cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#"
	terraformUA = "APN/1.0 HashiCorp/1.0 Terraform/1.13.4 (+https://www.terraform.io) terraform-provider-aws/6.18.0 " +
		"(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.39.4 ua/2.1 os/linux lang/go#1.24.8 " +
		"md/GOOS#linux md/GOARCH#amd64 api/"
)

// Resources the story touches.
const (
	trail        = "payments-prod-cloudtrail"
	trailARN     = "arn:aws:cloudtrail:us-east-1:" + mainAccount + ":trail/" + trail
	publicBucket = "payments-prod-statements-archive"
	openBucket   = "payments-prod-data-exports"
	backdoor     = "svc-backup"
	mfaARN       = "arn:aws:iam::" + mainAccount + ":mfa/treasury-ops"
	loginTo      = `"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_`
)

// stolenSecrets are the secrets the attacker reads.
var stolenSecrets = []string{
	"prod/payments-api/db-credentials", "prod/payments-api/jwt-signing-key", "prod/payments-api/redis-auth",
	"prod/settlement/swift-gateway", "prod/settlement/sftp-partner-key", "prod/fraud-scoring/model-api-key",
	"prod/ledger/postgres-master", "prod/ledger/readonly-replica", "prod/cards/tokenization-hmac",
	"prod/cards/pin-translation-key", "prod/treasury/fx-feed-token", "prod/treasury/market-data-token",
	"prod/reporting/smtp-relay", "prod/open-banking/client-secret", "prod/shared/oncall-webhook",
}

// story returns the attack and the benign look-alikes, in time order.
func story(f *facts) []event {
	var events []event
	for _, part := range [][]event{
		lookAlikesMorning(f), discovery(f), persistence(f), defenseEvasion(f), exposure(f), exfiltration(f),
		secrets(f), takeover(f), consoleAccess(f), impact(f), lookAlikesLater(f),
	} {
		events = append(events, part...)
	}
	return events
}

// attacker calls with the stolen access key of ci-deploy.
func (f *facts) attacker() actor {
	return actor{ip: attackerIP, agent: attackerUA, identity: fmt.Sprintf(
		`{"type":"IAMUser","principalId":"%s","arn":"arn:aws:iam::%s:user/ci-deploy","accountId":"%s","accessKeyId":"%s","userName":"ci-deploy"}`,
		f.ciDeploy.principalID, mainAccount, mainAccount, f.ciDeploy.accessKeyID)}
}

// root is the attacker in a console session of the root user.
func root(accessKey, since string) actor {
	return actor{ip: consoleIP, agent: consoleUA, console: true, identity: fmt.Sprintf(
		`{"type":"Root","principalId":"%s","arn":"arn:aws:iam::%s:root","accountId":"%s","accessKeyId":"%s",`+
			`"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}}`,
		mainAccount, mainAccount, mainAccount, accessKey, since)}
}

// pipeline is a session of CICD-Role, the bank's deployment pipeline, with
// the given user agent.
func (f *facts) pipeline(session, since, agent string) actor {
	return actor{ip: f.cicdIP, agent: agent, identity: fmt.Sprintf(
		`{"type":"AssumedRole","principalId":"%s:%s","arn":"arn:aws:sts::%s:assumed-role/CICD-Role/%s","accountId":"%s","accessKeyId":"ASIA%s",`+
			`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"%s","arn":"arn:aws:iam::%s:role/CICD-Role","accountId":"%s","userName":"CICD-Role"},`+
			`"webIdFederationData":{},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}}`,
		f.cicdRoleID, session, mainAccount, session, mainAccount, chars(base32, 16),
		f.cicdRoleID, mainAccount, mainAccount, since)}
}

// javaTime renders a time of the day the way some responses do.
func javaTime(at string) string {
	t, err := time.Parse(time.DateTime, day.Format(time.DateOnly)+" "+at)
	if err != nil {
		panic(err)
	}
	return t.Format("Jan 2, 2006, 3:04:05 PM")
}

// s3Extra is the additionalEventData of an S3 management call.
func s3Extra(in int) string {
	return fmt.Sprintf(`{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":%d,`+
		`"AuthenticationMethod":"AuthHeader","x-amz-id-2":"%s=","bytesTransferredOut":0}`, in, chars(base64Alphabet, 75))
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func bucketRes(bucket string) string {
	return `[{"accountId":"` + mainAccount + `","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::` + bucket + `"}]`
}

func keyRes(key string) string {
	return `[{"accountId":"` + mainAccount + `","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:` + mainAccount + `:key/` + key + `"}]`
}

// lookAlikesMorning: treasury-ops signs in to the console with MFA.
func lookAlikesMorning(f *facts) []event {
	who := actor{ip: officeIP, agent: officeUA, identity: fmt.Sprintf(
		`{"type":"IAMUser","principalId":"%s","arn":"arn:aws:iam::%s:user/treasury-ops","accountId":"%s","userName":"treasury-ops"}`,
		f.treasuryOps.principalID, mainAccount, mainAccount)}
	return []event{{at: "07:42:18", by: who, source: "signin", name: "ConsoleLogin", signin: true, host: "signin.aws.amazon.com",
		resp:  `{"ConsoleLogin":"Success"}`,
		extra: `{` + loginTo + chars(hexDigits, 16) + `","MobileVersion":"No","MFAIdentifier":"` + mfaARN + `","MFAUsed":"Yes"}`}}
}

// discovery: the attacker finds out whose key it holds and what it may do.
func discovery(f *facts) []event {
	a := f.attacker()
	return []event{
		{at: "08:14:07", by: a, source: "sts", name: "GetCallerIdentity", readOnly: true},
		{at: "08:14:31", by: a, source: "iam", name: "ListUsers", readOnly: true, host: "iam.amazonaws.com"},
		{at: "08:14:52", by: a, source: "iam", name: "ListAttachedUserPolicies", readOnly: true, host: "iam.amazonaws.com",
			req: `{"userName":"ci-deploy"}`},
		{at: "08:15:20", by: a, source: "s3", name: "ListBuckets", readOnly: true, host: "s3.us-east-1.amazonaws.com",
			req: `{"Host":"s3.us-east-1.amazonaws.com"}`, extra: s3Extra(0)},
	}
}

// persistence: a new administrator with keys and a console password.
func persistence(f *facts) []event {
	a := f.attacker()
	iam := func(at, name, req, resp string) event {
		return event{at: at, by: a, source: "iam", name: name, req: req, resp: resp, host: "iam.amazonaws.com"}
	}
	return []event{
		iam("08:21:03", "CreateUser", `{"userName":"`+backdoor+`"}`, fmt.Sprintf(
			`{"user":{"path":"/","userName":"%s","userId":"AIDA%s","arn":"arn:aws:iam::%s:user/%s","createDate":"%s"}}`,
			backdoor, chars(base32, 17), mainAccount, backdoor, javaTime("08:21:03"))),
		iam("08:21:19", "CreateAccessKey", `{"userName":"`+backdoor+`"}`, fmt.Sprintf(
			`{"accessKey":{"userName":"%s","accessKeyId":"AKIA%s","status":"Active","createDate":"%s"}}`,
			backdoor, chars(base32, 16), javaTime("08:21:19"))),
		iam("08:21:40", "AttachUserPolicy", `{"userName":"`+backdoor+`","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, ""),
		iam("08:22:05", "CreateLoginProfile", `{"userName":"`+backdoor+`","passwordResetRequired":false}`, fmt.Sprintf(
			`{"loginProfile":{"userName":"%s","createDate":"%s","passwordResetRequired":false}}`, backdoor, javaTime("08:22:05"))),
	}
}

// defenseEvasion: the account's trail, GuardDuty and Config go quiet. The
// organization trail, which delivers this archive, cannot be stopped from
// a member account and keeps recording.
func defenseEvasion(f *facts) []event {
	a := f.attacker()
	return []event{
		{at: "08:27:12", by: a, source: "cloudtrail", name: "StopLogging", req: `{"name":"` + trailARN + `"}`},
		{at: "08:27:38", by: a, source: "cloudtrail", name: "UpdateTrail",
			req: `{"name":"` + trail + `","isMultiRegionTrail":false,"includeGlobalServiceEvents":false,"enableLogFileValidation":false}`,
			resp: `{"name":"` + trail + `","s3BucketName":"payments-prod-cloudtrail-logs","includeGlobalServiceEvents":false,"isMultiRegionTrail":false,` +
				`"trailARN":"` + trailARN + `","logFileValidationEnabled":false,"isOrganizationTrail":false}`},
		{at: "08:28:10", by: a, source: "guardduty", name: "DeleteDetector", req: `{"detectorId":"` + f.detector + `"}`},
		{at: "08:28:41", by: a, source: "config", name: "StopConfigurationRecorder", req: `{"configurationRecorderName":"default"}`},
	}
}

// openToWorld is an AuthorizeSecurityGroupIngress opening port to every
// IPv4 and IPv6 address.
func openToWorld(at string, a actor, group string, port int) event {
	perm := fmt.Sprintf(`{"ipProtocol":"tcp","fromPort":%d,"toPort":%d,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},`+
		`"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]},"prefixListIds":{}}`, port, port)
	rule := func(cidr string) string {
		return fmt.Sprintf(`{"groupOwnerId":"%s","groupId":"%s","securityGroupRuleId":"sgr-0%s","isEgress":false,"ipProtocol":"tcp","fromPort":%d,"toPort":%d,%s}`,
			mainAccount, group, chars(hexDigits, 16), port, port, cidr)
	}
	return event{at: at, by: a, source: "ec2", name: "AuthorizeSecurityGroupIngress",
		req:  `{"groupId":"` + group + `","ipPermissions":{"items":[` + perm + `]}}`,
		resp: `{"requestId":"$REQUEST_ID","_return":true,"securityGroupRuleSet":{"items":[` + rule(`"cidrIpv4":"0.0.0.0/0"`) + `,` + rule(`"cidrIpv6":"::/0"`) + `]}}`}
}

// exposure: SSH and MySQL open to the internet, and a new way out of the
// VPC that bypasses the NAT gateway and its egress controls.
func exposure(f *facts) []event {
	a := f.attacker()
	igw := "igw-0" + chars(hexDigits, 16)
	ok := `{"requestId":"$REQUEST_ID","_return":true}`
	nat := "nat-0" + chars(hexDigits, 16)
	return []event{
		openToWorld("08:34:15", a, f.groups[0], 22),
		openToWorld("08:34:29", a, f.groups[1], 3306),
		{at: "08:39:02", by: a, source: "ec2", name: "CreateInternetGateway", req: `{}`,
			resp: `{"requestId":"$REQUEST_ID","internetGateway":{"internetGatewayId":"` + igw + `","ownerId":"` + mainAccount + `","attachmentSet":{},"tagSet":{}}}`},
		{at: "08:39:20", by: a, source: "ec2", name: "AttachInternetGateway", resp: ok,
			req: `{"internetGatewayId":"` + igw + `","vpcId":"` + f.vpc + `"}`},
		{at: "08:39:51", by: a, source: "ec2", name: "CreateRoute", resp: ok,
			req: `{"routeTableId":"rtb-0` + chars(hexDigits, 16) + `","destinationCidrBlock":"0.0.0.0/0","gatewayId":"` + igw + `"}`},
		{at: "08:41:10", by: a, source: "ec2", name: "DeleteNatGateway",
			req:  `{"DeleteNatGatewayRequest":{"NatGatewayId":"` + nat + `"}}`,
			resp: `{"DeleteNatGatewayResponse":{"xmlns":"http://ec2.amazonaws.com/doc/2016-11-15/","natGatewayId":"` + nat + `","requestId":"$REQUEST_ID"}}`},
	}
}

// exfiltration: a disk snapshot and a database snapshot shared out, and two
// buckets opened to the public.
func exfiltration(f *facts) []event {
	a := f.attacker()
	dbSnapshot := "payments-core-db-1-pre-release-20261119"
	s3 := func(at, name, bucket, body string) event {
		return event{at: at, by: a, source: "s3", name: name, host: bucket + ".s3.us-east-1.amazonaws.com",
			req:   `{"bucketName":"` + bucket + `","Host":"` + bucket + `.s3.us-east-1.amazonaws.com",` + body + `}`,
			extra: s3Extra(len(body)), res: bucketRes(bucket)}
	}
	return []event{
		{at: "08:45:33", by: a, source: "ec2", name: "ModifySnapshotAttribute", resp: `{"requestId":"$REQUEST_ID","_return":true}`,
			req: `{"snapshotId":"snap-0` + chars(hexDigits, 16) + `","createVolumePermission":{"add":{"items":[{"userId":"` + foreign + `"}]}},"attributeType":"CREATE_VOLUME_PERMISSION"}`},
		{at: "08:46:12", by: a, source: "rds", name: "ModifyDBSnapshotAttribute",
			req:  `{"dBSnapshotIdentifier":"` + dbSnapshot + `","attributeName":"restore","valuesToAdd":["all"]}`,
			resp: `{"dBSnapshotIdentifier":"` + dbSnapshot + `","dBSnapshotAttributes":[{"attributeName":"restore","attributeValues":["all"]}]}`},
		s3("08:47:05", "PutBucketPublicAccessBlock", publicBucket, `"publicAccessBlock":"","PublicAccessBlockConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","RestrictPublicBuckets":false,"BlockPublicPolicy":false,"BlockPublicAcls":false,"IgnorePublicAcls":false}`),
		s3("08:47:31", "PutBucketPolicy", publicBucket, `"bucketPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+publicBucket+`/*"}]},"policy":""`),
		s3("08:48:02", "DeleteBucketPublicAccessBlock", openBucket, `"publicAccessBlock":""`),
	}
}

// secrets: every secret read within two minutes, then the key that
// encrypts the account's data disabled and set to be deleted.
func secrets(f *facts) []event {
	a := f.attacker()
	events := []event{{at: "08:50:41", by: a, source: "secretsmanager", name: "ListSecrets", readOnly: true}}
	for i, name := range stolenSecrets {
		at := fmt.Sprintf("08:%02d:%02d", 51+(i*7+3)/60, (i*7+3)%60)
		events = append(events, event{at: at, by: a, source: "secretsmanager", name: "GetSecretValue", readOnly: true,
			req: `{"secretId":"` + name + `"}`})
	}
	keyARN := "arn:aws:kms:us-east-1:" + mainAccount + ":key/" + f.key
	return append(events,
		event{at: "08:55:12", by: a, source: "kms", name: "DisableKey", req: `{"keyId":"` + f.key + `"}`, res: keyRes(f.key)},
		event{at: "08:55:40", by: a, source: "kms", name: "ScheduleKeyDeletion", res: keyRes(f.key),
			req:  `{"keyId":"` + f.key + `","pendingWindowInDays":7}`,
			resp: `{"keyId":"` + keyARN + `","deletionDate":"Nov 27, 2026, 8:55:40 AM","keyState":"PendingDeletion","pendingWindowInDays":7}`},
	)
}

// takeover: a role the foreign account can assume, and treasury-ops
// stripped of its MFA device.
func takeover(f *facts) []event {
	a := f.attacker()
	trust := `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::` + foreign +
		`:root\"},\"Action\":\"sts:AssumeRole\"}]}`
	return []event{
		{at: "09:02:14", by: a, source: "iam", name: "UpdateAssumeRolePolicy", host: "iam.amazonaws.com",
			req: `{"roleName":"break-glass-admin","policyDocument":"` + trust + `"}`},
		{at: "09:03:01", by: a, source: "iam", name: "DeactivateMFADevice", host: "iam.amazonaws.com",
			req: `{"userName":"treasury-ops","serialNumber":"` + mfaARN + `"}`},
		{at: "09:03:09", by: a, source: "iam", name: "DeleteVirtualMFADevice", host: "iam.amazonaws.com",
			req: `{"serialNumber":"` + mfaARN + `"}`},
	}
}

// consoleAccess: six wrong passwords for treasury-ops, then the root user
// signs in without MFA.
func consoleAccess(f *facts) []event {
	guess := actor{ip: consoleIP, agent: consoleUA, identity: fmt.Sprintf(
		`{"type":"IAMUser","principalId":"%s","accountId":"%s","accessKeyId":"","userName":"treasury-ops"}`,
		f.treasuryOps.principalID, mainAccount)}
	var events []event
	for _, at := range []string{"09:06:02", "09:06:19", "09:06:41", "09:07:03", "09:07:30", "09:07:52"} {
		events = append(events, event{at: at, by: guess, source: "signin", name: "ConsoleLogin", signin: true,
			host: "signin.aws.amazon.com", errMsg: "Failed authentication", resp: `{"ConsoleLogin":"Failure"}`,
			extra: `{` + loginTo + chars(hexDigits, 16) + `","MobileVersion":"No","MFAUsed":"No"}`})
	}
	rootLogin := actor{ip: consoleIP, agent: consoleUA, identity: `{"type":"Root","principalId":"` + mainAccount +
		`","arn":"arn:aws:iam::` + mainAccount + `:root","accountId":"` + mainAccount + `","accessKeyId":""}`}
	return append(events, event{at: "09:11:26", by: rootLogin, source: "signin", name: "ConsoleLogin", signin: true,
		host: "signin.aws.amazon.com", resp: `{"ConsoleLogin":"Success"}`,
		extra: `{` + loginTo + chars(hexDigits, 16) + `","MobileVersion":"No","MFAUsed":"No"}`})
}

// impact: a shell script run on two production instances, and an attempt
// to take the account out of the organization.
func impact(f *facts) []event {
	r := root("ASIA"+chars(base32, 16), "2026-11-20T09:11:26Z")
	ids := `["` + f.instances[0] + `","` + f.instances[1] + `"]`
	return []event{
		{at: "09:14:20", by: r, source: "ssm", name: "SendCommand",
			req: `{"instanceIds":` + ids + `,"documentName":"AWS-RunShellScript","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS","interactive":false}`,
			resp: `{"command":{"commandId":"` + uuid() + `","documentName":"AWS-RunShellScript","documentVersion":"$DEFAULT","comment":"",` +
				`"expiresAfter":"` + javaTime("11:14:20") + `","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS","instanceIds":` + ids + `,"targets":[],` +
				`"requestedDateTime":"` + javaTime("09:14:20") + `","status":"Pending","statusDetails":"Pending","outputS3Region":"us-east-1",` +
				`"outputS3BucketName":"","outputS3KeyPrefix":"","maxConcurrency":"50","maxErrors":"0","targetCount":2,"completedCount":0,` +
				`"errorCount":0,"deliveryTimedOutCount":0,"serviceRole":"","notificationConfig":{"notificationArn":"","notificationEvents":[],` +
				`"notificationType":""},"cloudWatchOutputConfig":{"cloudWatchLogGroupName":"","cloudWatchOutputEnabled":false},` +
				`"timeoutSeconds":3600,"alarmConfiguration":{"ignorePollAlarmFailure":false,"alarms":[]},"triggeredAlarms":[]}}`},
		{at: "09:18:45", by: r, source: "organizations", name: "LeaveOrganization",
			errCode: "AccessDeniedException", errMsg: "You don't have permissions to access this resource."},
	}
}

// lookAlikesLater: the pipeline rotates a key, opens SSH to the corporate
// network only, and creates and tags a KMS key.
func lookAlikesLater(f *facts) []event {
	rotate := f.pipeline("GitHubActions", "2026-11-20T10:04:51Z", runnerUA)
	cli := func(a actor, command string) actor { a.agent += command; return a }
	tf := f.pipeline("GitHubActions", "2026-11-20T11:19:58Z", terraformUA)
	api := func(a actor, sdk string) actor { a.agent += sdk + " m/C,g"; return a }
	newKey := uuid()
	keyTags := `[{"tagKey":"managed-by","tagValue":"terraform"},{"tagKey":"data-classification","tagValue":"confidential"}]`
	return []event{
		{at: "10:05:12", by: cli(rotate, "iam.create-access-key"), source: "iam", name: "CreateAccessKey", host: "iam.amazonaws.com",
			req: `{"userName":"svc-reporting"}`,
			resp: fmt.Sprintf(`{"accessKey":{"userName":"svc-reporting","accessKeyId":"AKIA%s","status":"Active","createDate":"%s"}}`,
				chars(base32, 16), javaTime("10:05:12"))},
		{at: "10:05:31", by: cli(rotate, "iam.update-access-key"), source: "iam", name: "UpdateAccessKey", host: "iam.amazonaws.com",
			req: `{"userName":"svc-reporting","accessKeyId":"AKIA` + chars(base32, 16) + `","status":"Inactive"}`},
		{at: "11:20:40", by: api(tf, "ec2#1.254.1"), source: "ec2", name: "AuthorizeSecurityGroupIngress",
			req: `{"groupId":"` + f.groups[2%len(f.groups)] + `","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},` +
				`"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8","description":"SSH from the corporate network"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`,
			resp: `{"requestId":"$REQUEST_ID","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"` + mainAccount + `","groupId":"` +
				f.groups[2%len(f.groups)] + `","securityGroupRuleId":"sgr-0` + chars(hexDigits, 16) + `","isEgress":false,"ipProtocol":"tcp","fromPort":22,` +
				`"toPort":22,"cidrIpv4":"10.0.0.0/8","description":"SSH from the corporate network"}]}}`},
		{at: "11:42:05", by: api(tf, "kms#1.45.6"), source: "kms", name: "CreateKey", res: keyRes(newKey),
			req: `{"description":"statements archive 2027","keyUsage":"ENCRYPT_DECRYPT","keySpec":"SYMMETRIC_DEFAULT","origin":"AWS_KMS",` +
				`"bypassPolicyLockoutSafetyCheck":false,"tags":` + keyTags + `,"multiRegion":false}`,
			resp: `{"keyMetadata":{"aWSAccountId":"` + mainAccount + `","keyId":"` + newKey + `","arn":"arn:aws:kms:us-east-1:` + mainAccount + `:key/` + newKey +
				`","creationDate":"` + javaTime("11:42:05") + `","enabled":true,"description":"statements archive 2027","keyUsage":"ENCRYPT_DECRYPT",` +
				`"keyState":"Enabled","origin":"AWS_KMS","keyManager":"CUSTOMER","customerMasterKeySpec":"SYMMETRIC_DEFAULT","keySpec":"SYMMETRIC_DEFAULT",` +
				`"encryptionAlgorithms":["SYMMETRIC_DEFAULT"],"multiRegion":false}}`},
		{at: "11:42:07", by: api(tf, "kms#1.45.6"), source: "kms", name: "TagResource", res: keyRes(newKey),
			req: `{"keyId":"` + newKey + `","tags":[{"tagKey":"cost-center","tagValue":"statements"}]}`},
		{at: "11:42:08", by: api(tf, "kms#1.45.6"), source: "kms", name: "CreateAlias", res: keyRes(newKey),
			req: `{"aliasName":"alias/statements-archive-2027","targetKeyId":"` + newKey + `"}`},
	}
}
