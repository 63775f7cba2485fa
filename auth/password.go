package auth

import (
	"sync"
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

// IsHash reports whether stored is a bcrypt hash at all (Zou's LDAP sync
// stores the literal "default", a CSV import stores nothing).
func IsHash(stored []byte) bool {
	_, err := bcrypt.Cost(stored)
	return err == nil
}

// dummyHashes holds, per cost, a hash that is compared against when there is
// no usable one (unknown email, password-less account), so that such a login
// costs the same time as a wrong password and does not reveal the account.
var dummyHashes sync.Map // int → []byte

// SpendCompare burns one bcrypt comparison at the given cost (timing equaliser).
func SpendCompare(pw string, cost int) {
	h, ok := dummyHashes.Load(cost)
	if !ok {
		b, err := bcrypt.GenerateFromPassword([]byte("dummy password"), cost)
		if err != nil {
			return
		}
		h, _ = dummyHashes.LoadOrStore(cost, b)
	}
	_ = bcrypt.CompareHashAndPassword(h.([]byte), truncate(pw))
}
