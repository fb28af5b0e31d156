package auth

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"vigil/store"
)

// creator keeps the token it is given, or fails with err.
type creator struct {
	got store.Token
	err error
}

func (c *creator) CreateToken(_ context.Context, t store.Token) error {
	c.got = t
	return c.err
}

func TestCreate(t *testing.T) {
	c := &creator{}
	token, err := Create(t.Context(), c, "trail-shipper", store.Ingest, "cloudtrail")
	if err != nil {
		t.Fatal(err)
	}
	g := c.got
	if ID(token) == "" || g.ID != ID(token) || !bytes.Equal(g.Hash, Hash(token)) || g.Name != "trail-shipper" ||
		g.Role != store.Ingest || g.Source != "cloudtrail" || g.Created.IsZero() || g.Revoked != nil {
		t.Errorf("stored %+v for %s", g, token)
	}
	c.err = errors.New("name taken")
	if token, err := Create(t.Context(), c, "x", store.Admin, ""); err == nil || token != "" {
		t.Errorf("a failed store: %q, %v", token, err)
	}
}
