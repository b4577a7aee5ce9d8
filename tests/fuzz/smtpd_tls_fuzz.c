/* SPDX-License-Identifier: MIT */
/* smtpd_tls_fuzz - smtpd's command side as smtpd_cmd_fuzz runs it, in the
 * TLS and SMTP AUTH states a session can be in.
 *
 * Input: one control byte, then the client's side of a session. Control
 * bit 0: TLS runs from the start (ss->tls and ss->tls_info set as a
 * handshake leaves them, through smtpd_session_test_hook; the bytes stay
 * plain); bit 1: smtpd_sasl_auth_enable; bit 2: smtpd_tls_auth_only;
 * bit 3: smtpd_auth_required; bit 4: logged in already (as alice, or as
 * bob with bit 7; smtpd_sender_login_maps owns alice@example.com to
 * alice, so reject_sender_login_mismatch has work); bits 5-6:
 * smtpd_tls_security_level none, may, encrypt, none. A key and a
 * self-signed certificate are loaded, so EHLO lists STARTTLS and a
 * STARTTLS before TLS runs a real handshake, on what is left of the input
 * once the pipelined bytes are discarded: it fails and ends the session.
 * There is no auth service (smtpd_fuzz.h): AUTH gets 454 at once.
 * Checked, on the replies: no 334 challenge nor 235 success (nothing can
 * log in); with TLS running, STARTTLS never gets 220; MAIL never gets 250
 * when smtpd_auth_required holds and nobody is logged in, nor under
 * "encrypt" without TLS. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf/params.h"
#include "util/mem.h"

#include "smtpd.h"
#include "smtpd_tls.h"

#include "smtpd_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CTL_TLS 0x01
#define CTL_SASL 0x02
#define CTL_TLS_AUTH_ONLY 0x04
#define CTL_AUTH_REQUIRED 0x08
#define CTL_LOGGED_IN 0x10
#define CTL_LEVEL(c) (((c) >> 5) & 3)
#define CTL_BOB 0x80

static const char *const extra[] = {
	"smtpd_tls_security_level = may",
	("smtpd_sender_login_maps = inline:{alice@example.com=alice, "
	 "bob@example.com=bob}"),
	"smtpd_recipient_restrictions = reject_sender_login_mismatch",
};

static char levels[4][8] = { "none", "may", "encrypt", "none" };
static char *store_level; /* the store's value, put back after each input */
static int ctl;

/* A P-256 key and a self-signed certificate for mail.example.com, both in
 * <fuzz_dir>/cert.pem. */
static void
make_cert(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	char path[512];
	FILE *fp;

	if (key == NULL || x == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/cert.pem", fuzz_dir()) >=
		sizeof(path))
		abort();
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 365);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"mail.example.com", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) <= 0 ||
	    (fp = fopen(path, "w")) == NULL || PEM_write_X509(fp, x) != 1 ||
	    PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(fp) != 0)
		abort();
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
setup(void)
{
	make_cert();
	smtpd_fuzz_set_path("smtpd_tls_cert_file", "cert.pem");
	smtpd_fuzz_setup(extra, sizeof(extra) / sizeof(extra[0]));
	/* Loads the key (smtpd_tls_security_level = may); later calls only
	 * take the level of each input. */
	smtpd_tls_init();
}

/* The state a handshake and an AUTH leave (smtpd_session_test_hook). */
static void
session_state(struct smtpd_session *ss)
{
	/* Stands for the connection: smtpd only tests ss->tls for NULL
	 * (the stream is the one to use it, and it was never told). */
	static char handshake_done;

	if (ctl & CTL_TLS) {
		ss->tls = (struct tls_conn *)(void *)&handshake_done;
		ss->tls_info = xstrdup(
		    "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
	}
	if (ctl & CTL_LOGGED_IN) {
		ss->sasl_user = xstrdup(ctl & CTL_BOB ? "bob" : "alice");
		ss->sasl_method = xstrdup("PLAIN");
	}
}

/* 1 when a line of the replies starts with prefix. */
static int
replied(const struct fuzz_peer *r, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = r->data, *end = r->data + r->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(end - p) >= n && memcmp(p, prefix, n) == 0)
			return 1;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct fuzz_peer replies;

	if (size < 1)
		return 0;
	if (!ready) {
		setup();
		smtpd_session_test_hook = session_state;
		ready = 1;
	}
	ctl = data[0];
	var_smtpd_sasl_enable = (ctl & CTL_SASL) != 0;
	var_smtpd_tls_auth_only = (ctl & CTL_TLS_AUTH_ONLY) != 0;
	var_smtpd_auth_required = (ctl & CTL_AUTH_REQUIRED) != 0;
	store_level = var_smtpd_tls_level;
	var_smtpd_tls_level = levels[CTL_LEVEL(ctl)];
	smtpd_tls_init();
	smtpd_fuzz_session(data + 1, size - 1, &replies);
	var_smtpd_tls_level = store_level;
	if (replied(&replies, "334 ") || replied(&replies, "235 "))
		__builtin_trap();
	if ((ctl & CTL_TLS) && replied(&replies, "220 2.0.0"))
		__builtin_trap();
	if (((ctl & (CTL_AUTH_REQUIRED | CTL_LOGGED_IN)) == CTL_AUTH_REQUIRED ||
		(CTL_LEVEL(ctl) == 2 && !(ctl & CTL_TLS))) &&
	    replied(&replies, "250 2.1.0"))
		__builtin_trap();
	return 0;
}
