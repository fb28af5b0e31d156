package corpus

const (
	keyARN    = `arn:aws:kms:${region}:${acct}:key/${kmskey}`
	keyRes    = `[{"accountId":"${acct}","type":"AWS::KMS::Key","ARN":"` + keyARN + `"}]`
	symmetric = `"encryptionAlgorithm":"SYMMETRIC_DEFAULT"`
	noSecret  = "ResourceNotFoundException|Secrets Manager can't find the specified secret."
	noParam   = "ParameterNotFound|Parameter ${param} not found."
	// keyPolicy is a key policy as PutKeyPolicy receives it.
	keyPolicy = `{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n` +
		`    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n` +
		`    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::${acct}:root\"\n    },\n` +
		`    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}`
)

// kms is a KMS call on one of the account's keys.
func kms(name string, w int, by kind, f flag, req string) api {
	return api{svc: "kms", name: name, w: w, by: by, f: f, req: req, res: keyRes,
		miss: "NotFoundException|Key '" + keyARN + "' does not exist"}
}

// keyAPIs are the calls of KMS, Secrets Manager and Systems Manager.
var keyAPIs = []api{
	kms("Decrypt", 2200, workload, ro, `{"encryptionContext":{"app":"payments-api","tenant":"retail"},`+symmetric+`}`),
	withVia(kms("Decrypt", 2500, workload|builders, ro, `{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::${bucket}"},`+symmetric+`}`), "AWS Internal"),
	withVia(kms("Decrypt", 1500, workload|builders, ro, `{"encryptionContext":{"SecretARN":"${secretArn}","SecretVersionId":"${uuid}"},`+symmetric+`}`), "secretsmanager.amazonaws.com"),
	withVia(kms("Decrypt", 800, workload|builders, ro, `{"encryptionContext":{"PARAMETER_ARN":"arn:aws:ssm:${region}:${acct}:parameter${param}"},`+symmetric+`}`), "ssm.amazonaws.com"),
	withVia(kms("Decrypt", 400, workload, ro, `{"encryptionContext":{"aws:dynamodb:tableName":"${table}","aws:dynamodb:subscriberId":"${acct}"},`+symmetric+`}`), "dynamodb.amazonaws.com"),
	withVia(kms("GenerateDataKey", 1500, workload|builders, ro, `{"keyId":"`+keyARN+`","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::${bucket}"},"keySpec":"AES_256"}`), "AWS Internal"),
	kms("GenerateDataKey", 600, workload, ro, `{"keyId":"alias/${kmsalias}","encryptionContext":{"app":"settlement-batch"},"keySpec":"AES_256"}`),
	pinned(kms("GenerateDataKey", 2200, 0, ro, `{"keySpec":"AES_256","encryptionContext":{"aws:cloudtrail:arn":"`+trailARN+`","aws:s3:arn":"arn:aws:s3:::${alias}-cloudtrail-logs/AWSLogs/${acct}/CloudTrail/${region}/${dayPath}/${acct}_CloudTrail_${region}_${now}_${upper:16}.json.gz"},"keyId":"`+keyARN+`"}`), "cloudtrail.amazonaws.com"),
	pinned(kms("GenerateDataKey", 1000, 0, ro, `{"keySpec":"AES_256","encryptionContext":{"aws:logs:arn":"arn:aws:logs:${region}:${acct}:log-group:${loggroup}"},"keyId":"`+keyARN+`"}`), "logs.amazonaws.com"),
	pinned(kms("Decrypt", 800, 0, ro, `{"encryptionContext":{"aws:logs:arn":"arn:aws:logs:${region}:${acct}:log-group:${loggroup}"},`+symmetric+`}`), "logs.amazonaws.com"),
	kms("Encrypt", 200, workload, ro, `{"keyId":"alias/${kmsalias}",`+symmetric+`,"encryptionContext":{"app":"payments-api","tenant":"retail"}}`),
	kms("DescribeKey", 500, readers|workload, ro, `{"keyId":"alias/${kmsalias}"}`),
	kms("GetKeyPolicy", 120, readers, ro, `{"keyId":"${kmskey}","policyName":"default"}`),
	kms("GetKeyRotationStatus", 120, readers, ro, `{"keyId":"${kmskey}"}`),
	kms("ListResourceTags", 100, readers, ro, `{"keyId":"${kmskey}"}`),
	{svc: "kms", name: "ListAliases", w: 150, by: readers, f: ro},
	{svc: "kms", name: "ListKeys", w: 80, by: readers, f: ro, req: `{"limit":1000}`},
	{svc: "kms", name: "CreateKey", w: 3, by: cicd | ssoAdmin,
		req:  `{"description":"${alias} statements archive","keyUsage":"ENCRYPT_DECRYPT","keySpec":"SYMMETRIC_DEFAULT","origin":"AWS_KMS","bypassPolicyLockoutSafetyCheck":false,"tags":[{"tagKey":"managed-by","tagValue":"terraform"}],"multiRegion":false}`,
		resp: `{"keyMetadata":{"aWSAccountId":"${acct}","keyId":"${uuid}","arn":"arn:aws:kms:${region}:${acct}:key/${uuid}","creationDate":"${javaIn:0}","enabled":true,"description":"${alias} statements archive","keyUsage":"ENCRYPT_DECRYPT","keyState":"Enabled","origin":"AWS_KMS","keyManager":"CUSTOMER","customerMasterKeySpec":"SYMMETRIC_DEFAULT","keySpec":"SYMMETRIC_DEFAULT","encryptionAlgorithms":["SYMMETRIC_DEFAULT"],"multiRegion":false}}`,
		res:  `[{"accountId":"${acct}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:${region}:${acct}:key/${uuid}"}]`},
	kms("TagResource", 6, cicd|ssoAdmin, 0, `{"keyId":"${kmskey}","tags":[{"tagKey":"data-classification","tagValue":"confidential"}]}`),
	kms("CreateAlias", 2, cicd, 0, `{"aliasName":"alias/statements-archive","targetKeyId":"${kmskey}"}`),
	kms("EnableKeyRotation", 3, cicd|ssoAdmin, 0, `{"keyId":"${kmskey}","rotationPeriodInDays":365}`),
	kms("PutKeyPolicy", 2, cicd, 0, `{"keyId":"${kmskey}","policyName":"default","policy":"`+keyPolicy+`","bypassPolicyLockoutSafetyCheck":false}`),
	withResp(kms("ScheduleKeyDeletion", 1, cicd, 0, `{"keyId":"${kmskey}","pendingWindowInDays":30}`),
		`{"keyId":"`+keyARN+`","deletionDate":"${javaIn:2592000}","keyState":"PendingDeletion","pendingWindowInDays":30}`),
	{svc: "kms", name: "RotateKey", w: 8, as: "kms.amazonaws.com", f: svcEvent, res: keyRes, extra: `{"keyId":"${kmskey}"}`},

	{svc: "secretsmanager", name: "GetSecretValue", w: 800, by: workload | builders | ssoAdmin, f: ro,
		req: `{"secretId":"${secretArn}"}`, miss: noSecret},
	{svc: "secretsmanager", name: "GetSecretValue", w: 400, by: workload | builders, f: ro,
		req: `{"secretId":"${secret}"}`, miss: noSecret},
	{svc: "secretsmanager", name: "DescribeSecret", w: 250, by: readers | workload, f: ro,
		req: `{"secretId":"${secretArn}"}`, miss: noSecret},
	{svc: "secretsmanager", name: "ListSecrets", w: 80, by: readers, f: ro},
	{svc: "secretsmanager", name: "GetResourcePolicy", w: 40, by: readers, f: ro, req: `{"secretId":"${secretArn}"}`},
	{svc: "secretsmanager", name: "PutSecretValue", w: 6, by: cicd,
		req:  `{"secretId":"${secretArn}","clientRequestToken":"${uuid}","versionStages":["AWSCURRENT"]}`,
		resp: `{"arn":"${secretArn}","name":"${secret}","versionId":"${uuid}","versionStages":["AWSCURRENT"]}`},
	{svc: "secretsmanager", name: "RotationSucceeded", w: 6, as: "secretsmanager.amazonaws.com", f: svcEvent,
		extra: `{"SecretId":"${secretArn}"}`},

	{svc: "ssm", name: "UpdateInstanceInformation", w: 1000, as: "payments-api-ec2-role", ua: ssmAgent,
		req: `{"instanceId":"${session}","agentVersion":"3.3.3050.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"${srcip}","computerName":"${hostname}","agentName":"amazon-ssm-agent","availabilityZone":"${az}"}`},
	{svc: "ssm", name: "ListInstanceAssociations", w: 300, as: "payments-api-ec2-role", ua: ssmAgent, f: ro,
		req: `{"instanceId":"${session}","maxResults":20}`},
	{svc: "ssm", name: "GetParameter", w: 1200, by: workload | builders, f: ro,
		req: `{"name":"${param}","withDecryption":true}`, miss: noParam},
	{svc: "ssm", name: "GetParameters", w: 500, by: workload | builders, f: ro,
		req: `{"names":["${param}","${param2}"],"withDecryption":true}`},
	{svc: "ssm", name: "GetParametersByPath", w: 250, by: workload, f: ro,
		req: `{"path":"/payments-api/prod","recursive":true,"withDecryption":true}`},
	{svc: "ssm", name: "DescribeInstanceInformation", w: 150, by: readers, f: ro, req: `{"maxResults":50}`},
	{svc: "ssm", name: "DescribeParameters", w: 80, by: readers, f: ro, req: `{"maxResults":50}`},
	{svc: "ssm", name: "PutParameter", w: 5, by: cicd,
		req: `{"name":"${param}","type":"String","overwrite":true,"tier":"Standard"}`, resp: `{"version":${int:2-60},"tier":"Standard"}`},
	{svc: "ssm", name: "SendCommand", w: 4, by: cicd,
		req:  `{"targets":[{"key":"tag:patch-group","values":["${alias}"]}],"documentName":"AWS-RunPatchBaseline","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS","timeoutSeconds":600,"maxConcurrency":"20%","maxErrors":"1","interactive":false}`,
		resp: `{"command":{"commandId":"${uuid}","documentName":"AWS-RunPatchBaseline","documentVersion":"$DEFAULT","comment":"","expiresAfter":"${javaIn:4200}","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS","instanceIds":[],"targets":[{"key":"tag:patch-group","values":["${alias}"]}],"requestedDateTime":"${javaIn:0}","status":"Pending","statusDetails":"Pending","outputS3Region":"${region}","outputS3BucketName":"","outputS3KeyPrefix":"","maxConcurrency":"20%","maxErrors":"1","targetCount":0,"completedCount":0,"errorCount":0,"deliveryTimedOutCount":0,"serviceRole":"","notificationConfig":{"notificationArn":"","notificationEvents":[],"notificationType":""},"cloudWatchOutputConfig":{"cloudWatchLogGroupName":"","cloudWatchOutputEnabled":false},"timeoutSeconds":600,"alarmConfiguration":{"ignorePollAlarmFailure":false,"alarms":[]},"triggeredAlarms":[]}}`},
	{svc: "ssm", name: "StartSession", w: 20, by: ssoAdmin,
		req:  `{"target":"${instance}"}`,
		resp: `{"sessionId":"${session}-0${hex:16}","tokenValue":"Value hidden due to security reasons.","streamUrl":"wss://ssmmessages.${region}.amazonaws.com/v1/data-channel/${session}-0${hex:16}?role=publish_subscribe&cell-number=AAEAAQAAAAIAA${upper:40}"}`},
	{svc: "ssm", name: "GetCommandInvocation", w: 40, by: cicd, f: ro, req: `{"commandId":"${uuid}","instanceId":"${instance}"}`},
}

// withVia returns a with its calls made by service via on the caller's
// behalf.
func withVia(a api, via string) api {
	a.via = via
	return a
}

// pinned returns a made only by the principal named who.
func pinned(a api, who string) api {
	a.as = who
	return a
}

// withResp returns a with response elements resp.
func withResp(a api, resp string) api {
	a.resp = resp
	return a
}
