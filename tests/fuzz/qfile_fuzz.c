/* SPDX-License-Identifier: MIT */
/* qfile_fuzz - the record reader and the queue file reader on arbitrary
 * bytes: rec_get over the whole file, qfile_open's validation, and the
 * content iterator that local uses on a passed fd. A file that qfile_open
 * accepts must also be readable to its END by the content iterator, with
 * exactly content_size bytes. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "queue/qfile.h"
#include "queue/rec.h"
#include "util/buf.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_records(int fd)
{
	struct rec_reader *r = rec_reader_create(fd, 0);
	struct buf b;
	const char *error;
	int type;

	buf_init(&b, QFILE_MAX_CONT_REC);
	while ((type = rec_get(r, &b, QFILE_MAX_CONT_REC, NULL, &error)) > 0)
		(void)rec_type_name(type);
	buf_deinit(&b);
	rec_reader_destroy(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("3F2A1C0B7", data, size);
	struct qfile *q;
	struct qfile_content *c;
	const char *error, *p;
	off_t total = 0;
	size_t n, i;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		__builtin_trap();
	read_records(fd);
	close(fd);

	if (qfile_open(path, 0, &q, &error) < 0)
		return 0;
	for (i = 0; i < q->nattr; i++)
		if (qfile_attr(q, q->attrs[i].name) == NULL)
			__builtin_trap();
	if (qfile_content_open(q->fd, &c, &error) < 0)
		__builtin_trap();
	while ((ret = qfile_content_read(c, &p, &n, &error)) > 0)
		total += (off_t)n;
	if (ret < 0 || total != q->content_size)
		__builtin_trap();
	qfile_content_close(&c);
	qfile_close(&q);
	return 0;
}
