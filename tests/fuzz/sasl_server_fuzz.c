/* SPDX-License-Identifier: MIT */
/* sasl_server_fuzz - every SASL server mechanism driven through several
 * steps by arbitrary client messages.
 *
 * Input: one control byte, then client messages separated by "\r\n" (at
 * most MAX_STEPS). Control bits 0-1 pick the mechanism (its index in
 * sasl_server_mechs), bit 2 starts without an initial response, bit 3
 * makes the harness answer the first challenge itself as a client that
 * knows the password (CRAM-MD5: "tim"; SCRAM-SHA-256: "pencil", built on
 * the fuzzed client-first message), in place of the next message, so that
 * the steps after a correct proof are reached too. The lookup knows "user"
 * (a SCRAM-SHA-256 key for "pencil", one iteration to keep runs fast),
 * "tim" ({PLAIN} tanstaaftanstaaf) and "temp" (temporary failure).
 * Checked: results are in range, out stays bounded, only known users
 * succeed, a failure has a reason, nothing crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mail/sasl_server.h"
#include "util/base64.h"
#include "util/buf.h"

#define MAX_STEPS 8
#define SCRAM_KEY                                       \
	"1,W22ZaJ0SNY7soEsUEjb6gQ==,"                   \
	"bzcn5wYzlcMpEXczzDM1iuyLhni5BVbqsm82vjMHWXI=," \
	"fg/vS0Y425LcbLGWSqdzrFlRn9451QblzgpwLQYoXCI="
#define CRAM_CHALLENGE "<1896.697170952@postoffice.reston.mci.net>"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
lookup(void *ctx, const char *user, struct sasl_secret *secret_r)
{
	(void)ctx;
	if (strcmp(user, "user") == 0) {
		secret_r->scheme = "SCRAM-SHA-256";
		secret_r->stored = SCRAM_KEY;
		return 1;
	}
	if (strcmp(user, "tim") == 0) {
		secret_r->scheme = "PLAIN";
		secret_r->stored = "tanstaaftanstaaf";
		return 1;
	}
	return strcmp(user, "temp") == 0 ? -1 : 0;
}

static int
mac(const char *md, const void *key, size_t klen, const void *d, size_t n,
    unsigned char *out, size_t outlen)
{
	size_t len = 0;

	return EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, klen, d, n, out,
		   outlen, &len) != NULL &&
	    len == outlen;
}

/* CRAM-MD5 answer for tim to challenge. */
static void
cram_answer(const struct buf *challenge, struct buf *msg)
{
	unsigned char d[16];
	size_t i;

	if (!mac("MD5", "tanstaaftanstaaf", 16, challenge->data, challenge->len,
		d, sizeof(d)))
		__builtin_trap();
	(void)buf_puts(msg, "tim ");
	for (i = 0; i < sizeof(d); i++)
		(void)buf_printf(msg, "%02x", d[i]);
}

/* SCRAM client-final for "pencil", given the client-first message first
 * (flen bytes) and the server-first message sf; nothing when either does
 * not look right. */
static void
scram_answer(const char *first, size_t flen, const struct buf *sf,
    struct buf *msg)
{
	unsigned char salted[32], ckey[32], skey[32], sig[32];
	const char *c1, *c2, *nonce_end, *s, *i, *error;
	struct buf salt, am;
	unsigned long iter;
	size_t k;

	/* The GS2 header ends at the second comma. */
	if ((c1 = memchr(first, ',', flen)) == NULL ||
	    (c2 = memchr(c1 + 1, ',', flen - (size_t)(c1 + 1 - first))) ==
		NULL ||
	    strncmp(sf->data, "r=", 2) != 0 ||
	    (nonce_end = strchr(sf->data, ',')) == NULL ||
	    (s = strstr(sf->data, ",s=")) == NULL ||
	    (i = strstr(sf->data, ",i=")) == NULL || i < s)
		return;
	iter = strtoul(i + 3, NULL, 10);
	if (iter == 0 || iter > 4096)
		return;
	buf_init(&salt, 128);
	buf_init(&am, 16384);
	if (base64_decode(s + 3, (size_t)(i - s - 3), &salt, &error) < 0 ||
	    PKCS5_PBKDF2_HMAC("pencil", 6, (unsigned char *)salt.data,
		(int)salt.len, (int)iter, EVP_sha256(), 32, salted) != 1)
		goto done;
	(void)buf_puts(msg, "c=");
	(void)base64_encode(first, (size_t)(c2 + 1 - first), msg);
	(void)buf_puts(msg, ",");
	(void)buf_append(msg, sf->data, (size_t)(nonce_end - sf->data));
	(void)buf_append(&am, c2 + 1, flen - (size_t)(c2 + 1 - first));
	(void)buf_putc(&am, ',');
	(void)buf_append(&am, sf->data, sf->len);
	(void)buf_putc(&am, ',');
	(void)buf_append(&am, msg->data, msg->len);
	if (!mac("SHA256", salted, 32, "Client Key", 10, ckey, 32) ||
	    EVP_Digest(ckey, 32, skey, NULL, EVP_sha256(), NULL) != 1 ||
	    !mac("SHA256", skey, 32, am.data, am.len, sig, 32))
		__builtin_trap();
	for (k = 0; k < 32; k++)
		ckey[k] ^= sig[k];
	(void)buf_puts(msg, ",p=");
	(void)base64_encode(ckey, 32, msg);
done:
	buf_deinit(&salt);
	buf_deinit(&am);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end, *next, *first = NULL, *user;
	struct sasl_server *s;
	struct buf out, helper;
	size_t len, first_len = 0;
	int ctl, step, helper_used = 0, rc = SASL_CONTINUE;

	if (size < 1)
		return 0;
	ctl = data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	s = sasl_server_create(sasl_server_mechs[ctl & 3], "mx.example.org",
	    lookup, NULL);
	if (s == NULL)
		__builtin_trap();
	sasl_server_fix_random(s, CRAM_CHALLENGE);
	buf_init(&out, SASL_SERVER_INPUT_MAX);
	buf_init(&helper, SASL_SERVER_INPUT_MAX);
	for (step = 0; step < MAX_STEPS && rc == SASL_CONTINUE; step++) {
		if (step == 0 && (ctl & 4))
			rc = sasl_server_step(s, NULL, 0, 0, &out);
		else {
			if (p > end)
				break;
			next = memmem(p, (size_t)(end - p), "\r\n", 2);
			len = (size_t)((next != NULL ? next : end) - p);
			if (helper.len > 0 && !helper_used) {
				helper_used = 1;
				rc = sasl_server_step(s,
				    (const unsigned char *)helper.data,
				    helper.len, 1, &out);
			} else {
				rc = sasl_server_step(s,
				    (const unsigned char *)p, len, 1, &out);
				if (first == NULL) {
					first = p;
					first_len = len;
				}
			}
			p = next != NULL ? next + 2 : end + 1;
		}
		if (out.len > SASL_SERVER_INPUT_MAX)
			__builtin_trap();
		if (rc != SASL_CONTINUE || !(ctl & 8) || helper.len > 0)
			continue;
		if ((ctl & 3) == 1 && out.len > 0 && out.data[0] == '<')
			cram_answer(&out, &helper);
		else if ((ctl & 3) == 0 && first != NULL && out.len > 2 &&
		    memcmp(out.data, "r=", 2) == 0)
			scram_answer(first, first_len, &out, &helper);
	}
	user = sasl_server_user(s);
	switch (rc) {
	case SASL_OK:
		if (strcmp(user, "user") != 0 && strcmp(user, "tim") != 0)
			__builtin_trap();
		break;
	case SASL_CONTINUE:
		break;
	case SASL_FAIL:
	case SASL_TEMPFAIL:
	case SASL_BAD_PROTOCOL:
		if (sasl_server_reason(s) == NULL || out.len != 0)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
	buf_deinit(&out);
	buf_deinit(&helper);
	sasl_server_destroy(&s);
	return 0;
}
