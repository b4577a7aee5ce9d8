/* event - a small poll(2) event loop with descriptor watches and timers.
 * Callbacks run from event_run_once(); a callback may add or remove any
 * watch or timer, including its own. Timers are one-shot with millisecond
 * resolution on the monotonic clock. Signals are not handled here: a
 * program turns them into a readable descriptor (self-pipe) and watches
 * that. One loop per process; not thread-safe. Never fails except on
 * misuse (panic) or a poll error other than EINTR (fatal). */
#ifndef TERN_UTIL_EVENT_H
#define TERN_UTIL_EVENT_H

#include <stdint.h>

#define EVENT_READ 0x1
#define EVENT_WRITE 0x2

typedef void event_fd_fn(int fd, int events, void *ctx);
typedef void event_timer_fn(void *ctx);

/* Watch fd for events (EVENT_READ|EVENT_WRITE); replaces an existing watch
 * of the same fd. */
void event_watch(int fd, int events, event_fd_fn *fn, void *ctx);
/* Stop watching fd (no-op when not watched). */
void event_unwatch(int fd);
/* Call fn(ctx) once after ms milliseconds. Returns an id for
 * event_cancel; ids are never 0. */
uint64_t event_timer(long ms, event_timer_fn *fn, void *ctx);
/* Cancel a pending timer (no-op for an unknown or fired id). */
void event_cancel(uint64_t id);
/* Wait at most max_ms (-1: until something happens) and dispatch. */
void event_run_once(long max_ms);
/* Milliseconds on the monotonic clock. */
int64_t event_now_ms(void);

#endif
