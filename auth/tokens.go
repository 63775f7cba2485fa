// Package auth issues and verifies Zou's JWTs, checks passwords the way Zou
// stores them, and keeps revoked token ids in a store (Redis or in-process).
package auth

import (
	"errors"
	"fmt"
	"strings"
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

// TokenMessage is the text flask-jwt-extended puts in {"msg": …} for a refused
// token: PyJWT's sentence for the common failures.
func TokenMessage(err error) string {
	var te *tokenError
	if errors.As(err, &te) {
		return te.msg
	}
	return err.Error()
}

type tokenError struct {
	kind error
	msg  string
}

func (e *tokenError) Error() string { return e.kind.Error() + ": " + e.msg }
func (e *tokenError) Unwrap() error { return e.kind }

func malformed(msg string) error { return &tokenError{kind: ErrMalformed, msg: msg} }

// Parse verifies a token's signature, algorithm and lifetime, and its type
// ("access" or "refresh").
func (s *Signer) Parse(token, wantType string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(s.now), jwt.WithLeeway(0))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrExpired
	case errors.Is(err, jwt.ErrTokenSignatureInvalid) && strings.Contains(err.Error(), "signing method"):
		return nil, malformed("The specified alg value is not allowed")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, malformed("Signature verification failed")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, malformed("The specified alg value is not allowed")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, malformed("The token is not yet valid (nbf)")
	case errors.Is(err, jwt.ErrTokenMalformed) && strings.Count(token, ".") != 2:
		return nil, malformed("Not enough segments")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, malformed("Invalid token: " + strings.TrimPrefix(err.Error(), jwt.ErrTokenMalformed.Error()+": "))
	case err != nil:
		return nil, malformed(err.Error())
	}
	if c.Subject == "" {
		return nil, malformed("Missing claim: sub")
	}
	if c.Type == "" {
		c.Type = "access" // flask-jwt-extended's default for a token without a type
	}
	if c.Type != wantType {
		if wantType == "refresh" {
			return nil, &tokenError{kind: ErrWrongType, msg: "Only refresh tokens are allowed"}
		}
		return nil, &tokenError{kind: ErrWrongType, msg: "Only non-refresh tokens are allowed"}
	}
	return &c, nil
}
