package corpus

const (
	appCIDR  = "10.${int:16-215}.0.0/16"
	appRange = `{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{},"ipRanges":{"items":[{"cidrIp":"` + appCIDR +
		`","description":"payments-api from app subnets"}]},"ipv6Ranges":{},"prefixListIds":{}}`
	appRule = `{"groupOwnerId":"${acct}","groupId":"${sg}","securityGroupRuleId":"sgr-0${hex:16}","isEgress":false,` +
		`"ipProtocol":"tcp","fromPort":443,"toPort":443,"cidrIpv4":"` + appCIDR + `","description":"payments-api from app subnets"}`
	peerRange = `{"ipProtocol":"tcp","fromPort":5432,"toPort":5432,"groups":{"items":[{"groupId":"${sg2}"}]},"ipRanges":{},"ipv6Ranges":{},"prefixListIds":{}}`
	peerRule  = `{"groupOwnerId":"${acct}","groupId":"${sg}","securityGroupRuleId":"sgr-0${hex:16}","isEgress":false,` +
		`"ipProtocol":"tcp","fromPort":5432,"toPort":5432,"referencedGroupInfo":{"groupId":"${sg2}","userId":"${acct}"}}`
	zoneChange = `"changeInfo":{"id":"/change/C0${upper:19}","status":"PENDING","submittedAt":"${javaIn:0}"}`
	recordSet  = `{"action":"UPSERT","resourceRecordSet":{"name":"api.payments.internal.examplebank.com","type":"CNAME","tTL":60,` +
		`"resourceRecords":[{"value":"internal-payments-api-alb-${digits:9}.${region}.elb.amazonaws.com"}]}}`
)

// authorize is an AuthorizeSecurityGroupIngress of one permission, with the
// rule EC2 makes of it.
func authorize(w int, permission, rule string) api {
	return api{svc: "ec2", name: "AuthorizeSecurityGroupIngress", w: w, by: cicd,
		req:  `{"groupId":"${sg}","ipPermissions":{"items":[` + permission + `]}}`,
		resp: `{"requestId":"${reqid}","_return":true,"securityGroupRuleSet":{"items":[` + rule + `]}}`,
		miss: "InvalidGroup.NotFound|The security group '${sg}' does not exist"}
}

// networkAPIs are the calls of VPC networking, load balancers and Route 53.
var networkAPIs = []api{
	ec2Read("DescribeSecurityGroups", 500, readers, `{"securityGroupSet":{},"securityGroupIdSet":{"items":[{"groupId":"${sg}"}]},"filterSet":{}}`),
	ec2Read("DescribeSecurityGroupRules", 200, readers, `{"DescribeSecurityGroupRulesRequest":{"Filter":{"Value":"${sg}","tag":1,"Name":"group-id"},"MaxResults":1000}}`),
	ec2Read("DescribeNetworkInterfaces", 500, readers, `{"networkInterfaceIdSet":{},`+vpcFilter+`}`),
	ec2Read("DescribeSubnets", 250, readers, `{"subnetSet":{},`+vpcFilter+`}`),
	ec2Read("DescribeVpcs", 200, readers, `{"vpcSet":{},"filterSet":{}}`),
	ec2Read("DescribeRouteTables", 120, readers, `{"routeTableIdSet":{},`+vpcFilter+`}`),
	ec2Read("DescribeAddresses", 60, readers, `{"publicIpsSet":{},"allocationIdsSet":{},"filterSet":{}}`),
	ec2Read("DescribeNatGateways", 40, readers, `{"DescribeNatGatewaysRequest":{"MaxResults":1000}}`),
	ec2Read("DescribeVpcEndpoints", 60, readers, `{"DescribeVpcEndpointsRequest":{"MaxResults":1000}}`),
	ec2Read("DescribeInternetGateways", 40, readers, `{"internetGatewayIdSet":{},`+vpcFilter+`}`),
	authorize(4, appRange, appRule),
	authorize(3, peerRange, peerRule),
	{svc: "ec2", name: "RevokeSecurityGroupIngress", w: 3, by: cicd, resp: `{"requestId":"${reqid}","_return":true}`,
		req: `{"groupId":"${sg}","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8080,"toPort":8080,"groups":{},"ipRanges":{"items":[{"cidrIp":"` + appCIDR + `"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`},

	read("elasticloadbalancing", "DescribeLoadBalancers", 120, readers, `{"names":["payments-api-alb"]}`),
	read("elasticloadbalancing", "DescribeLoadBalancers", 80, readers, `{"pageSize":400}`),
	read("elasticloadbalancing", "DescribeTargetGroups", 120, readers, `{"loadBalancerArn":"`+lbARN+`"}`),
	read("elasticloadbalancing", "DescribeTargetHealth", 250, readers, `{"targetGroupArn":"`+tgARN+`"}`),
	read("elasticloadbalancing", "DescribeListeners", 80, readers, `{"loadBalancerArn":"`+lbARN+`"}`),
	read("elasticloadbalancing", "DescribeLoadBalancerAttributes", 60, readers, `{"loadBalancerArn":"`+lbARN+`"}`),
	read("elasticloadbalancing", "DescribeTags", 40, readers, `{"resourceArns":["`+lbARN+`"]}`),
	{svc: "elasticloadbalancing", name: "RegisterTargets", w: 15, as: "AWSServiceRoleForAutoScaling",
		req: `{"targetGroupArn":"` + tgARN + `","targets":[{"id":"${instance}","port":8443}]}`},
	{svc: "elasticloadbalancing", name: "DeregisterTargets", w: 12, as: "AWSServiceRoleForAutoScaling",
		req: `{"targetGroupArn":"` + tgARN + `","targets":[{"id":"${instance}","port":8443}]}`},
	{svc: "elasticloadbalancing", name: "RegisterTargets", w: 10, as: "AWSServiceRoleForECS",
		req: `{"targetGroupArn":"` + tgARN + `","targets":[{"id":"${privateIp}","port":8080}]}`},

	{svc: "route53", name: "ListHostedZones", w: 80, by: readers, f: ro | global},
	{svc: "route53", name: "GetHostedZone", w: 60, by: readers, f: ro | global, req: `{"id":"${zone}"}`},
	{svc: "route53", name: "ListResourceRecordSets", w: 80, by: readers, f: ro | global,
		req: `{"hostedZoneId":"${zone}","maxItems":"300"}`},
	{svc: "route53", name: "ChangeResourceRecordSets", w: 6, by: cicd, f: global,
		req:  `{"hostedZoneId":"${zone}","changeBatch":{"changes":[` + recordSet + `]}}`,
		resp: `{` + zoneChange + `}`},
	{svc: "route53", name: "GetChange", w: 20, by: cicd, f: ro | global, req: `{"id":"C0${upper:19}"}`},
}
