/* tls - TLS over OpenSSL 3, slotted in under a stream.
 *
 * A server context holds the certificates (RSA and ECDSA together: each
 * key type has its own pair) and the protocol floor (TLS 1.2); a client
 * context holds the trust store (the system's, or one CA file). Either
 * starts TLS on an existing stream: the handshake runs over the stream's
 * descriptor within the stream's own timeout and deadline, and from then
 * on every stream read and write goes through TLS (the descriptor is made
 * non-blocking; the stream polls in the direction TLS asks for). The
 * stream owns the connection: stream_destroy() sends close_notify (without
 * waiting for the peer's) and frees it. Bytes the stream had buffered
 * before the handshake are the caller's to discard (STARTTLS, RFC 3207 6).
 *
 * Ciphers follow the system's OpenSSL policy with the server's
 * preference; renegotiation is refused; a peer that closes without
 * close_notify reads as end of input, since SMTP, POP3 and IMAP end their
 * sessions themselves. Only non-deprecated OpenSSL 3 APIs are used.
 * Contexts are built before a daemon drops privileges (the key is read as
 * root) and used after. Not thread-safe. */
#ifndef TERN_TLS_TLS_H
#define TERN_TLS_TLS_H

struct buf;
struct stream;
struct tls_server;
struct tls_client;
struct tls_conn;

/* Load certificate chains and keys: cert_files and key_files are lists
 * (separated by commas or white space) paired by position; key_files may
 * be empty when each key is in its certificate's file. Each certificate
 * file holds the server certificate first, then its chain. Returns NULL
 * with the reason in err (naming the file) for an unreadable file, a key
 * that does not match, or unequal lists. */
struct tls_server *tls_server_create(const char *cert_files,
    const char *key_files, struct buf *err);
void tls_server_destroy(struct tls_server **sp);

/* Share session tickets with the other processes that use key_file
 * (tls_ticket.h: made or rotated as needed, read now), valid for lifetime
 * seconds; lifetime 0: no resumption at all, every handshake a full one.
 * Without this call each process seals tickets under keys of its own.
 * Returns -1 with the reason in err. */
int tls_server_tickets(struct tls_server *srv, const char *key_file,
    long lifetime, struct buf *err);
/* Serve the certificates in files (a list; each file holds a private key
 * and its certificate chain, several key types allowed) to clients whose
 * server name indication (RFC 6066 3) is name, compared without case; a
 * name ".example.com" stands for every name under example.com that has
 * no entry of its own or of a nearer parent. Other clients get the
 * default certificates. Each list of files is loaded once, now (as root).
 * Returns -1 with the reason (naming the file) in err. */
int tls_server_add_sni(struct tls_server *srv, const char *name,
    const char *files, struct buf *err);

/* A server's TLS settings as main.cf gives them (tls_load.c). */
struct tls_server_conf {
	const char *cert_files, *key_files; /* as tls_server_create */
	const char *cert_param;             /* its name, for a warning */
	const char *ticket_file;            /* shared ticket keys; NULL: none */
	long ticket_lifetime;               /* as tls_server_tickets */
	const char *sni_maps;  /* lookup tables name => files, or "" */
	const char *sni_param; /* their parameter's name */
	const char *db_type;   /* default table type */
};
/* The server context c describes, built now (as root): NULL when the
 * certificates cannot be loaded (logged: "TLS is not available: ...").
 * Ticket keys that cannot be shared and SNI entries that cannot be
 * loaded are logged warnings, not failures. */
struct tls_server *tls_server_load(const struct tls_server_conf *c);

/* Trust ca_file (PEM), or the system store when ca_file is NULL or "".
 * Returns NULL with the reason in err. */
struct tls_client *tls_client_create(const char *ca_file, struct buf *err);
void tls_client_destroy(struct tls_client **cp);

/* Run the server handshake on s. Returns the connection (now s's I/O
 * layer), or NULL with *error_r set ("timeout", or OpenSSL's reason;
 * valid until the next call); the stream is then unusable. */
struct tls_conn *tls_server_start(struct tls_server *ctx, struct stream *s,
    const char **error_r);
/* Run the client handshake on s, sending servername as SNI and checking
 * the certificate against it (NULL: no SNI, no name check). A certificate
 * that does not verify does not fail the handshake: tls_conn_verified()
 * says, and the caller's policy decides. Errors as above. */
struct tls_conn *tls_client_start(struct tls_client *ctx, struct stream *s,
    const char *servername, const char **error_r);

/* The negotiated protocol ("TLSv1.3") and cipher suite name. */
const char *tls_conn_protocol(const struct tls_conn *c);
const char *tls_conn_cipher(const struct tls_conn *c);
/* Secret bits used by the cipher; *alg_bits_r gets the algorithm's. */
int tls_conn_bits(const struct tls_conn *c, int *alg_bits_r);
/* Postfix's form, for Received: and the log: "TLSv1.3 with cipher
 * TLS_AES_256_GCM_SHA384 (256/256 bits)", replacing out's contents. */
void tls_conn_describe(const struct tls_conn *c, struct buf *out);
/* Client side: 1 when the server's certificate chains to a trusted CA
 * and matches servername; else 0 (*reason_r says why, when not NULL). */
int tls_conn_verified(const struct tls_conn *c, const char **reason_r);

#endif
