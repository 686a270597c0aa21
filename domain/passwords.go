package domain

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "# ") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// IsCommonPassword reports whether p is on the embedded list of the most common passwords,
// ignoring case.
func IsCommonPassword(p string) bool { return commonPasswords()[strings.ToLower(p)] }
