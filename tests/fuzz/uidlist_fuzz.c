/* SPDX-License-Identifier: MIT */
/* uidlist_fuzz - dovecot-uidlist text on arbitrary bytes: what parses is
 * written back as a list that parses again to the same text, with UIDs
 * ascending and below nextuid. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/uidlist.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *err = buf_create(1024), *t1 = buf_create(1 << 24),
		   *t2 = buf_create(1 << 24);
	struct uidlist ul, again;
	size_t i;

	if (uidlist_parse((const char *)data, size, &ul, err) < 0) {
		if (buf_len(err) == 0 || ul.count != 0)
			__builtin_trap();
		goto out;
	}
	for (i = 0; i < ul.count; i++) {
		if (ul.recs[i].uid == 0 || ul.recs[i].uid >= ul.nextuid ||
		    (i > 0 && ul.recs[i].uid <= ul.recs[i - 1].uid) ||
		    uidlist_find(&ul, ul.recs[i].base) != &ul.recs[i])
			__builtin_trap();
	}
	if (uidlist_format(&ul, t1) < 0)
		__builtin_trap();
	if (uidlist_parse(buf_cstr(t1), buf_len(t1), &again, err) < 0 ||
	    again.count != ul.count || uidlist_format(&again, t2) < 0 ||
	    buf_len(t1) != buf_len(t2) ||
	    memcmp(buf_cstr(t1), buf_cstr(t2), buf_len(t1)) != 0)
		__builtin_trap();
	uidlist_free(&again);
out:
	uidlist_free(&ul);
	buf_destroy(&err);
	buf_destroy(&t1);
	buf_destroy(&t2);
	return 0;
}
