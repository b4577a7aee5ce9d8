/* SPDX-License-Identifier: MIT */
/* auth_cookie - one-time proofs of a login. See auth_cookie.h. */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "util/htable.h"
#include "util/mem.h"

#include "auth_cookie.h"

struct cookie {
	char *user;
	char *service;
	int64_t expires;
};

struct auth_cookies {
	struct htable *t; /* hex cookie => struct cookie */
};

static void
cookie_free(void *p)
{
	struct cookie *c = p;

	xfree(c->user);
	xfree(c->service);
	xfree(c);
}

struct auth_cookies *
auth_cookies_create(void)
{
	struct auth_cookies *t = xcalloc(1, sizeof(*t));

	t->t = htable_create();
	return t;
}

void
auth_cookies_destroy(struct auth_cookies **tp)
{
	if (*tp == NULL)
		return;
	htable_destroy(&(*tp)->t, cookie_free);
	xfree(*tp);
	*tp = NULL;
}

struct expiry {
	struct htable *t;
	int64_t now;
};

static void
expire_one(const char *key, void *value, void *ctx)
{
	struct expiry *e = ctx;
	struct cookie *c = value;

	if (c->expires <= e->now)
		cookie_free(htable_delete(e->t, key));
}

void
auth_cookies_expire(struct auth_cookies *t, int64_t now_ms)
{
	struct expiry e = { t->t, now_ms };

	htable_walk(t->t, expire_one, &e);
}

int
auth_cookie_issue(struct auth_cookies *t, const char *user, const char *service,
    int64_t now_ms, char out[AUTH_COOKIE_LEN + 1])
{
	unsigned char raw[AUTH_COOKIE_LEN / 2];
	struct cookie *c;

	if (htable_count(t->t) >= AUTH_COOKIE_MAX)
		auth_cookies_expire(t, now_ms);
	if (htable_count(t->t) >= AUTH_COOKIE_MAX ||
	    RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	c = xcalloc(1, sizeof(*c));
	c->user = xstrdup(user);
	c->service = xstrdup(service);
	c->expires = now_ms + AUTH_COOKIE_TTL_MS;
	/* 128 random bits do not collide; were they to, the old one goes. */
	if ((c = htable_enter(t->t, out, c)) != NULL)
		cookie_free(c);
	return 0;
}

int
auth_cookie_redeem(struct auth_cookies *t, const char *cookie,
    const char *service, int64_t now_ms, char **user_r)
{
	struct cookie *c = htable_find(t->t, cookie);

	if (c == NULL || strcmp(c->service, service) != 0)
		return 0;
	c = htable_delete(t->t, cookie);
	if (c->expires <= now_ms) {
		cookie_free(c);
		return 0;
	}
	*user_r = c->user;
	c->user = NULL;
	cookie_free(c);
	return 1;
}
