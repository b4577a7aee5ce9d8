/* SPDX-License-Identifier: MIT */
/* mailbox_index_fuzz - tern-index text on arbitrary bytes (the file is in
 * the user's folder, where the user's programs may write): what parses is
 * a view with UIDs ascending, below nextuid, and names that a scan of
 * cur/ could have given; what does not leaves the view empty. Inputs get
 * a right length and check sum in front when the first byte is odd (the
 * rest is the body), so that the records are reached; its bit 1 makes the
 * view IMAP's (sizes may be unknown). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "util/checksum.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailbox mb;
	char head[64], *text = NULL;
	const char *in = (const char *)data;
	size_t i, len = size;

	if (size > 0 && data[0] & 1) {
		/* A good first line over the rest. */
		int n = snprintf(head, sizeof(head), "TERNINDEX 1 %08x %zu\n",
		    (unsigned)checksum32(data + 1, size - 1), size - 1);

		text = xmalloc((size_t)n + size);
		memcpy(text, head, (size_t)n);
		memcpy(text + n, data + 1, size - 1);
		in = text;
		len = (size_t)n + size - 1;
	}
	memset(&mb, 0, sizeof(mb));
	mb.flags = (size > 0 && data[0] & 2) ? MAILBOX_LAZY_VSIZE : 0;
	if (mbx_index_parse(&mb, in, len, NULL) == 1) {
		for (i = 0; i < mb.count; i++) {
			const struct mailbox_msg *m = &mb.msgs[i];

			if (m->uid == 0 ||
			    (uint64_t)m->uid >= (uint64_t)mb.ul.nextuid + 1 ||
			    (i > 0 && m->uid <= mb.msgs[i - 1].uid) ||
			    strncmp(m->name, "cur/", 4) != 0 ||
			    strchr(m->name + 4, '/') != NULL ||
			    m->name[4] == '.' || m->name[4] == 0 ||
			    strncmp(m->name + 4, m->base, strlen(m->base)) !=
				0 ||
			    (m->vsize < 0 && !(mb.flags & MAILBOX_LAZY_VSIZE)))
				__builtin_trap();
			mbx_msg_free(&mb.msgs[i]);
		}
		xfree(mb.msgs);
	} else if (mb.count != 0 || mb.msgs != NULL)
		__builtin_trap();
	xfree(text);
	return 0;
}
