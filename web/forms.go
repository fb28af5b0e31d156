package web

import (
	"errors"
	"mime"
	"net/http"
)

// csrfField is the name of the CSRF token's field in every form.
const csrfField = "csrf"

// maxForm bounds the body of a form; rule uploads are the largest.
const maxForm = 2 << 20

// readForm reads the form of a request that changes something, its body
// bounded by maxForm. It returns 0, or the status that refuses a form
// that cannot be read: too large, or malformed.
func readForm(w http.ResponseWriter, r *http.Request) int {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	err := r.ParseForm()
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxForm)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge
	case err != nil:
		return http.StatusBadRequest
	}
	return 0
}
