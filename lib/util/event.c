/* SPDX-License-Identifier: MIT */
/* event - a small poll(2) event loop with descriptor watches and timers. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

struct watch {
	int fd;
	int events;
	event_fd_fn *fn;
	void *ctx;
};

struct timer {
	uint64_t id;
	int64_t when;
	event_timer_fn *fn;
	void *ctx;
};

static struct watch *watches;
static size_t nwatches, capwatches;
static struct timer *timers;
static size_t ntimers, captimers;
static uint64_t next_timer_id = 1;

int64_t
event_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
event_watch(int fd, int events, event_fd_fn *fn, void *ctx)
{
	size_t i;

	if (fd < 0 || events == 0)
		log_panic("event_watch: bad arguments");
	for (i = 0; i < nwatches; i++) {
		if (watches[i].fd == fd) {
			watches[i].events = events;
			watches[i].fn = fn;
			watches[i].ctx = ctx;
			return;
		}
	}
	if (nwatches == capwatches) {
		capwatches = capwatches ? capwatches * 2 : 16;
		watches = xrealloc(watches, capwatches * sizeof(*watches));
	}
	watches[nwatches++] = (struct watch){ fd, events, fn, ctx };
}

void
event_unwatch(int fd)
{
	size_t i;

	for (i = 0; i < nwatches; i++) {
		if (watches[i].fd == fd) {
			watches[i] = watches[--nwatches];
			return;
		}
	}
}

uint64_t
event_timer(long ms, event_timer_fn *fn, void *ctx)
{
	if (ntimers == captimers) {
		captimers = captimers ? captimers * 2 : 16;
		timers = xrealloc(timers, captimers * sizeof(*timers));
	}
	timers[ntimers] = (struct timer){ next_timer_id++,
		event_now_ms() + (ms < 0 ? 0 : ms), fn, ctx };
	return timers[ntimers++].id;
}

void
event_cancel(uint64_t id)
{
	size_t i;

	for (i = 0; i < ntimers; i++) {
		if (timers[i].id == id) {
			timers[i] = timers[--ntimers];
			return;
		}
	}
}

/* Fire every due timer in order of due time, then of creation (those
 * added meanwhile wait for the next round). The array is unordered, so
 * each step picks the earliest due timer afresh: a callback may have added
 * or cancelled any timer. */
static void
run_timers(void)
{
	int64_t now = event_now_ms();
	uint64_t limit = next_timer_id;

	for (;;) {
		struct timer t;
		size_t i, best = ntimers;

		for (i = 0; i < ntimers; i++) {
			if (timers[i].when > now || timers[i].id >= limit)
				continue;
			if (best == ntimers ||
			    timers[i].when < timers[best].when ||
			    (timers[i].when == timers[best].when &&
				timers[i].id < timers[best].id))
				best = i;
		}
		if (best == ntimers)
			return;
		t = timers[best];
		timers[best] = timers[--ntimers];
		t.fn(t.ctx);
	}
}

void
event_run_once(long max_ms)
{
	struct pollfd *pfds;
	struct watch *snap;
	int64_t now = event_now_ms();
	long wait = max_ms;
	size_t i, n = nwatches;
	int ret;

	for (i = 0; i < ntimers; i++) {
		long left =
		    timers[i].when <= now ? 0 : (long)(timers[i].when - now);

		if (wait < 0 || left < wait)
			wait = left;
	}
	pfds = xcalloc(n ? n : 1, sizeof(*pfds));
	snap = xcalloc(n ? n : 1, sizeof(*snap));
	for (i = 0; i < n; i++) {
		snap[i] = watches[i];
		pfds[i].fd = watches[i].fd;
		pfds[i].events =
		    (short)(((watches[i].events & EVENT_READ) ? POLLIN : 0) |
			((watches[i].events & EVENT_WRITE) ? POLLOUT : 0));
	}
	ret = poll(pfds, n, wait > (long)INT32_MAX ? INT32_MAX : (int)wait);
	if (ret < 0 && errno != EINTR)
		log_fatal("poll: %m");
	for (i = 0; ret > 0 && i < n; i++) {
		size_t j;
		int ev = 0;

		if (pfds[i].revents == 0)
			continue;
		if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			ev |= EVENT_READ;
		if (pfds[i].revents & (POLLOUT | POLLERR | POLLHUP))
			ev |= EVENT_WRITE;
		/* Dispatch only if the same watch is still in place. */
		for (j = 0; j < nwatches; j++) {
			if (watches[j].fd == snap[i].fd &&
			    watches[j].fn == snap[i].fn &&
			    watches[j].ctx == snap[i].ctx) {
				ev &= watches[j].events | EVENT_READ;
				watches[j].fn(snap[i].fd, ev, snap[i].ctx);
				break;
			}
		}
	}
	xfree(pfds);
	xfree(snap);
	run_timers();
}
