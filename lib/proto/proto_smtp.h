/* proto_smtp - the delivery request protocol between qmgr and smtp.
 * The exchange is proto_local.h's, with its attribute names: the server
 * (smtp) greets with ATTR_PROTO = PROTO_SMTP and ATTR_VERSION =
 * PROTO_SMTP_VERSION; then, any number of times in lockstep, the client
 * passes the open queue file descriptor (fdpass.h) and one request:
 *   queue_id, sender, arrival and arrival_usec, nexthop (where to send:
 *   "domain" for an MX lookup, "[host]" or "[host]:port" without one),
 *   size (the content's octets, for SIZE=), optionally body ("8BITMIME"
 *   when the message was received so), smtputf8 ("yes": received with
 *   SMTPUTF8), dsn_ret ("FULL"/"HDRS") and dsn_envid (the decoded ENVID),
 *   then for each recipient in order: rcpt (the address for RCPT TO),
 *   orig (the original address) and, when the sender gave them, notify
 *   (the DSN NOTIFY mask in decimal) and orcpt ("type;address");
 * and the server answers with status (enhanced code) and text for each
 * recipient in the same order: 2.x.x sent, 4.x.x try later, 5.x.x bounce;
 * after a 2.x.x, action "relayed" says that the next hop did not offer
 * DSN while the recipient asked for NOTIFY=SUCCESS (RFC 3461 5.2.2.2), so
 * the success report is ours to send; after a 4.x.x or 5.x.x that came
 * from the next hop, diag ("smtp; 550 5.1.1 text", RFC 3464 2.3.6) and
 * mta (its host name) are for the report.
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
#define ATTR_DSN_RET "dsn_ret"
#define ATTR_DSN_ENVID "dsn_envid"
#define ATTR_NOTIFY "notify"
#define ATTR_ORCPT "orcpt"
#define ATTR_ACTION "action"
#define ATTR_DIAG "diag"
#define ATTR_MTA "mta"

#define SMTP_MAX_BATCH 1000 /* recipients in one request */

#endif
