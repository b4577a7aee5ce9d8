/* SPDX-License-Identifier: MIT */
/* sasl_server - the server side of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mail/passwd_hash.h"
#include "mail/passwd_scram.h"
#include "mail/passwd_verify.h"
#include "mail/sasl_plain.h"
#include "mail/sasl_scram.h"
#include "mail/sasl_server.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mem.h"

#define CRAM_CHALLENGE_MAX 1024
#define CRAM_DIGEST_LEN 16
#define SCRAM_NONCE_MAX 1024  /* bytes of the client's nonce */
#define SCRAM_SNONCE_BYTES 18 /* random bytes of ours: 24 base64 chars */
#define SCRAM_FAKE_SALT_LEN 16
#define SCRAM_DEFAULT_ITER 4096 /* RFC 7677 4: at least 4096 */

struct sasl_server;

typedef int mech_step_fn(struct sasl_server *s, const unsigned char *in,
    size_t len, int has_input, struct buf *out);

struct mech {
	const char *name;
	mech_step_fn *step;
};

struct sasl_server {
	const struct mech *mech;
	sasl_lookup_fn *lookup;
	void *ctx;
	char *hostname;
	int state; /* the mechanism's own step count */
	int first; /* no step yet */
	int done;  /* a final result was returned */
	const char *reason;
	struct buf user;      /* the authcid, claimed then authenticated */
	struct buf challenge; /* CRAM-MD5's challenge */
	struct buf fixed;     /* sasl_server_fix_random()'s text */
	/* SCRAM-SHA-256 */
	struct buf auth_msg; /* AuthMessage as it grows (RFC 5802 3) */
	struct buf gs2;      /* base64 of the GS2 header: c= must say so */
	struct buf nonce;    /* c-nonce followed by our s-nonce */
	struct passwd_scram keys;
	int unknown; /* no such user: fail at the proof */
	/* Deferred password check (sasl_server_defer_verify). */
	int defer, v_unknown;
	char *v_scheme, *v_stored, *v_password;
	size_t v_len;
};

const char *const sasl_server_mechs[] = { "SCRAM-SHA-256", "CRAM-MD5", "PLAIN",
	"LOGIN", NULL };

static int
fail(struct sasl_server *s, const char *reason)
{
	s->reason = reason;
	return SASL_FAIL;
}

static int
bad(struct sasl_server *s, const char *reason)
{
	s->reason = reason;
	return SASL_BAD_PROTOCOL;
}

static int
tempfail(struct sasl_server *s, const char *reason)
{
	s->reason = reason;
	return SASL_TEMPFAIL;
}

/* Take n bytes at p as the claimed authcid: non-empty, no NUL, bounded. */
static int
set_user(struct sasl_server *s, const void *p, size_t n)
{
	buf_reset(&s->user);
	if (n == 0 || memchr(p, '\0', n) != NULL ||
	    buf_append(&s->user, p, n) < 0) {
		buf_reset(&s->user);
		return -1;
	}
	return 0;
}

/* Ask for s->user: an enum sasl_status other than SASL_CONTINUE when the
 * attempt ends here, SASL_CONTINUE with *secret_r filled when found. */
static int
lookup(struct sasl_server *s, struct sasl_secret *secret_r)
{
	int rc;

	memset(secret_r, 0, sizeof(*secret_r));
	rc = s->lookup(s->ctx, buf_cstr(&s->user), secret_r);
	if (rc < 0)
		return tempfail(s, "user lookup failed");
	if (rc == 0 || secret_r->stored == NULL)
		return fail(s, "no such user");
	return SASL_CONTINUE;
}

static int
is_plain_scheme(const char *scheme)
{
	return scheme != NULL &&
	    (strcasecmp(scheme, "PLAIN") == 0 ||
		strcasecmp(scheme, "CLEAR") == 0 ||
		strcasecmp(scheme, "CLEARTEXT") == 0);
}

/* For a user that does not exist, the work of checking a password
 * anyway, against a hash of the default scheme made once per process, so
 * that the answer takes as long as for a wrong password of a real user
 * and does not tell which names exist. */
/* The stored part of a default-scheme hash made once per process, or
 * NULL. */
static const char *
dummy_hash(void)
{
	static char *dummy;
	const char *error;
	struct buf tmp;

	if (dummy == NULL) {
		buf_init(&tmp, 256);
		if (passwd_hash(PASSWD_HASH_DEFAULT, "no such user", &tmp,
			&error) == 0)
			dummy = xstrdup(buf_cstr(&tmp));
		buf_deinit(&tmp);
	}
	/* dummy is "{SCHEME}secret". */
	return dummy != NULL ? strchr(dummy, '}') + 1 : NULL;
}

static void
burn_check(const void *password, size_t len)
{
	const char *error, *stored = dummy_hash();
	char *copy;

	if (stored == NULL)
		return;
	copy = xstrndup(password, len);
	(void)passwd_verify(PASSWD_HASH_DEFAULT, stored, copy, &error);
	explicit_bzero(copy, len);
	xfree(copy);
}

/* Deferred mode: keep the check for the caller to run. */
static int
defer_check(struct sasl_server *s, const char *scheme, const char *stored,
    const void *password, size_t len, int unknown)
{
	s->v_scheme = scheme != NULL ? xstrdup(scheme) : NULL;
	s->v_stored = xstrdup(stored);
	s->v_password = xstrndup(password, len);
	s->v_len = len;
	s->v_unknown = unknown;
	return SASL_VERIFY;
}

/* PLAIN and LOGIN: check the password of len bytes (no NUL) for s->user. */
static int
check_password(struct sasl_server *s, const void *password, size_t len)
{
	struct sasl_secret secret;
	const char *error = "password check failed";
	char *copy;
	int rc;

	if ((rc = lookup(s, &secret)) != SASL_CONTINUE) {
		if (rc == SASL_FAIL && s->defer && dummy_hash() != NULL)
			return defer_check(s, PASSWD_HASH_DEFAULT, dummy_hash(),
			    password, len, 1);
		if (rc == SASL_FAIL)
			burn_check(password, len);
		return rc;
	}
	if (s->defer)
		return defer_check(s, secret.scheme, secret.stored, password,
		    len, 0);
	/* passwd_verify wants a C string; the copy is wiped at once. */
	copy = xstrndup(password, len);
	rc = passwd_verify(secret.scheme, secret.stored, copy, &error);
	explicit_bzero(copy, len);
	xfree(copy);
	if (rc < 0)
		return tempfail(s, error);
	return rc == 1 ? SASL_OK : fail(s, "authentication failure");
}

/* RFC 4616: one message, maybe after an empty challenge. */
static int
step_plain(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out)
{
	struct sasl_plain p;
	const char *error;

	(void)out;
	if (s->state++ == 0 && !has_input)
		return SASL_CONTINUE;
	if (sasl_plain_decode((const char *)in, len, &p, &error) < 0)
		return bad(s, error);
	if (set_user(s, p.authcid, p.authcid_len) < 0)
		return bad(s, "malformed user name");
	if (p.authzid_len > 0 &&
	    (p.authzid_len != p.authcid_len ||
		memcmp(p.authzid, p.authcid, p.authcid_len) != 0))
		return fail(s, "authorization identity not allowed");
	return check_password(s, p.passwd, p.passwd_len);
}

/* draft-murchison-sasl-login: "Username:", "Password:"; an initial
 * response stands for the user name. */
static int
step_login(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out)
{
	switch (s->state++) {
	case 0:
		if (has_input)
			break;
		(void)buf_puts(out, "Username:");
		return SASL_CONTINUE;
	case 1:
		break;
	default:
		if (len > 0 && memchr(in, '\0', len) != NULL)
			return bad(s, "malformed password");
		return check_password(s, in, len);
	}
	if (set_user(s, in, len) < 0)
		return bad(s, "malformed user name");
	s->state = 2;
	(void)buf_puts(out, "Password:");
	return SASL_CONTINUE;
}

/* RFC 2195 CRAM-MD5, and RFC 1939 7 APOP, which differ only in the
 * digest: a challenge "<random.time@hostname>", then "user SP digest" in
 * hex: HMAC-MD5(secret, challenge) for CRAM-MD5, MD5(challenge secret)
 * for APOP. Both need the user's {PLAIN} secret. */
static int
step_challenge(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out, int apop)
{
	unsigned char want[CRAM_DIGEST_LEN], got[CRAM_DIGEST_LEN];
	struct sasl_secret secret;
	const unsigned char *hex;
	unsigned int n = 0;
	size_t nh = 0;
	uint64_t r;
	size_t sp, i;
	int rc, hi, lo, ok;

	if (s->state++ == 0) {
		if (has_input)
			return bad(s, "no initial response is taken");
		if (buf_len(&s->fixed) > 0)
			(void)buf_append(&s->challenge, s->fixed.data,
			    s->fixed.len);
		else if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1 ||
		    buf_printf(&s->challenge, "<%llu.%lld@%s>",
			(unsigned long long)r, (long long)time(NULL),
			s->hostname) < 0)
			return tempfail(s, "cannot make a challenge");
		if (buf_append(out, s->challenge.data, s->challenge.len) < 0)
			return tempfail(s, "challenge too long");
		return SASL_CONTINUE;
	}
	/* The user name may hold spaces: the digest follows the last one. */
	for (sp = len; sp > 0 && in[sp - 1] != ' '; sp--)
		;
	if (sp == 0 || len - sp != 2 * CRAM_DIGEST_LEN ||
	    set_user(s, in, sp - 1) < 0)
		return bad(s,
		    apop ? "malformed APOP response"
			 : "malformed CRAM-MD5 response");
	hex = in + sp;
	for (i = 0; i < CRAM_DIGEST_LEN; i++) {
		if ((hi = hex_value(hex[2 * i])) < 0 ||
		    (lo = hex_value(hex[2 * i + 1])) < 0)
			return bad(s,
			    apop ? "malformed APOP response"
				 : "malformed CRAM-MD5 response");
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if ((rc = lookup(s, &secret)) != SASL_CONTINUE)
		return rc;
	if (!is_plain_scheme(secret.scheme))
		return fail(s,
		    apop ? "APOP needs a {PLAIN} secret"
			 : "CRAM-MD5 needs a {PLAIN} secret");
	if (apop) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		ok = md != NULL && EVP_DigestInit_ex(md, EVP_md5(), NULL) &&
		    EVP_DigestUpdate(md, s->challenge.data, s->challenge.len) &&
		    EVP_DigestUpdate(md, secret.stored,
			strlen(secret.stored)) &&
		    EVP_DigestFinal_ex(md, want, &n) && n == sizeof(want);
		EVP_MD_CTX_free(md);
	} else
		ok = EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, secret.stored,
			 strlen(secret.stored),
			 (const unsigned char *)s->challenge.data,
			 s->challenge.len, want, sizeof(want), &nh) != NULL &&
		    nh == sizeof(want);
	if (!ok) {
		explicit_bzero(want, sizeof(want));
		return tempfail(s, apop ? "MD5 failed" : "HMAC-MD5 failed");
	}
	rc = CRYPTO_memcmp(want, got, sizeof(want)) == 0
	    ? SASL_OK
	    : fail(s, "authentication failure");
	explicit_bzero(want, sizeof(want));
	return rc;
}

static int
step_cram(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out)
{
	return step_challenge(s, in, len, has_input, out, 0);
}

static int
step_apop(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out)
{
	return step_challenge(s, in, len, has_input, out, 1);
}

/* The salt of a user without a stored SCRAM key (unknown, or {PLAIN}):
 * HMAC of the name under a random key made once per process, so that
 * asking twice gives the same salt, as for a stored key. */
static int
derived_salt(struct sasl_server *s)
{
	static unsigned char key[32];
	static int have_key;
	unsigned char mac[PASSWD_SCRAM_KEY_LEN];

	if (!have_key) {
		if (RAND_bytes(key, sizeof(key)) != 1)
			return -1;
		have_key = 1;
	}
	if (passwd_scram_hmac(key, sizeof(key), s->user.data, s->user.len,
		mac) < 0)
		return -1;
	s->keys.iter = SCRAM_DEFAULT_ITER;
	s->keys.salt_len = SCRAM_FAKE_SALT_LEN;
	memcpy(s->keys.salt, mac, SCRAM_FAKE_SALT_LEN);
	return 0;
}

/* Fill s->keys for s->user: an enum sasl_status, SASL_CONTINUE to go on. */
static int
scram_keys(struct sasl_server *s)
{
	struct sasl_secret secret;
	const char *error = "SCRAM-SHA-256 key derivation failed";
	int rc;

	rc = lookup(s, &secret);
	if (rc == SASL_FAIL) {
		/* Unknown: carry on with made-up keys, fail at the proof. */
		s->unknown = 1;
		if (derived_salt(s) < 0)
			return tempfail(s, error);
		return SASL_CONTINUE;
	}
	if (rc != SASL_CONTINUE)
		return rc;
	if (secret.scheme != NULL &&
	    strcasecmp(secret.scheme, "SCRAM-SHA-256") == 0) {
		if (passwd_scram_parse(secret.stored, &s->keys, &error) < 0)
			return tempfail(s, error);
		return SASL_CONTINUE;
	}
	if (!is_plain_scheme(secret.scheme))
		return fail(s,
		    "SCRAM-SHA-256 needs a {SCRAM-SHA-256} or {PLAIN} secret");
	if (derived_salt(s) < 0 ||
	    passwd_scram_derive(secret.stored, strlen(secret.stored), &s->keys,
		&error) < 0)
		return tempfail(s, error);
	return SASL_CONTINUE;
}

/* client-first-message in, server-first-message out. */
static int
scram_first(struct sasl_server *s, const unsigned char *in, size_t len,
    struct buf *out)
{
	const char *msg = (const char *)in, *error;
	unsigned char rnd[SCRAM_SNONCE_BYTES];
	struct sasl_scram_first f;
	struct buf authzid;
	size_t sf;
	int rc;

	buf_init(&authzid, SASL_SERVER_NAME_MAX);
	rc = sasl_scram_client_first(msg, len, &f, &authzid, &s->user, &error);
	if (rc == 0 && buf_len(&authzid) > 0 &&
	    strcmp(buf_cstr(&authzid), buf_cstr(&s->user)) != 0)
		rc = 1;
	buf_deinit(&authzid);
	if (rc < 0) {
		buf_reset(&s->user);
		return bad(s, error);
	}
	if (rc > 0)
		return fail(s, "authorization identity not allowed");
	if (f.nonce_len > SCRAM_NONCE_MAX)
		return bad(s, "SCRAM client nonce too long");
	/* RFC 5802 7: c= is base64 of the GS2 header, here "n,," or "y,,"
	 * ("biws", "eSws") with any authzid inside. */
	if (base64_encode(msg, f.bare_off, &s->gs2) < 0)
		return bad(s, "SCRAM GS2 header too long");
	if ((rc = scram_keys(s)) != SASL_CONTINUE)
		return rc;
	if (buf_len(&s->fixed) == 0 && RAND_bytes(rnd, sizeof(rnd)) != 1)
		return tempfail(s, "no random bytes for the SCRAM nonce");
	if (buf_append(&s->nonce, f.nonce, f.nonce_len) < 0 ||
	    (buf_len(&s->fixed) > 0
		    ? buf_append(&s->nonce, s->fixed.data, s->fixed.len)
		    : base64_encode(rnd, sizeof(rnd), &s->nonce)) < 0 ||
	    buf_append(&s->auth_msg, msg + f.bare_off, len - f.bare_off) < 0 ||
	    buf_putc(&s->auth_msg, ',') < 0)
		return bad(s, "SCRAM client-first-message too long");
	sf = buf_len(&s->auth_msg);
	if (buf_puts(&s->auth_msg, "r=") < 0 ||
	    buf_append(&s->auth_msg, s->nonce.data, s->nonce.len) < 0 ||
	    buf_puts(&s->auth_msg, ",s=") < 0 ||
	    base64_encode(s->keys.salt, s->keys.salt_len, &s->auth_msg) < 0 ||
	    buf_printf(&s->auth_msg, ",i=%u", s->keys.iter) < 0 ||
	    buf_append(out, s->auth_msg.data + sf, s->auth_msg.len - sf) < 0 ||
	    buf_putc(&s->auth_msg, ',') < 0)
		return tempfail(s, "SCRAM server-first-message too long");
	return SASL_CONTINUE;
}

/* client-final-message in ("c=..,r=..[,ext],p=.."), server-final out. */
static int
scram_final(struct sasl_server *s, const unsigned char *in, size_t len,
    struct buf *out)
{
	const char *msg = (const char *)in, *end = msg + len, *c, *r, *p,
		   *error;
	unsigned char sig[PASSWD_SCRAM_KEY_LEN], key[PASSWD_SCRAM_KEY_LEN];
	unsigned char h[PASSWD_SCRAM_KEY_LEN];
	struct buf proof;
	size_t clen, rlen, i;
	int rc, ok;

	if (len < 2 || memchr(msg, '\0', len) != NULL || msg[0] != 'c' ||
	    msg[1] != '=')
		return bad(s, "malformed SCRAM client-final-message");
	c = msg + 2;
	if ((r = memchr(c, ',', (size_t)(end - c))) == NULL)
		return bad(s, "malformed SCRAM client-final-message");
	clen = (size_t)(r - c);
	if (end - r < 3 || r[1] != 'r' || r[2] != '=')
		return bad(s, "malformed SCRAM client-final-message");
	r += 3;
	/* The proof is the last attribute (RFC 5802 7). */
	for (p = end; p > r && p[-1] != ','; p--)
		;
	if (p == r || end - p < 2 || p[0] != 'p' || p[1] != '=')
		return bad(s, "malformed SCRAM client-final-message");
	rlen = (size_t)((const char *)memchr(r, ',', (size_t)(p - r)) - r);
	/* key holds the proof (public: it crossed the wire) until the XOR
	 * below turns it into ClientKey, which is wiped. */
	buf_init(&proof, sizeof(sig));
	ok = base64_decode(p + 2, (size_t)(end - p - 2), &proof, &error) == 0 &&
	    proof.len == sizeof(key);
	if (ok)
		memcpy(key, proof.data, sizeof(key));
	buf_deinit(&proof);
	if (!ok)
		return bad(s, "malformed SCRAM client proof");
	if (clen != s->gs2.len || memcmp(c, s->gs2.data, clen) != 0)
		return fail(s, "SCRAM channel binding mismatch");
	if (rlen != s->nonce.len || memcmp(r, s->nonce.data, rlen) != 0)
		return fail(s, "SCRAM nonce mismatch");
	/* AuthMessage := client-first-bare "," server-first ","
	 * client-final-without-proof. */
	if (buf_append(&s->auth_msg, msg, (size_t)(p - 1 - msg)) < 0)
		return bad(s, "SCRAM client-final-message too long");
	if (s->unknown)
		return fail(s, "no such user");
	/* ClientKey := ClientProof XOR HMAC(StoredKey, AuthMessage); the
	 * client knows the password if H(ClientKey) is StoredKey. */
	if (passwd_scram_hmac(s->keys.stored_key, sizeof(s->keys.stored_key),
		s->auth_msg.data, s->auth_msg.len, sig) < 0) {
		rc = tempfail(s, "HMAC-SHA-256 failed");
		goto done;
	}
	for (i = 0; i < sizeof(key); i++)
		key[i] ^= sig[i];
	if (passwd_scram_hash(key, sizeof(key), h) < 0) {
		rc = tempfail(s, "SHA-256 failed");
		goto done;
	}
	if (CRYPTO_memcmp(h, s->keys.stored_key, sizeof(h)) != 0) {
		rc = fail(s, "authentication failure");
		goto done;
	}
	/* server-final-message: v=base64(HMAC(ServerKey, AuthMessage)). */
	if (passwd_scram_hmac(s->keys.server_key, sizeof(s->keys.server_key),
		s->auth_msg.data, s->auth_msg.len, sig) < 0) {
		rc = tempfail(s, "HMAC-SHA-256 failed");
		goto done;
	}
	(void)buf_puts(out, "v=");
	(void)base64_encode(sig, sizeof(sig), out);
	rc = SASL_CONTINUE;
done:
	explicit_bzero(sig, sizeof(sig));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(h, sizeof(h));
	return rc;
}

/* RFC 5802 5 as SMTP carries it: [empty challenge], client-first,
 * server-first, client-final, server-final, empty response, success. */
static int
step_scram(struct sasl_server *s, const unsigned char *in, size_t len,
    int has_input, struct buf *out)
{
	switch (s->state++) {
	case 0:
		if (!has_input)
			return SASL_CONTINUE;
		s->state++;
		/* FALLTHROUGH */
	case 1:
		return scram_first(s, in, len, out);
	case 2:
		return scram_final(s, in, len, out);
	default:
		if (len != 0)
			return bad(s, "SCRAM exchange already complete");
		return SASL_OK;
	}
}

static const struct mech mechs[] = {
	{ "SCRAM-SHA-256", step_scram }, { "CRAM-MD5", step_cram },
	{ "PLAIN", step_plain }, { "LOGIN", step_login },
	{ "APOP", step_apop }, /* not SASL: POP3's own (RFC 1939 7) */
};

struct sasl_server *
sasl_server_create(const char *mech, const char *hostname,
    sasl_lookup_fn *lookup_fn, void *ctx)
{
	struct sasl_server *s;
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strcasecmp(mech, mechs[i].name) == 0)
			break;
	if (i == sizeof(mechs) / sizeof(mechs[0]))
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->mech = &mechs[i];
	s->hostname = xstrdup(hostname);
	s->lookup = lookup_fn;
	s->ctx = ctx;
	s->first = 1;
	buf_init(&s->user, SASL_SERVER_NAME_MAX);
	buf_init(&s->challenge, CRAM_CHALLENGE_MAX);
	buf_init(&s->fixed, CRAM_CHALLENGE_MAX);
	buf_init(&s->auth_msg, 3 * SASL_SERVER_INPUT_MAX);
	buf_init(&s->gs2, SASL_SERVER_INPUT_MAX);
	buf_init(&s->nonce, 2 * SCRAM_NONCE_MAX);
	return s;
}

static void
wipe_buf(struct buf *b)
{
	explicit_bzero(b->data, b->cap);
	buf_deinit(b);
}

/* Forget the deferred check, wiping the password. */
static void
job_clear(struct sasl_server *s)
{
	if (s->v_password != NULL)
		explicit_bzero(s->v_password, s->v_len);
	xfree(s->v_password);
	xfree(s->v_scheme);
	xfree(s->v_stored);
	s->v_password = s->v_scheme = s->v_stored = NULL;
}

void
sasl_server_destroy(struct sasl_server **sp)
{
	struct sasl_server *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	wipe_buf(&s->user);
	wipe_buf(&s->challenge);
	wipe_buf(&s->fixed);
	wipe_buf(&s->auth_msg);
	wipe_buf(&s->gs2);
	wipe_buf(&s->nonce);
	explicit_bzero(&s->keys, sizeof(s->keys));
	job_clear(s);
	xfree(s->hostname);
	xfree(s);
}

int
sasl_server_step(struct sasl_server *s, const unsigned char *in, size_t in_len,
    int has_input, struct buf *out)
{
	int rc;

	if (s->done)
		log_panic("sasl_server_step: %s attempt already over",
		    s->mech->name);
	buf_reset(out);
	if (in == NULL || in_len == 0) {
		in = (const unsigned char *)"";
		in_len = 0;
	}
	if (in_len > SASL_SERVER_INPUT_MAX)
		rc = bad(s, "response too long");
	else
		rc =
		    s->mech->step(s, in, in_len, s->first ? has_input : 1, out);
	s->first = 0;
	if (rc != SASL_CONTINUE && rc != SASL_VERIFY) {
		s->done = 1;
		explicit_bzero(&s->keys, sizeof(s->keys));
		if (rc != SASL_OK)
			buf_reset(out);
	}
	return rc;
}

void
sasl_server_defer_verify(struct sasl_server *s)
{
	s->defer = 1;
}

void
sasl_server_verify_job(const struct sasl_server *s, const char **scheme,
    const char **stored, const char **password)
{
	if (s->v_stored == NULL)
		log_panic("sasl_server_verify_job: no check pending");
	*scheme = s->v_scheme;
	*stored = s->v_stored;
	*password = s->v_password;
}

int
sasl_server_verified(struct sasl_server *s, int rc, const char *error)
{
	int unknown = s->v_unknown, status;

	if (s->v_stored == NULL)
		log_panic("sasl_server_verified: no check pending");
	job_clear(s);
	s->done = 1;
	if (unknown)
		status = fail(s, "no such user");
	else if (rc < 0)
		status = tempfail(s,
		    error != NULL ? error : "password check failed");
	else
		status = rc == 1 ? SASL_OK : fail(s, "authentication failure");
	return status;
}

const char *
sasl_server_user(const struct sasl_server *s)
{
	return buf_cstr(&s->user);
}

const char *
sasl_server_reason(const struct sasl_server *s)
{
	return s->reason;
}

const char *
sasl_server_mech(const struct sasl_server *s)
{
	return s->mech->name;
}

void
sasl_server_fix_random(struct sasl_server *s, const char *text)
{
	buf_reset(&s->fixed);
	(void)buf_puts(&s->fixed, text);
}
