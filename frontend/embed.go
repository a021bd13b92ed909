// Package frontend holds the built comment widget and moderator dashboard (dist/, written by
// `npm run build` in this folder), embedded so that one binary serves them. A binary built
// without the frontend still runs: Files then holds no assets and the server says so.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

//go:embed demo.html
var demoPage []byte

// Files returns the built files: embed.js, count.js and admin/.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path by construction
	}
	return sub
}

// DemoPage returns the article page that `make run` serves at /demo to show the widget.
func DemoPage() []byte { return demoPage }
