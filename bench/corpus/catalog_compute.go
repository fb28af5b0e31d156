package corpus

const (
	lbARN       = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/app/payments-api-alb/${lbid}`
	tgARN       = `arn:aws:elasticloadbalancing:${region}:${acct}:targetgroup/payments-api-tg/${tgid}`
	fnARN       = `arn:aws:lambda:${region}:${acct}:function:${fn}`
	repoRes     = `[{"accountId":"${acct}","ARN":"arn:aws:ecr:${region}:${acct}:repository/${repo}"}]`
	vpcFilter   = `"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"${vpc}"}]}}]}`
	asg         = `"autoScalingGroupName":"payments-api-asg"`
	eksCluster  = `{"name":"payments-eks-prod"}`
	noFunction  = "ResourceNotFoundException|Function not found: " + fnARN
	ecsCluster  = `"cluster":"payments-prod"`
	ecrImageIDs = `"imageIds":[{"imageTag":"release-${int:1000-1400}"}]`
	ecrMedia    = `"acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2+json","application/vnd.docker.distribution.manifest.list.v2+json","application/vnd.oci.image.manifest.v1+json","application/vnd.oci.image.index.v1+json"]`
	asgTags     = `[{"key":"aws:autoscaling:groupName","value":"payments-api-asg"},{"key":"Name","value":"payments-api"}]`
	lambdaState = `{"functionName":"${fn}","functionArn":"` + fnARN + `","runtime":"python3.13","role":"arn:aws:iam::${acct}:role/fraud-scoring-lambda-role","handler":"app.handler","codeSize":${int:800000-9000000},"description":"","timeout":30,"memorySize":1024,"lastModified":"${now}","codeSha256":"${amzid}","version":"$LATEST","vpcConfig":{"subnetIds":["${subnet}","${subnet2}"],"securityGroupIds":["${sg}"],"ipv6AllowedForDualStack":false},"tracingConfig":{"mode":"Active"},"revisionId":"${uuid}","state":"Active","lastUpdateStatus":"InProgress","lastUpdateStatusReason":"The function is being created.","lastUpdateStatusReasonCode":"Creating","packageType":"Zip","architectures":["arm64"],"ephemeralStorage":{"size":512},"snapStart":{"applyOn":"None","optimizationStatus":"Off"},"runtimeVersionConfig":{"runtimeVersionArn":"arn:aws:lambda:${region}::runtime:${hex2:64}"},"loggingConfig":{"logFormat":"JSON","applicationLogLevel":"INFO","systemLogLevel":"WARN","logGroup":"/aws/lambda/${fn}"}}`
)

// ec2Read is a read-only EC2 call.
func ec2Read(name string, w int, by kind, req string) api {
	return api{svc: "ec2", name: name, w: w, by: by, f: ro, req: req}
}

// ec2Write is an EC2 call that changes something, with its response.
func ec2Write(name string, w int, by kind, req, resp string) api {
	return api{svc: "ec2", name: name, w: w, by: by, req: req, resp: `{"requestId":"${reqid}",` + resp + `}`,
		miss: "Client.InvalidInstanceID.NotFound|The instance ID '${instance}' does not exist"}
}

// instanceState is the response of a call that moves an instance from one
// state to another.
func instanceState(from, to string) string {
	return `"instancesSet":{"items":[{"instanceId":"${instance}","currentState":` + to + `,"previousState":` + from + `}]}`
}

// Instance states.
const (
	pending      = `{"code":0,"name":"pending"}`
	running      = `{"code":16,"name":"running"}`
	shuttingDown = `{"code":32,"name":"shutting-down"}`
	stopping     = `{"code":64,"name":"stopping"}`
	stopped      = `{"code":80,"name":"stopped"}`
	oneInstance  = `{"instancesSet":{"items":[{"instanceId":"${instance}"}]}}`
)

// read is a read-only call.
func read(svc, name string, w int, by kind, req string) api {
	return api{svc: svc, name: name, w: w, by: by, f: ro, req: req}
}

// computeAPIs are the calls of EC2 instances, Auto Scaling, ECS, EKS,
// Lambda and ECR.
var computeAPIs = []api{
	ec2Read("DescribeInstances", 500, readers|workload, `{"instancesSet":{},"filterSet":{}}`),
	ec2Read("DescribeInstances", 500, readers|workload, `{"instancesSet":{"items":[{"instanceId":"${instance}"}]},"filterSet":{}}`),
	ec2Read("DescribeInstances", 200, readers, `{"maxResults":1000,"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}}`),
	ec2Read("DescribeInstanceStatus", 300, readers, `{"instancesSet":{},"filterSet":{},"includeAllInstances":false}`),
	ec2Read("DescribeTags", 250, readers|workload, `{"filterSet":{"items":[{"name":"resource-id","valueSet":{"items":[{"value":"${instance}"}]}}]}}`),
	ec2Read("DescribeVolumes", 300, readers, `{"volumeSet":{},"filterSet":{"items":[{"name":"attachment.instance-id","valueSet":{"items":[{"value":"${instance}"}]}}]}}`),
	ec2Read("DescribeSnapshots", 150, readers, `{"snapshotSet":{},"ownersSet":{"items":[{"owner":"self"}]},"sharedUsersSet":{},"filterSet":{}}`),
	ec2Read("DescribeImages", 150, readers, `{"executableBySet":{},"imagesSet":{"items":[{"imageId":"${ami}"}]},"ownersSet":{},"includeDeprecated":false,"includeDisabled":false}`),
	ec2Read("DescribeRegions", 120, readers, `{"regionSet":{}}`),
	ec2Read("DescribeAvailabilityZones", 80, readers, `{"availabilityZoneSet":{},"availabilityZoneIdSet":{}}`),
	ec2Read("DescribeAccountAttributes", 80, readers, `{"accountAttributeNameSet":{"items":[{"attributeName":"supported-platforms"}]},"filterSet":{}}`),
	ec2Read("DescribeLaunchTemplateVersions", 80, readers, `{"DescribeLaunchTemplateVersionsRequest":{"LaunchTemplateName":"payments-api","LaunchTemplateVersion":{"content":"$Latest","tag":1}}}`),
	ec2Read("DescribeKeyPairs", 40, readers, `{"keySet":{},"filterSet":{}}`),
	ec2Write("CreateTags", 60, cicd,
		`{"resourcesSet":{"items":[{"resourceId":"${instance}"}]},"tagSet":{"items":[{"key":"patch-group","value":"${alias}"},{"key":"backup-plan","value":"daily-35d"}]}}`,
		`"_return":true`),
	{svc: "ec2", name: "RunInstances", w: 8, as: "AWSServiceRoleForAutoScaling",
		req:  `{"instancesSet":{"items":[{"minCount":1,"maxCount":1}]},"instanceType":"m7i.xlarge","blockDeviceMapping":{},"availabilityZone":"${az}","monitoring":{"enabled":true},"subnetId":"${subnet}","disableApiTermination":false,"disableApiStop":false,"clientToken":"fleet-${uuid2}-0","tagSpecificationSet":{"items":[{"resourceType":"instance","tags":` + asgTags + `}]},"launchTemplate":{"launchTemplateId":"lt-0${hex:16}","version":"14"}}`,
		resp: `{"requestId":"${reqid}","reservationId":"r-0${hex2:16}","ownerId":"${acct}","groupSet":{},"instancesSet":{"items":[{"instanceId":"i-0${hex3:16}","imageId":"${ami}","currentInstanceBootMode":"uefi","instanceState":` + pending + `,${instanceNet},"amiLaunchIndex":0,"productCodes":{},"instanceType":"m7i.xlarge","launchTime":${epochMs},"placement":{"availabilityZone":"${az}","tenancy":"default"},"monitoring":{"state":"pending"},"subnetId":"${subnet}","vpcId":"${vpc}","stateReason":{"code":"pending","message":"pending"},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{},"virtualizationType":"hvm","hypervisor":"xen","tagSet":{"items":` + asgTags + `},"clientToken":"fleet-${uuid2}-0","groupSet":{"items":[{"groupId":"${sg}","groupName":"payments-api-app"}]},"sourceDestCheck":true,"ebsOptimized":true,"enaSupport":true,"cpuOptions":{"coreCount":2,"threadsPerCore":2},"capacityReservationSpecification":{"capacityReservationPreference":"open"},"enclaveOptions":{"enabled":false},"metadataOptions":{"state":"pending","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled","httpProtocolIpv4":"ipv4","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"},"maintenanceOptions":{"autoRecovery":"default"},"privateDnsNameOptions":{"hostnameType":"ip-name","enableResourceNameDnsARecord":false,"enableResourceNameDnsAAAARecord":false}}]}}`},
	pinned(ec2Write("TerminateInstances", 7, 0, oneInstance, instanceState(running, shuttingDown)), "AWSServiceRoleForAutoScaling"),
	ec2Write("StopInstances", 2, ssoAdmin, oneInstance, instanceState(running, stopping)),
	ec2Write("StartInstances", 2, ssoAdmin, oneInstance, instanceState(stopped, pending)),
	ec2Write("CreateSnapshot", 4, cicd,
		`{"volumeId":"${vol}","description":"pre-release backup ${day}","tagSpecificationSet":{"items":[{"resourceType":"snapshot","tags":[{"key":"created-by","value":"release-pipeline"}]}]}}`,
		`"snapshotId":"snap-0${hex:16}","volumeId":"${vol}","status":"pending","startTime":${epochMs},"progress":"","ownerId":"${acct}","description":"pre-release backup ${day}","volumeSize":200,"encrypted":true,"kmsKeyId":"`+keyARN+`","tagSet":{"items":[{"key":"created-by","value":"release-pipeline"}]}`),

	read("autoscaling", "DescribeAutoScalingGroups", 150, readers, `{"autoScalingGroupNames":["payments-api-asg"]}`),
	read("autoscaling", "DescribeAutoScalingGroups", 100, readers, `{"maxRecords":100}`),
	read("autoscaling", "DescribeScalingActivities", 80, readers, `{`+asg+`,"maxRecords":20,"includeDeletedGroups":false}`),
	read("autoscaling", "DescribeLifecycleHooks", 30, readers, `{`+asg+`}`),
	{svc: "autoscaling", name: "UpdateAutoScalingGroup", w: 3, by: cicd, req: `{` + asg + `,"minSize":3,"maxSize":12,"desiredCapacity":4}`},
	{svc: "autoscaling", name: "SetDesiredCapacity", w: 2, by: ssoAdmin, req: `{` + asg + `,"desiredCapacity":6,"honorCooldown":false}`},

	read("ecs", "DescribeServices", 200, readers, `{`+ecsCluster+`,"services":["settlement-batch","payments-api"],"include":["TAGS"]}`),
	read("ecs", "DescribeTasks", 150, readers, `{`+ecsCluster+`,"tasks":["${taskid}"]}`),
	read("ecs", "ListTasks", 150, readers, `{`+ecsCluster+`,"serviceName":"settlement-batch","desiredStatus":"RUNNING"}`),
	read("ecs", "ListClusters", 50, readers, ``),
	read("ecs", "ListServices", 50, readers, `{`+ecsCluster+`,"maxResults":100}`),
	read("ecs", "DescribeClusters", 60, readers, `{"clusters":["payments-prod"],"include":["SETTINGS","STATISTICS"]}`),
	read("ecs", "DescribeTaskDefinition", 80, readers, `{"taskDefinition":"settlement-batch:${int:60-90}","include":["TAGS"]}`),
	{svc: "ecs", name: "UpdateService", w: 6, by: builders,
		req:  `{` + ecsCluster + `,"service":"settlement-batch","taskDefinition":"settlement-batch:${int:60-90}","forceNewDeployment":false}`,
		resp: `{"service":{"serviceArn":"arn:aws:ecs:${region}:${acct}:service/payments-prod/settlement-batch","serviceName":"settlement-batch","clusterArn":"arn:aws:ecs:${region}:${acct}:cluster/payments-prod","status":"ACTIVE","desiredCount":4,"runningCount":4,"pendingCount":0,"launchType":"FARGATE","platformVersion":"LATEST","platformFamily":"Linux","taskDefinition":"arn:aws:ecs:${region}:${acct}:task-definition/settlement-batch:${int:60-90}","deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100},"createdAt":"${javaIn:-8640000}","createdBy":"arn:aws:iam::${acct}:role/CICD-Role","enableECSManagedTags":true,"propagateTags":"SERVICE","enableExecuteCommand":false,"availabilityZoneRebalancing":"ENABLED"}}`},

	read("eks", "DescribeCluster", 300, readers|workload, eksCluster),
	read("eks", "ListClusters", 40, readers, ``),
	read("eks", "ListNodegroups", 40, readers, eksCluster),
	read("eks", "DescribeNodegroup", 40, readers, `{"name":"payments-eks-prod","nodegroupName":"general-purpose"}`),
	{svc: "eks", name: "UpdateNodegroupConfig", w: 2, by: cicd,
		req:  `{"name":"payments-eks-prod","nodegroupName":"general-purpose","scalingConfig":{"minSize":3,"maxSize":12,"desiredSize":5},"clientRequestToken":"${uuid}"}`,
		resp: `{"update":{"id":"${uuid2}","status":"InProgress","type":"ConfigUpdate","params":[{"type":"MinSize","value":"3"},{"type":"MaxSize","value":"12"},{"type":"DesiredSize","value":"5"}],"createdAt":"${javaIn:0}","errors":[]}}`},

	read("lambda", "ListFunctions20150331", 120, readers, ``),
	{svc: "lambda", name: "GetFunction20150331v2", w: 200, by: readers, f: ro, req: `{"functionName":"${fn}"}`, miss: noFunction},
	{svc: "lambda", name: "GetFunctionConfiguration20150331v2", w: 150, by: readers, f: ro, req: `{"functionName":"${fn}"}`, miss: noFunction},
	{svc: "lambda", name: "GetPolicy20150331v2", w: 100, by: readers, f: ro, req: `{"functionName":"${fn}"}`,
		miss: "ResourceNotFoundException|The resource you requested does not exist."},
	read("lambda", "ListTags20170331", 60, readers, `{"resource":"`+fnARN+`"}`),
	read("lambda", "ListEventSourceMappings20150331", 60, readers, `{"functionName":"${fn}"}`),
	read("lambda", "ListVersionsByFunction20150331", 40, readers, `{"functionName":"${fn}"}`),
	{svc: "lambda", name: "UpdateFunctionCode20150331v2", w: 10, by: builders,
		req: `{"functionName":"${fn}","s3Bucket":"${alias}-lambda-artifacts","s3Key":"${fn}/build-${int:1000-1999}.zip","publish":false,"dryRun":false,"architectures":["arm64"]}`, resp: lambdaState},
	{svc: "lambda", name: "UpdateFunctionConfiguration20150331v2", w: 4, by: cicd,
		req: `{"functionName":"${fn}","memorySize":1024,"timeout":30}`, resp: lambdaState},

	{svc: "ecr", name: "GetAuthorizationToken", w: 800, by: workload | builders, f: ro, req: `{"registryIds":["${acct}"]}`},
	{svc: "ecr", name: "BatchGetImage", w: 400, by: workload | builders, f: ro, res: repoRes,
		req: `{` + ecrImageIDs + `,` + ecrMedia + `,"repositoryName":"${repo}","registryId":"${acct}"}`},
	{svc: "ecr", name: "GetDownloadUrlForLayer", w: 300, by: workload | builders, f: ro, res: repoRes,
		req: `{"registryId":"${acct}","repositoryName":"${repo}","layerDigest":"sha256:${hex:64}"}`},
	{svc: "ecr", name: "BatchCheckLayerAvailability", w: 30, by: builders, f: ro, res: repoRes,
		req: `{"repositoryName":"${repo}","registryId":"${acct}","layerDigests":["sha256:${hex:64}"]}`},
	read("ecr", "DescribeRepositories", 80, readers, `{"repositoryNames":["${repo}"]}`),
	read("ecr", "DescribeImages", 80, readers, `{"repositoryName":"${repo}",`+ecrImageIDs+`}`),
	read("ecr", "DescribeImageScanFindings", 40, readers, `{"repositoryName":"${repo}","imageId":{"imageTag":"release-${int:1000-1400}"},"maxResults":1000}`),
	read("ecr", "ListImages", 40, readers, `{"repositoryName":"${repo}","filter":{"tagStatus":"TAGGED"}}`),
}
