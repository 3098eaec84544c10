package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/store"
)

// ops is what the running bot says about itself: the metrics behind
// /metrics, the checks behind /healthz and the periodic health line. It
// implements the dispatcher's, the sender's and the adapters' callbacks,
// so that only this package knows of Prometheus.
type ops struct {
	st      *store.Store
	reg     *prometheus.Registry
	started time.Time

	updates   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec
	lastPoll  *prometheus.GaugeVec

	// polls are the platforms that poll, by name; fixed before the bot runs.
	polls map[string]*poller
	// Since the last health line.
	handledSince, throttledSince atomic.Int64
}

// poller is one platform's poll timeout and its last answered poll.
type poller struct {
	timeout time.Duration
	last    atomic.Int64 // unix nanoseconds; 0 before the first
}

func newOps(st *store.Store) *ops {
	o := &ops{
		st: st, reg: prometheus.NewRegistry(), started: time.Now(), polls: map[string]*poller{},
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "totuquan_updates_total",
			Help: "Updates given to the dispatcher, by platform and outcome: handled, dropped (over the limits) or failed (the store failed; offered again).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "totuquan_reply_latency_seconds",
			Help:    "From an update reaching the dispatcher to its replies committed to the outbox, for handled updates.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"platform"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "totuquan_throttled_total",
			Help: "Messages the platform refused with a pause to wait (HTTP 429, retry after).",
		}, []string{"platform"}),
		lastPoll: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "totuquan_last_poll_timestamp_seconds",
			Help: "When the platform last answered a poll (unix seconds); absent before the first.",
		}, []string{"platform"}),
	}
	o.reg.MustRegister(o.updates, o.latency, o.throttled, o.lastPoll, storeCollector{st},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return o
}

// observe is the dispatcher's Observe.
func (o *ops) observe(platform, outcome string, took time.Duration) {
	o.updates.WithLabelValues(platform, outcome).Inc()
	if outcome == bot.OutcomeHandled {
		o.latency.WithLabelValues(platform).Observe(took.Seconds())
		o.handledSince.Add(1)
	}
}

// throttle is the sender's OnThrottle.
func (o *ops) throttle(platform string) {
	o.throttled.WithLabelValues(platform).Inc()
	o.throttledSince.Add(1)
}

// poller returns the OnPoll of a platform that polls with timeout; call
// it before the bot runs. /healthz then wants a poll every 3×timeout.
func (o *ops) poller(platform string, timeout time.Duration) func() {
	p := &poller{timeout: timeout}
	o.polls[platform] = p
	// Initialise the counters so that a scrape shows them at 0.
	for _, outcome := range []string{bot.OutcomeHandled, bot.OutcomeDropped, bot.OutcomeFailed} {
		o.updates.WithLabelValues(platform, outcome)
	}
	o.throttled.WithLabelValues(platform)
	return func() {
		now := time.Now()
		p.last.Store(now.UnixNano())
		o.lastPoll.WithLabelValues(platform).Set(float64(now.UnixNano()) / 1e9)
	}
}

// platforms are the polling platforms' names, sorted.
func (o *ops) platforms() []string {
	var names []string
	for name := range o.polls {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// outboxStats reads how many messages wait in the outbox and how long the
// oldest has waited, in a read transaction of its own.
func outboxStats(st bot.Store) (depth int, age time.Duration, err error) {
	var oldest time.Time
	err = st.View(func(tx bot.Tx) (err error) {
		depth, oldest, err = tx.OutboxStats()
		return err
	})
	if !oldest.IsZero() {
		age = max(0, time.Since(oldest))
	}
	return depth, age, err
}

// storeCollector reads the outbox and the store's file size at each
// scrape.
type storeCollector struct{ st *store.Store }

var (
	outboxDepthDesc = prometheus.NewDesc("totuquan_outbox_depth", "Messages waiting in the outbox, replies and bulk.", nil, nil)
	outboxAgeDesc   = prometheus.NewDesc("totuquan_outbox_oldest_age_seconds", "How long the oldest message in the outbox has waited; 0 when it is empty.", nil, nil)
	storeSizeDesc   = prometheus.NewDesc("totuquan_store_size_bytes", "The size of the store's file.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepthDesc
	ch <- outboxAgeDesc
	ch <- storeSizeDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	if depth, age, err := outboxStats(c.st); err != nil {
		ch <- prometheus.NewInvalidMetric(outboxDepthDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(outboxDepthDesc, prometheus.GaugeValue, float64(depth))
		ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age.Seconds())
	}
	if fi, err := os.Stat(c.st.Path()); err != nil {
		ch <- prometheus.NewInvalidMetric(storeSizeDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(fi.Size()))
	}
}

// unhealthy says why the bot is not well, or "" when it is: the store
// must answer a read and every polling platform must have been answered
// within 3× its poll timeout (counted from the start before the first).
func (o *ops) unhealthy() string {
	if _, _, err := outboxStats(o.st); err != nil {
		return "store: " + err.Error()
	}
	var why []string
	for _, name := range o.platforms() {
		p := o.polls[name]
		last := o.started
		if n := p.last.Load(); n != 0 {
			last = time.Unix(0, n)
		}
		if since, limit := time.Since(last), 3*p.timeout; since > limit {
			why = append(why, fmt.Sprintf("%s: no answered poll for %s (at most %s)", name, since.Round(time.Second), limit))
		}
	}
	return strings.Join(why, "; ")
}

// handler serves /metrics and /healthz.
func (o *ops) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if why := o.unhealthy(); why != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, why)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// serveMetrics serves /metrics and /healthz on metrics.listen, if set;
// listening, if set, is told the address bound.
func serveMetrics(cfg Config, o *ops, log *slog.Logger, listening func(net.Addr)) (*http.Server, error) {
	if cfg.Metrics.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Listen)
	if err != nil {
		return nil, wordedError{i18n.T(cfg.Language, "cli.listen_failed", "metrics.listen", cfg.Metrics.Listen, err), err}
	}
	if listening != nil {
		listening(ln.Addr())
	}
	srv := &http.Server{Handler: o.handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("serving /metrics and /healthz", "listen", ln.Addr().String())
	return srv, nil
}

// logHealth writes the health line every interval until ctx ends.
func (o *ops) logHealth(ctx context.Context, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			o.healthLine(log)
		}
	}
}

// healthLine writes one line: updates handled and 429s since the last
// line, the outbox, each platform's last answered poll.
func (o *ops) healthLine(log *slog.Logger) {
	depth, age, _ := outboxStats(o.st) // a failure is the unhealthy reason below
	attrs := []any{
		"handled", o.handledSince.Swap(0), "outbox", depth, "outbox_oldest", age.Round(time.Second).String(),
		"throttled", o.throttledSince.Swap(0),
	}
	var polls []any
	for _, name := range o.platforms() {
		last := "never"
		if n := o.polls[name].last.Load(); n != 0 {
			last = time.Unix(0, n).UTC().Format(time.RFC3339)
		}
		polls = append(polls, name, last)
	}
	if len(polls) > 0 {
		attrs = append(attrs, slog.Group("last_poll", polls...))
	}
	if why := o.unhealthy(); why != "" {
		log.Warn("health", append(attrs, "unhealthy", why)...)
		return
	}
	log.Info("health", attrs...)
}
