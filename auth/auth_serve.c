/* SPDX-License-Identifier: MIT */
/* auth_serve - auth(8)'s clients: each connection (one smtpd, pop3d or
 * imapd process) is watched on the event loop and has its requests
 * answered in order. Requests are small and written at once by our own
 * daemons, so reading one waits at most AUTH_READ_TIMEOUT. A final reply
 * under a penalty is held in the connection and sent by a timer; the
 * connection is not read meanwhile (the client waits in lockstep). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "conf/params.h"
#include "mail/passwd_verify.h"
#include "mail/sasl_server.h"
#include "proto/proto_auth.h"
#include "util/attr.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "auth.h"
#include "auth_cookie.h"
#include "auth_serve.h"

#define AUTH_READ_TIMEOUT 1
#define AUTH_EXPIRE_MS (60 * 1000)
#define AUTH_CLIENT_MAX 512 /* bytes of a client name we keep */

struct conn {
	struct stream *s;
	int fd;
	struct sasl_server *sasl;         /* the attempt in progress, if any */
	char *client;                     /* "host[addr]" for the log */
	char *addr;                       /* the address, for the penalty */
	uint64_t timer;                   /* a held reply, sent when it fires */
	char *held[4];                    /* its status, data, user, reason */
	char *service;                    /* of the attempt in progress */
	char cookie[AUTH_COOKIE_LEN + 1]; /* the next "ok" reply's, or "" */
	int verifying; /* its password is being checked (a worker's) */
	int closing;   /* closed meanwhile: freed when the check is done */
};

static struct auth *table;
static struct auth_cookies *cookies;

static void workers_start(void);
static void workers_stop(void);
static uint64_t expire_timer;

long auth_serve_hold_max_ms = AUTH_PENALTY_CAP_MS;

static void
expire_tick(void *ctx)
{
	(void)ctx;
	auth_expire(table, event_now_ms());
	auth_cookies_expire(cookies, event_now_ms());
	expire_timer = event_timer(AUTH_EXPIRE_MS, expire_tick, NULL);
}

void
auth_init(void)
{
	/* The table is read at the first request, not now: an instance
	 * without one (no AUTH offered) must not warn at every start. */
	unsigned char warm;

	table = auth_create(var_auth_user_file);
	/* OpenSSL's configuration and its random generator, now rather
	 * than in the first login (a few ms, more with a cold disk). */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	(void)RAND_bytes(&warm, 1);
	cookies = auth_cookies_create();
	expire_timer = event_timer(AUTH_EXPIRE_MS, expire_tick, NULL);
	workers_start();
}

void
auth_deinit(void)
{
	workers_stop();
	event_cancel(expire_timer);
	expire_timer = 0;
	auth_destroy(&table);
	auth_cookies_destroy(&cookies);
}

int
auth_busy(void)
{
	return 0;
}

static void
held_clear(struct conn *c)
{
	for (size_t i = 0; i < 4; i++) {
		xfree(c->held[i]);
		c->held[i] = NULL;
	}
}

static void
conn_close(struct conn *c)
{
	/* A worker still checks its password: freed when it is done. */
	if (c->verifying) {
		c->closing = 1;
		event_unwatch(c->fd);
		return;
	}
	if (c->timer != 0)
		event_cancel(c->timer);
	held_clear(c);
	sasl_server_destroy(&c->sasl);
	event_unwatch(c->fd);
	stream_destroy(&c->s);
	xfree(c->client);
	xfree(c->addr);
	xfree(c->service);
	xfree(c);
}

/* Queue one reply; NULL attributes are left out. 0, or -1. */
static int
reply(struct conn *c, const char *status, const char *data, const char *user,
    const char *reason)
{
	if (attr_put(c->s, ATTR_AUTH_STATUS, status) < 0 ||
	    (data != NULL && attr_put(c->s, ATTR_AUTH_DATA, data) < 0) ||
	    (user != NULL && attr_put(c->s, ATTR_AUTH_USER, user) < 0) ||
	    (reason != NULL && attr_put(c->s, ATTR_AUTH_REASON, reason) < 0) ||
	    (c->cookie[0] != '\0' &&
		attr_put(c->s, ATTR_AUTH_COOKIE, c->cookie) < 0))
		return -1;
	c->cookie[0] = '\0';
	return attr_put_end(c->s);
}

/* Remember the client: "host[addr]" as given, a bare address as
 * "unknown[addr]" (Postfix's shape for the log). */
static void
set_client(struct conn *c, const char *client)
{
	const char *open = strchr(client, '[');
	size_t len = strlen(client);

	xfree(c->client);
	xfree(c->addr);
	if (open != NULL && len > 0 && client[len - 1] == ']') {
		c->client = xstrdup(client);
		c->addr =
		    xstrndup(open + 1, (size_t)(client + len - 1 - open - 1));
	} else {
		struct buf b;

		buf_init(&b, AUTH_CLIENT_MAX);
		buf_printf(&b, "unknown[%s]", client);
		c->client = buf_steal(&b);
		buf_deinit(&b);
		c->addr = xstrdup(client);
	}
}

static void conn_ready(int fd, int events, void *ctx);

/* The held reply's time has come. */
static void
held_send(void *ctx)
{
	struct conn *c = ctx;
	const char *error;

	c->timer = 0;
	if (reply(c, c->held[0], c->held[1], c->held[2], c->held[3]) < 0 ||
	    stream_flush(c->s, &error) < 0) {
		conn_close(c);
		return;
	}
	held_clear(c);
	event_watch(c->fd, EVENT_READ, conn_ready, c);
	if (stream_pending(c->s) > 0)
		conn_ready(c->fd, EVENT_READ, c);
}

/* A final reply: now, or after delay_ms with the connection unwatched.
 * Returns 0, 1 when held, or -1. */
static int
final(struct conn *c, long delay_ms, const char *status, const char *data,
    const char *user, const char *reason)
{
	int rc;

	/* The strings may belong to the attempt: free it last. */
	if (delay_ms <= 0) {
		rc = reply(c, status, data, user, reason);
		sasl_server_destroy(&c->sasl);
		return rc;
	}
	c->held[0] = xstrdup(status);
	c->held[1] = data != NULL ? xstrdup(data) : NULL;
	c->held[2] = user != NULL ? xstrdup(user) : NULL;
	c->held[3] = reason != NULL ? xstrdup(reason) : NULL;
	event_unwatch(c->fd);
	/* The cap is a test seam (auth_serve.h); auth(8) never lowers it. */
	c->timer = event_timer(delay_ms < auth_serve_hold_max_ms
		? delay_ms
		: auth_serve_hold_max_ms,
	    held_send, c);
	sasl_server_destroy(&c->sasl);
	return 1;
}

/* --- password checks on worker threads ------------------------------ */

/* A crypt(3) hash costs milliseconds to check, on purpose: done on the
 * event loop, every client would wait for every other's. The checks run
 * on a few worker threads (one a CPU, at most AUTH_WORKERS_MAX); the
 * event loop learns of each finished one through a pipe, and only then
 * touches the connection again. Workers run passwd_verify() alone, on
 * copies the attempt owns (sasl_server_verify_job), so they share nothing
 * with the loop but the queue. */
#define AUTH_WORKERS_MAX 8

struct job {
	struct conn *c;
	const char *scheme, *stored, *password;
	const char *error;
	int rc;
	struct job *next;
};

static pthread_t workers[AUTH_WORKERS_MAX];
static int nworkers;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static struct job *queue_head, *queue_tail;
static int stopping;
static int done_pipe[2] = { -1, -1 };

static void *
worker(void *arg)
{
	struct job *j;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&queue_lock);
		while (queue_head == NULL && !stopping)
			pthread_cond_wait(&queue_cond, &queue_lock);
		if ((j = queue_head) == NULL) {
			pthread_mutex_unlock(&queue_lock);
			return NULL;
		}
		if ((queue_head = j->next) == NULL)
			queue_tail = NULL;
		pthread_mutex_unlock(&queue_lock);
		j->error = NULL;
		j->rc =
		    passwd_verify(j->scheme, j->stored, j->password, &j->error);
		/* A pointer is written whole (less than PIPE_BUF). */
		while (write(done_pipe[1], &j, sizeof(j)) < 0 && errno == EINTR)
			;
	}
}

static int outcome(struct conn *c, int status, struct buf *out);
static void conn_ready(int fd, int events, void *ctx);

/* Finished checks: answer each attempt. */
static void
jobs_done(int fd, int events, void *ctx)
{
	struct job *j;
	const char *error;
	int rc;

	(void)events;
	(void)ctx;
	while (read(fd, &j, sizeof(j)) == (ssize_t)sizeof(j)) {
		struct conn *c = j->c;

		c->verifying = 0;
		if (c->closing) {
			xfree(j);
			conn_close(c);
			continue;
		}
		rc = outcome(c, sasl_server_verified(c->sasl, j->rc, j->error),
		    NULL);
		xfree(j);
		if (rc < 0 || (rc == 0 && stream_flush(c->s, &error) < 0)) {
			conn_close(c);
			continue;
		}
		if (rc == 0) {
			event_watch(c->fd, EVENT_READ, conn_ready, c);
			if (stream_pending(c->s) > 0)
				conn_ready(c->fd, EVENT_READ, c);
		}
	}
}

/* Queue the check the attempt asks for; the connection is not read
 * until it is done. Returns 1 (the reply is held). */
static int
verify_start(struct conn *c)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->c = c;
	sasl_server_verify_job(c->sasl, &j->scheme, &j->stored, &j->password);
	c->verifying = 1;
	event_unwatch(c->fd);
	pthread_mutex_lock(&queue_lock);
	if (queue_tail != NULL)
		queue_tail->next = j;
	else
		queue_head = j;
	queue_tail = j;
	pthread_cond_signal(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	return 1;
}

static void
workers_start(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (pipe2(done_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		log_fatal("pipe: %m");
	event_watch(done_pipe[0], EVENT_READ, jobs_done, NULL);
	stopping = 0;
	nworkers = cpus < 1           ? 1
	    : cpus > AUTH_WORKERS_MAX ? AUTH_WORKERS_MAX
				      : (int)cpus;
	for (int i = 0; i < nworkers; i++)
		if ((errno = pthread_create(&workers[i], NULL, worker, NULL)) !=
		    0)
			log_fatal("pthread_create: %m");
}

/* Stop the workers (after the last check: connections are closed). */
static void
workers_stop(void)
{
	pthread_mutex_lock(&queue_lock);
	stopping = 1;
	pthread_cond_broadcast(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	nworkers = 0;
	event_unwatch(done_pipe[0]);
	close(done_pipe[0]);
	close(done_pipe[1]);
	done_pipe[0] = done_pipe[1] = -1;
}

/* Answer a step's status (out: the mechanism's data). 0 replied, 1
 * reply held (a penalty, or a password being checked), -1 failure. */
static int
outcome(struct conn *c, int status, struct buf *out)
{
	const char *mech = sasl_server_mech(c->sasl), *user;
	int64_t now = event_now_ms();
	struct buf enc;
	long delay;
	int rc;

	buf_init(&enc, base64_encoded_len(SASL_SERVER_INPUT_MAX) + 1);
	switch (status) {
	case SASL_CONTINUE:
		(void)base64_encode(buf_cstr(out), buf_len(out), &enc);
		rc = reply(c, AUTH_STAT_CONTINUE, buf_cstr(&enc), NULL, NULL);
		break;
	case SASL_VERIFY:
		/* A password to check: on a worker; the connection waits. */
		rc = verify_start(c);
		break;
	case SASL_OK:
		user = sasl_server_user(c->sasl);
		delay = auth_delay(table, c->addr, user, now);
		auth_succeeded(table, user);
		/* The proof a session starter redeems (auth_cookie.h); none
		 * when the table of them is full: the starter then fails. */
		if (auth_cookie_issue(cookies, user, c->service, now,
			c->cookie) < 0)
			c->cookie[0] = '\0';
		log_debug(1, "%s: SASL %s authentication succeeded, user=%s",
		    log_str(c->client), mech, log_str(user));
		if (out != NULL && buf_len(out) > 0)
			(void)base64_encode(buf_cstr(out), buf_len(out), &enc);
		rc = final(c, delay, AUTH_STAT_OK,
		    buf_len(&enc) > 0 ? buf_cstr(&enc) : NULL, user, NULL);
		break;
	case SASL_FAIL:
		user = sasl_server_user(c->sasl);
		delay = auth_delay(table, c->addr, user, now);
		auth_failed(table, c->addr, user, now);
		/* Postfix's words, for fail2ban's postfix-sasl filter. */
		if (*user != '\0')
			log_warn("%s: SASL %s authentication failed: %s, "
				 "sasl_username=%s",
			    log_str(c->client), mech,
			    sasl_server_reason(c->sasl), log_str(user));
		else
			log_warn("%s: SASL %s authentication failed: %s",
			    log_str(c->client), mech,
			    sasl_server_reason(c->sasl));
		rc = final(c, delay, AUTH_STAT_FAIL, NULL, NULL,
		    sasl_server_reason(c->sasl));
		break;
	case SASL_TEMPFAIL:
		log_warn("%s: SASL %s authentication aborted: %s",
		    log_str(c->client), mech, sasl_server_reason(c->sasl));
		rc = final(c, 0, AUTH_STAT_TEMPFAIL, NULL, NULL,
		    sasl_server_reason(c->sasl));
		break;
	default:
		log_warn("%s: SASL %s: malformed response: %s",
		    log_str(c->client), mech, sasl_server_reason(c->sasl));
		rc = final(c, 0, AUTH_STAT_BAD, NULL, NULL,
		    sasl_server_reason(c->sasl));
		break;
	}
	buf_deinit(&enc);
	return rc;
}

/* Feed one response to the attempt and answer. in is base64 text, "="
 * for an empty response, or NULL for none (only first). */
static int
step(struct conn *c, const char *in)
{
	struct buf raw, out;
	const char *error, *mech = sasl_server_mech(c->sasl);
	int has_input = in != NULL, rc;

	buf_init(&raw, SASL_SERVER_INPUT_MAX);
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	if (in != NULL && strcmp(in, "=") != 0 &&
	    base64_decode(in, strlen(in), &raw, &error) < 0) {
		log_warn("%s: SASL %s: malformed response: %s",
		    log_str(c->client), mech, error);
		rc = final(c, 0, AUTH_STAT_BAD, NULL, NULL, error);
		goto done;
	}
	rc = outcome(c,
	    sasl_server_step(c->sasl, (const unsigned char *)buf_cstr(&raw),
		buf_len(&raw), has_input, &out),
	    &out);
done:
	/* The decoded response may be a password. */
	if (buf_len(&raw) > 0)
		explicit_bzero((char *)buf_cstr(&raw), buf_len(&raw));
	buf_deinit(&raw);
	buf_deinit(&out);
	return rc;
}

static int
req_mechs(struct conn *c, const struct attr_list *req)
{
	const char *error;

	(void)req;
	(void)auth_refresh(table, event_now_ms(), 0, &error);
	if (attr_put(c->s, ATTR_AUTH_STATUS, AUTH_STAT_OK) < 0 ||
	    attr_put(c->s, ATTR_AUTH_MECHS, auth_mechs(table)) < 0)
		return -1;
	return attr_put_end(c->s);
}

static int
req_auth(struct conn *c, const struct attr_list *req)
{
	const char *service = attr_get(req, ATTR_AUTH_SERVICE);
	const char *mech = attr_get(req, ATTR_AUTH_MECH);
	const char *client = attr_get(req, ATTR_AUTH_CLIENT);
	const char *error;
	int offered;

	sasl_server_destroy(&c->sasl);
	if (service == NULL || mech == NULL || client == NULL ||
	    strlen(client) > AUTH_CLIENT_MAX - 16) {
		log_warn("auth request without a valid %s, %s or %s",
		    ATTR_AUTH_SERVICE, ATTR_AUTH_MECH, ATTR_AUTH_CLIENT);
		return reply(c, AUTH_STAT_BAD, NULL, NULL, "bad request");
	}
	set_client(c, client);
	xfree(c->service);
	c->service = xstrdup(service);
	if (auth_refresh(table, event_now_ms(), 0, &error) < 0)
		return reply(c, AUTH_STAT_TEMPFAIL, NULL, NULL, error);
	/* APOP (POP3's own, RFC 1939 7) wherever CRAM-MD5 is possible, for
	 * pop3d only. */
	if (strcasecmp(mech, "APOP") == 0)
		offered = strcmp(service, "pop3d") == 0 &&
		    auth_mech_offered(table, "CRAM-MD5");
	else
		offered = auth_mech_offered(table, mech);
	if (!offered ||
	    (c->sasl = sasl_server_create(mech, var_myhostname, auth_lookup,
		 table)) == NULL)
		return reply(c, AUTH_STAT_NOMECH, NULL, NULL,
		    "mechanism not available");
	sasl_server_defer_verify(c->sasl);
	return step(c, attr_get(req, ATTR_AUTH_RESPONSE));
}

static int
req_continue(struct conn *c, const struct attr_list *req)
{
	const char *in = attr_get(req, ATTR_AUTH_RESPONSE);

	if (c->sasl == NULL || in == NULL) {
		sasl_server_destroy(&c->sasl);
		return reply(c, AUTH_STAT_BAD, NULL, NULL,
		    "continue without an attempt or a response");
	}
	if (strcmp(in, "*") == 0)
		return final(c, 0, AUTH_STAT_FAIL, NULL, NULL, "aborted");
	return step(c, in);
}

static int
req_redeem(struct conn *c, const struct attr_list *req)
{
	const char *cookie = attr_get(req, ATTR_AUTH_COOKIE);
	const char *service = attr_get(req, ATTR_AUTH_SERVICE);
	char *user;
	int rc;

	if (cookie == NULL || service == NULL)
		return reply(c, AUTH_STAT_BAD, NULL, NULL,
		    "redeem without a cookie or a service");
	if (!auth_cookie_redeem(cookies, cookie, service, event_now_ms(),
		&user))
		return reply(c, AUTH_STAT_FAIL, NULL, NULL,
		    "unknown or expired cookie");
	rc = reply(c, AUTH_STAT_OK, NULL, user, NULL);
	xfree(user);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(struct conn *, const struct attr_list *);
} requests[] = {
	{ AUTH_REQ_MECHS, req_mechs },
	{ AUTH_REQ_AUTH, req_auth },
	{ AUTH_REQ_CONTINUE, req_continue },
	{ AUTH_REQ_REDEEM, req_redeem },
};

/* Answer one request: 0 replied, 1 reply held, -1 failure. */
static int
answer(struct conn *c, const struct attr_list *req)
{
	const char *what = attr_get(req, ATTR_AUTH_REQUEST);

	for (size_t i = 0;
	     what != NULL && i < sizeof(requests) / sizeof(requests[0]); i++)
		if (strcmp(what, requests[i].name) == 0)
			return requests[i].fn(c, req);
	log_warn("unknown request \"%s\"", log_str(what != NULL ? what : ""));
	return reply(c, AUTH_STAT_BAD, NULL, NULL, "unknown request");
}

static void
conn_ready(int fd, int events, void *ctx)
{
	struct conn *c = ctx;
	struct attr_list req = { 0 };
	const char *error;
	int rc, held = 0;

	(void)fd;
	(void)events;
	do {
		if ((rc = attr_recv(c->s, &req, &error)) != 1) {
			if (rc < 0)
				log_warn("client request: %s", error);
			break;
		}
		if ((held = answer(c, &req)) < 0 ||
		    stream_flush(c->s, &error) < 0) {
			rc = -1;
			break;
		}
	} while (!held && stream_pending(c->s) > 0);
	attr_list_clear(&req);
	if (rc != 1)
		conn_close(c);
}

void
auth_accept(int fd)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->s = stream_create(fd, 0);
	stream_set_timeout(c->s, AUTH_READ_TIMEOUT);
	event_watch(fd, EVENT_READ, conn_ready, c);
}
