package markup

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// commentNodeRenderer replaces goldmark's HTML for the Markdown constructs that comments do
// not allow, so that what the author meant survives instead of being dropped by the sanitiser
// with whatever it carried:
//
//   - a heading becomes a paragraph in strong text: the emphasis the author wanted stays, but
//     a comment never adds h1..h6 to the host page's outline, which screen-reader users
//     navigate by;
//   - an image becomes its description (alt text), because comments do not load images from
//     third parties (tracking pixels, unmoderated pictures) and the alt text is all that the
//     sanitiser would otherwise lose with the img element;
//   - raw HTML becomes nothing at all, rather than goldmark's "raw HTML omitted" comment.
//
// None of this is a security measure; the bluemonday policy is.
type commentNodeRenderer struct{}

// RegisterFuncs registers the overrides; goldmark calls it once, when the renderer is first
// used.
func (commentNodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(ast.KindRawHTML, renderNothing)
	reg.Register(ast.KindHTMLBlock, renderNothing)
}

func renderHeading(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !n.HasChildren() {
		// An empty heading ("#" alone on a line) would be an empty strong paragraph.
		return ast.WalkSkipChildren, nil
	}
	if entering {
		_, _ = w.WriteString("<p><strong>")
	} else {
		_, _ = w.WriteString("</strong></p>\n")
	}
	return ast.WalkContinue, nil
}

func renderImage(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	// The children of an image node are its description; rendering them as ordinary inline
	// content keeps the text (and any emphasis in it) in place of the picture.
	return ast.WalkContinue, nil
}

func renderNothing(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}
