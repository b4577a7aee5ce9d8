/* qfile_impl - what the parts of the queue file module share: the magic
 * that starts every queue file and the error text of the functions that
 * have no object to own it. Internal to lib/queue; see qfile.h. */
#ifndef TERN_QUEUE_QFILE_IMPL_H
#define TERN_QUEUE_QFILE_IMPL_H

#define QFILE_MAGIC "tern-queue "

/* Set *error_r to the printf text (%m allowed), kept in a module-static
 * buffer until the next such error; returns -1. */
int qfile_static_error(const char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
