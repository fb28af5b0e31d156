package corpus

import (
	"strconv"
	"strings"
)

// assumeRole is an sts AssumeRole of role by caller, with the given session
// name template and credential lifetime.
func assumeRole(w int, caller, role, session string, seconds int) api {
	arn := "arn:aws:iam::${acct}:role/" + role
	role = role[strings.LastIndexByte(role, '/')+1:]
	life := strconv.Itoa(seconds)
	req := `{"roleArn":"` + arn + `","roleSessionName":"` + session + `"`
	if !strings.HasSuffix(caller, ".amazonaws.com") {
		req += `,"durationSeconds":` + life
	}
	return api{svc: "sts", name: "AssumeRole", w: w, as: caller, f: ro, req: req + "}",
		resp: `{"credentials":{"accessKeyId":"${asia}","expiration":"${javaIn:` + life + `}"},` +
			`"assumedRoleUser":{"assumedRoleId":"${roleId:` + role + `}:` + session + `",` +
			`"arn":"arn:aws:sts::${acct}:assumed-role/` + role + `/` + session + `"}}`,
		res: `[{"accountId":"${acct}","type":"AWS::IAM::Role","ARN":"` + arn + `"}]`}
}

// iamRead is a read-only IAM call.
func iamRead(name string, w int, req string) api {
	return api{svc: "iam", name: name, w: w, by: readers, f: ro | global, req: req}
}

const (
	noSuchRole = "NoSuchEntity|The role with name ${role} cannot be found."
	noSuchUser = "NoSuchEntity|The user with name ${user} cannot be found."
	loginTo    = `"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${hex:16}","MobileVersion":"No"`
	// rotatedUser is the user whose keys the pipeline rotates.
	rotatedUser  = "svc-reporting"
	trustTooling = `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::` +
		toolingAccount + `:role/github-actions-deployer\"},\"Action\":\"sts:AssumeRole\"}]}`
)

// identityAPIs are the calls of STS, IAM, sign-in and Organizations.
var identityAPIs = []api{
	assumeRole(3200, "lambda.amazonaws.com", "fraud-scoring-lambda-role", "fraud-scoring-score-transaction", 43200),
	assumeRole(300, "lambda.amazonaws.com", "ledger-reconcile-lambda-role", "ledger-reconcile-nightly", 43200),
	assumeRole(300, "lambda.amazonaws.com", "compliance-rules-lambda-role", "config-rule-s3-bucket-encryption", 43200),
	assumeRole(900, "ec2.amazonaws.com", "payments-api-ec2-role", "${instance}", 21600),
	assumeRole(400, "ec2.amazonaws.com", "payments-eks-node-role", "${instance}", 21600),
	assumeRole(2000, "ecs-tasks.amazonaws.com", "settlement-batch-task-role", "${taskid}", 21600),
	assumeRole(1200, "github-actions-deployer", "CICD-Role", "GitHubActions", 3600),
	assumeRole(600, "security-scanner-task-role", "SecurityAuditRole", "security-scan-${digits:10}", 3600),
	assumeRole(300, "config.amazonaws.com", "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", "AWSConfig-Describe", 3600),
	assumeRole(200, "ci-deploy", "CICD-Role", "terraform-apply-${digits:10}", 3600),
	{svc: "sts", name: "GetCallerIdentity", w: 1800, by: people | builders | workload | auditor, f: ro},

	iamRead("GetRole", 700, `{"roleName":"${role}"}`),
	iamRead("ListRoles", 250, ``),
	iamRead("ListAttachedRolePolicies", 400, `{"roleName":"${role}"}`),
	iamRead("ListRolePolicies", 300, `{"roleName":"${role}"}`),
	iamRead("GetRolePolicy", 200, `{"roleName":"${role}","policyName":"inline-runtime"}`),
	iamRead("GetPolicy", 250, `{"policyArn":"${policy}"}`),
	iamRead("GetPolicyVersion", 350, `{"policyArn":"${policy}","versionId":"v${int:1-9}"}`),
	iamRead("ListPolicies", 60, `{"scope":"Local","onlyAttached":true,"policyUsageFilter":"PermissionsPolicy"}`),
	iamRead("ListEntitiesForPolicy", 40, `{"policyArn":"${policy}"}`),
	iamRead("ListUsers", 120, ``),
	iamRead("GetUser", 100, `{"userName":"${user}"}`),
	iamRead("ListAccessKeys", 150, `{"userName":"${user}"}`),
	iamRead("GetAccessKeyLastUsed", 60, `{"accessKeyId":"AKIA${ident:16}"}`),
	iamRead("ListAttachedUserPolicies", 100, `{"userName":"${user}"}`),
	iamRead("ListUserPolicies", 80, `{"userName":"${user}"}`),
	iamRead("ListGroupsForUser", 60, `{"userName":"${user}"}`),
	iamRead("ListMFADevices", 80, `{"userName":"${user}"}`),
	iamRead("GetAccountPasswordPolicy", 40, ``),
	iamRead("GetAccountSummary", 40, ``),
	iamRead("ListInstanceProfilesForRole", 150, `{"roleName":"${role}"}`),
	iamRead("GetInstanceProfile", 80, `{"instanceProfileName":"payments-api-ec2-profile"}`),
	iamRead("GetCredentialReport", 30, ``),
	iamRead("ListSAMLProviders", 30, ``),
	iamRead("ListOpenIDConnectProviders", 30, ``),
	{svc: "iam", name: "GenerateCredentialReport", w: 30, by: auditor | sso, f: global,
		resp: `{"state":"COMPLETE","description":"No report exists. Starting a new report generation task"}`},
	{svc: "iam", name: "GetLoginProfile", w: 20, by: readers, f: ro | global, req: `{"userName":"${user}"}`,
		miss: "NoSuchEntity|Login Profile for User ${user} cannot be found."},

	{svc: "iam", name: "CreateAccessKey", w: 12, by: cicd, f: global, req: `{"userName":"` + rotatedUser + `"}`,
		resp: `{"accessKey":{"userName":"` + rotatedUser + `","accessKeyId":"${akia}","status":"Active","createDate":"${javaIn:0}"}}`},
	{svc: "iam", name: "UpdateAccessKey", w: 10, by: cicd, f: global,
		req: `{"userName":"` + rotatedUser + `","accessKeyId":"${akia}","status":"Inactive"}`},
	{svc: "iam", name: "DeleteAccessKey", w: 10, by: cicd, f: global,
		req: `{"userName":"` + rotatedUser + `","accessKeyId":"${akia}"}`, miss: noSuchUser},
	{svc: "iam", name: "CreateUser", w: 2, by: cicd, f: global,
		req:  `{"userName":"svc-statement-export","tags":[{"key":"owner","value":"statements-team"}]}`,
		resp: `{"user":{"path":"/","userName":"svc-statement-export","userId":"AIDA${ident:17}","arn":"arn:aws:iam::${acct}:user/svc-statement-export","createDate":"${javaIn:0}","tags":[{"key":"owner","value":"statements-team"}]}}`},
	{svc: "iam", name: "AttachUserPolicy", w: 2, by: cicd, f: global,
		req: `{"userName":"` + rotatedUser + `","policyArn":"arn:aws:iam::aws:policy/AmazonAthenaFullAccess"}`},
	{svc: "iam", name: "AttachRolePolicy", w: 6, by: cicd, f: global,
		req: `{"roleName":"${role}","policyArn":"${policy}"}`, miss: noSuchRole},
	{svc: "iam", name: "DetachRolePolicy", w: 3, by: cicd, f: global,
		req: `{"roleName":"${role}","policyArn":"${policy}"}`, miss: noSuchRole},
	{svc: "iam", name: "PutRolePolicy", w: 8, by: cicd, f: global,
		req: `{"roleName":"settlement-batch-task-role","policyName":"inline-runtime","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\",\"sqs:GetQueueAttributes\"],\"Resource\":\"arn:aws:sqs:${region}:${acct}:settlement-batch-queue\"}]}"}`},
	{svc: "iam", name: "CreateRole", w: 3, by: cicd, f: global,
		req:  `{"roleName":"statement-renderer-lambda-role","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}","maxSessionDuration":3600}`,
		resp: `{"role":{"path":"/","roleName":"statement-renderer-lambda-role","roleId":"${roleId:statement-renderer-lambda-role}","arn":"arn:aws:iam::${acct}:role/statement-renderer-lambda-role","createDate":"${javaIn:0}","assumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}}`},
	{svc: "iam", name: "TagRole", w: 6, by: cicd, f: global,
		req: `{"roleName":"${role}","tags":[{"key":"cost-center","value":"payments"},{"key":"managed-by","value":"terraform"}]}`},
	{svc: "iam", name: "UpdateAssumeRolePolicy", w: 2, by: cicd, f: global,
		req: `{"roleName":"CICD-Role","policyDocument":"` + trustTooling + `"}`},
	{svc: "iam", name: "CreatePolicyVersion", w: 6, by: cicd, f: global,
		req:  `{"policyArn":"arn:aws:iam::${acct}:policy/payments-api-runtime","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"secretsmanager:GetSecretValue\"],\"Resource\":\"arn:aws:secretsmanager:${region}:${acct}:secret:prod/payments-api/*\"}]}","setAsDefault":true}`,
		resp: `{"policyVersion":{"versionId":"v${int:2-9}","isDefaultVersion":true,"createDate":"${javaIn:0}"}}`},
	{svc: "iam", name: "DeletePolicyVersion", w: 4, by: cicd, f: global,
		req: `{"policyArn":"arn:aws:iam::${acct}:policy/payments-api-runtime","versionId":"v${int:1-5}"}`},

	{svc: "signin", name: "ConsoleLogin", w: 60, by: human, f: signin | global,
		resp:  `{"ConsoleLogin":"Success"}`,
		extra: `{` + loginTo + `,"MFAIdentifier":"arn:aws:iam::${acct}:mfa/${pname}","MFAUsed":"Yes"}`},
	{svc: "signin", name: "ConsoleLogin", w: 6, by: human, f: signin | global, fail: "|Failed authentication",
		resp: `{"ConsoleLogin":"Failure"}`, extra: `{` + loginTo + `,"MFAUsed":"No"}`},

	{svc: "organizations", name: "DescribeOrganization", w: 150, by: readers, f: ro | global},
}
