package corpus

const (
	trailARN    = `arn:aws:cloudtrail:us-east-1:${acct}:trail/${alias}-cloudtrail`
	topicARN    = `arn:aws:sns:${region}:${acct}:${topic}`
	queueURL    = `https://sqs.${region}.amazonaws.com/${acct}/${queue}`
	stackARN    = `arn:aws:cloudformation:${region}:${acct}:stack/${stack}/${uuid2}`
	detector    = `{"detectorId":"${detector}"}`
	noStack     = "ValidationError|Stack with id ${stack} does not exist"
	noLogGroup  = "ResourceNotFoundException|The specified log group does not exist."
	insightsQry = `fields @timestamp, @message, @logStream | filter @message like /(?i)(error|exception)/ | sort @timestamp desc | limit 200`
)

// opsAPIs are the calls of CloudWatch, CloudWatch Logs, CloudTrail, Config,
// GuardDuty, CloudFormation, SNS and SQS.
var opsAPIs = []api{
	{svc: "logs", name: "CreateLogStream", w: 600, as: "fraud-scoring-lambda-role",
		req: `{"logGroupName":"/aws/lambda/${session}","logStreamName":"${dayPath}/[$LATEST]${hex:32}"}`},
	{svc: "logs", name: "CreateLogStream", w: 200, as: "ledger-reconcile-lambda-role",
		req: `{"logGroupName":"/aws/lambda/${session}","logStreamName":"${dayPath}/[$LATEST]${hex:32}"}`},
	read("logs", "DescribeLogGroups", 300, readers, `{"logGroupNamePrefix":"/aws/lambda/","limit":50}`),
	{svc: "logs", name: "DescribeLogStreams", w: 150, by: readers, f: ro, miss: noLogGroup,
		req: `{"logGroupName":"${loggroup}","orderBy":"LastEventTime","descending":true,"limit":50}`},
	read("logs", "DescribeSubscriptionFilters", 60, readers, `{"logGroupName":"${loggroup}"}`),
	read("logs", "DescribeMetricFilters", 40, readers, `{"logGroupName":"${loggroup}"}`),
	{svc: "logs", name: "StartQuery", w: 40, by: people, req: `{"logGroupNames":["${loggroup}"],"startTime":${epoch:-3600},"endTime":${epoch:0},"queryString":"` + insightsQry + `","limit":200}`,
		resp: `{"queryId":"${uuid}"}`},
	read("logs", "GetQueryResults", 120, people, `{"queryId":"${uuid}"}`),
	{svc: "logs", name: "PutRetentionPolicy", w: 4, by: cicd, req: `{"logGroupName":"${loggroup}","retentionInDays":400}`},

	read("monitoring", "DescribeAlarms", 250, readers, `{"stateValue":"ALARM","maxRecords":100}`),
	read("monitoring", "DescribeAlarms", 150, readers, `{"alarmNames":["payments-api-5xx-rate","settlement-batch-queue-age"]}`),
	read("monitoring", "DescribeAlarmsForMetric", 40, readers, `{"metricName":"HTTPCode_Target_5XX_Count","namespace":"AWS/ApplicationELB"}`),
	read("monitoring", "ListDashboards", 40, people, ``),
	read("monitoring", "GetDashboard", 60, people, `{"dashboardName":"payments-prod-overview"}`),
	{svc: "monitoring", name: "PutMetricAlarm", w: 5, by: cicd,
		req: `{"alarmName":"payments-api-5xx-rate","alarmActions":["arn:aws:sns:${region}:${acct}:payments-alerts"],"metricName":"HTTPCode_Target_5XX_Count","namespace":"AWS/ApplicationELB","statistic":"Sum","dimensions":[{"name":"LoadBalancer","value":"app/payments-api-alb/${lbid}"}],"period":60,"evaluationPeriods":5,"threshold":25.0,"comparisonOperator":"GreaterThanThreshold","treatMissingData":"notBreaching"}`},

	read("cloudtrail", "DescribeTrails", 120, readers, `{"trailNameList":[],"includeShadowTrails":true}`),
	read("cloudtrail", "GetTrailStatus", 120, readers, `{"name":"`+trailARN+`"}`),
	read("cloudtrail", "GetEventSelectors", 60, readers, `{"trailName":"`+trailARN+`"}`),
	read("cloudtrail", "ListTrails", 40, readers, `{}`),
	read("cloudtrail", "LookupEvents", 150, people, `{"lookupAttributes":[{"attributeKey":"ReadOnly","attributeValue":"false"}],"maxResults":50}`),
	{svc: "cloudtrail", name: "StopLogging", w: 1, by: cicd, req: `{"name":"arn:aws:cloudtrail:${region}:${acct}:trail/sandbox-debug-trail"}`},
	{svc: "cloudtrail", name: "StartLogging", w: 1, by: cicd, req: `{"name":"arn:aws:cloudtrail:${region}:${acct}:trail/sandbox-debug-trail"}`},

	{svc: "config", name: "PutEvaluations", w: 300, as: "compliance-rules-lambda-role",
		req:  `{"evaluations":[{"complianceResourceType":"AWS::S3::Bucket","complianceResourceId":"${bucket}","complianceType":"COMPLIANT","orderingTimestamp":"${javaIn:-60}"}],"testMode":false}`,
		resp: `{"failedEvaluations":[]}`},
	read("config", "DescribeConfigurationRecorderStatus", 60, readers, `{}`),
	read("config", "DescribeConfigurationRecorders", 40, readers, `{}`),
	read("config", "DescribeConfigRules", 60, readers, `{}`),
	read("config", "DescribeComplianceByConfigRule", 60, readers, `{"complianceTypes":["NON_COMPLIANT"]}`),
	read("config", "GetComplianceDetailsByConfigRule", 40, readers, `{"configRuleName":"s3-bucket-server-side-encryption-enabled","complianceTypes":["NON_COMPLIANT"],"limit":100}`),
	{svc: "config", name: "StartConfigRulesEvaluation", w: 4, by: cicd | ssoAdmin, req: `{"configRuleNames":["restricted-ssh","s3-bucket-public-read-prohibited"]}`},

	read("guardduty", "ListDetectors", 150, readers, ``),
	read("guardduty", "GetDetector", 80, readers, detector),
	read("guardduty", "ListFindings", 80, readers, `{"detectorId":"${detector}","findingCriteria":{"criterion":{"service.archived":{"eq":["false"]},"severity":{"gte":4}}},"maxResults":50}`),
	read("guardduty", "GetFindings", 60, readers, `{"detectorId":"${detector}","findingIds":["${hex:32}"]}`),
	read("guardduty", "GetFindingsStatistics", 20, people, `{"detectorId":"${detector}","findingStatisticTypes":["COUNT_BY_SEVERITY"],"findingCriteria":{"criterion":{"service.archived":{"eq":["false"]}}}}`),
	{svc: "guardduty", name: "ArchiveFindings", w: 3, by: ssoAdmin, req: `{"detectorId":"${detector}","findingIds":["${hex:32}"]}`},

	{svc: "cloudformation", name: "DescribeStacks", w: 200, by: readers, f: ro, req: `{"stackName":"${stack}"}`, miss: noStack},
	read("cloudformation", "ListStacks", 60, readers, `{"stackStatusFilter":["CREATE_COMPLETE","UPDATE_COMPLETE","UPDATE_ROLLBACK_COMPLETE"]}`),
	read("cloudformation", "DescribeStackEvents", 80, readers, `{"stackName":"${stack}"}`),
	read("cloudformation", "GetTemplate", 40, readers, `{"stackName":"${stack}","templateStage":"Original"}`),
	read("cloudformation", "DescribeStackResources", 40, readers, `{"stackName":"${stack}"}`),
	{svc: "cloudformation", name: "CreateChangeSet", w: 5, by: builders,
		req:  `{"stackName":"${stack}","templateURL":"https://${alias}-lambda-artifacts.s3.${region}.amazonaws.com/cfn/${stack}/template-${digits:10}.yaml","parameters":[{"parameterKey":"Environment","parameterValue":"prod"},{"parameterKey":"ImageTag","parameterValue":"release-${int:1000-1400}"}],"capabilities":["CAPABILITY_NAMED_IAM","CAPABILITY_AUTO_EXPAND"],"changeSetName":"deploy-${digits:10}","changeSetType":"UPDATE"}`,
		resp: `{"id":"arn:aws:cloudformation:${region}:${acct}:changeSet/deploy-${digits:10}/${uuid}","stackId":"` + stackARN + `"}`},
	{svc: "cloudformation", name: "ExecuteChangeSet", w: 4, by: builders,
		req: `{"changeSetName":"arn:aws:cloudformation:${region}:${acct}:changeSet/deploy-${digits:10}/${uuid}","stackName":"${stack}"}`},

	read("sns", "ListTopics", 60, readers, ``),
	read("sns", "GetTopicAttributes", 150, readers|workload, `{"topicArn":"`+topicARN+`"}`),
	read("sns", "ListSubscriptionsByTopic", 50, readers, `{"topicArn":"`+topicARN+`"}`),
	{svc: "sns", name: "SetTopicAttributes", w: 2, by: cicd, req: `{"topicArn":"` + topicARN + `","attributeName":"KmsMasterKeyId","attributeValue":"alias/${kmsalias}"}`},
	read("sqs", "GetQueueAttributes", 400, readers|workload, `{"queueUrl":"`+queueURL+`","attributeNames":["All"]}`),
	read("sqs", "ListQueues", 80, readers, ``),
	read("sqs", "ListQueueTags", 40, readers, `{"queueUrl":"`+queueURL+`"}`),
	{svc: "sqs", name: "SetQueueAttributes", w: 2, by: cicd,
		req: `{"queueUrl":"` + queueURL + `","attributes":{"VisibilityTimeout":"300","MessageRetentionPeriod":"1209600"}}`},
}

// dataAPIs are the calls of Athena and Glue.
var dataAPIs = []api{
	{svc: "athena", name: "StartQueryExecution", w: 120, by: robot | workload,
		req:  `{"queryString":"SELECT merchant_id, count(*) AS txns, sum(amount_minor) AS total_minor FROM payments_lake.transactions_daily WHERE dt = '${day}' GROUP BY merchant_id","clientRequestToken":"${uuid}","queryExecutionContext":{"database":"payments_lake","catalog":"AwsDataCatalog"},"resultConfiguration":{"outputLocation":"s3://${alias}-athena-results/results/"},"workGroup":"primary"}`,
		resp: `{"queryExecutionId":"${uuid2}"}`},
	read("athena", "GetQueryExecution", 400, robot|workload, `{"queryExecutionId":"${uuid}"}`),
	read("athena", "GetQueryResults", 200, robot|workload, `{"queryExecutionId":"${uuid}","maxResults":1000}`),
	read("athena", "GetWorkGroup", 60, readers|workload, `{"workGroup":"primary"}`),

	read("glue", "GetTable", 300, readers|workload, `{"databaseName":"payments_lake","name":"${gluetable}"}`),
	read("glue", "GetDatabase", 150, readers|workload, `{"name":"payments_lake"}`),
	read("glue", "GetPartitions", 150, robot|workload, `{"databaseName":"payments_lake","tableName":"${gluetable}","expression":"dt = '${day}'","excludeColumnSchema":false}`),
	read("glue", "GetTables", 80, readers, `{"databaseName":"payments_lake"}`),
	read("glue", "BatchGetPartition", 80, robot|workload, `{"databaseName":"payments_lake","tableName":"${gluetable}","partitionsToGet":[{"values":["${day}"]}]}`),
	{svc: "glue", name: "BatchCreatePartition", w: 20, by: workload,
		req:  `{"databaseName":"payments_lake","tableName":"${gluetable}","partitionInputList":[{"values":["${day}"],"storageDescriptor":{"location":"s3://${alias}-data-exports/exports/daily/dt=${day}/"}}]}`,
		resp: `{"errors":[]}`},
}
