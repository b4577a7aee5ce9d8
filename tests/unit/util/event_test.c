/* SPDX-License-Identifier: MIT */
/* event_test - descriptor watches, timers, changes made from callbacks. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/event.h"

#include "../expect_panic.h"

/* What the callbacks saw, in order. */
static char trace[256];
static size_t ntrace;

static void
note(char c)
{
	if (ntrace + 1 < sizeof(trace)) {
		trace[ntrace++] = c;
		trace[ntrace] = 0;
	}
}

static void
reset_trace(void)
{
	ntrace = 0;
	trace[0] = 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int last_fd, last_events;

static void
on_fd(int fd, int events, void *ctx)
{
	last_fd = fd;
	last_events = events;
	note(*(const char *)ctx);
}

static void
test_watch_fires(void **state)
{
	static const char a = 'a', b = 'b';
	int p[2], sv[2];
	char c;

	(void)state;
	reset_trace();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	event_watch(p[0], EVENT_READ, on_fd, (void *)&a);
	/* Nothing to read: nothing fires. */
	event_run_once(0);
	assert_string_equal(trace, "");
	assert_int_equal(write(p[1], "x", 1), 1);
	event_run_once(1000);
	assert_string_equal(trace, "a");
	assert_int_equal(last_fd, p[0]);
	assert_int_equal(last_events, EVENT_READ);
	/* Level-triggered: still readable, fires again. */
	event_run_once(0);
	assert_string_equal(trace, "aa");
	assert_int_equal(read(p[0], &c, 1), 1);
	event_run_once(0);
	assert_string_equal(trace, "aa");
	/* A new watch of the same fd replaces the old one. */
	event_watch(p[0], EVENT_READ, on_fd, (void *)&b);
	assert_int_equal(write(p[1], "x", 1), 1);
	event_run_once(1000);
	assert_string_equal(trace, "aab");
	event_unwatch(p[0]);
	event_run_once(0);
	assert_string_equal(trace, "aab");
	event_unwatch(p[0]); /* not watched: a no-op */

	/* A write watch on a socket with room. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	event_watch(sv[0], EVENT_WRITE, on_fd, (void *)&a);
	event_run_once(1000);
	assert_string_equal(trace, "aaba");
	assert_int_equal(last_events, EVENT_WRITE);
	/* A hang-up is reported to a reader. */
	event_watch(sv[0], EVENT_READ, on_fd, (void *)&b);
	close(sv[1]);
	event_run_once(1000);
	assert_string_equal(trace, "aabab");
	assert_true(last_events & EVENT_READ);
	event_unwatch(sv[0]);
	close(sv[0]);
	close(p[0]);
	close(p[1]);
}

static int fds[2];

/* Each callback removes both watches: only the first to run fires. */
static void
unwatch_both(int fd, int events, void *ctx)
{
	(void)fd;
	(void)events;
	note(*(const char *)ctx);
	event_unwatch(fds[0]);
	event_unwatch(fds[1]);
}

static void
rewatch_other(int fd, int events, void *ctx)
{
	static const char z = 'z';

	(void)events;
	note(*(const char *)ctx);
	/* Replace the other watch with a different callback: the old one
	 * must not run in this round, the new one not before the next. */
	event_watch(fd == fds[0] ? fds[1] : fds[0], EVENT_READ, on_fd,
	    (void *)&z);
	event_unwatch(fd);
}

static void
test_unwatch_in_callback(void **state)
{
	static const char a = 'a', b = 'b';
	int p1[2], p2[2];

	(void)state;
	reset_trace();
	assert_int_equal(pipe2(p1, O_CLOEXEC), 0);
	assert_int_equal(pipe2(p2, O_CLOEXEC), 0);
	fds[0] = p1[0];
	fds[1] = p2[0];
	assert_int_equal(write(p1[1], "x", 1), 1);
	assert_int_equal(write(p2[1], "x", 1), 1);
	event_watch(fds[0], EVENT_READ, unwatch_both, (void *)&a);
	event_watch(fds[1], EVENT_READ, unwatch_both, (void *)&b);
	event_run_once(1000);
	assert_int_equal(ntrace, 1);
	event_run_once(0);
	assert_int_equal(ntrace, 1);

	reset_trace();
	event_watch(fds[0], EVENT_READ, rewatch_other, (void *)&a);
	event_watch(fds[1], EVENT_READ, rewatch_other, (void *)&b);
	event_run_once(1000);
	assert_int_equal(ntrace, 1);
	event_run_once(1000);
	assert_int_equal(ntrace, 2);
	assert_int_equal(trace[1], 'z');
	event_unwatch(fds[0]);
	event_unwatch(fds[1]);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

static void
on_timer(void *ctx)
{
	note(*(const char *)ctx);
}

/* Run the loop until n callbacks have been seen (or 2 s have passed). */
static void
run_until(size_t n)
{
	int64_t end = event_now_ms() + 2000;

	while (ntrace < n && event_now_ms() < end)
		event_run_once(100);
}

static void
test_timers_in_order(void **state)
{
	static const char c1 = '1', c2 = '2', c3 = '3', c4 = '4', c5 = '5';
	int64_t start;

	(void)state;
	/* Fired one per round, as they come due. */
	reset_trace();
	start = event_now_ms();
	event_timer(60, on_timer, (void *)&c3);
	event_timer(20, on_timer, (void *)&c1);
	event_timer(40, on_timer, (void *)&c2);
	run_until(3);
	assert_string_equal(trace, "123");
	assert_true(event_now_ms() - start >= 60);

	/* All due in the same round: by due time, then by creation. */
	reset_trace();
	event_timer(3, on_timer, (void *)&c4);
	event_timer(1, on_timer, (void *)&c1);
	event_timer(2, on_timer, (void *)&c2);
	event_timer(2, on_timer, (void *)&c3);
	event_timer(-5, on_timer, (void *)&c5); /* negative: now */
	sleep_ms(20);
	event_run_once(0);
	assert_string_equal(trace, "51234");
	event_run_once(0);
	assert_string_equal(trace, "51234");
}

static void
test_run_once_waits(void **state)
{
	static const char c = 't';
	int64_t start, took;

	(void)state;
	reset_trace();
	/* Nothing watched: run_once waits max_ms. */
	start = event_now_ms();
	event_run_once(50);
	took = event_now_ms() - start;
	assert_true(took >= 45 && took < 1000);
	/* A timer shortens an infinite wait. */
	start = event_now_ms();
	event_timer(50, on_timer, (void *)&c);
	event_run_once(-1);
	took = event_now_ms() - start;
	assert_string_equal(trace, "t");
	assert_true(took >= 45 && took < 1000);
}

static uint64_t victim;

static void
cancel_victim(void *ctx)
{
	note(*(const char *)ctx);
	event_cancel(victim);
}

static void
test_cancel(void **state)
{
	static const char a = 'a', b = 'b', c = 'c';
	uint64_t id1, id2;

	(void)state;
	reset_trace();
	id1 = event_timer(0, on_timer, (void *)&a);
	id2 = event_timer(0, on_timer, (void *)&b);
	assert_true(id1 != 0 && id2 != 0 && id1 != id2);
	event_cancel(id1);
	event_cancel(id1); /* twice: a no-op */
	event_cancel(0);   /* never an id */
	event_run_once(0);
	assert_string_equal(trace, "b");
	event_cancel(id2); /* already fired: a no-op */

	/* A timer cancels another that is due in the same round. */
	reset_trace();
	event_timer(0, cancel_victim, (void *)&c);
	victim = event_timer(1, on_timer, (void *)&a);
	sleep_ms(10);
	event_run_once(0);
	assert_string_equal(trace, "c");
	event_run_once(0);
	assert_string_equal(trace, "c");
}

static void
add_from_timer(void *ctx)
{
	static const char later = 'L';

	note(*(const char *)ctx);
	/* Due at once, but it must wait for the next round. */
	event_timer(0, on_timer, (void *)&later);
	event_timer(-1, on_timer, (void *)&later);
}

static void
test_timer_added_in_callback(void **state)
{
	static const char a = 'a';

	(void)state;
	reset_trace();
	event_timer(0, add_from_timer, (void *)&a);
	event_run_once(0);
	assert_string_equal(trace, "a");
	event_run_once(0);
	assert_string_equal(trace, "aLL");
	event_run_once(0);
	assert_string_equal(trace, "aLL");
}

static void
watch_bad_fd(void *arg)
{
	(void)arg;
	event_watch(-1, EVENT_READ, on_fd, NULL);
}

static void
watch_no_events(void *arg)
{
	(void)arg;
	event_watch(0, 0, on_fd, NULL);
}

static void
test_bad_watch_panics(void **state)
{
	(void)state;
	expect_panic(watch_bad_fd, NULL);
	expect_panic(watch_no_events, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_fires),
		cmocka_unit_test(test_unwatch_in_callback),
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_run_once_waits),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_timer_added_in_callback),
		cmocka_unit_test(test_bad_watch_panics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
