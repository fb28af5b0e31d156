package corpus

import "time"

// Templates of the top-level fields that share values with the request and
// response.
var (
	requestIDField = compile(`"${reqid}"`)
	tlsFields      = compile(`{"tlsVersion":"${tlsver}","cipherSuite":"${cipher}","clientProvidedHostHeader":`)
)

// appendRecord appends the record as compact JSON.
func (c *call) appendRecord(b []byte) []byte {
	e := c.e
	b = append(b, `{"eventVersion":"`...)
	b = append(b, c.svc.version...)
	b = append(b, `","userIdentity":`...)
	b = c.appendIdentity(b)
	b = append(b, `,"eventTime":"`...)
	b = appendTime(b, c.now)
	b = append(append(b, `","eventSource":"`...), c.svc.source...)
	b = append(append(b, `","eventName":"`...), e.name...)
	b = append(append(b, `","awsRegion":"`...), c.region...)
	b = appendStringBytes(append(b, `","sourceIPAddress":`...), c.ip)
	b = c.appendAgent(append(b, `,"userAgent":`...))
	b = c.appendFault(b)
	b = orNull(c, append(b, `,"requestParameters":`...), e.req)
	if c.fault != succeeded && e.failMsg == nil {
		b = append(b, `,"responseElements":null`...)
	} else {
		b = orNull(c, append(b, `,"responseElements":`...), e.resp)
	}
	if e.extra != nil {
		b = e.extra.render(c, append(b, `,"additionalEventData":`...))
	}
	if e.f&(signin|svcEvent) == 0 {
		b = requestIDField.render(c, append(b, `,"requestID":`...))
	}
	b = appendUUID(append(b, `,"eventID":"`...), c.rand())
	b = appendBool(append(b, `","readOnly":`...), e.f&ro != 0)
	if e.res != nil {
		b = e.res.render(c, append(b, `,"resources":`...))
	}
	b = append(append(b, `,"eventType":"`...), e.eventType()...)
	b = appendBool(append(b, `","managementEvent":`...), e.f&data == 0)
	b = append(append(b, `,"recipientAccountId":"`...), c.acct.id...)
	b = append(b, '"')
	return c.appendTail(b)
}

// appendTail appends the fields that follow recipientAccountId.
func (c *call) appendTail(b []byte) []byte {
	if c.home != c.acct {
		b = appendUUID(append(b, `,"sharedEventID":"`...), c.rand())
		b = append(b, '"')
	}
	if c.svc.s3IDs && c.e.f&data != 0 && (c.p.origin == fromInstance || c.p.origin == fromPrivate) {
		b = append(b, `,"vpcEndpointId":"vpce-0`...)
		b = appendChars(b, hexDigits, 16, hashString(c.acct.seed, c.region))
		b = append(append(b, `","vpcEndpointAccountId":"`...), c.acct.id...)
		b = append(b, '"')
	}
	if c.e.f&data != 0 {
		b = append(b, `,"eventCategory":"Data"`...)
	} else {
		b = append(b, `,"eventCategory":"Management"`...)
	}
	if c.via() == "" {
		b = tlsFields.render(c, append(b, `,"tlsDetails":`...))
		b = append(c.host().appendQuoted(c, b), '}')
	}
	if c.console && !c.internal && c.e.f&signin == 0 {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

// host is the template of the TLS host header the client sent.
func (c *call) host() template {
	if c.e.host != nil {
		return c.e.host
	}
	return c.svc.host
}

// appendAgent appends the userAgent as a JSON string.
func (c *call) appendAgent(b []byte) []byte {
	if v := c.via(); v != "" {
		return appendString(b, v)
	}
	return c.agent.appendQuoted(c, b)
}

// appendFault appends errorCode and errorMessage of a failed call.
func (c *call) appendFault(b []byte) []byte {
	e := c.e
	var code string
	var msg template
	switch {
	case e.failMsg != nil:
		code, msg = e.failCode, e.failMsg
	case c.fault == denial:
		code, msg = c.svc.deny, denyMessage
		if c.svc.s3IDs {
			msg = s3DenyMessage
		}
	case c.fault == missing:
		code, msg = e.missCode, e.missMsg
	case c.fault == throttled:
		code, msg = c.svc.throttle, throttleMessage
	default:
		return b
	}
	if code != "" {
		b = appendString(append(b, `,"errorCode":`...), code)
	}
	return msg.appendQuoted(c, append(b, `,"errorMessage":`...))
}

// Error messages.
var (
	denyMessage     = compile("User: ${caller} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action")
	s3DenyMessage   = compile("Access Denied")
	throttleMessage = compile("Rate exceeded")
)

// orNull appends the filled template, or null if there is none.
func orNull(c *call, b []byte, t template) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return t.render(c, b)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendIdentity appends the userIdentity object.
func (c *call) appendIdentity(b []byte) []byte {
	switch {
	case c.e.f&svcEvent != 0:
		b = append(append(b, `{"accountId":"`...), c.acct.id...)
		return append(append(append(b, `","invokedBy":"`...), c.p.name...), `"}`...)
	case c.p.kind == awsService:
		return append(append(append(b, `{"type":"AWSService","invokedBy":"`...), c.p.name...), `"}`...)
	case c.p.kind&(human|robot) != 0:
		return c.appendUser(b)
	}
	return c.appendRole(b)
}

// appendCallerARN appends the ARN of the caller.
func (c *call) appendCallerARN(b []byte) []byte {
	switch {
	case c.p.kind == awsService:
		return append(b, c.p.name...)
	case c.p.kind&(human|robot) != 0:
		b = append(append(b, "arn:aws:iam::"...), c.home.id...)
		return append(append(b, ":user/"...), c.p.name...)
	}
	b = append(append(b, "arn:aws:sts::"...), c.home.id...)
	b = append(append(b, ":assumed-role/"...), c.p.name...)
	return append(append(b, '/'), c.sess...)
}

// appendUser appends the identity of an IAM user.
func (c *call) appendUser(b []byte) []byte {
	p, a := c.p, c.home
	b = append(b, `{"type":"IAMUser","principalId":"AIDA`...)
	b = appendChars(b, base32, 17, a.seed^hashString(2, p.name))
	b = c.appendCallerARN(append(b, `","arn":"`...))
	b = append(append(b, `","accountId":"`...), a.id...)
	if c.e.f&signin == 0 {
		b = append(b, `","accessKeyId":"`...)
		if c.console {
			start, h := c.sessionStart()
			b = appendChars(append(b, "ASIA"...), base32, 16, h)
			b = append(append(append(b, `","userName":"`...), p.name...), `","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
			b = appendTime(b, start)
			return append(b, `","mfaAuthenticated":"true"}}}`...)
		}
		b = appendChars(append(b, "AKIA"...), base32, 16, a.seed^hashString(3, p.name))
	}
	return append(append(append(b, `","userName":"`...), p.name...), `"}`...)
}

// appendRole appends the identity of a role session.
func (c *call) appendRole(b []byte) []byte {
	p, a := c.p, c.home
	start, h := c.sessionStart()
	b = appendRoleID(append(b, `{"type":"AssumedRole","principalId":"`...), a, p.name)
	b = append(append(b, ':'), c.sess...)
	b = c.appendCallerARN(append(b, `","arn":"`...))
	b = append(append(b, `","accountId":"`...), a.id...)
	b = appendChars(append(b, `","accessKeyId":"ASIA`...), base32, 16, h)
	b = appendRoleID(append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`...), a, p.name)
	b = append(append(b, `","arn":"arn:aws:iam::`...), a.id...)
	b = append(append(append(b, `:role/`...), p.path...), p.name...)
	b = append(append(b, `","accountId":"`...), a.id...)
	b = append(append(b, `","userName":"`...), p.name...)
	b = appendTime(append(b, `"},"webIdFederationData":{},"attributes":{"creationDate":"`...), start)
	b = append(b, `","mfaAuthenticated":"false"}`...)
	if p.origin == fromInstance {
		b = append(b, `,"ec2RoleDelivery":"2.0"`...)
	}
	b = append(b, '}')
	if v := c.invokedBy(); v != "" {
		b = appendString(append(b, `,"invokedBy":`...), v)
	}
	return append(b, '}')
}

// invokedBy is the service that called on the caller's behalf.
func (c *call) invokedBy() string {
	if c.e.via != "" {
		return c.e.via
	}
	if c.internal {
		return "AWS Internal"
	}
	return c.p.via
}

// sessionStart returns when the caller's current session began, and a hash
// that identifies the session. Sessions last an hour.
func (c *call) sessionStart() (time.Time, uint64) {
	h := hashString(hashString(c.home.seed, c.p.name), c.sess)
	off := time.Duration(h%3600) * time.Second
	start := c.now.Add(-off).Truncate(time.Hour).Add(off)
	return start, h ^ uint64(start.Unix())
}
