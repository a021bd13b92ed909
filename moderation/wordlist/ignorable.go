package wordlist

import (
	"slices"
	"sync"
	"unicode"
)

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// ignorableRanges holds Unicode's Default_Ignorable_Code_Point set as sorted, merged ranges.
//
// golang.org/x/text has no table for this property, but the standard library carries every
// table it is derived from, so the set is computed here exactly as DerivedCoreProperties.txt
// defines it:
//
//	  Other_Default_Ignorable_Code_Point
//	+ Cf (Format characters)
//	+ Variation_Selector
//	- White_Space
//	- FFF9..FFFB (Interlinear annotation format characters)
//	- 13430..13440 (Egyptian hieroglyph format characters)
//	- Prepended_Concatenation_Mark
//
// The result follows the Unicode version of the Go toolchain's unicode package (15.0.0 for Go
// 1.26). testdata/DerivedCoreProperties-DI.txt, the property's section of
// DerivedCoreProperties.txt 15.0.0 (Debian's unicode-data package), checks it in the tests.
var ignorableRanges = sync.OnceValue(func() []runeRange {
	var points []rune
	for _, t := range []*unicode.RangeTable{unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector} {
		for _, r16 := range t.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				points = append(points, r)
			}
		}
		for _, r32 := range t.R32 {
			for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
				points = append(points, r)
			}
		}
	}
	slices.Sort(points)
	points = slices.Compact(points)
	var ranges []runeRange
	for _, r := range points {
		switch {
		case unicode.Is(unicode.White_Space, r),
			r >= 0xFFF9 && r <= 0xFFFB,
			r >= 0x13430 && r <= 0x13440,
			unicode.Is(unicode.Prepended_Concatenation_Mark, r):
			continue
		}
		if n := len(ranges); n > 0 && ranges[n-1].hi == r-1 {
			ranges[n-1].hi = r
			continue
		}
		ranges = append(ranges, runeRange{r, r})
	}
	return ranges
})

// isIgnorable reports whether r is a default-ignorable code point: invisible in text, and so
// free for a writer to sprinkle inside a word ("id\u200Biot") without changing what a reader
// sees. Such code points are removed before matching.
func isIgnorable(r rune) bool {
	if r < 0xAD { // SOFT HYPHEN is the first default-ignorable code point.
		return false
	}
	ranges := ignorableRanges()
	_, found := slices.BinarySearchFunc(ranges, r, func(rr runeRange, r rune) int {
		switch {
		case rr.hi < r:
			return -1
		case rr.lo > r:
			return 1
		}
		return 0
	})
	return found
}
