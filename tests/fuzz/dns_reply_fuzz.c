/* SPDX-License-Identifier: MIT */
/* dns_reply_fuzz - the DNS message parser on arbitrary bytes: it must
 * return an error or a well-formed reply, never read outside the message
 * or loop. The first byte picks the question type. */
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_reply.h"

static const uint16_t types[] = {
	DNS_T_A,
	DNS_T_AAAA,
	DNS_T_MX,
	DNS_T_PTR,
	DNS_T_CNAME,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_reply *r;
	const char *error;

	if (size < 1)
		return 0;
	if (dns_reply_parse(data + 1, size - 1, "example.com",
		types[data[0] % (sizeof(types) / sizeof(types[0]))], &r,
		&error) == 0) {
		for (size_t i = 0; i < r->nrr; i++)
			if (r->rr[i].name != NULL && r->rr[i].name[0] == '.')
				__builtin_trap();
		dns_reply_free(&r);
	}
	return 0;
}
