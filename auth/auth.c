/* SPDX-License-Identifier: MIT */
/* auth - the user table and failure penalties of auth(8). See auth.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "mail/passwd_file.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/log.h"
#include "util/mem.h"

#include "auth.h"

struct user {
	char *scheme; /* NULL: crypt(3) */
	char *stored;
};

struct penalty {
	long count;
	int64_t last; /* ms of the last failure */
};

struct auth {
	char *path;
	struct htable *users; /* NULL: no table */
	struct stat st;       /* of the loaded table */
	int64_t checked;      /* ms of the last check; -1 never */
	int failing;          /* the last check failed (warned once) */
	struct buf error;
	char mechs[128];
	struct htable *addrs, *names; /* struct penalty */
};

struct auth *
auth_create(const char *path)
{
	struct auth *a = xcalloc(1, sizeof(*a));

	a->path = xstrdup(path);
	a->checked = -1;
	buf_init(&a->error, 1024);
	a->addrs = htable_create();
	a->names = htable_create();
	return a;
}

static void
user_free(void *p)
{
	struct user *u = p;

	if (u->stored != NULL) {
		explicit_bzero(u->stored, strlen(u->stored));
		xfree(u->stored);
	}
	xfree(u->scheme);
	xfree(u);
}

void
auth_destroy(struct auth **ap)
{
	struct auth *a = *ap;

	if (a == NULL)
		return;
	if (a->users != NULL)
		htable_destroy(&a->users, user_free);
	htable_destroy(&a->addrs, xfree);
	htable_destroy(&a->names, xfree);
	buf_deinit(&a->error);
	xfree(a->path);
	xfree(a);
	*ap = NULL;
}

struct load {
	struct htable *users;
	const char *path;
	int cram, scram; /* every secret so far allows the mechanism */
};

static int
load_entry(const struct passwd_entry *ent, void *ctx)
{
	struct load *l = ctx;
	struct user *u;
	int plain =
	    ent->scheme != NULL && strcasecmp(ent->scheme, "PLAIN") == 0;

	if (htable_find(l->users, ent->user) != NULL) {
		log_warn("%s: user %s is listed twice; the first entry counts",
		    l->path, log_str(ent->user));
		return 0;
	}
	u = xcalloc(1, sizeof(*u));
	u->scheme = ent->scheme != NULL ? xstrdup(ent->scheme) : NULL;
	u->stored = xstrdup(ent->password);
	htable_enter(l->users, ent->user, u);
	if (!plain) {
		l->cram = 0;
		if (ent->scheme == NULL ||
		    strcasecmp(ent->scheme, "SCRAM-SHA-256") != 0)
			l->scram = 0;
	}
	return 0;
}

/* Drop the loaded table (none from now on). */
static void
unload(struct auth *a)
{
	if (a->users != NULL)
		htable_destroy(&a->users, user_free);
	memset(&a->st, 0, sizeof(a->st));
	a->mechs[0] = '\0';
}

/* The table is unusable: remember why, warn once, return -1. */
static int
trouble(struct auth *a, const char **error_r)
{
	unload(a);
	if (!a->failing)
		log_warn("%s; authentication is temporarily unavailable",
		    buf_cstr(&a->error));
	a->failing = 1;
	*error_r = buf_cstr(&a->error);
	return -1;
}

static int
same_file(const struct stat *x, const struct stat *y)
{
	return x->st_dev == y->st_dev && x->st_ino == y->st_ino &&
	    x->st_size == y->st_size &&
	    x->st_mtim.tv_sec == y->st_mtim.tv_sec &&
	    x->st_mtim.tv_nsec == y->st_mtim.tv_nsec;
}

int
auth_refresh(struct auth *a, int64_t now_ms, int force, const char **error_r)
{
	struct load l = { 0 };
	struct stat st;

	if (!force && a->checked >= 0 && now_ms - a->checked < AUTH_CHECK_MS) {
		if (a->users != NULL)
			return 0;
		*error_r = buf_cstr(&a->error);
		return -1;
	}
	a->checked = now_ms;
	buf_reset(&a->error);
	if (stat(a->path, &st) < 0) {
		buf_printf(&a->error, "user table %s: %s", a->path,
		    strerror(errno));
		return trouble(a, error_r);
	}
	/* A secret file: refuse one others can read or others or the group
	 * can change (as tern check warns). */
	if (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP)) {
		buf_printf(&a->error,
		    "user table %s: readable by others or writable by group "
		    "or others (mode %04o); refused",
		    a->path, (unsigned)(st.st_mode & 07777));
		return trouble(a, error_r);
	}
	if (a->users != NULL && same_file(&st, &a->st))
		return 0;
	l.users = htable_create();
	l.path = a->path;
	l.cram = l.scram = 1;
	if (passwd_file_read(a->path, load_entry, &l, &a->error) < 0) {
		htable_destroy(&l.users, user_free);
		/* passwd_file names the file ("path:line: ..."). */
		return trouble(a, error_r);
	}
	unload(a);
	a->users = l.users;
	a->st = st;
	snprintf(a->mechs, sizeof(a->mechs), "%s%sPLAIN LOGIN",
	    l.scram ? "SCRAM-SHA-256 " : "", l.cram ? "CRAM-MD5 " : "");
	if (a->failing)
		log_info("user table %s is readable again", a->path);
	a->failing = 0;
	log_debug(1, "loaded %zu users from %s", htable_count(a->users),
	    a->path);
	return 0;
}

int
auth_lookup(void *ctx, const char *user, struct sasl_secret *secret_r)
{
	struct auth *a = ctx;
	struct user *u;

	if (a->users == NULL)
		return -1;
	if ((u = htable_find(a->users, user)) == NULL)
		return 0;
	secret_r->scheme = u->scheme;
	secret_r->stored = u->stored;
	return 1;
}

size_t
auth_user_count(const struct auth *a)
{
	return a->users != NULL ? htable_count(a->users) : 0;
}

const char *
auth_mechs(const struct auth *a)
{
	return a->users != NULL ? a->mechs : "PLAIN LOGIN";
}

int
auth_mech_offered(const struct auth *a, const char *mech)
{
	const char *p = auth_mechs(a);
	size_t n = strlen(mech);

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncasecmp(p, mech, n) == 0)
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

long
auth_penalty_ms(long n)
{
	long ms = 1000;

	if (n <= 0)
		return 0;
	for (long i = 0; i < n && ms < AUTH_PENALTY_CAP_MS; i++)
		ms *= 2;
	return ms < AUTH_PENALTY_CAP_MS ? ms : AUTH_PENALTY_CAP_MS;
}

/* The live failure count of key in t (0 when absent or forgotten). */
static long
count(struct htable *t, const char *key, int64_t now)
{
	struct penalty *p;

	if (key == NULL || *key == '\0' || (p = htable_find(t, key)) == NULL)
		return 0;
	return now - p->last < AUTH_PENALTY_FORGET_MS ? p->count : 0;
}

long
auth_delay(struct auth *a, const char *addr, const char *user, int64_t now_ms)
{
	long n = count(a->addrs, addr, now_ms);
	long m = count(a->names, user, now_ms);

	return auth_penalty_ms(n > m ? n : m);
}

struct expire {
	struct htable *t;
	int64_t now;
};

static void
expire_one(const char *key, void *value, void *ctx)
{
	struct expire *x = ctx;
	struct penalty *p = value;

	if (x->now - p->last >= AUTH_PENALTY_FORGET_MS)
		xfree(htable_delete(x->t, key));
}

static void
expire_table(struct htable *t, int64_t now)
{
	struct expire x = { t, now };

	htable_walk(t, expire_one, &x);
}

static void
count_failure(struct htable *t, const char *key, int64_t now)
{
	struct penalty *p;

	if (key == NULL || *key == '\0')
		return;
	if ((p = htable_find(t, key)) == NULL) {
		if (htable_count(t) >= AUTH_PENALTY_MAX)
			expire_table(t, now);
		if (htable_count(t) >= AUTH_PENALTY_MAX)
			return;
		p = xcalloc(1, sizeof(*p));
		htable_enter(t, key, p);
	} else if (now - p->last >= AUTH_PENALTY_FORGET_MS)
		p->count = 0;
	if (p->count < 1000)
		p->count++;
	p->last = now;
}

void
auth_failed(struct auth *a, const char *addr, const char *user, int64_t now_ms)
{
	count_failure(a->addrs, addr, now_ms);
	count_failure(a->names, user, now_ms);
}

void
auth_succeeded(struct auth *a, const char *user)
{
	if (user != NULL)
		xfree(htable_delete(a->names, user));
}

void
auth_expire(struct auth *a, int64_t now_ms)
{
	expire_table(a->addrs, now_ms);
	expire_table(a->names, now_ms);
}

size_t
auth_penalty_count(const struct auth *a)
{
	return htable_count(a->addrs) + htable_count(a->names);
}
