// Package auth issues and verifies Zou's JWTs, checks passwords the way Zou
// stores them, and keeps revoked token ids in a store (Redis or in-process).
package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Identity types carried in the identity_type claim.
const (
	IdentityPerson    = "person"
	IdentityBot       = "bot"
	IdentityPersonAPI = "person_api"
)

// Claims are Zou's token claims (flask-jwt-extended's plus Zou's own).
type Claims struct {
	jwt.RegisteredClaims
	Type             string `json:"type"`
	Fresh            bool   `json:"fresh"`
	IdentityType     string `json:"identity_type"`
	RefreshJTI       string `json:"refresh_jti,omitempty"`
	Requires2FASetup bool   `json:"requires_2fa_setup,omitempty"`
}

// Signer issues and parses HS256 tokens with the server's secret key.
type Signer struct {
	key        []byte
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	now        func() time.Time
}

// NewSigner returns a signer for secret with Zou's lifetimes.
func NewSigner(secret string, accessTTL, refreshTTL time.Duration) *Signer {
	return &Signer{key: []byte(secret), AccessTTL: accessTTL, RefreshTTL: refreshTTL, now: time.Now}
}

// Pair is an access token and the refresh token it is paired with.
type Pair struct {
	Access, Refresh       string
	AccessJTI, RefreshJTI string
}

// IssuePair creates a refresh token and an access token that names it (refresh_jti),
// so that logging out revokes both.
func (s *Signer) IssuePair(personID, identityType string) (Pair, error) {
	refresh, rjti, err := s.issue(personID, identityType, "refresh", "", s.RefreshTTL)
	if err != nil {
		return Pair{}, err
	}
	access, ajti, err := s.issue(personID, identityType, "access", rjti, s.AccessTTL)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Access: access, Refresh: refresh, AccessJTI: ajti, RefreshJTI: rjti}, nil
}

// IssueAccess creates an access token paired with an existing refresh token id.
func (s *Signer) IssueAccess(personID, identityType, refreshJTI string) (string, error) {
	tok, _, err := s.issue(personID, identityType, "access", refreshJTI, s.AccessTTL)
	return tok, err
}

func (s *Signer) issue(sub, identityType, typ, refreshJTI string, ttl time.Duration) (string, string, error) {
	now := s.now().UTC()
	jti := uuid.NewString()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: sub, ID: jti,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		},
		Type: typ, IdentityType: identityType, RefreshJTI: refreshJTI,
	}
	if ttl > 0 {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", "", fmt.Errorf("sign token: %w", err)
	}
	return tok, jti, nil
}

// Token errors, mapped to Zou's answers by the middleware.
var (
	ErrExpired   = errors.New("Signature has expired")
	ErrMalformed = errors.New("malformed token")
	ErrWrongType = errors.New("wrong token type")
)

// Parse verifies a token's signature, algorithm and lifetime, and its type.
func (s *Signer) Parse(token, wantType string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(s.now), jwt.WithLeeway(0))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrExpired
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, fmt.Errorf("%w: Signature verification failed", ErrMalformed)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if c.Subject == "" {
		return nil, fmt.Errorf("%w: missing subject", ErrMalformed)
	}
	if c.Type != wantType {
		return nil, fmt.Errorf("%w: Only %s tokens are allowed", ErrWrongType, wantType)
	}
	return &c, nil
}
