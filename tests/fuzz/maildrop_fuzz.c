/* SPDX-License-Identifier: MIT */
/* maildrop_fuzz - pickup's reader of maildrop files on arbitrary bytes: a
 * file that maildrop_open accepts must be readable to its END by the
 * content iterator, with exactly content_size bytes. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "queue/maildrop.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct maildrop_limits limits = { 1000, 10 * 1024 * 1024 };
	const char *path = fuzz_file("17f0a1b2c3d4e.1a2b.0", data, size);
	struct maildrop_content *c = NULL;
	struct maildrop *md;
	const char *error, *p;
	off_t total = 0;
	size_t n;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		__builtin_trap();
	if (maildrop_open(fd, &limits, &md, &error) == 0) {
		if (md->nrcpt == 0 || md->sender == NULL)
			__builtin_trap();
		while (
		    (ret = maildrop_content_read(md, &c, &p, &n, &error)) == 1)
			total += (off_t)n;
		if (ret != 0 || total != md->content_size)
			__builtin_trap();
		maildrop_content_end(&c);
		maildrop_close(&md);
	}
	close(fd);
	return 0;
}
