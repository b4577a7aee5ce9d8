/* SPDX-License-Identifier: MIT */
/* cidr_fuzz - network patterns and addresses from arbitrary text: the
 * parser returns a pattern or an error, and a parsed pattern always
 * matches its own network address. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "util/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], addr[INET6_ADDRSTRLEN];
	const char *error, *nl;
	struct cidr c;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	/* "pattern\naddress": the second line is matched when present. */
	nl = strchr(text, '\n');
	if (nl != NULL)
		text[nl - text] = 0;
	if (cidr_parse(text, &c, &error) == 0) {
		if (c.bits < 0 || c.bits > (c.family == AF_INET ? 32 : 128))
			__builtin_trap();
		inet_ntop(c.family, c.net, addr, sizeof(addr));
		if (!cidr_match(&c, addr))
			__builtin_trap();
		if (nl != NULL)
			(void)cidr_match(&c, nl + 1);
	}
	return 0;
}
