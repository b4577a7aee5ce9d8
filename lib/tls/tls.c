/* SPDX-License-Identifier: MIT */
/* tls - TLS over OpenSSL 3, slotted in under a stream. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"
#include "tls/tls_ticket.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/mem.h"
#include "util/stream.h"

struct tls_server {
	SSL_CTX *ctx;
	struct tls_ticket_keys *keys; /* NULL: OpenSSL's, this process's */
	struct htable *sni;           /* server name => SSL_CTX (a reference) */
	struct htable *sni_files;     /* files => SSL_CTX, to load each once */
	long lifetime;                /* tls_server_tickets() */
};

/* The session ID context, the same in every context of a server so that
 * a session resumes whichever certificate SNI chose. */
static const unsigned char sid_ctx[] = "tern";

struct tls_client {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL *ssl;
	int client;
	short want; /* poll events the last EAGAIN waits for */
	char errtext[256];
};

/* The handshake's failure text, valid until the next start. */
static char start_error[256];

/* OpenSSL's reason for the last failure, or fallback. */
static void
ssl_reason(char *out, size_t size, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		ERR_error_string_n(e, out, size);
	else
		snprintf(out, size, "%s", fallback);
	ERR_clear_error();
}

static void
ctx_fail(struct buf *err, const char *what, const char *file)
{
	char reason[256];

	ssl_reason(reason, sizeof(reason), "failed");
	buf_reset(err);
	if (file != NULL)
		buf_printf(err, "%s %s: %s", what, file, reason);
	else
		buf_printf(err, "%s: %s", what, reason);
}

/* Settings both sides share: TLS 1.2 at least, no renegotiation, end of
 * input without close_notify is end of input. */
static SSL_CTX *
ctx_new(const SSL_METHOD *method, struct buf *err)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (ctx == NULL) {
		ctx_fail(err, "cannot create TLS context", NULL);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
		SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

/* Next item of a comma/space list into item (size bytes); NULL at end. */
static const char *
list_next(const char *p, char *item, size_t size)
{
	size_t n;

	p += strspn(p, ", \t");
	if (*p == '\0')
		return NULL;
	n = strcspn(p, ", \t");
	if (n >= size)
		n = size - 1;
	memcpy(item, p, n);
	item[n] = '\0';
	return p + strcspn(p, ", \t");
}

struct tls_server *
tls_server_create(const char *cert_files, const char *key_files,
    struct buf *err)
{
	struct tls_server *srv;
	const char *cp = cert_files, *kp = key_files != NULL ? key_files : "";
	char cert[4096], key[4096];
	int pairs = 0;
	SSL_CTX *ctx;

	if ((ctx = ctx_new(TLS_server_method(), err)) == NULL)
		return NULL;
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	while ((cp = list_next(cp, cert, sizeof(cert))) != NULL) {
		const char *knext = list_next(kp, key, sizeof(key));

		if (knext != NULL)
			kp = knext;
		else if (*kp != '\0' || pairs > 0) {
			buf_reset(err);
			buf_printf(err, "no key file for certificate file %s",
			    cert);
			goto fail;
		} else
			snprintf(key, sizeof(key), "%s", cert);
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
			ctx_fail(err, "cannot load certificate chain", cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !=
		    1) {
			ctx_fail(err, "cannot load private key", key);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			ctx_fail(err, "private key does not match certificate",
			    cert);
			goto fail;
		}
		pairs++;
	}
	if (list_next(kp, key, sizeof(key)) != NULL) {
		buf_reset(err);
		buf_printf(err, "no certificate file for key file %s", key);
		goto fail;
	}
	if (pairs == 0) {
		buf_reset(err);
		buf_puts(err, "no certificate file given");
		goto fail;
	}
	/* Sessions resume by ticket or by this process's cache. */
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	srv = xcalloc(1, sizeof(*srv));
	srv->ctx = ctx;
	srv->lifetime = -1;
	return srv;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static void
ctx_unref(void *ctx)
{
	SSL_CTX_free(ctx);
}

void
tls_server_destroy(struct tls_server **sp)
{
	struct tls_server *srv = *sp;

	if (srv == NULL)
		return;
	if (srv->sni != NULL) {
		htable_destroy(&srv->sni, ctx_unref);
		htable_destroy(&srv->sni_files, ctx_unref);
	}
	SSL_CTX_free(srv->ctx);
	if (srv->keys != NULL) {
		OPENSSL_cleanse(srv->keys, sizeof(*srv->keys));
		xfree(srv->keys);
	}
	xfree(srv);
	*sp = NULL;
}

/* --- session tickets --------------------------------------------------- */

/* Seal (enc 1) or open (enc 0) a ticket with the shared keys (OpenSSL's
 * ticket key callback: AES-256-CBC and HMAC-SHA256, as its own default
 * keys use). Opening: 1 for the current key, 2 (resume and issue a new
 * ticket) for the previous one, 0 (a full handshake) for any other. */
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls_server *srv = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const struct tls_ticket_key *k;
	OSSL_PARAM params[3];
	int ret = 1;

	if (srv == NULL || srv->keys == NULL)
		return -1;
	if (enc) {
		k = &srv->keys->current;
		memcpy(name, k->name, TLS_TICKET_NAME_LEN);
		if (RAND_bytes(iv,
			EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1 ||
		    EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
			iv) != 1)
			return -1;
	} else {
		if (memcmp(name, srv->keys->current.name,
			TLS_TICKET_NAME_LEN) == 0)
			k = &srv->keys->current;
		else if (srv->keys->have_previous &&
		    memcmp(name, srv->keys->previous.name,
			TLS_TICKET_NAME_LEN) == 0) {
			k = &srv->keys->previous;
			ret = 2;
		} else
			return 0;
		if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
			iv) != 1)
			return -1;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)k->hmac, sizeof(k->hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(hctx, params) != 1)
		return -1;
	return ret;
}

/* Tickets (or none) on one context of srv. */
static void
ctx_tickets(struct tls_server *srv, SSL_CTX *ctx, long lifetime)
{
	SSL_CTX_set_app_data(ctx, srv);
	if (lifetime < 0) /* not configured: OpenSSL's own */
		return;
	if (lifetime == 0) {
		/* No tickets (TLS 1.3 then issues none at all) and no
		 * cache: every handshake is a full one. */
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		return;
	}
	SSL_CTX_set_timeout(ctx, lifetime);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
}

static void
sni_tickets(const char *files, void *ctx, void *arg)
{
	struct tls_server *srv = arg;

	(void)files;
	ctx_tickets(srv, ctx, srv->lifetime);
}

int
tls_server_tickets(struct tls_server *srv, const char *key_file, long lifetime,
    struct buf *err)
{
	struct tls_ticket_keys keys;

	if (lifetime > 0) {
		if (tls_ticket_keys_load(key_file, lifetime, time(NULL), &keys,
			err) < 0)
			return -1;
		if (srv->keys == NULL)
			srv->keys = xmalloc(sizeof(*srv->keys));
		*srv->keys = keys;
		OPENSSL_cleanse(&keys, sizeof(keys));
	}
	srv->lifetime = lifetime;
	ctx_tickets(srv, srv->ctx, lifetime);
	if (srv->sni_files != NULL)
		htable_walk(srv->sni_files, sni_tickets, srv);
	return 0;
}

/* --- SNI ----------------------------------------------------------------- */

/* The client's server name (RFC 6066 3) picks a context: the name, else
 * ".parent" entries from the nearest parent up; else the default. */
static int
servername_cb(SSL *ssl, int *alert, void *arg)
{
	struct tls_server *srv = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	char key[256];
	SSL_CTX *ctx;
	size_t i, n;

	(void)alert;
	if (name == NULL || (n = strlen(name)) == 0 || n >= sizeof(key))
		return SSL_TLSEXT_ERR_OK;
	for (i = 0; i <= n; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	ctx = htable_find(srv->sni, key);
	for (i = 0; ctx == NULL && i < n; i++)
		if (key[i] == '.')
			ctx = htable_find(srv->sni, key + i);
	if (ctx != NULL && SSL_set_SSL_CTX(ssl, ctx) == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

int
tls_server_add_sni(struct tls_server *srv, const char *name, const char *files,
    struct buf *err)
{
	struct tls_server *sub;
	char key[256];
	SSL_CTX *ctx;
	size_t i, n = strlen(name);

	if (n == 0 || n >= sizeof(key)) {
		buf_reset(err);
		buf_printf(err, "bad server name \"%s\"", name);
		return -1;
	}
	for (i = 0; i <= n; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	if (srv->sni == NULL) {
		srv->sni = htable_create();
		srv->sni_files = htable_create();
		SSL_CTX_set_tlsext_servername_callback(srv->ctx, servername_cb);
		SSL_CTX_set_tlsext_servername_arg(srv->ctx, srv);
	}
	if ((ctx = htable_find(srv->sni_files, files)) == NULL) {
		if ((sub = tls_server_create(files, "", err)) == NULL)
			return -1;
		ctx = sub->ctx;
		sub->ctx = NULL;
		tls_server_destroy(&sub);
		ctx_tickets(srv, ctx, srv->lifetime);
		htable_enter(srv->sni_files, files, ctx);
	}
	SSL_CTX_up_ref(ctx);
	if ((ctx = htable_enter(srv->sni, key, ctx)) != NULL)
		SSL_CTX_free(ctx); /* the name's earlier entry */
	return 0;
}

struct tls_client *
tls_client_create(const char *ca_file, struct buf *err)
{
	struct tls_client *cl;
	SSL_CTX *ctx;

	if ((ctx = ctx_new(TLS_client_method(), err)) == NULL)
		return NULL;
	if (ca_file != NULL && *ca_file != '\0') {
		if (SSL_CTX_load_verify_file(ctx, ca_file) != 1) {
			ctx_fail(err, "cannot load CA file", ca_file);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ctx_fail(err, "cannot load the system CA store", NULL);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Verification is the caller's policy: the handshake goes on and
	 * tls_conn_verified() reports. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	cl = xcalloc(1, sizeof(*cl));
	cl->ctx = ctx;
	return cl;
}

void
tls_client_destroy(struct tls_client **cp)
{
	if (*cp == NULL)
		return;
	SSL_CTX_free((*cp)->ctx);
	xfree(*cp);
	*cp = NULL;
}

/* Map a failed SSL call to the stream ops' contract. */
static ssize_t
conn_io_fail(struct tls_conn *c, int ret)
{
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		c->want = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		c->want = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			errno = EPIPE;
		snprintf(c->errtext, sizeof(c->errtext), "%s", strerror(errno));
		ERR_clear_error();
		return -1;
	default:
		ssl_reason(c->errtext, sizeof(c->errtext), "TLS failure");
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
conn_read(void *ctx, void *p, size_t n)
{
	struct tls_conn *c = ctx;
	size_t got;
	int ret;

	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_read_ex(c->ssl, p, n, &got)) == 1)
		return (ssize_t)got;
	return conn_io_fail(c, ret);
}

static ssize_t
conn_write(void *ctx, const void *p, size_t n)
{
	struct tls_conn *c = ctx;
	size_t put;
	int ret;

	ERR_clear_error();
	errno = 0;
	if ((ret = SSL_write_ex(c->ssl, p, n, &put)) == 1)
		return (ssize_t)put;
	if (conn_io_fail(c, ret) == 0) {
		/* The peer closed its side: nothing more can be sent. */
		errno = EPIPE;
		snprintf(c->errtext, sizeof(c->errtext), "%s", strerror(EPIPE));
	}
	return -1;
}

static void
conn_free(struct tls_conn *c)
{
	SSL_free(c->ssl);
	xfree(c);
}

static void
conn_close(void *ctx)
{
	struct tls_conn *c = ctx;

	/* One close_notify, without waiting for the peer's. */
	ERR_clear_error();
	(void)SSL_shutdown(c->ssl);
	ERR_clear_error();
	conn_free(c);
}

static short
conn_want(void *ctx)
{
	return ((struct tls_conn *)ctx)->want;
}

static size_t
conn_pending(void *ctx)
{
	int n = SSL_pending(((struct tls_conn *)ctx)->ssl);

	return n > 0 ? (size_t)n : 0;
}

static const char *
conn_error(void *ctx)
{
	struct tls_conn *c = ctx;

	return c->errtext[0] != '\0' ? c->errtext : NULL;
}

static const struct stream_ops conn_ops = {
	.read = conn_read,
	.write = conn_write,
	.close = conn_close,
	.want = conn_want,
	.pending = conn_pending,
	.error = conn_error,
};

/* Handshake on s's descriptor; on success s reads and writes through c. */
static struct tls_conn *
conn_start(SSL_CTX *ctx, int client, struct stream *s, const char *servername,
    const char **error_r)
{
	struct tls_conn *c;
	int fd = stream_fd(s), flags;

	*error_r = start_error;
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		snprintf(start_error, sizeof(start_error), "fcntl: %s",
		    strerror(errno));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->client = client;
	ERR_clear_error();
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, fd) != 1 ||
	    (servername != NULL &&
		(SSL_set_tlsext_host_name(c->ssl, servername) != 1 ||
		    SSL_set1_host(c->ssl, servername) != 1))) {
		ssl_reason(start_error, sizeof(start_error),
		    "cannot set up TLS");
		goto fail;
	}
	for (;;) {
		int ret, status;

		ERR_clear_error();
		errno = 0;
		ret = client ? SSL_connect(c->ssl) : SSL_accept(c->ssl);
		if (ret == 1)
			break;
		switch (SSL_get_error(c->ssl, ret)) {
		case SSL_ERROR_WANT_READ:
			status = stream_wait(s, POLLIN);
			break;
		case SSL_ERROR_WANT_WRITE:
			status = stream_wait(s, POLLOUT);
			break;
		case SSL_ERROR_SYSCALL:
		case SSL_ERROR_ZERO_RETURN:
			if (ERR_peek_last_error() != 0)
				ssl_reason(start_error, sizeof(start_error),
				    "handshake failed");
			else
				snprintf(start_error, sizeof(start_error), "%s",
				    errno != 0 ? strerror(errno)
					       : "lost connection");
			goto fail;
		default:
			ssl_reason(start_error, sizeof(start_error),
			    "handshake failed");
			goto fail;
		}
		if (status < 0) {
			snprintf(start_error, sizeof(start_error), "%s",
			    stream_error(s) != NULL ? stream_error(s)
						    : "timeout");
			goto fail;
		}
	}
	stream_set_ops(s, &conn_ops, c);
	return c;
fail:
	ERR_clear_error();
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	xfree(c);
	return NULL;
}

struct tls_conn *
tls_server_start(struct tls_server *ctx, struct stream *s, const char **error_r)
{
	int on = 1;

	/* TLS 1.3 sends its session tickets as records of their own after
	 * the handshake; with Nagle on, the reply that follows waits for
	 * the client's delayed ACK of them (measured: 40 ms on the first
	 * reply of every session). The stream writes whole replies, so
	 * Nagle saves nothing here. Not TCP (a socket pair): ignored. */
	(void)setsockopt(stream_fd(s), IPPROTO_TCP, TCP_NODELAY, &on,
	    sizeof(on));
	return conn_start(ctx->ctx, 0, s, NULL, error_r);
}

struct tls_conn *
tls_client_start(struct tls_client *ctx, struct stream *s,
    const char *servername, const char **error_r)
{
	return conn_start(ctx->ctx, 1, s, servername, error_r);
}

const char *
tls_conn_protocol(const struct tls_conn *c)
{
	return SSL_get_version(c->ssl);
}

const char *
tls_conn_cipher(const struct tls_conn *c)
{
	return SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl));
}

int
tls_conn_bits(const struct tls_conn *c, int *alg_bits_r)
{
	int alg = 0, bits;

	bits = SSL_CIPHER_get_bits(SSL_get_current_cipher(c->ssl), &alg);
	if (alg_bits_r != NULL)
		*alg_bits_r = alg;
	return bits;
}

void
tls_conn_describe(const struct tls_conn *c, struct buf *out)
{
	int alg, bits = tls_conn_bits(c, &alg);

	buf_reset(out);
	buf_printf(out, "%s with cipher %s (%d/%d bits)", tls_conn_protocol(c),
	    tls_conn_cipher(c), bits, alg);
}

int
tls_conn_verified(const struct tls_conn *c, const char **reason_r)
{
	long result;

	if (SSL_get0_peer_certificate(c->ssl) == NULL) {
		if (reason_r != NULL)
			*reason_r = "no certificate";
		return 0;
	}
	result = SSL_get_verify_result(c->ssl);
	if (result != X509_V_OK) {
		if (reason_r != NULL)
			*reason_r = X509_verify_cert_error_string(result);
		return 0;
	}
	return 1;
}
