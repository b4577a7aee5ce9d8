/* proto_auth - the protocol between smtpd, pop3d and imapd and auth(8),
 * the one authentication service, at private/auth. No greeting. The
 * client keeps one connection and sends, in lockstep (one request, then
 * its one reply), attribute messages with ATTR_AUTH_REQUEST:
 *   mechs     the mechanisms on offer: reply status "ok" and
 *             ATTR_AUTH_MECHS, space-separated, strongest first.
 *   auth      start an attempt: ATTR_AUTH_SERVICE (smtpd, pop3d,
 *             imapd), ATTR_AUTH_MECH, ATTR_AUTH_CLIENT ("host[addr]" or
 *             a bare address) and optionally ATTR_AUTH_RESPONSE, the
 *             initial response as the client sent it: base64 text, "="
 *             for an empty one (RFC 4954 4). A new "auth" abandons any
 *             attempt in progress on the connection.
 *   continue  the client's next response in ATTR_AUTH_RESPONSE: base64
 *             text, or "*" when the client cancelled (reply "fail",
 *             reason "aborted").
 *   redeem    ATTR_AUTH_COOKIE and ATTR_AUTH_SERVICE: the user whose
 *             login earned that cookie for that service ("ok" with
 *             ATTR_AUTH_USER), once, within a minute; else "fail". For
 *             the root process that starts a session as the mailbox
 *             owner: it learns the user from auth, not from the
 *             unprivileged process that spoke with the client.
 * Every reply carries ATTR_AUTH_STATUS:
 *   continue  ATTR_AUTH_DATA holds the next challenge (base64, maybe "").
 *   ok        authenticated as ATTR_AUTH_USER; ATTR_AUTH_DATA holds final
 *             server data (base64) when the mechanism has any;
 *             ATTR_AUTH_COOKIE a one-time proof of this login (32 hex
 *             digits), when auth could make one.
 *   fail      bad credentials, unknown user, refused authzid, aborted;
 *             ATTR_AUTH_REASON is for the log, never for the client
 *             (SMTP: 535 5.7.8).
 *   tempfail  the user table is unavailable (SMTP: 454 4.7.0).
 *   bad       malformed base64 or request (SMTP: 501 5.5.2).
 *   nomech    the mechanism is not offered (SMTP: 504 5.5.4).
 * A final reply (anything but "continue") ends the attempt, and may come
 * only after a penalty delay of up to 15 s (see auth(8)): clients wait
 * longer than that. A daemon never speaks this directly: it uses
 * auth_clnt.h. */
#ifndef TERN_PROTO_AUTH_H
#define TERN_PROTO_AUTH_H

#define AUTH_SERVICE "private/auth"

#define ATTR_AUTH_REQUEST "request"
#define ATTR_AUTH_SERVICE "service"
#define ATTR_AUTH_MECH "mech"
#define ATTR_AUTH_CLIENT "client"
#define ATTR_AUTH_RESPONSE "response"
#define ATTR_AUTH_STATUS "status"
#define ATTR_AUTH_DATA "data"
#define ATTR_AUTH_USER "user"
#define ATTR_AUTH_REASON "reason"
#define ATTR_AUTH_MECHS "mechs"
#define ATTR_AUTH_COOKIE "cookie"

#define AUTH_REQ_MECHS "mechs"
#define AUTH_REQ_AUTH "auth"
#define AUTH_REQ_CONTINUE "continue"
#define AUTH_REQ_REDEEM "redeem"

#define AUTH_STAT_CONTINUE "continue"
#define AUTH_STAT_OK "ok"
#define AUTH_STAT_FAIL "fail"
#define AUTH_STAT_TEMPFAIL "tempfail"
#define AUTH_STAT_BAD "bad"
#define AUTH_STAT_NOMECH "nomech"

/* The longest penalty delay before a final reply, in seconds. */
#define AUTH_MAX_DELAY 15

#endif
