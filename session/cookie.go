package session

import "net/http"

// CookieName is the name of the session cookie. The __Host- prefix makes
// browsers keep it only when it is Secure, with Path=/ and no Domain: no
// other host, nor plain HTTP, can set it.
const CookieName = "__Host-vigil_session"

// Cookie returns the cookie that holds a session id: HttpOnly (no script
// reads it), Secure (HTTPS only), SameSite=Strict (no other site's page
// sends it), Path=/, and without an expiry, so the browser drops it when
// it closes; the server ends the session on its own clock.
func Cookie(id string) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// ClearCookie returns the cookie that removes the session cookie, for
// logout and for a request with a session that is not live.
func ClearCookie() *http.Cookie {
	c := Cookie("")
	c.MaxAge = -1
	return c
}

// ID returns the session id of a request, from its cookie only (never
// from the URL or another header), or "" when it has none.
func ID(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}
