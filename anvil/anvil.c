/* SPDX-License-Identifier: MIT */
/* anvil - per-client connection counts and event rates. See anvil.h. */
#include "util/htable.h"
#include "util/mem.h"

#include "anvil.h"

struct client {
	long open;                /* connections open now */
	int64_t window_start;     /* ms; the current rate window */
	long rate[ANVIL_NEVENTS]; /* events in the window */
};

struct anvil {
	struct htable *clients;
	int64_t window_ms;
};

struct anvil *
anvil_create(int64_t window_ms)
{
	struct anvil *a = xcalloc(1, sizeof(*a));

	a->clients = htable_create();
	a->window_ms = window_ms > 0 ? window_ms : 1;
	return a;
}

void
anvil_destroy(struct anvil **ap)
{
	struct anvil *a = *ap;

	if (a == NULL)
		return;
	htable_destroy(&a->clients, xfree);
	xfree(a);
	*ap = NULL;
}

/* The client's entry, made when new, with a current window. */
static struct client *
client(struct anvil *a, const char *ident, int64_t now)
{
	struct client *c = htable_find(a->clients, ident);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->window_start = now;
		htable_enter(a->clients, ident, c);
	} else if (now - c->window_start >= a->window_ms) {
		c->window_start = now;
		for (int i = 0; i < ANVIL_NEVENTS; i++)
			c->rate[i] = 0;
	}
	return c;
}

void
anvil_connect(struct anvil *a, const char *ident, int64_t now_ms, long *count_r,
    long *rate_r)
{
	struct client *c = client(a, ident, now_ms);

	c->open++;
	*count_r = c->open;
	*rate_r = ++c->rate[ANVIL_CONN];
}

void
anvil_disconnect(struct anvil *a, const char *ident, int64_t now_ms)
{
	struct client *c = htable_find(a->clients, ident);

	(void)now_ms;
	if (c != NULL && c->open > 0)
		c->open--;
}

long
anvil_event(struct anvil *a, const char *ident, enum anvil_event ev,
    int64_t now_ms)
{
	struct client *c = client(a, ident, now_ms);

	return ++c->rate[ev];
}

struct expire {
	struct anvil *a;
	int64_t now;
};

static void
expire_one(const char *ident, void *value, void *ctx)
{
	struct expire *x = ctx;
	struct client *c = value;

	if (c->open == 0 && x->now - c->window_start >= x->a->window_ms)
		xfree(htable_delete(x->a->clients, ident));
}

void
anvil_expire(struct anvil *a, int64_t now_ms)
{
	struct expire x = { a, now_ms };

	htable_walk(a->clients, expire_one, &x);
}

size_t
anvil_size(const struct anvil *a)
{
	return htable_count(a->clients);
}
