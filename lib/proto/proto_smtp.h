/* proto_smtp - the delivery request protocol between qmgr and smtp.
 * The exchange is proto_local.h's, with its attribute names: the server
 * (smtp) greets with ATTR_PROTO = PROTO_SMTP and ATTR_VERSION =
 * PROTO_SMTP_VERSION; then, any number of times in lockstep, the client
 * passes the open queue file descriptor (fdpass.h) and one request:
 *   queue_id, sender, arrival and arrival_usec, nexthop (where to send:
 *   "domain" for an MX lookup, "[host]" or "[host]:port" without one),
 *   size (the content's octets, for SIZE=), optionally body ("8BITMIME"
 *   when the message was received so) and smtputf8 ("yes": received with
 *   SMTPUTF8), then for each recipient in order:
 *   rcpt (the address for RCPT TO) and orig (the original address);
 * and the server answers with status (enhanced code) and text for each
 * recipient in the same order: 2.x.x sent, 4.x.x try later, 5.x.x bounce.
 * All recipients of one request share the next hop. The client closes to
 * finish; the server may keep its SMTP session to a next hop open across
 * requests on the same connection (smtp_connection_reuse_*). */
#ifndef TERN_PROTO_SMTP_H
#define TERN_PROTO_SMTP_H

#include "proto/proto_local.h"

#define PROTO_SMTP "smtp"
#define PROTO_SMTP_VERSION "1"

#define ATTR_NEXTHOP "nexthop"
#define ATTR_SIZE "size"
#define ATTR_BODY "body"
#define ATTR_SMTPUTF8 "smtputf8"

#define SMTP_MAX_BATCH 1000 /* recipients in one request */

#endif
