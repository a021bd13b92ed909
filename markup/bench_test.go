package markup_test

import "testing"

// benchComment is a realistic comment of about 600 characters: a quote of the article, a
// couple of paragraphs with emphasis and links, a short list and a code span.
const benchComment = `> The council voted 7–2 to close the library on Sundays.

I think this misses the point. The **budget report** (page 14) shows the Sunday hours cost
less than the new parking signs, see https://example.gov/budget-2025.pdf for yourself.

What I'd rather see:

- keep Sundays, cut the *consultancy* line instead
- publish the footfall numbers ` + "`per hour`" + `, not per month
- ask [the Friends of the Library](https://friends.example.org/survey) before deciding

Also, www.example.com/minutes has the full minutes if anyone wants to check my numbers.
~~Sorry~~ Not sorry for the long post!`

func BenchmarkRender(b *testing.B) {
	r := renderer
	b.SetBytes(int64(len(benchComment)))
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Render(benchComment)
	}
}

func BenchmarkSanitize(b *testing.B) {
	r := renderer
	html := r.Render(benchComment)
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Sanitize(html)
	}
}
