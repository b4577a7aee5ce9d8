/* tls_ticket - session ticket keys that every process of a service shares.
 *
 * A TLS session resumes by ticket (RFC 5077, RFC 8446 4.6.1): the server
 * seals the session state under its ticket key and the client hands the
 * ticket back on its next connection. smtpd runs one process per client,
 * so a key of each process's own would let no session resume: the key
 * lives in a file that every process reads when it starts (as root,
 * before privileges are dropped, like the private key).
 *
 * The file holds a current and a previous key and the time the current
 * one was made. Whoever loads it after the current key has served its
 * lifetime rotates it: the current key becomes the previous one (tickets
 * under it still resume, and are renewed), a new random key the current
 * one. Loading holds an flock on the file, so two processes never rotate
 * at once; the file is rewritten in place under that lock, and one that
 * is short or damaged (a crash mid-write) is replaced by new keys, which
 * costs no more than one full handshake per client. The file is made
 * mode 0600; one that others may read is refused. Nothing is fsync'ed:
 * the keys protect nothing that outlives them. */
#ifndef TERN_TLS_TLS_TICKET_H
#define TERN_TLS_TLS_TICKET_H

#include <stdint.h>
#include <time.h>

struct buf;

/* A key: its 16-octet name (sent in the ticket, to find the key again),
 * an AES-256 key and an HMAC-SHA256 key. */
#define TLS_TICKET_NAME_LEN 16
#define TLS_TICKET_SECRET_LEN 32
struct tls_ticket_key {
	unsigned char name[TLS_TICKET_NAME_LEN];
	unsigned char aes[TLS_TICKET_SECRET_LEN];
	unsigned char hmac[TLS_TICKET_SECRET_LEN];
};

struct tls_ticket_keys {
	struct tls_ticket_key current, previous;
	int have_previous;
	int64_t created; /* when current was made, seconds since the epoch */
};

/* Read path's keys into *keys, creating the file or rotating its keys
 * when the current key is lifetime seconds old (or from the future: a
 * clock set back). Returns 0, or -1 with the reason (naming the file) in
 * err. */
int tls_ticket_keys_load(const char *path, long lifetime, time_t now,
    struct tls_ticket_keys *keys, struct buf *err);

#endif
