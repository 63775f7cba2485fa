package auth

import (
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// bcrypt reads at most 72 bytes; Zou truncates longer passwords to that before
// hashing and checking, so we do the same to verify its existing hashes.
const bcryptMaxBytes = 72

func truncate(pw string) []byte {
	b := []byte(pw)
	if len(b) > bcryptMaxBytes {
		b = b[:bcryptMaxBytes]
	}
	return b
}

// HashPassword hashes pw with bcrypt at the given cost ($2a$, which Zou's bcrypt verifies).
func HashPassword(pw string, cost int) ([]byte, error) {
	return bcrypt.GenerateFromPassword(truncate(pw), cost)
}

// CheckPassword verifies pw against a bcrypt hash ($2a$/$2b$/$2y$, Zou's or ours).
func CheckPassword(hash []byte, pw string) bool {
	if len(hash) == 0 {
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, truncate(pw)) == nil
}

// PasswordLength counts characters, not bytes, as Zou's length rule does.
func PasswordLength(pw string) int { return utf8.RuneCountInString(pw) }

// dummyHash is compared against when the account does not exist, so that an
// unknown email costs the same time as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-real-password"), bcrypt.MinCost)

// SpendCompare burns one bcrypt comparison (timing equaliser).
func SpendCompare(pw string) { _ = bcrypt.CompareHashAndPassword(dummyHash, truncate(pw)) }
