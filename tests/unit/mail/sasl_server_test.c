/* SPDX-License-Identifier: MIT */
/* sasl_server_test - PLAIN, LOGIN, CRAM-MD5 (RFC 2195's example), APOP
 * (RFC 1939's) and
 * SCRAM-SHA-256 (RFC 7677's user "user", password "pencil": its example
 * verbatim with the server nonce fixed, and a client computed here for
 * whatever random server nonce comes back): success, bad credentials,
 * unknown users, authzid refusal, temporary failures, malformed messages
 * and the panic of a step after the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "mail/passwd_verify.h"
#include "mail/sasl_server.h"
#include "util/base64.h"
#include "util/buf.h"

#include "../expect_panic.h"

/* passwd_verify_test's SHA512-CRYPT of "secret". */
#define SHA512 \
	"$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
/* "pencil" under RFC 7677 3's salt and iteration count. */
#define PENCIL                                          \
	"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"                \
	"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=," \
	"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
#define CRAM_CHALLENGE "<1896.697170952@postoffice.reston.mci.net>"

static const struct {
	const char *user, *scheme, *stored;
	int rc;
} users[] = {
	{ "user", "SCRAM-SHA-256", PENCIL, 1 },
	{ "tim", "PLAIN", "tanstaaftanstaaf", 1 }, { "crypt", NULL, SHA512, 1 },
	{ "broken", "SCRAM-SHA-256", "4096,x,y,z", 1 },
	{ "temp", NULL, NULL, -1 }, { "odd user", "CLEARTEXT", "pw", 1 },
	{ "mrose", "PLAIN", "tanstaaf", 1 }, /* RFC 1939 7's APOP */
};

static int lookups;

static int
lookup(void *ctx, const char *user, struct sasl_secret *secret_r)
{
	size_t i;

	assert_ptr_equal(ctx, &lookups);
	lookups++;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (strcmp(user, users[i].user) != 0)
			continue;
		secret_r->scheme = users[i].scheme;
		secret_r->stored = users[i].stored;
		return users[i].rc;
	}
	return 0;
}

static struct sasl_server *
start(const char *mech)
{
	struct sasl_server *s;

	s = sasl_server_create(mech, "mx.example.org", lookup, &lookups);
	assert_non_null(s);
	return s;
}

static int
step(struct sasl_server *s, const void *in, size_t len, struct buf *out)
{
	return sasl_server_step(s, in, len, 1, out);
}

#define STEP(s, lit, out) step(s, lit, sizeof(lit) - 1, out)

/* One-message mechanisms: the result of msg as an initial response. */
static int
once(const char *mech, const void *msg, size_t len, const char **reason_r)
{
	static char reason[128];
	struct sasl_server *s = start(mech);
	struct buf out;
	int rc;

	buf_init(&out, SASL_SERVER_INPUT_MAX);
	rc = step(s, msg, len, &out);
	if (rc != SASL_OK)
		assert_int_equal(buf_len(&out), 0);
	snprintf(reason, sizeof(reason), "%s",
	    sasl_server_reason(s) != NULL ? sasl_server_reason(s) : "");
	*reason_r = reason;
	buf_deinit(&out);
	sasl_server_destroy(&s);
	assert_null(s);
	return rc;
}

#define ONCE(mech, lit, reason_r) once(mech, lit, sizeof(lit) - 1, reason_r)

static void
test_create(void **state)
{
	struct sasl_server *s;
	size_t i;

	(void)state;
	for (i = 0; sasl_server_mechs[i] != NULL; i++) {
		s = start(sasl_server_mechs[i]);
		assert_string_equal(sasl_server_mech(s), sasl_server_mechs[i]);
		assert_string_equal(sasl_server_user(s), "");
		assert_null(sasl_server_reason(s));
		sasl_server_destroy(&s);
	}
	assert_int_equal(i, 4);
	s = start("plain");
	assert_string_equal(sasl_server_mech(s), "PLAIN");
	sasl_server_destroy(&s);
	assert_null(sasl_server_create("GSSAPI", "h", lookup, NULL));
	assert_null(
	    sasl_server_create("SCRAM-SHA-256-PLUS", "h", lookup, NULL));
	sasl_server_destroy(&s);
}

static void
test_plain(void **state)
{
	struct sasl_server *s;
	const char *reason;
	struct buf out;

	(void)state;
	assert_int_equal(ONCE("PLAIN", "\0tim\0tanstaaftanstaaf", &reason),
	    SASL_OK);
	assert_int_equal(ONCE("PLAIN", "tim\0tim\0tanstaaftanstaaf", &reason),
	    SASL_OK);
	assert_int_equal(ONCE("PLAIN", "\0crypt\0secret", &reason), SASL_OK);
	assert_int_equal(ONCE("PLAIN", "\0user\0pencil", &reason), SASL_OK);
	assert_int_equal(ONCE("PLAIN", "\0odd user\0pw", &reason), SASL_OK);
	assert_int_equal(ONCE("PLAIN", "\0tim\0tanstaaf", &reason), SASL_FAIL);
	assert_string_equal(reason, "authentication failure");
	assert_int_equal(ONCE("PLAIN", "\0crypt\0Secret", &reason), SASL_FAIL);
	assert_int_equal(ONCE("PLAIN", "\0nobody\0x", &reason), SASL_FAIL);
	assert_string_equal(reason, "no such user");
	assert_int_equal(ONCE("PLAIN", "admin\0tim\0tanstaaftanstaaf", &reason),
	    SASL_FAIL);
	assert_string_equal(reason, "authorization identity not allowed");
	assert_int_equal(ONCE("PLAIN", "ti\0tim\0tanstaaftanstaaf", &reason),
	    SASL_FAIL);
	assert_int_equal(ONCE("PLAIN", "\0temp\0x", &reason), SASL_TEMPFAIL);
	assert_int_equal(ONCE("PLAIN", "\0broken\0x", &reason), SASL_TEMPFAIL);
	assert_string_equal(reason, "malformed SCRAM-SHA-256 stored key");
	assert_int_equal(ONCE("PLAIN", "\0tim", &reason), SASL_BAD_PROTOCOL);
	assert_int_equal(ONCE("PLAIN", "", &reason), SASL_BAD_PROTOCOL);
	assert_int_equal(ONCE("PLAIN", "a\0b\0c\0d", &reason),
	    SASL_BAD_PROTOCOL);

	/* No initial response: an empty challenge first. */
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	s = start("PLAIN");
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, &out), SASL_CONTINUE);
	assert_int_equal(buf_len(&out), 0);
	assert_int_equal(STEP(s, "\0tim\0tanstaaftanstaaf", &out), SASL_OK);
	assert_string_equal(sasl_server_user(s), "tim");
	sasl_server_destroy(&s);
	/* An empty initial response ("AUTH PLAIN =") is input. */
	s = start("PLAIN");
	assert_int_equal(sasl_server_step(s, NULL, 0, 1, &out),
	    SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

static void
test_login(void **state)
{
	struct sasl_server *s;
	struct buf out;

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	s = start("LOGIN");
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, &out), SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out), "Username:");
	assert_int_equal(STEP(s, "tim", &out), SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out), "Password:");
	assert_int_equal(STEP(s, "tanstaaftanstaaf", &out), SASL_OK);
	assert_int_equal(buf_len(&out), 0);
	assert_string_equal(sasl_server_user(s), "tim");
	sasl_server_destroy(&s);

	/* The user name as an initial response. */
	s = start("LOGIN");
	assert_int_equal(STEP(s, "crypt", &out), SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out), "Password:");
	assert_int_equal(STEP(s, "wrong", &out), SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "authentication failure");
	sasl_server_destroy(&s);

	s = start("LOGIN");
	assert_int_equal(STEP(s, "nobody", &out), SASL_CONTINUE);
	assert_int_equal(STEP(s, "x", &out), SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "no such user");
	sasl_server_destroy(&s);

	s = start("LOGIN");
	assert_int_equal(STEP(s, "temp", &out), SASL_CONTINUE);
	assert_int_equal(STEP(s, "x", &out), SASL_TEMPFAIL);
	sasl_server_destroy(&s);

	s = start("LOGIN");
	assert_int_equal(STEP(s, "", &out), SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);
	s = start("LOGIN");
	assert_int_equal(STEP(s, "t\0m", &out), SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);
	s = start("LOGIN");
	assert_int_equal(STEP(s, "tim", &out), SASL_CONTINUE);
	assert_int_equal(STEP(s, "tanstaaf\0tanstaaf", &out),
	    SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* Deferred checks: the step asks for a check and the caller's result
 * decides; an unknown user gets a check too, and fails. */
static void
test_deferred_verify(void **state)
{
	const char *scheme, *stored, *password, *error = NULL;
	struct sasl_server *s;
	struct buf out;
	int rc;

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	s = start("PLAIN");
	sasl_server_defer_verify(s);
	assert_int_equal(STEP(s, "\0crypt\0secret", &out), SASL_VERIFY);
	sasl_server_verify_job(s, &scheme, &stored, &password);
	assert_null(scheme);
	assert_string_equal(stored, SHA512);
	assert_string_equal(password, "secret");
	rc = passwd_verify(scheme, stored, password, &error);
	assert_int_equal(sasl_server_verified(s, rc, error), SASL_OK);
	assert_string_equal(sasl_server_user(s), "crypt");
	sasl_server_destroy(&s);
	/* A wrong password, and a check that cannot be made. */
	s = start("LOGIN");
	sasl_server_defer_verify(s);
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, &out), SASL_CONTINUE);
	assert_int_equal(STEP(s, "crypt", &out), SASL_CONTINUE);
	assert_int_equal(STEP(s, "wrong", &out), SASL_VERIFY);
	assert_int_equal(sasl_server_verified(s, 0, NULL), SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "authentication failure");
	sasl_server_destroy(&s);
	s = start("PLAIN");
	sasl_server_defer_verify(s);
	assert_int_equal(STEP(s, "\0crypt\0secret", &out), SASL_VERIFY);
	assert_int_equal(sasl_server_verified(s, -1, "bad hash"),
	    SASL_TEMPFAIL);
	sasl_server_destroy(&s);
	/* No such user: a check of the default hash, then a failure. */
	s = start("PLAIN");
	sasl_server_defer_verify(s);
	assert_int_equal(STEP(s, "\0nobody\0secret", &out), SASL_VERIFY);
	sasl_server_verify_job(s, &scheme, &stored, &password);
	assert_string_equal(scheme, "SHA512-CRYPT");
	assert_int_equal(sasl_server_verified(s, 1, NULL), SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "no such user");
	sasl_server_destroy(&s);
	/* Destroyed with a check pending: nothing leaks (ASan). */
	s = start("PLAIN");
	sasl_server_defer_verify(s);
	assert_int_equal(STEP(s, "\0crypt\0secret", &out), SASL_VERIFY);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* CRAM-MD5 or APOP with challenge ch (NULL: the server's own) and
 * response. */
static int
challenged(const char *mech, const char *ch, const char *response,
    struct buf *out)
{
	struct sasl_server *s = start(mech);
	int rc;

	if (ch != NULL)
		sasl_server_fix_random(s, ch);
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, out), SASL_CONTINUE);
	if (ch != NULL)
		assert_string_equal(buf_cstr(out), ch);
	rc = step(s, response, strlen(response), out);
	sasl_server_destroy(&s);
	return rc;
}

static int
cram(const char *ch, const char *response, struct buf *out)
{
	return challenged("CRAM-MD5", ch, response, out);
}

/* RFC 1939 7: MD5 of the greeting's timestamp and the secret. */
static void
test_apop(void **state)
{
	static const char stamp[] = "<1896.697170952@dbc.mtview.ca.us>";
	struct buf out;

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	assert_int_equal(challenged("APOP", stamp,
			     "mrose c4c9334bac560ecc979e58001b3e22fb", &out),
	    SASL_OK);
	assert_int_equal(challenged("APOP", stamp,
			     "mrose c4c9334bac560ecc979e58001b3e22fc", &out),
	    SASL_FAIL);
	/* CRAM-MD5's digest is not APOP's. */
	assert_int_equal(challenged("APOP", CRAM_CHALLENGE,
			     "tim b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_FAIL);
	assert_int_equal(challenged("APOP", stamp,
			     "crypt c4c9334bac560ecc979e58001b3e22fb", &out),
	    SASL_FAIL);
	assert_int_equal(challenged("APOP", stamp, "mrose", &out),
	    SASL_BAD_PROTOCOL);
	buf_deinit(&out);
}

static void
test_cram(void **state)
{
	struct sasl_server *s;
	struct buf out;
	unsigned long long r;
	long long t;
	char host[64];

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	/* RFC 2195 2 */
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "tim b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_OK);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "tim B913A602C7EDA7A495B4E6E7334D3890", &out),
	    SASL_OK);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "tim b913a602c7eda7a495b4e6e7334d3891", &out),
	    SASL_FAIL);
	assert_int_equal(cram("<1897.697170952@postoffice.reston.mci.net>",
			     "tim b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_FAIL);
	assert_int_equal(cram(NULL, "tim b913a602c7eda7a495b4e6e7334d3890",
			     &out),
	    SASL_FAIL);
	/* Not possible from a hash; unknown users; lookup failure. */
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "crypt b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_FAIL);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "nobody b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_FAIL);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "temp b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_TEMPFAIL);
	/* Malformed */
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "tim b913a602c7eda7a495b4e6e7334d389", &out),
	    SASL_BAD_PROTOCOL);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "tim b913a602c7eda7a495b4e6e7334d389g", &out),
	    SASL_BAD_PROTOCOL);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     " b913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_BAD_PROTOCOL);
	assert_int_equal(cram(CRAM_CHALLENGE,
			     "timb913a602c7eda7a495b4e6e7334d3890", &out),
	    SASL_BAD_PROTOCOL);
	assert_int_equal(cram(CRAM_CHALLENGE, "", &out), SASL_BAD_PROTOCOL);

	/* Our own challenge: <random.time@hostname>. */
	s = start("CRAM-MD5");
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, &out), SASL_CONTINUE);
	assert_int_equal(sscanf(buf_cstr(&out), "<%llu.%lld@%63[^>]>", &r, &t,
			     host),
	    3);
	assert_string_equal(host, "mx.example.org");
	assert_true(out.data[out.len - 1] == '>');
	sasl_server_destroy(&s);
	/* No initial response allowed. */
	s = start("CRAM-MD5");
	assert_int_equal(STEP(s, "tim", &out), SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* The client side of SCRAM-SHA-256, computed here. */
struct client {
	const char *password;
	const char *gs2;   /* "n,," */
	const char *cbind; /* c= value */
	char bare[256];    /* client-first-message-bare */
	char server_first[512];
	char without_proof[512];
	char verifier[64]; /* expected server-final */
};

static void
hmac(const unsigned char *key, size_t klen, const void *d, size_t n,
    unsigned char out[32])
{
	size_t len = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen,
	    d, n, out, 32, &len));
	assert_int_equal(len, 32);
}

/* Given the server-first message, make the client-final message into
 * final (RFC 5802 3) and remember the server signature to expect. */
static void
client_final(struct client *c, const char *server_first, const char *nonce,
    struct buf *final)
{
	unsigned char salt[128], salted[32], ckey[32], skey[32], svkey[32];
	unsigned char csig[32], proof[32], ssig[32];
	char am[2048], salt64[256];
	const char *p, *error;
	struct buf b;
	unsigned iter;
	size_t i;

	snprintf(c->server_first, sizeof(c->server_first), "%s", server_first);
	p = strstr(server_first, ",s=");
	assert_non_null(p);
	assert_int_equal(sscanf(p + 3, "%255[^,],i=%u", salt64, &iter), 2);
	buf_init(&b, sizeof(salt));
	assert_int_equal(base64_decode(salt64, strlen(salt64), &b, &error), 0);
	memcpy(salt, b.data, b.len);
	assert_int_equal(PKCS5_PBKDF2_HMAC(c->password,
			     (int)strlen(c->password), salt, (int)b.len,
			     (int)iter, EVP_sha256(), 32, salted),
	    1);
	buf_deinit(&b);
	hmac(salted, 32, "Client Key", 10, ckey);
	hmac(salted, 32, "Server Key", 10, svkey);
	assert_int_equal(EVP_Digest(ckey, 32, skey, NULL, EVP_sha256(), NULL),
	    1);
	snprintf(c->without_proof, sizeof(c->without_proof), "c=%s,r=%s",
	    c->cbind, nonce);
	snprintf(am, sizeof(am), "%s,%s,%s", c->bare, server_first,
	    c->without_proof);
	hmac(skey, 32, am, strlen(am), csig);
	for (i = 0; i < 32; i++)
		proof[i] = ckey[i] ^ csig[i];
	hmac(svkey, 32, am, strlen(am), ssig);
	buf_reset(final);
	buf_printf(final, "%s,p=", c->without_proof);
	base64_encode(proof, 32, final);
	buf_init(&b, 64);
	buf_puts(&b, "v=");
	base64_encode(ssig, 32, &b);
	snprintf(c->verifier, sizeof(c->verifier), "%s", buf_cstr(&b));
	buf_deinit(&b);
}

/* Run SCRAM for user with password up to the client-final message;
 * returns the server's answer to it, with out holding server-final. */
static int
scram_to_final(struct sasl_server *s, const char *authzid, const char *user,
    const char *password, struct buf *out, struct client *c)
{
	char first[512], nonce[256];
	struct buf final;
	int rc;

	memset(c, 0, sizeof(*c));
	c->password = password;
	c->cbind = authzid == NULL ? "biws" : NULL;
	snprintf(c->bare, sizeof(c->bare), "n=%s,r=rOprNGfwEbeRWgbNEkqO", user);
	snprintf(first, sizeof(first), "n,%s%s,%s", authzid != NULL ? "a=" : "",
	    authzid != NULL ? authzid : "", c->bare);
	if (authzid != NULL) {
		static char cb[256];
		struct buf b;
		size_t hl = strlen(first) - strlen(c->bare);

		buf_init(&b, sizeof(cb) - 1);
		assert_int_equal(base64_encode(first, hl, &b), 0);
		snprintf(cb, sizeof(cb), "%s", buf_cstr(&b));
		buf_deinit(&b);
		c->cbind = cb;
	}
	rc = step(s, first, strlen(first), out);
	if (rc != SASL_CONTINUE)
		return -1000 - rc;
	/* server-first: r=<c-nonce><s-nonce>,s=<salt>,i=<count> */
	assert_memory_equal(out->data, "r=rOprNGfwEbeRWgbNEkqO", 22);
	assert_true(out->len > 22 + 8);
	assert_int_equal(sscanf(out->data, "r=%255[^,],", nonce), 1);
	buf_init(&final, 1024);
	client_final(c, buf_cstr(out), nonce, &final);
	rc = step(s, final.data, final.len, out);
	buf_deinit(&final);
	return rc;
}

static void
test_scram(void **state)
{
	struct sasl_server *s;
	struct client c;
	struct buf out;
	char salt1[256];

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);

	/* RFC 7677 3: user "user", password "pencil"; the salt and count
	 * come from the stored key. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(sasl_server_step(s, NULL, 0, 0, &out), SASL_CONTINUE);
	assert_int_equal(buf_len(&out), 0);
	assert_int_equal(scram_to_final(s, NULL, "user", "pencil", &out, &c),
	    SASL_CONTINUE);
	assert_non_null(
	    strstr(c.server_first, ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
	assert_string_equal(buf_cstr(&out), c.verifier);
	/* SMTP AUTH's empty response after server-final. */
	assert_int_equal(step(s, "", 0, &out), SASL_OK);
	assert_string_equal(sasl_server_user(s), "user");
	sasl_server_destroy(&s);

	/* authzid equal to the user; a {PLAIN} secret. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, "tim", "tim", "tanstaaftanstaaf",
			     &out, &c),
	    SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out), c.verifier);
	assert_int_equal(step(s, "", 0, &out), SASL_OK);
	sasl_server_destroy(&s);

	/* Something after server-final is a protocol error. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "user", "pencil", &out, &c),
	    SASL_CONTINUE);
	assert_int_equal(STEP(s, "x", &out), SASL_BAD_PROTOCOL);
	sasl_server_destroy(&s);

	/* Wrong password. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "user", "pencils", &out, &c),
	    SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "authentication failure");
	assert_int_equal(buf_len(&out), 0);
	sasl_server_destroy(&s);

	/* Unknown users get a stable made-up salt and fail at the proof. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "nobody", "x", &out, &c),
	    SASL_FAIL);
	assert_string_equal(sasl_server_reason(s), "no such user");
	snprintf(salt1, sizeof(salt1), "%s", strstr(c.server_first, ",s="));
	sasl_server_destroy(&s);
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "nobody", "x", &out, &c),
	    SASL_FAIL);
	assert_string_equal(strstr(c.server_first, ",s="), salt1);
	sasl_server_destroy(&s);

	/* authzid other than the user. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, "admin", "user", "pencil", &out, &c),
	    -1000 - SASL_FAIL);
	assert_string_equal(sasl_server_reason(s),
	    "authorization identity not allowed");
	sasl_server_destroy(&s);

	/* Secrets SCRAM cannot use; lookup failure; a broken stored key. */
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "crypt", "secret", &out, &c),
	    -1000 - SASL_FAIL);
	sasl_server_destroy(&s);
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "temp", "x", &out, &c),
	    -1000 - SASL_TEMPFAIL);
	sasl_server_destroy(&s);
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "broken", "x", &out, &c),
	    -1000 - SASL_TEMPFAIL);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* RFC 7677 3 word for word, with its server nonce fixed. */
static void
test_scram_rfc7677(void **state)
{
	struct sasl_server *s;
	struct buf out;

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	s = start("SCRAM-SHA-256");
	sasl_server_fix_random(s, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
	assert_int_equal(STEP(s, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", &out),
	    SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out),
	    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
	assert_int_equal(STEP(s,
			     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxF"
			     "Ilj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqm"
			     "miz7AndVQ=",
			     &out),
	    SASL_CONTINUE);
	assert_string_equal(buf_cstr(&out),
	    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
	assert_int_equal(step(s, "", 0, &out), SASL_OK);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* A step after the final result is a caller bug: it panics. */
static void
step_again(void *arg)
{
	struct buf out;

	buf_init(&out, SASL_SERVER_INPUT_MAX);
	(void)STEP(arg, "x", &out);
}

static void
test_step_after_end_panics(void **state)
{
	struct sasl_server *s;
	struct buf out;

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	s = start("PLAIN");
	assert_int_equal(STEP(s, "\0tim\0tanstaaftanstaaf", &out), SASL_OK);
	expect_panic(step_again, s);
	sasl_server_destroy(&s);
	buf_deinit(&out);
}

/* The server's answer to a hand-made client-final message, where the
 * first '@' in tmpl stands for the nonce the server asked for. */
static int
scram_final_msg(const char *tmpl, const char **reason_r)
{
	static char reason[128];
	struct sasl_server *s = start("SCRAM-SHA-256");
	char nonce[256], msg[1024];
	const char *at;
	struct buf out;
	int rc;

	buf_init(&out, SASL_SERVER_INPUT_MAX);
	assert_int_equal(STEP(s, "n,,n=user,r=abc", &out), SASL_CONTINUE);
	assert_int_equal(sscanf(out.data, "r=%255[^,],", nonce), 1);
	at = strchr(tmpl, '@');
	if (at == NULL)
		snprintf(msg, sizeof(msg), "%s", tmpl);
	else
		snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(at - tmpl), tmpl,
		    nonce, at + 1);
	rc = step(s, msg, strlen(msg), &out);
	snprintf(reason, sizeof(reason), "%s", sasl_server_reason(s));
	*reason_r = reason;
	buf_deinit(&out);
	sasl_server_destroy(&s);
	return rc;
}

#define PROOF "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

static const struct {
	const char *tmpl; /* '@': the server's nonce */
	int rc;
	const char *reason; /* NULL: not checked */
} finals[] = {
	/* Well-formed with the wrong proof, binding or nonce. */
	{ "c=biws,r=@,p=" PROOF, SASL_FAIL, "authentication failure" },
	{ "c=biws,r=@,x=ext,p=" PROOF, SASL_FAIL, "authentication failure" },
	{ "c=eSws,r=@,p=" PROOF, SASL_FAIL, "SCRAM channel binding mismatch" },
	{ "c=biws,r=@x,p=" PROOF, SASL_FAIL, "SCRAM nonce mismatch" },
	{ "c=biws,r=abc,p=" PROOF, SASL_FAIL, NULL },
	{ "c=biws,r=@,p=AAAA", SASL_BAD_PROTOCOL, NULL },
	{ "c=biws,r=@,p=" PROOF "=", SASL_BAD_PROTOCOL, NULL },
	{ "c=biws,r=@", SASL_BAD_PROTOCOL, NULL },
	{ "r=@,p=" PROOF, SASL_BAD_PROTOCOL, NULL },
	{ "c=biws,p=" PROOF, SASL_BAD_PROTOCOL, NULL },
	{ "c=biws,r=@,p=" PROOF ",", SASL_BAD_PROTOCOL, NULL },
	{ "", SASL_BAD_PROTOCOL, NULL },
};

static void
test_scram_malformed(void **state)
{
	static const char *const first[] = {
		"",
		"n,,n=user",
		"x,,n=user,r=abc",
		"p=tls-unique,,n=user,r=abc",
		"n,,m=ext,n=user,r=abc",
		"n,,n=,r=abc",
		"n,,n=us=er,r=abc",
		"n,n=user,r=abc",
	};
	const char *reason;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		assert_int_equal(once("SCRAM-SHA-256", first[i],
				     strlen(first[i]), &reason),
		    SASL_BAD_PROTOCOL);
	for (i = 0; i < sizeof(finals) / sizeof(finals[0]); i++) {
		assert_int_equal(scram_final_msg(finals[i].tmpl, &reason),
		    finals[i].rc);
		if (finals[i].reason != NULL)
			assert_string_equal(reason, finals[i].reason);
	}
}

/* Every prefix of a good client-final message is refused, and so is a
 * message past the input bound, in every mechanism. */
static void
test_limits(void **state)
{
	static unsigned char big[SASL_SERVER_INPUT_MAX + 1];
	struct sasl_server *s;
	struct client c;
	struct buf out, final;
	size_t i, n;
	char nonce[256];

	(void)state;
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	buf_init(&final, 1024);
	for (i = 0; sasl_server_mechs[i] != NULL; i++) {
		s = start(sasl_server_mechs[i]);
		assert_int_equal(sasl_server_step(s, big, sizeof(big), 1, &out),
		    SASL_BAD_PROTOCOL);
		assert_string_equal(sasl_server_reason(s), "response too long");
		sasl_server_destroy(&s);
	}
	s = start("SCRAM-SHA-256");
	assert_int_equal(scram_to_final(s, NULL, "user", "pencil", &out, &c),
	    SASL_CONTINUE);
	sasl_server_destroy(&s);
	assert_int_equal(sscanf(c.server_first, "r=%255[^,],", nonce), 1);
	for (n = 0; n < strlen(c.without_proof) + 3 + 44; n++) {
		s = start("SCRAM-SHA-256");
		assert_int_equal(STEP(s, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
				     &out),
		    SASL_CONTINUE);
		/* Each server nonce differs, so rebuild for this one. */
		assert_int_equal(sscanf(out.data, "r=%255[^,],", nonce), 1);
		client_final(&c, buf_cstr(&out), nonce, &final);
		assert_int_equal(final.len, strlen(c.without_proof) + 3 + 44);
		assert_int_not_equal(step(s, final.data, n, &out),
		    SASL_CONTINUE);
		sasl_server_destroy(&s);
	}
	buf_deinit(&final);
	buf_deinit(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_cram),
		cmocka_unit_test(test_apop),
		cmocka_unit_test(test_deferred_verify),
		cmocka_unit_test(test_scram),
		cmocka_unit_test(test_scram_rfc7677),
		cmocka_unit_test(test_scram_malformed),
		cmocka_unit_test(test_step_after_end_panics),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
