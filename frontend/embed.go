// Package frontend exposes the built web app (Vue 3, built by Vite into dist/) as an fs.FS
// so that the one chaincrm binary serves it. dist/ is not committed except for a .gitkeep:
// a fresh clone builds the API alone, and the server answers with a short page telling the
// operator to run `make run` (which builds the app) until dist/index.html exists.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built files rooted at dist/.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // unreachable: "dist" is embedded above
	}
	return sub
}

// Built reports whether the app was built into the binary.
func Built() bool {
	_, err := fs.Stat(FS(), "index.html")
	return err == nil
}
