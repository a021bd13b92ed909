package wordlist

import (
	"slices"
	"unicode/utf8"
)

// automaton is an Aho–Corasick automaton over the normalised runes of a list's patterns. One
// pass over a text finds every occurrence of every pattern, in time linear in the text (plus
// the occurrences reported), however many patterns there are: no per-term regular
// expression and no backtracking.
//
// Nodes are numbered in the order the trie was built, and the edges and terms of node v are
// stored contiguously, at edgeR[edgeLo[v]:edgeLo[v+1]] (sorted by rune, for binary search)
// and termIDs[termLo[v]:termLo[v+1]]. Terms that must end at a word boundary come first, at
// termIDs[termLo[v]:termMid[v]]; the rest may end inside a word (a trailing wildcard).
type automaton struct {
	edgeLo  []int32
	edgeR   []rune
	edgeTo  []int32
	fail    []int32
	dictAll []int32 // nearest proper suffix node with terms, or -1
	dictEnd []int32 // nearest proper suffix node with terms that may end inside a word, or -1
	termLo  []int32
	termMid []int32
	termIDs []int32
	root    [utf8.RuneSelf]int32 // the root's ASCII edges, or -1
}

// buildAutomaton builds the automaton over terms, which must be sorted by pattern.
func buildAutomaton(terms []term) *automaton {
	// Build the trie. With sorted patterns each one shares a prefix with the previous one and
	// adds nodes for the rest, so the children of a node are created in rune order.
	parent := []int32{-1}
	label := []rune{0}
	nodeOf := make([]int32, len(terms))
	var path []int32 // path[d] is the node at depth d+1 along the previous pattern
	var prev []rune
	for i, t := range terms {
		p := t.pattern
		common := 0
		for common < len(p) && common < len(prev) && p[common] == prev[common] {
			common++
		}
		path = path[:common]
		for d := common; d < len(p); d++ {
			par := int32(0)
			if d > 0 {
				par = path[d-1]
			}
			parent = append(parent, par)
			label = append(label, p[d])
			path = append(path, int32(len(parent)-1))
		}
		nodeOf[i] = 0
		if len(p) > 0 {
			nodeOf[i] = path[len(p)-1]
		}
		prev = p
	}
	n := len(parent)
	a := &automaton{
		edgeLo:  make([]int32, n+1),
		edgeR:   make([]rune, n-1),
		edgeTo:  make([]int32, n-1),
		fail:    make([]int32, n),
		dictAll: make([]int32, n),
		dictEnd: make([]int32, n),
		termLo:  make([]int32, n+1),
		termMid: make([]int32, n),
		termIDs: make([]int32, len(terms)),
	}
	// Lay the edges out by parent (a counting sort, stable, so each node's edges stay in
	// rune order).
	for v := 1; v < n; v++ {
		a.edgeLo[parent[v]+1]++
	}
	for v := 0; v < n; v++ {
		a.edgeLo[v+1] += a.edgeLo[v]
	}
	fill := slices.Clone(a.edgeLo[:n])
	for v := 1; v < n; v++ {
		e := fill[parent[v]]
		fill[parent[v]]++
		a.edgeR[e], a.edgeTo[e] = label[v], int32(v)
	}
	// Lay the terms out by node, those needing a word boundary at their end first.
	for _, v := range nodeOf {
		a.termLo[v+1]++
	}
	for v := 0; v < n; v++ {
		a.termLo[v+1] += a.termLo[v]
	}
	fill = slices.Clone(a.termLo[:n])
	for pass := 0; pass < 2; pass++ {
		for i, v := range nodeOf {
			if terms[i].prefix == (pass == 1) {
				a.termIDs[fill[v]] = int32(i)
				fill[v]++
			}
		}
		if pass == 0 {
			copy(a.termMid, fill)
		}
	}
	for r := range a.root {
		a.root[r] = a.edge(0, rune(r))
	}
	// Failure and dictionary links, breadth first so that every shorter suffix is done.
	a.fail[0], a.dictAll[0], a.dictEnd[0] = 0, -1, -1
	queue := make([]int32, 0, n)
	queue = append(queue, 0)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for e := a.edgeLo[v]; e < a.edgeLo[v+1]; e++ {
			c, r := a.edgeTo[e], a.edgeR[e]
			f := int32(0)
			if v != 0 {
				f = a.next(a.fail[v], r)
			}
			a.fail[c] = f
			a.dictAll[c], a.dictEnd[c] = a.dictAll[f], a.dictEnd[f]
			if a.termLo[f+1] > a.termLo[f] {
				a.dictAll[c] = f
			}
			if a.termLo[f+1] > a.termMid[f] {
				a.dictEnd[c] = f
			}
			queue = append(queue, c)
		}
	}
	return a
}

// child returns the node reached from v over r, or -1.
func (a *automaton) child(v int32, r rune) int32 {
	if v == 0 && r < utf8.RuneSelf {
		return a.root[r]
	}
	return a.edge(v, r)
}

// edge finds the edge from v over r by binary search, returning its node or -1.
func (a *automaton) edge(v int32, r rune) int32 {
	lo, hi := int(a.edgeLo[v]), int(a.edgeLo[v+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a.edgeR[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < int(a.edgeLo[v+1]) && a.edgeR[lo] == r {
		return a.edgeTo[lo]
	}
	return -1
}

// next returns the state after reading r in state v.
func (a *automaton) next(v int32, r rune) int32 {
	for {
		if c := a.child(v, r); c >= 0 {
			return c
		}
		if v == 0 {
			return 0
		}
		v = a.fail[v]
	}
}

// scan runs the automaton over rs and calls found for every occurrence of a term that
// respects the word boundaries the term asks for, with the rune range [i, j) it covers. It
// stops when found returns false.
func (a *automaton) scan(rs []rune, terms []term, found func(term int32, i, j int) bool) {
	v := int32(0)
	for k, r := range rs {
		v = a.next(v, r)
		j := k + 1
		// Walk the suffixes of the current state that carry terms. Where the text goes on
		// inside a word only terms with a trailing wildcard can end here, and they have a
		// chain of their own, so a long word costs nothing for the others.
		u := v
		if a.termLo[u+1] == a.termLo[u] {
			u = a.dictAll[u]
		}
		if u < 0 {
			continue // no term ends here: the common case, decided without looking at words
		}
		endsWord := j == len(rs) || !joins(rs[k], rs[j])
		if !endsWord {
			u = v
			if a.termLo[u+1] == a.termMid[u] {
				u = a.dictEnd[u]
			}
		}
		for u >= 0 {
			lo := a.termLo[u]
			if !endsWord {
				lo = a.termMid[u]
			}
			for _, id := range a.termIDs[lo:a.termLo[u+1]] {
				t := &terms[id]
				i := j - len(t.pattern)
				if t.suffix || i == 0 || !joins(rs[i-1], rs[i]) {
					if !found(id, i, j) {
						return
					}
				}
			}
			if endsWord {
				u = a.dictAll[u]
			} else {
				u = a.dictEnd[u]
			}
		}
	}
}
