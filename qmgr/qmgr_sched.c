/* SPDX-License-Identifier: MIT */
/* qmgr_sched - the queue manager's scheduling arithmetic, kept free of I/O
 * so that unit tests can pin each decision down. */
#include <string.h>
#include <sys/resource.h>

#include "qmgr.h"

long
qmgr_backoff(time_t now, time_t arrival, long min_wait, long max_wait)
{
	long age = now > arrival ? (long)(now - arrival) : 0;

	/* The wait grows with the message's age: a message that failed
	 * right after arrival is tried again soon, an old one rarely. */
	if (age > max_wait)
		age = max_wait;
	if (age < min_wait)
		age = min_wait;
	return age;
}

int
qmgr_expired(time_t now, time_t arrival, long lifetime)
{
	return now - arrival >= (time_t)lifetime;
}

size_t
qmgr_batch_len(size_t n, size_t off, size_t max)
{
	if (off >= n)
		return 0;
	return n - off < max ? n - off : max;
}

size_t
qmgr_active_limit_for(unsigned long nofile, long agents)
{
	unsigned long reserve;

	/* Each active message holds its queue file open; each agent
	 * connection is one more. The rest is for what qmgr opens besides:
	 * standard descriptors, the log, master's sockets, the queue lock,
	 * a directory being scanned, tables, a bounce being written, and a
	 * trigger connection or two. */
	if (agents < 0)
		agents = 0;
	reserve = QMGR_FD_RESERVE + (unsigned long)agents;
	if (nofile <= reserve + 1)
		return 1;
	if (nofile - reserve > QMGR_ACTIVE_LIMIT)
		return QMGR_ACTIVE_LIMIT;
	return (size_t)(nofile - reserve);
}

size_t
qmgr_fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	/* Ask for all we may have: the soft limit is often 1024 while the
	 * hard limit is far higher. */
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return 1024;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 30)
		return (size_t)1 << 30;
	return (size_t)rl.rlim_cur;
}

void
qmgr_hop_start(struct qmgr_hop_sched *s, long initial, long limit)
{
	s->window = initial < limit ? initial : limit;
	if (s->window < 1)
		s->window = 1;
	s->cohorts = 0;
}

void
qmgr_hop_success(struct qmgr_hop_sched *s, long limit)
{
	/* Slow start: a destination that answers earns one more parallel
	 * connection per delivery, up to its limit. */
	if (s->window < limit)
		s->window++;
	if (s->window > limit)
		s->window = limit > 0 ? limit : 1;
	s->cohorts = 0;
}

int
qmgr_hop_failure(struct qmgr_hop_sched *s, long cohort_limit)
{
	/* The first failure only takes the hop down to one connection:
	 * deliveries started at a larger window are still on their way and
	 * fail together. Failures at one connection are what count. */
	if (s->window > 1) {
		s->window = 1;
		return 0;
	}
	s->cohorts++;
	return s->cohorts >= cohort_limit;
}

int
qmgr_status_hop_failed(const char *status)
{
	return strncmp(status, "4.4.", 4) == 0;
}
