/* proto_anvil - the protocol between smtpd (and later pop3d and imapd) and
 * anvil(8), the client connection and rate counter. No greeting. The
 * client keeps one connection and sends, in lockstep, attribute messages
 * with ATTR_ANVIL_REQUEST and ATTR_ANVIL_IDENT ("service:address"):
 *   connect     a client connection opened: reply count (open now) and
 *               rate (connections in the window);
 *   disconnect  it closed: reply status only;
 *   mail, rcpt, auth
 *               one MAIL FROM / RCPT TO / AUTH: reply rate.
 * Every reply carries ATTR_ANVIL_STATUS: "0", or "1" for a request anvil
 * does not know. When the client's connection ends, anvil treats its
 * open connection (at most one: each client process serves one session
 * at a time) as closed. A daemon never speaks this directly: it uses
 * anvil_clnt.h. */
#ifndef TERN_PROTO_ANVIL_H
#define TERN_PROTO_ANVIL_H

#define ANVIL_SERVICE "private/anvil"

#define ATTR_ANVIL_REQUEST "request"
#define ATTR_ANVIL_IDENT "ident"
#define ATTR_ANVIL_STATUS "status"
#define ATTR_ANVIL_COUNT "count"
#define ATTR_ANVIL_RATE "rate"

#define ANVIL_REQ_CONNECT "connect"
#define ANVIL_REQ_DISCONNECT "disconnect"
#define ANVIL_REQ_MAIL "mail"
#define ANVIL_REQ_RCPT "rcpt"
#define ANVIL_REQ_AUTH "auth"

#endif
