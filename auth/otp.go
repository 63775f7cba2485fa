package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Second factors as Zou (pyotp) computes them: HOTP (RFC 4226) with SHA-1 and
// 6 digits over a base32 secret, and TOTP (RFC 6238) with a 30 s step.

const (
	otpDigits = 6
	totpStep  = 30
)

func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimSpace(secret))
	if m := len(s) % 8; m != 0 {
		s += strings.Repeat("=", 8-m) // pyotp pads the same way before decoding
	}
	return base32.StdEncoding.DecodeString(s)
}

// HOTP returns the code of secret at counter.
func HOTP(secret string, counter uint64) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("decode OTP secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", otpDigits, n%1_000_000), nil
}

// VerifyHOTP checks code against secret at counter, in constant time.
func VerifyHOTP(secret, code string, counter uint64) bool {
	want, err := HOTP(secret, counter)
	return err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(strings.TrimSpace(code))) == 1
}

// VerifyTOTP checks code against secret at now, accepting the previous and
// next steps as well (pyotp's valid_window=1).
func VerifyTOTP(secret, code string, now time.Time) bool {
	step := uint64(now.Unix() / totpStep)
	ok := false
	for _, c := range []uint64{step - 1, step, step + 1} {
		if VerifyHOTP(secret, code, c) {
			ok = true
		}
	}
	return ok
}
