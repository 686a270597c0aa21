package repository

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// Passwords are stored as bcrypt hashes. bcrypt reads only the first 72 bytes, and the
// policy allows 128 characters (up to 512 bytes of UTF-8), so new hashes are of the
// SHA-256 of the password (base64, 44 bytes), marked with a prefix so that they can never
// be mistaken for a hash of the password itself. Plain bcrypt hashes (the demo seed's) are
// still accepted, for passwords of up to 72 bytes.

const prehashPrefix = "bcrypt-sha256$"

// DefaultPasswordCost is the bcrypt cost of new hashes unless Options.PasswordCost says
// otherwise (tests use the minimum). The dummy hash for unknown users is made at the same
// cost, so that a failed log-in for an unknown user costs what one for a known user does.
const DefaultPasswordCost = bcrypt.DefaultCost

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// HashPassword returns the stored form of password at the bcrypt cost.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), cost)
	if err != nil {
		return "", err
	}
	return prehashPrefix + string(h), nil
}

func (db *DB) hashPassword(password string) (string, error) {
	return HashPassword(password, db.Opts.PasswordCost)
}

// CheckPasswordHash reports whether password matches the stored hash.
func CheckPasswordHash(hash, password string) bool {
	if h, ok := strings.CutPrefix(hash, prehashPrefix); ok {
		return bcrypt.CompareHashAndPassword([]byte(h), prehash(password)) == nil
	}
	if len(password) > 72 { // plain bcrypt would compare only a prefix
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

var dummyHashes sync.Map // cost → hash

// dummyHash is compared against when the user does not exist.
func dummyHash(cost int) string {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.(string)
	}
	h, err := HashPassword("chaincrm: no such user", cost)
	if err != nil {
		panic(err)
	}
	dummyHashes.Store(cost, h)
	return h
}

// CheckPasswordPolicy applies the whole password policy (docs/security.md, "Passwords"):
// the rules of domain.CheckPassword, then the zxcvbn strength estimate told the context's
// words, which must reach domain.MinPasswordScore. It returns why the password is refused,
// or "".
func CheckPasswordPolicy(password string, pc domain.PasswordContext) string {
	if msg := domain.CheckPassword(password, pc); msg != "" {
		return msg
	}
	if zxcvbn.PasswordStrength(password, pc.Words()).Score < domain.MinPasswordScore {
		return domain.MsgPasswordTooWeak
	}
	return ""
}
