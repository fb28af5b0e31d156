package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"vigil/session"
)

// flashCookie carries a message from a page that changed something to
// the page the browser is sent to next ("Silence created"). The __Host-
// prefix keeps it to this host, over HTTPS, with Path=/.
const flashCookie = "__Host-vigil_flash"

// flash leaves a message for the next page of the request's session.
func (c *Console) flash(w http.ResponseWriter, r *http.Request, msg string) {
	c.flashFor(w, session.ID(r), msg)
}

// flashFor leaves a message for the next page of the session with the
// id ("" for the pages without one). The message is signed with the id,
// so that the page shows only what the console wrote, and only in the
// session it was written for: a flash copied to another browser shows
// nothing.
func (c *Console) flashFor(w http.ResponseWriter, id, msg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(msg))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v + "." + c.sign(id, v), Path: "/", MaxAge: 60,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// takeFlash returns the message left for this page, and clears it.
func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
	v, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(session.ID(r), v))) {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// sign signs the value v of a flash for the session with the id.
func (c *Console) sign(id, v string) string {
	sid := sha256.Sum256([]byte(id))
	m := hmac.New(sha256.New, c.FlashKey)
	m.Write([]byte("vigil flash v2\x00"))
	m.Write(sid[:])
	m.Write([]byte(v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// flashT leaves a message for the next page, in the request's language:
// text translated and formatted with args as Lang.T does. It is for
// messages with values in them, which the layout cannot translate.
func (c *Console) flashT(w http.ResponseWriter, r *http.Request, text string, args ...any) {
	c.flash(w, r, langOf(r).T(text, args...))
}
