package postgres

// PageQueries exposes the SQL of every page query so tests can check their plans.
func PageQueries() map[string]string {
	out := map[string]string{}
	for replies, byOrder := range commentPages {
		scope := "story"
		if replies {
			scope = "replies"
		}
		for order, q := range byOrder {
			out[scope+" "+string(order)+" first"] = q.first
			out[scope+" "+string(order)+" after"] = q.after
		}
	}
	return out
}
