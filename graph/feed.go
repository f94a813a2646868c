package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
)

// FeedConfig bounds the live change feed (subscription changes).
type FeedConfig struct {
	// Poll is how often an idle feed reads the change log for sets that
	// other instances wrote; writes through this instance wake it at once.
	Poll time.Duration
	// MaxPerClient and MaxTotal bound the subscriptions open at once, per
	// client and in all.
	MaxPerClient, MaxTotal int
	// KeepAlive is how often the server pings a websocket, so that proxies
	// keep it open and a dead peer is noticed.
	KeepAlive time.Duration
	// Origins are the browser origins (as CITYGRAPH_CORS_ORIGINS writes
	// them) whose pages may open a websocket; pages of other origins are
	// refused, as CORS keeps them from reading answers.
	Origins []string
	// Authenticator checks the credential a client sends in its
	// connection_init payload; nil accepts none.
	Authenticator *auth.Authenticator
	// Client names the client a websocket comes from, for MaxPerClient;
	// nil keys by the peer's address.
	Client func(*http.Request) string
}

// DefaultFeed suits one instance serving a few apps.
var DefaultFeed = FeedConfig{Poll: time.Second, MaxPerClient: 8, MaxTotal: 1000, KeepAlive: 25 * time.Second}

// WithFeed sets the live feed's bounds and credentials (DefaultFeed
// without it).
func WithFeed(f FeedConfig) Option { return func(o *options) { o.feed = &f } }

// feedBatch is how many change sets one read of the log returns.
const feedBatch = 100

// feed delivers the change log to subscriptions. It holds no change sets
// of its own: each subscription reads the log from its last sequence
// number, so every instance over one store delivers the same sets.
type feed struct {
	cfg     FeedConfig
	store   domain.Store
	log     *slog.Logger
	timeout time.Duration // of one read of the log

	mu        sync.Mutex
	wake      chan struct{} // closed, and replaced, when a write commits here
	perClient map[string]int
	total     int
}

func newFeed(st domain.Store, log *slog.Logger, cfg FeedConfig, timeout time.Duration) *feed {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultFeed.Poll
	}
	return &feed{cfg: cfg, store: st, log: log, timeout: timeout, wake: make(chan struct{}), perClient: map[string]int{}}
}

// notify wakes every subscription to read the log now.
func (f *feed) notify() {
	f.mu.Lock()
	close(f.wake)
	f.wake = make(chan struct{})
	f.mu.Unlock()
}

func (f *feed) woken() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wake
}

// acquire takes one of client's subscription slots; release gives it back.
func (f *feed) acquire(client string) (release func(), err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.cfg.MaxTotal > 0 && f.total >= f.cfg.MaxTotal:
		return nil, domain.Errorf(domain.EUNAVAILABLE, "the server already serves %d subscriptions, the most it may; retry later", f.cfg.MaxTotal)
	case f.cfg.MaxPerClient > 0 && f.perClient[client] >= f.cfg.MaxPerClient:
		return nil, domain.Errorf(domain.ERATELIMIT, "this client already has %d subscriptions open, the most one client may; close one first", f.cfg.MaxPerClient)
	}
	f.total++
	f.perClient[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.total--
			if f.perClient[client]--; f.perClient[client] == 0 {
				delete(f.perClient, client)
			}
		})
	}, nil
}

// changes answers subscription changes(after:): the log after after, then
// each set as it commits, until the client leaves.
func (f *feed) changes(ctx context.Context, after *int) (<-chan *domain.ChangeSet, error) {
	var from int64
	if after != nil {
		if *after < 0 {
			return nil, domain.Errorf(domain.EINVALID, "after must be a sequence number, 0 or more, got %d; give 0 to read from the first change set", *after)
		}
		from = int64(*after)
	}
	wr, ok := f.store.(domain.Writer)
	if !ok {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "this store keeps no change log, so there is no feed to follow")
	}
	client, _ := ctx.Value(feedClientKey{}).(string)
	release, err := f.acquire(client)
	if err != nil {
		return nil, err
	}
	out := make(chan *domain.ChangeSet)
	go func() {
		defer release()
		defer close(out)
		f.follow(ctx, wr, from, out)
	}()
	return out, nil
}

// follow sends every change set after seq to out, in order, until ctx
// ends. It takes the wake-up channel before each read, so a write that
// commits during the read wakes the next wait.
func (f *feed) follow(ctx context.Context, wr domain.Writer, seq int64, out chan<- *domain.ChangeSet) {
	poll := time.NewTicker(f.cfg.Poll)
	defer poll.Stop()
	for {
		woken := f.woken()
		rctx, cancel := context.WithTimeout(ctx, f.timeout)
		sets, err := wr.Changes(rctx, seq, feedBatch)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// The store is away or slow: read again at the next wake-up.
			f.log.WarnContext(ctx, "reading the change log for a feed failed; retrying", "after", seq, "err", err)
		}
		for i := range sets {
			select {
			case out <- &sets[i]:
				seq = sets[i].Seq
			case <-ctx.Done():
				return
			}
		}
		if err == nil && len(sets) == feedBatch {
			continue // more are waiting
		}
		select {
		case <-woken:
		case <-poll.C:
		case <-ctx.Done():
			return
		}
	}
}

type feedClientKey struct{}

// transport is the websocket transport of subscriptions: graphql-ws and
// graphql-transport-ws, with keep-alive pings, the credential in the
// connection_init payload, and browser origins checked as CORS does.
func (f *feed) transport() transport.Websocket {
	opts := websocket.AcceptOptions{}
	for _, o := range f.cfg.Origins {
		opts.OriginPatterns = append(opts.OriginPatterns, originPattern(o))
	}
	return transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: opts},
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: f.cfg.KeepAlive,
		PingPongInterval:      f.cfg.KeepAlive,
		InitFunc:              f.init,
	}
}

// originPattern turns an allowed origin (https://*.example.org) into the
// host pattern coder/websocket matches the Origin header against.
func originPattern(origin string) string {
	if origin == "*" {
		return "*"
	}
	if _, host, ok := strings.Cut(origin, "://"); ok {
		return host
	}
	return origin
}

// init authenticates the connection_init payload's Authorization: a bad
// credential closes the connection, never degrading to anonymous.
func (f *feed) init(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if p.Authorization() == "" {
		return ctx, nil, nil // the upgrade request's own header, if any, stands
	}
	pr, err := f.cfg.Authenticator.Authenticate(p.Authorization())
	if err != nil {
		// 4403 is graphql-transport-ws's close code for a refused connection_init.
		ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), "Forbidden: bad credential")
		return ctx, nil, errors.New(domain.ErrorMessage(err))
	}
	ctx = auth.WithPrincipal(ctx, pr)
	return context.WithValue(ctx, feedClientKey{}, "sub:"+pr.Subject), nil, nil
}

// route sends websocket upgrades to ws, past the per-request timeout of
// queries, and every other request to h.
func (f *feed) route(h, ws http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			h.ServeHTTP(w, r)
			return
		}
		client := r.RemoteAddr
		if f.cfg.Client != nil {
			client = f.cfg.Client(r)
		}
		ws.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), feedClientKey{}, client)))
	})
}

// wakeFeed wakes the feed after every mutation this instance runs, so its
// subscribers read the new change set at once instead of at the next poll.
type wakeFeed struct{ feed *feed }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = wakeFeed{}

func (wakeFeed) ExtensionName() string                   { return "WakeFeed" }
func (wakeFeed) Validate(graphql.ExecutableSchema) error { return nil }

func (w wakeFeed) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		w.feed.notify()
	}
	return resp
}
