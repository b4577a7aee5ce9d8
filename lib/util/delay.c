/* SPDX-License-Identifier: MIT */
/* delay - Postfix-shaped delay= and delays= log fields. */
#include <stdint.h>
#include <stdio.h>

#include "util/delay.h"

#define USEC_PER_SEC 1000000LL

struct timeval
delay_between(const struct timeval *start, const struct timeval *end)
{
	struct timeval d;

	d.tv_sec = end->tv_sec - start->tv_sec;
	d.tv_usec = end->tv_usec - start->tv_usec;
	while (d.tv_usec < 0) {
		d.tv_usec += USEC_PER_SEC;
		d.tv_sec--;
	}
	while (d.tv_usec >= USEC_PER_SEC) {
		d.tv_usec -= USEC_PER_SEC;
		d.tv_sec++;
	}
	if (d.tv_sec < 0)
		d.tv_sec = d.tv_usec = 0;
	return d;
}

const char *
delay_format(char out[DELAY_TEXT_MAX], struct timeval d)
{
	long long sec = d.tv_sec, usec = d.tv_usec, step;
	size_t n;
	int digits;

	if (sec < 0 || usec < 0 || usec >= USEC_PER_SEC)
		sec = usec = 0;
	/* The resolution comes from the unrounded value: 0.01 s below 1 s,
	 * 0.1 s below 10 s (two significant digits), else whole seconds. */
	if (sec >= 10) {
		step = USEC_PER_SEC;
		digits = 0;
	} else if (sec >= 1) {
		step = USEC_PER_SEC / 10;
		digits = 1;
	} else {
		step = USEC_PER_SEC / 100;
		digits = 2;
	}
	usec = (usec + step / 2) / step * step;
	if (usec >= USEC_PER_SEC) {
		sec++;
		usec -= USEC_PER_SEC;
	}
	n = (size_t)snprintf(out, DELAY_TEXT_MAX, "%lld", sec);
	if (usec == 0 || n + 1 + (size_t)digits >= DELAY_TEXT_MAX)
		return out;
	/* The kept decimals without trailing zeros. */
	usec /= step;
	while (digits > 0 && usec % 10 == 0) {
		usec /= 10;
		digits--;
	}
	snprintf(out + n, DELAY_TEXT_MAX - n, ".%0*lld", digits, usec);
	return out;
}

const char *
delay_fields(char out[DELAY_FIELDS_MAX], struct timeval total,
    const struct timeval stage[DELAY_STAGES])
{
	char t[DELAY_STAGES + 1][DELAY_TEXT_MAX];
	int i;

	delay_format(t[0], total);
	for (i = 0; i < DELAY_STAGES; i++)
		delay_format(t[i + 1], stage[i]);
	snprintf(out, DELAY_FIELDS_MAX, "delay=%s, delays=%s/%s/%s/%s", t[0],
	    t[1], t[2], t[3], t[4]);
	return out;
}
