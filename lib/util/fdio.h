/* fdio - whole writes to a descriptor, for the files and sockets written
 * in one go (a list, an index, a hand-over): write(2) again after a short
 * write or EINTR. Blocks as the descriptor does: not for peers that may
 * stall (streams are, with their timeouts). */
#ifndef TERN_UTIL_FDIO_H
#define TERN_UTIL_FDIO_H

#include <stddef.h>

/* Write all n bytes at p to fd. 0, or -1 with errno (0 after a write
 * that wrote nothing). */
int fd_write_all(int fd, const void *p, size_t n);

#endif
