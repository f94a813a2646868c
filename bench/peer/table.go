package peer

import (
	"fmt"
	"io"
	"math"
	"time"
)

// WriteTable prints the figures as two markdown tables: every side on
// every query, then citygraph's ratios against the peer and the floor
// (issue 10's targets).
func WriteTable(w io.Writer, rows []Row, clients int) {
	fmt.Fprintf(w, "| query | side | req/s at %d | p50 at %d | p99 at %d | p50 at 1 | statements / req | db hits / req |\n", clients, clients, clients)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %s | %s | %s |\n", r.Query, r.Side, r.RPS, ms(r.P50), ms(r.P99), ms(r.P50One),
			num(r.Statements), num(r.DBHits))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| query | citygraph ÷ peer, req/s at %d | p50 at 1: citygraph / peer / floor | citygraph p50 at 1 ÷ floor | db hits: citygraph / peer | embedded req/s at %d |\n", clients, clients)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	byQuery := map[string]map[string]Row{}
	var order []string
	for _, r := range rows {
		if byQuery[r.Query] == nil {
			byQuery[r.Query] = map[string]Row{}
			order = append(order, r.Query)
		}
		byQuery[r.Query][r.Side] = r
	}
	logSum, n := 0.0, 0
	for _, q := range order {
		s := byQuery[q]
		cg, peer, floor := s[SideCitygraphNeo4j], s[SidePeer], s[SideFloor]
		emb, hasEmb := s[SideCitygraphEmbedded]
		ratio := cg.RPS / peer.RPS
		if ratio > 0 && !math.IsInf(ratio, 0) {
			logSum += math.Log(ratio)
			n++
		}
		e := "–"
		if hasEmb {
			e = fmt.Sprintf("%.0f", emb.RPS)
		}
		fmt.Fprintf(w, "| %s | %.2f | %s / %s / %s | %.1f× | %s / %s | %s |\n", q, ratio, ms(cg.P50One), ms(peer.P50One),
			ms(floor.P50One), float64(cg.P50One)/float64(floor.P50One), num(cg.DBHits), num(peer.DBHits), e)
	}
	if n > 0 {
		fmt.Fprintf(w, "| geometric mean | %.2f | | | | |\n", math.Exp(logSum/float64(n)))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func num(x float64) string {
	if x < 0 {
		return "–"
	}
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}
