/* proto_local - the delivery request protocol between qmgr and local.
 * The server (local) greets with ATTR_PROTO = PROTO_LOCAL and
 * ATTR_VERSION = PROTO_LOCAL_VERSION. Then, any number of times in
 * lockstep: the client passes the open queue file descriptor (fdpass.h)
 * followed by one attribute message:
 *   queue_id, sender, arrival (unix seconds) and arrival_usec, then for each recipient in
 *   order: rcpt (final address), orig (original address);
 * and the server answers with one attribute message holding, for each
 * recipient in the same order, status (enhanced code, "2.0.0") and text
 * (the reason, for logs and bounces). The client closes to finish.
 * A daemon never speaks this directly: it uses local_clnt.h. */
#ifndef TERN_MAIL_PROTO_LOCAL_H
#define TERN_MAIL_PROTO_LOCAL_H

#define PROTO_LOCAL "local"
#define PROTO_LOCAL_VERSION "1"

#define ATTR_PROTO "protocol"
#define ATTR_VERSION "version"
#define ATTR_QUEUE_ID "queue_id"
#define ATTR_SENDER "sender"
#define ATTR_ARRIVAL "arrival"
#define ATTR_ARRIVAL_USEC "arrival_usec"
#define ATTR_RCPT "rcpt"
#define ATTR_ORIG "orig"
#define ATTR_STATUS "status"
#define ATTR_TEXT "text"

#define LOCAL_MAX_BATCH 500 /* recipients in one request */

#endif
