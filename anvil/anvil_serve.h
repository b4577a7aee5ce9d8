/* anvil_serve - anvil(8)'s event-loop side: the table of anvil.h behind the
 * protocol of proto_anvil.h, for the server skeleton's SERVER_MULTI kind. */
#ifndef TERN_ANVIL_SERVE_H
#define TERN_ANVIL_SERVE_H

/* After the privilege drop: the table and its expiry timer. */
void anvil_init(void);
/* Never busy: its counts may be lost at a restart. */
int anvil_busy(void);
/* A new client connection. */
void anvil_accept(int fd);

#endif
