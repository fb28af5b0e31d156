package corpus

const (
	bucketHost = "${bucket}.s3.${region}.amazonaws.com"
	bucketRes  = `[{"accountId":"${acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::${bucket}"}]`
	objectRes  = `[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::${bucket}/${objkey}"},` +
		`{"accountId":"${acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::${bucket}"}]`
	objectReq = `{"bucketName":"${bucket}","Host":"` + bucketHost + `","key":"${objkey}"}`
	s3Common  = `"SignatureVersion":"SigV4","CipherSuite":"${cipher}","bytesTransferredIn":`
	s3Auth    = `"AuthenticationMethod":"AuthHeader","x-amz-id-2":"${amzid}","bytesTransferredOut":`
	xmlns     = `"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"`
)

// s3Extra is the additionalEventData of an S3 call.
func s3Extra(in, sse, out string) string {
	if sse != "" {
		sse = `"SSEApplied":"` + sse + `",`
	}
	return `{` + s3Common + in + `,` + sse + s3Auth + out + `}`
}

// object is a data event on an object.
func object(name string, w int, f flag, resp, in, out string) api {
	by := workload | builders | people
	if f&ro == 0 {
		by &^= sso
	}
	return api{svc: "s3", name: name, w: w, by: by, f: f | data, req: objectReq,
		resp: resp, extra: s3Extra(in, "SSE_KMS", out), res: objectRes}
}

// bucketRead is a read of a bucket's configuration, named by its
// subresource.
func bucketRead(name string, w int, subresource, miss string) api {
	return api{svc: "s3", name: name, w: w, by: readers, f: ro, miss: miss,
		req:   `{"bucketName":"${bucket}","Host":"` + bucketHost + `","` + subresource + `":""}`,
		extra: s3Extra("0", "", "${int:180-2400}"), res: bucketRes}
}

// bucketWrite changes a bucket's configuration.
func bucketWrite(name string, w int, subresource, body string) api {
	return api{svc: "s3", name: name, w: w, by: cicd,
		req:   `{"bucketName":"${bucket}","Host":"` + bucketHost + `","` + subresource + `":"",` + body + `}`,
		extra: s3Extra("${int:150-900}", "", "0"), res: bucketRes}
}

// rds is a read-only RDS call.
func rds(name string, w int, req string) api {
	return api{svc: "rds", name: name, w: w, by: readers, f: ro, req: req}
}

// dynamo is a read-only DynamoDB call on a table.
func dynamo(name string, w int, by kind) api {
	return api{svc: "dynamodb", name: name, w: w, by: by, f: ro, req: `{"tableName":"${table}"}`,
		miss: "ResourceNotFoundException|Requested resource not found: Table: ${table} not found"}
}

// storageAPIs are the calls of S3, DynamoDB and RDS.
var storageAPIs = []api{
	object("GetObject", 2500, ro, "", "0", "${size}"),
	object("HeadObject", 700, ro, "", "0", "0"),
	object("PutObject", 1400, 0, `{"x-amz-server-side-encryption-aws-kms-key-id":"`+keyARN+`","x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-bucket-key-enabled":"true","x-amz-version-id":"${s3version}"}`, "${size}", "0"),
	object("DeleteObject", 200, 0, "", "0", "0"),

	{svc: "s3", name: "ListBuckets", w: 600, by: readers, f: ro, req: `{"Host":"s3.${region}.amazonaws.com"}`,
		host: "s3.${region}.amazonaws.com", extra: s3Extra("0", "", "${int:900-6000}")},
	bucketRead("GetBucketLocation", 500, "location", ""),
	bucketRead("GetBucketAcl", 400, "acl", ""),
	bucketRead("GetBucketPolicy", 350, "policy", "NoSuchBucketPolicy|The bucket policy does not exist"),
	bucketRead("GetBucketVersioning", 250, "versioning", ""),
	bucketRead("GetBucketEncryption", 250, "encryption", ""),
	bucketRead("GetBucketPublicAccessBlock", 250, "publicAccessBlock", ""),
	bucketRead("GetBucketTagging", 200, "tagging", "NoSuchTagSet|The TagSet does not exist"),
	bucketRead("GetBucketLogging", 120, "logging", ""),
	bucketRead("GetBucketLifecycle", 100, "lifecycle", "NoSuchLifecycleConfiguration|The lifecycle configuration does not exist"),
	bucketRead("GetBucketOwnershipControls", 100, "ownershipControls", ""),
	bucketRead("GetBucketPolicyStatus", 80, "policyStatus", ""),
	bucketRead("GetBucketReplication", 60, "replication", "ReplicationConfigurationNotFoundError|The replication configuration was not found"),
	bucketWrite("PutBucketTagging", 4, "tagging",
		`"Tagging":{`+xmlns+`,"TagSet":{"Tag":[{"Key":"cost-center","Value":"payments"},{"Key":"data-classification","Value":"confidential"}]}}`),
	bucketWrite("PutBucketPolicy", 2, "policy",
		`"bucketPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::${bucket}","arn:aws:s3:::${bucket}/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`),
	bucketWrite("PutBucketPublicAccessBlock", 2, "publicAccessBlock",
		`"PublicAccessBlockConfiguration":{`+xmlns+`,"RestrictPublicBuckets":true,"BlockPublicPolicy":true,"BlockPublicAcls":true,"IgnorePublicAcls":true}`),
	bucketWrite("PutBucketVersioning", 2, "versioning", `"VersioningConfiguration":{`+xmlns+`,"Status":"Enabled"}`),

	dynamo("DescribeTable", 600, readers|workload),
	{svc: "dynamodb", name: "ListTables", w: 150, by: readers, f: ro},
	dynamo("DescribeContinuousBackups", 120, readers),
	dynamo("DescribeTimeToLive", 80, readers),
	{svc: "dynamodb", name: "ListTagsOfResource", w: 80, by: readers, f: ro,
		req: `{"resourceArn":"arn:aws:dynamodb:${region}:${acct}:table/${table}"}`},
	{svc: "dynamodb", name: "UpdateContinuousBackups", w: 2, by: cicd,
		req:  `{"tableName":"${table}","pointInTimeRecoverySpecification":{"pointInTimeRecoveryEnabled":true}}`,
		resp: `{"continuousBackupsDescription":{"continuousBackupsStatus":"ENABLED","pointInTimeRecoveryDescription":{"pointInTimeRecoveryStatus":"ENABLED","recoveryPeriodInDays":35,"earliestRestorableDateTime":"${javaIn:0}","latestRestorableDateTime":"${javaIn:0}"}}}`},

	rds("DescribeDBInstances", 300, `{"dBInstanceIdentifier":"${db}"}`),
	rds("DescribeDBInstances", 200, `{"maxRecords":100}`),
	rds("DescribeDBClusters", 250, `{"dBClusterIdentifier":"ledger-aurora-cluster","includeShared":false}`),
	rds("DescribeDBSnapshots", 120, `{"dBInstanceIdentifier":"${db}","snapshotType":"automated","includeShared":false,"includePublic":false}`),
	rds("DescribeDBClusterSnapshots", 60, `{"dBClusterIdentifier":"ledger-aurora-cluster","includeShared":false,"includePublic":false}`),
	rds("ListTagsForResource", 150, `{"resourceName":"arn:aws:rds:${region}:${acct}:db:${db}"}`),
	rds("DescribeEvents", 80, `{"sourceType":"db-instance","duration":60}`),
	{svc: "rds", name: "CreateDBSnapshot", w: 3, by: cicd,
		req:  `{"dBSnapshotIdentifier":"${db}-pre-release-${digits:8}","dBInstanceIdentifier":"${db}"}`,
		resp: `{"dBSnapshotIdentifier":"${db}-pre-release-${digits:8}","dBInstanceIdentifier":"${db}","engine":"postgres","allocatedStorage":500,"status":"creating","port":5432,"availabilityZone":"${az}","vpcId":"${vpc}","instanceCreateTime":"${javaIn:-31536000}","masterUsername":"payments_admin","engineVersion":"16.4","licenseModel":"postgresql-license","snapshotType":"manual","optionGroupName":"default:postgres-16","percentProgress":0,"storageType":"gp3","encrypted":true,"kmsKeyId":"` + keyARN + `","dBSnapshotArn":"arn:aws:rds:${region}:${acct}:snapshot:${db}-pre-release-${digits:8}","iAMDatabaseAuthenticationEnabled":true,"processorFeatures":[],"dbiResourceId":"db-${ident:26}","tagList":[],"snapshotTarget":"region","storageThroughput":125,"dedicatedLogVolume":false}`},
}
