/* SPDX-License-Identifier: MIT */
/* attr_fuzz - the attribute decoder (requests between daemons) on
 * arbitrary bytes: every message in the input until EOF or an error. A
 * message that decodes is encoded again and must decode to the same
 * names and values. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/attr.h"
#include "util/stream.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode l into file "again", decode it, and compare. */
static void
round_trip(const struct attr_list *l)
{
	const char *path = fuzz_file("again", (const uint8_t *)"", 0), *error;
	struct attr_list back = { 0 };
	struct stream *s;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		__builtin_trap();
	s = stream_create(fd, 0);
	for (i = 0; i < l->n; i++)
		if (attr_put(s, l->a[i].name, l->a[i].value) < 0)
			__builtin_trap();
	if (attr_put_end(s) < 0 || stream_flush(s, &error) < 0)
		__builtin_trap();
	stream_destroy(&s);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		__builtin_trap();
	s = stream_create(fd, 0);
	if (attr_recv(s, &back, &error) != 1 || back.n != l->n)
		__builtin_trap();
	for (i = 0; i < l->n; i++)
		if (strcmp(back.a[i].name, l->a[i].name) != 0 ||
		    strcmp(back.a[i].value, l->a[i].value) != 0)
			__builtin_trap();
	attr_list_clear(&back);
	stream_destroy(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("in", data, size), *error;
	struct attr_list l = { 0 };
	struct stream *s;
	long v;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		__builtin_trap();
	s = stream_create(fd, 0);
	stream_set_timeout(s, 1);
	while (attr_recv(s, &l, &error) == 1) {
		(void)attr_get(&l, "proto");
		(void)attr_get_long(&l, "size", &v);
		round_trip(&l);
	}
	attr_list_clear(&l);
	stream_destroy(&s);
	return 0;
}
