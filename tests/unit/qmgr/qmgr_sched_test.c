/* SPDX-License-Identifier: MIT */
/* qmgr_sched_test - qmgr's scheduling decisions: the retry delay, expiry,
 * request batches, the active-message limit from the descriptor budget,
 * and a next hop's slow start and suspension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>

#include "qmgr.h"

static void
test_backoff(void **state)
{
	static const struct {
		time_t now, arrival;
		long min, max, want;
		const char *why;
	} cases[] = {
		{ 1000, 1000, 300, 4000, 300, "just arrived: the minimum" },
		{ 1000, 900, 300, 4000, 300, "younger than the minimum" },
		{ 5000, 1000, 300, 4000, 4000, "as old as the maximum" },
		{ 5000, 2000, 300, 4000, 3000, "in between: its age" },
		{ 900000, 0, 300, 4000, 4000, "very old: the maximum" },
		{ 1000, 2000, 300, 4000, 300, "arrival in the future (clock)" },
		{ 1000, 999, 1, 1, 1, "min = max" },
		{ 1000, 990, 1, 4, 4, "test settings" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = qmgr_backoff(cases[i].now, cases[i].arrival,
		    cases[i].min, cases[i].max);

		if (got != cases[i].want)
			fail_msg("case %zu (%s): %ld, want %ld", i,
			    cases[i].why, got, cases[i].want);
	}
}

static void
test_expired(void **state)
{
	(void)state;
	assert_int_equal(qmgr_expired(1000, 1000, 432000), 0);
	assert_int_equal(qmgr_expired(1000 + 431999, 1000, 432000), 0);
	/* Exactly its lifetime old: returned. */
	assert_int_equal(qmgr_expired(1000 + 432000, 1000, 432000), 1);
	assert_int_equal(qmgr_expired(1000 + 500000, 1000, 432000), 1);
	/* bounce_queue_lifetime = 0: the first failure returns it. */
	assert_int_equal(qmgr_expired(1000, 1000, 0), 1);
	/* An arrival in the future (clock step) is not expired. */
	assert_int_equal(qmgr_expired(1000, 5000, 10), 0);
}

static void
test_batches(void **state)
{
	static const struct {
		size_t n, max;
		size_t want[4]; /* batch sizes, 0-terminated */
	} cases[] = {
		{ 0, 500, { 0 } },
		{ 1, 500, { 1, 0 } },
		{ 500, 500, { 500, 0 } },
		{ 501, 500, { 500, 1, 0 } },
		{ 1000, 500, { 500, 500, 0 } },
		{ 1201, 500, { 500, 500, 201, 0 } },
		{ 3, 1, { 1, 1, 1, 0 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = 0, k = 0, total = 0, len;

		while (
		    (len = qmgr_batch_len(cases[i].n, off, cases[i].max)) > 0) {
			if (k >= 3 || len != cases[i].want[k])
				fail_msg("case %zu batch %zu: %zu", i, k, len);
			total += len;
			off += len;
			k++;
		}
		assert_int_equal(cases[i].want[k], 0);
		assert_int_equal(total, cases[i].n);
	}
	/* Past the end (a caller that overshoots) gets nothing. */
	assert_int_equal(qmgr_batch_len(10, 11, 500), 0);
}

static void
test_active_limit(void **state)
{
	(void)state;
	/* Plenty of descriptors: the fixed cap. */
	assert_int_equal(qmgr_active_limit_for(1048576, 20), QMGR_ACTIVE_LIMIT);
	assert_int_equal(qmgr_active_limit_for(QMGR_ACTIVE_LIMIT +
				 QMGR_FD_RESERVE + 20,
			     20),
	    QMGR_ACTIVE_LIMIT);
	/* The common soft limit of 1024: what is left after the reserve
	 * and one descriptor per agent connection. */
	assert_int_equal(qmgr_active_limit_for(1024, 20),
	    1024 - QMGR_FD_RESERVE - 20);
	assert_int_equal(qmgr_active_limit_for(256, 100),
	    256 - QMGR_FD_RESERVE - 100);
	/* Starved: still one message at a time, never zero. */
	assert_int_equal(qmgr_active_limit_for(QMGR_FD_RESERVE + 20, 20), 1);
	assert_int_equal(qmgr_active_limit_for(10, 20), 1);
	assert_int_equal(qmgr_active_limit_for(0, 0), 1);
	assert_int_equal(qmgr_active_limit_for(1024, -5),
	    1024 - QMGR_FD_RESERVE);
}

/* At start-up qmgr asks for the hard limit. */
static void
test_fd_budget_raises_soft_limit(void **state)
{
	struct rlimit rl, low;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max < 64)
		skip();
	low = rl;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(qmgr_fd_budget(),
	    rl.rlim_max > ((rlim_t)1 << 30) ? (size_t)1 << 30
					    : (size_t)rl.rlim_max);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &low), 0);
	assert_true(low.rlim_cur == rl.rlim_max);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* Slow start: from the initial window, one more per success, never past
 * the limit; the start is clamped into [1, limit]. */
static void
test_slow_start(void **state)
{
	struct qmgr_hop_sched s;
	long want;

	(void)state;
	qmgr_hop_start(&s, 5, 20);
	assert_int_equal(s.window, 5);
	assert_int_equal(s.cohorts, 0);
	for (want = 6; want <= 20; want++) {
		qmgr_hop_success(&s, 20);
		assert_int_equal(s.window, want);
	}
	qmgr_hop_success(&s, 20);
	assert_int_equal(s.window, 20);
	/* An initial window above the limit is the limit. */
	qmgr_hop_start(&s, 5, 2);
	assert_int_equal(s.window, 2);
	qmgr_hop_success(&s, 2);
	assert_int_equal(s.window, 2);
	qmgr_hop_start(&s, 0, 20);
	assert_int_equal(s.window, 1);
}

/* Failures: the first one at a larger window only brings it to one
 * connection; then cohort_limit failures in a row suspend; a success in
 * between starts the count again. */
static void
test_failures(void **state)
{
	static const struct {
		long initial, cohort_limit;
		const char *events; /* s: success, f: failure */
		const char *want;   /* per event: '0' go on, '1' suspend */
		long window;        /* at the end */
	} cases[] = {
		{ 5, 1, "ff", "01", 1 },
		{ 1, 1, "f", "1", 1 },
		{ 5, 3, "ffff", "0001", 1 },
		{ 5, 2, "ffsfff", "000001", 1 },
		{ 5, 1, "fsss", "0000", 4 },
		{ 1, 2, "fsf", "000", 1 },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qmgr_hop_sched s;

		qmgr_hop_start(&s, cases[i].initial, 20);
		for (k = 0; cases[i].events[k] != 0; k++) {
			int got = 0;

			if (cases[i].events[k] == 's')
				qmgr_hop_success(&s, 20);
			else
				got =
				    qmgr_hop_failure(&s, cases[i].cohort_limit);
			if (got != cases[i].want[k] - '0')
				fail_msg("case %zu event %zu: %d", i, k, got);
		}
		if (s.window != cases[i].window)
			fail_msg("case %zu: window %ld, want %ld", i, s.window,
			    cases[i].window);
	}
}

/* Which agent results mean the destination was not reached. */
static void
test_hop_failed_status(void **state)
{
	(void)state;
	assert_int_equal(qmgr_status_hop_failed("4.4.1"), 1);
	assert_int_equal(qmgr_status_hop_failed("4.4.2"), 1);
	assert_int_equal(qmgr_status_hop_failed("4.4.3"), 1);
	assert_int_equal(qmgr_status_hop_failed("4.2.0"), 0);
	assert_int_equal(qmgr_status_hop_failed("4.3.0"), 0);
	assert_int_equal(qmgr_status_hop_failed("5.4.4"), 0);
	assert_int_equal(qmgr_status_hop_failed("2.0.0"), 0);
	assert_int_equal(qmgr_status_hop_failed(""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_active_limit),
		cmocka_unit_test(test_fd_budget_raises_soft_limit),
		cmocka_unit_test(test_slow_start),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_hop_failed_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
