package admission

import (
	"math"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// clientLimits holds a token bucket per client, at most max of them: an
// LRU drops the least recently seen, so memory stays bounded however many
// addresses a client may cycle through.
type clientLimits struct {
	rate   rate.Limit
	burst  int
	bucket *lru.Cache[string, *rate.Limiter]
}

func newClientLimits(perSecond float64, burst, max int) *clientLimits {
	c, err := lru.New[string, *rate.Limiter](max)
	if err != nil {
		panic(err) // only for max < 1, which Config.Validate refuses
	}
	return &clientLimits{rate: rate.Limit(perSecond), burst: burst, bucket: c}
}

// allow takes a token from client's bucket; when there is none it says how
// many whole seconds until there will be one.
func (c *clientLimits) allow(client string) (retryAfter int, ok bool) {
	l, found := c.bucket.Get(client)
	if !found {
		l = rate.NewLimiter(c.rate, c.burst)
		if prev, had, _ := c.bucket.PeekOrAdd(client, l); had {
			l = prev // another request of the same client made it first
		}
	}
	if l.Allow() {
		return 0, true
	}
	wait := (1 - l.Tokens()) / float64(c.rate)
	return max(1, int(math.Ceil(wait))), false
}
