package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// flashCookie carries a message from a page that changed something to
// the page the browser is sent to next ("Silence created").
const flashCookie = "vigil_flash"

// flash leaves a message for the next page. The message is signed, so
// that the page shows only what the console wrote.
func (c *Console) flash(w http.ResponseWriter, msg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(msg))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v + "." + c.sign(v), Path: "/", MaxAge: 60,
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
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(v))) {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func (c *Console) sign(v string) string {
	m := hmac.New(sha256.New, c.FlashKey)
	m.Write([]byte("vigil flash v1\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// flashT leaves a message for the next page, in the request's language:
// text translated and formatted with args as Lang.T does. It is for
// messages with values in them, which the layout cannot translate.
func (c *Console) flashT(w http.ResponseWriter, r *http.Request, text string, args ...any) {
	c.flash(w, langOf(r).T(text, args...))
}
