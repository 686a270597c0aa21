package api

import "mime"

// The web app's manifest (issue 20: the app installs from the browser) is served with its
// registered media type; Go's table does not know the extension.
func init() {
	mime.AddExtensionType(".webmanifest", "application/manifest+json")
}
