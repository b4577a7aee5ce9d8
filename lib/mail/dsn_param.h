/* dsn_param - the SMTP DSN extension's parameters (RFC 3461): NOTIFY and
 * ORCPT on RCPT TO, RET and ENVID on MAIL FROM, and the xtext encoding
 * that ORCPT and ENVID use on the wire (RFC 3461 section 4).
 *
 * smtpd parses what a client sends into the forms kept in the queue file;
 * smtp(8) turns those forms back into parameters for a next hop that
 * offers DSN. Stored forms: NOTIFY is a bit mask (0: the client gave
 * none, which RFC 3461 4.1 lets the MTA treat as FAILURE,DELAY); ORCPT is
 * "addr-type;address" with the xtext decoded ("rfc822;alice@example.com");
 * ENVID is the decoded envelope ID; RET is DSN_RET_FULL or DSN_RET_HDRS.
 *
 * Decoded values never hold control characters, so they are safe in a
 * queue file attribute, a log line and (after dsn.c's own cleaning) a
 * report field. Pure functions; results go into caller buffers whose
 * contents are replaced. Nothing is kept between calls. */
#ifndef TERN_MAIL_DSN_PARAM_H
#define TERN_MAIL_DSN_PARAM_H

#include <stddef.h>

struct buf;

/* NOTIFY bits (RFC 3461 4.1). NEVER is alone or absent. */
#define DSN_NOTIFY_SUCCESS 0x1
#define DSN_NOTIFY_FAILURE 0x2
#define DSN_NOTIFY_DELAY 0x4
#define DSN_NOTIFY_NEVER 0x8
#define DSN_NOTIFY_ALL 0xf
/* What a recipient without NOTIFY gets. */
#define DSN_NOTIFY_DEFAULT (DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY)

/* RET values (RFC 3461 4.3); 0: not given. */
#define DSN_RET_FULL 1
#define DSN_RET_HDRS 2

/* Longest ENVID and ORCPT parameter values, as sent (RFC 3461 4.4, 4.2). */
#define DSN_ENVID_MAX 100
#define DSN_ORCPT_MAX 500

/* The value of NOTIFY= ("SUCCESS,DELAY", "NEVER"; case-insensitive):
 * the mask, or -1 for anything else (an unknown or repeated keyword,
 * NEVER with another keyword, an empty list or element). */
int dsn_notify_parse(const char *value);
/* The NOTIFY= value of a non-zero mask into out ("SUCCESS,FAILURE");
 * "" for 0. Returns 0, or -1 when out is too small. */
int dsn_notify_format(int mask, struct buf *out);
/* 1 when a recipient stored with mask wants the notification of kind
 * (DSN_NOTIFY_SUCCESS, _FAILURE or _DELAY), else 0; mask 0 counts as
 * DSN_NOTIFY_DEFAULT. */
int dsn_notify_wants(int mask, int kind);

/* The value of RET=: DSN_RET_FULL, DSN_RET_HDRS, or -1. */
int dsn_ret_parse(const char *value);
/* "FULL", "HDRS", or NULL for anything else. */
const char *dsn_ret_name(int ret);

/* Decode xtext (RFC 3461 4: "+" and two upper-case hex digits stand for
 * one octet; other characters from "!" to "~" except "+" and "=" stand
 * for themselves) into out. Returns 0, or -1 for a character outside
 * that set, a bad "+XX", or a decoded control character or NUL. */
int dsn_xtext_decode(const char *in, struct buf *out);
/* Append the xtext encoding of in (any bytes but NUL) to out. Returns 0,
 * or -1 when out is full. */
int dsn_xtext_encode(const char *in, struct buf *out);

/* ENVID=: at most DSN_ENVID_MAX octets of xtext whose decoding is
 * printable ASCII; the decoded ID into out. Returns 0 or -1. */
int dsn_envid_parse(const char *value, struct buf *out);
/* ORCPT=: "addr-type;xtext" (addr-type an atom of letters, digits and
 * "-", at most DSN_ORCPT_MAX octets in all) into "addr-type;decoded" in
 * out, the type in lower case. Returns 0 or -1. */
int dsn_orcpt_parse(const char *value, struct buf *out);
/* The ORCPT= value for a stored "addr-type;address" (the address xtext
 * encoded), into out. Returns 0, or -1 when stored has no ";" or out is
 * full. */
int dsn_orcpt_format(const char *stored, struct buf *out);

#endif
