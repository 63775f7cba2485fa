package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
)

const testSecret = "unit-test-secret"

func newTestSigner() *Signer {
	return NewSigner(testSecret, 7*24*time.Hour, 15*24*time.Hour)
}

// payload decodes a JWT's claims without verifying it, to see the raw keys.
func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignerPairClaims(t *testing.T) {
	s := newTestSigner()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return now }
	sub := uuid.NewString()
	pair, err := s.IssuePair(sub, IdentityPerson)
	if err != nil {
		t.Fatal(err)
	}

	a := payload(t, pair.Access)
	r := payload(t, pair.Refresh)
	for _, k := range []string{"sub", "jti", "type", "fresh", "iat", "nbf", "exp", "identity_type", "refresh_jti"} {
		if _, ok := a[k]; !ok {
			t.Errorf("access token lacks claim %q: %v", k, a)
		}
	}
	if _, ok := r["refresh_jti"]; ok {
		t.Errorf("refresh token must not carry refresh_jti: %v", r)
	}
	if a["type"] != "access" || r["type"] != "refresh" {
		t.Errorf("types: access %v, refresh %v", a["type"], r["type"])
	}
	if a["identity_type"] != "person" || r["identity_type"] != "person" {
		t.Errorf("identity_type: %v / %v", a["identity_type"], r["identity_type"])
	}
	if a["fresh"] != false {
		t.Errorf("fresh = %v, want false", a["fresh"])
	}
	if a["sub"] != sub || r["sub"] != sub {
		t.Errorf("sub: %v / %v", a["sub"], r["sub"])
	}
	if a["refresh_jti"] != r["jti"] || a["refresh_jti"] != pair.RefreshJTI || a["jti"] != pair.AccessJTI {
		t.Errorf("jti pairing: access %v refresh_jti %v, refresh %v, pair %+v", a["jti"], a["refresh_jti"], r["jti"], pair)
	}
	if a["jti"] == r["jti"] {
		t.Error("access and refresh tokens share a jti")
	}
	if got := int64(a["exp"].(float64)) - int64(a["iat"].(float64)); got != 7*24*3600 {
		t.Errorf("access lifetime %ds, want 7 days", got)
	}
	if got := int64(r["exp"].(float64)) - int64(r["iat"].(float64)); got != 15*24*3600 {
		t.Errorf("refresh lifetime %ds, want 15 days", got)
	}
	if int64(a["iat"].(float64)) != now.Unix() || int64(a["nbf"].(float64)) != now.Unix() {
		t.Errorf("iat/nbf: %v / %v, want %d", a["iat"], a["nbf"], now.Unix())
	}

	// Parsing checks the type: each token passes for its own type only.
	cl, err := s.Parse(pair.Access, "access")
	if err != nil || cl.Subject != sub || cl.RefreshJTI != pair.RefreshJTI {
		t.Fatalf("parse access: %+v, %v", cl, err)
	}
	if _, err := s.Parse(pair.Refresh, "refresh"); err != nil {
		t.Fatalf("parse refresh: %v", err)
	}
	if _, err := s.Parse(pair.Refresh, "access"); !errors.Is(err, ErrWrongType) {
		t.Errorf("refresh as access: %v, want ErrWrongType", err)
	}
	if _, err := s.Parse(pair.Access, "refresh"); !errors.Is(err, ErrWrongType) {
		t.Errorf("access as refresh: %v, want ErrWrongType", err)
	}

	// IssueAccess names the refresh token it came from.
	tok, err := s.IssueAccess(sub, IdentityPerson, pair.RefreshJTI)
	if err != nil {
		t.Fatal(err)
	}
	if p := payload(t, tok); p["refresh_jti"] != pair.RefreshJTI || p["type"] != "access" {
		t.Errorf("IssueAccess claims: %v", p)
	}
}

func TestSignerRefusals(t *testing.T) {
	s := newTestSigner()
	sub := uuid.NewString()
	past := time.Now().Add(-30 * 24 * time.Hour)
	s.now = func() time.Time { return past }
	old, err := s.IssuePair(sub, IdentityPerson)
	if err != nil {
		t.Fatal(err)
	}
	s.now = time.Now
	if _, err := s.Parse(old.Access, "access"); !errors.Is(err, ErrExpired) {
		t.Errorf("expired token: %v, want ErrExpired", err)
	}

	other := NewSigner("another-key", time.Hour, time.Hour)
	foreign, _ := other.IssuePair(sub, IdentityPerson)
	if _, err := s.Parse(foreign.Access, "access"); !errors.Is(err, ErrMalformed) {
		t.Errorf("foreign key: %v, want ErrMalformed", err)
	}
	for _, garbage := range []string{"garbage", "a.b.c", ""} {
		if _, err := s.Parse(garbage, "access"); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", garbage, err)
		}
	}

	// alg=none and other algorithms are refused even with the right claims.
	claims := Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ID: uuid.NewString()}, Type: "access", IdentityType: IdentityPerson}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Parse(none, "access"); !errors.Is(err, ErrMalformed) {
		t.Errorf("alg none: %v, want ErrMalformed", err)
	}
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString([]byte(testSecret))
	if _, err := s.Parse(hs512, "access"); !errors.Is(err, ErrMalformed) {
		t.Errorf("HS512: %v, want ErrMalformed", err)
	}

	// A token without a subject is malformed.
	nosub, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{Type: "access"}).SignedString([]byte(testSecret))
	if _, err := s.Parse(nosub, "access"); !errors.Is(err, ErrMalformed) {
		t.Errorf("no subject: %v, want ErrMalformed", err)
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	if err := s.Revoke(ctx, "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.IsRevoked(ctx, "a"); !ok {
		t.Fatal("a should be revoked")
	}
	if ok, _ := s.IsRevoked(ctx, "b"); ok {
		t.Fatal("b was never revoked")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := s.IsRevoked(ctx, "a"); ok {
		t.Fatal("a should have expired")
	}
	// Expired entries are swept once the map grows.
	for i := 0; i < 1100; i++ {
		_ = s.Revoke(ctx, uuid.NewString(), time.Second)
	}
	now = now.Add(time.Hour)
	_ = s.Revoke(ctx, "last", time.Hour)
	if n := len(s.keys); n > 2 {
		t.Errorf("%d entries left after sweep, want expired ones gone", n)
	}
	if s.Ping(ctx) != nil || s.Close() != nil {
		t.Error("memory store Ping/Close should not fail")
	}
}

// TestRedisStore runs against the real Redis at 127.0.0.1:6379, database 0,
// the layout Zou uses (key <jti> = "true" with a TTL).
func TestRedisStore(t *testing.T) {
	ctx := context.Background()
	s := NewRedisStore("127.0.0.1:6379", "")
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (start it: redis-server --daemonize yes): %v", err)
	}
	jti := uuid.NewString()
	t.Cleanup(func() { s.c.Del(context.Background(), jti) })

	if ok, err := s.IsRevoked(ctx, jti); err != nil || ok {
		t.Fatalf("fresh jti: revoked=%v err=%v", ok, err)
	}
	if err := s.Revoke(ctx, jti, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.IsRevoked(ctx, jti); err != nil || !ok {
		t.Fatalf("after revoke: revoked=%v err=%v", ok, err)
	}
	v, err := s.c.Get(ctx, jti).Result()
	if err != nil || v != "true" {
		t.Fatalf("raw value %q, %v; want \"true\"", v, err)
	}
	ttl, err := s.c.TTL(ctx, jti).Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("TTL %v, %v; want about one hour", ttl, err)
	}
	// A value written by something else than "true" is not a revocation (Zou compares to "true").
	if err := s.c.Set(ctx, jti, "false", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.IsRevoked(ctx, jti); ok {
		t.Error("value \"false\" must not count as revoked")
	}

	// An unreachable Redis is an error, not a silent "not revoked".
	down := NewRedisStore("127.0.0.1:1", "")
	defer down.Close()
	if _, err := down.IsRevoked(ctx, jti); err == nil {
		t.Error("IsRevoked on a closed port should fail")
	}
	start := time.Now()
	if err := down.Ping(ctx); err == nil {
		t.Error("Ping on a closed port should fail")
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a refused connection took %v to report (retries)", d)
	}
}

func TestCheckPasswordTruncation(t *testing.T) {
	long := strings.Repeat("0123456789", 10) // 100 bytes
	hash, err := HashPassword(long, bcrypt.MinCost)
	if err != nil {
		t.Fatalf("hash of a 100-byte password: %v", err)
	}
	if !CheckPassword(hash, long) {
		t.Error("the 100-byte password does not verify")
	}
	if !CheckPassword(hash, long[:72]) {
		t.Error("its first 72 bytes do not verify")
	}
	if !CheckPassword(hash, long[:72]+"anything else") {
		t.Error("bytes past 72 must be ignored")
	}
	if CheckPassword(hash, long[:71]) {
		t.Error("71 bytes must not verify")
	}
	if CheckPassword(nil, "x") || CheckPassword([]byte("default"), "default") {
		t.Error("an empty or non-bcrypt stored value must never verify")
	}

	// Hashes written by Python's bcrypt ($2b$), as Zou stores them.
	for _, c := range []struct{ hash, pw string }{
		{"$2b$12$iqLZvmywB4XkGLufACyfj.bPbBWpeyUMDEnGR8Oz8fDvgCGpSUZ2i", "zou-python-hash-pw"},
		// 100 bytes of "é", hashed by Zou's encrypt_password (first 72 bytes).
		{"$2b$04$p.HDLHI5RgD7tY/7M9JA7eOYuDkLRuwdhDsAW7LfsOMutVmSbymJK", strings.Repeat("é", 50)},
	} {
		if !CheckPassword([]byte(c.hash), c.pw) {
			t.Errorf("Python hash %s does not verify", c.hash)
		}
		if CheckPassword([]byte(c.hash), c.pw+"x") && len(c.pw) < 72 {
			t.Errorf("Python hash %s verifies a wrong password", c.hash)
		}
	}
	// $2a$ (Go) and $2b$ are the same algorithm: rewriting the prefix keeps it valid.
	h, _ := HashPassword("rewritten-prefix", bcrypt.MinCost)
	b := []byte(strings.Replace(string(h), "$2a$", "$2b$", 1))
	if !CheckPassword(b, "rewritten-prefix") {
		t.Error("$2b$-prefixed Go hash does not verify")
	}
}

func TestPasswordLengthCountsCharacters(t *testing.T) {
	for _, c := range []struct {
		pw   string
		want int
	}{
		{"", 0}, {"abcdefgh", 8}, {"éééééééé", 8}, {"日本語日本語日本", 8}, {"🔑🔑🔑", 3},
	} {
		if got := PasswordLength(c.pw); got != c.want {
			t.Errorf("PasswordLength(%q) = %d, want %d", c.pw, got, c.want)
		}
	}
}

func TestOTP(t *testing.T) {
	// RFC 4226 appendix D: secret "12345678901234567890".
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for i, want := range []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"} {
		got, err := HOTP(secret, uint64(i))
		if err != nil || got != want {
			t.Errorf("HOTP(%d) = %q, %v; want %s", i, got, err, want)
		}
		if !VerifyHOTP(strings.ToLower(secret), want, uint64(i)) {
			t.Errorf("VerifyHOTP(%d) refused its own code", i)
		}
	}
	// RFC 6238 appendix B, SHA-1, T = 59 s (last 6 of 8 digits: 94287082).
	at := time.Unix(59, 0)
	if !VerifyTOTP(secret, "287082", at) {
		t.Error("TOTP at 59 s refused")
	}
	// One step either side is accepted, two are not.
	if !VerifyTOTP(secret, "287082", at.Add(30*time.Second)) || VerifyTOTP(secret, "287082", at.Add(61*time.Second)) {
		t.Error("TOTP window is not ±1 step")
	}
	if VerifyTOTP(secret, "000000", at) || VerifyTOTP("not base32!", "287082", at) || VerifyTOTP(secret, "", at) {
		t.Error("TOTP accepted a wrong code or secret")
	}
}

// TestStoreKeys checks the generic keys (reset tokens, OTP counters) on both stores.
func TestStoreKeys(t *testing.T) {
	ctx := context.Background()
	redisStore := NewRedisStore("127.0.0.1:6379", "")
	t.Cleanup(func() { redisStore.Close() })
	if err := redisStore.Ping(ctx); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (start it: redis-server --daemonize yes): %v", err)
	}
	for name, s := range map[string]Store{"memory": NewMemoryStore(), "redis": redisStore} {
		t.Run(name, func(t *testing.T) {
			key := "reset-token-" + uuid.NewString() + "@example.com"
			t.Cleanup(func() { s.Delete(context.Background(), key) })
			if v, err := s.Get(ctx, key); err != nil || v != "" {
				t.Fatalf("missing key: %q, %v", v, err)
			}
			if err := s.Set(ctx, key, "TOKEN", time.Hour); err != nil {
				t.Fatal(err)
			}
			if v, err := s.Get(ctx, key); err != nil || v != "TOKEN" {
				t.Fatalf("after Set: %q, %v", v, err)
			}
			if ok, _ := s.IsRevoked(ctx, key); ok {
				t.Error("a non-\"true\" value is not a revocation")
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Get(ctx, key); v != "" {
				t.Fatalf("after Delete: %q", v)
			}
			// No TTL: kept until deleted, as in Redis.
			if err := s.Set(ctx, key, "forever", 0); err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Get(ctx, key); v != "forever" {
				t.Fatalf("no-TTL key: %q", v)
			}
		})
	}
	m := NewMemoryStore()
	now := time.Unix(1_700_000_000, 0)
	m.now = func() time.Time { return now }
	_ = m.Set(ctx, "k", "v", time.Minute)
	now = now.Add(time.Minute)
	if v, _ := m.Get(ctx, "k"); v != "" {
		t.Errorf("expired key answered %q", v)
	}
}

func TestSpendCompareCostsLikeARealCheck(t *testing.T) {
	if IsHash([]byte("default")) || IsHash(nil) {
		t.Error("non-hashes taken for hashes")
	}
	h, _ := HashPassword("x", 10)
	if !IsHash(h) {
		t.Error("a bcrypt hash not recognised")
	}
	// The dummy comparison runs at the configured cost, not a cheap one: an
	// unknown account must not answer faster than a wrong password.
	start := time.Now()
	CheckPassword(h, "y")
	real := time.Since(start)
	SpendCompare("y", 10) // builds the cost-10 dummy
	start = time.Now()
	SpendCompare("y", 10)
	spent := time.Since(start)
	if spent < real/3 {
		t.Errorf("SpendCompare took %v, a real check %v", spent, real)
	}
}
