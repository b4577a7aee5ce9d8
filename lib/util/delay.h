/* delay - the delay= and delays= fields of a delivery log line, in the
 * shape Postfix writes them, so that pflogsumm and the exporters that read
 * them keep working: never exponent notation, at most two significant
 * digits below 10 s, whole seconds from 10 s on.
 * Times are struct timeval differences; a negative one (a clock that went
 * back) counts as 0. Pure functions on caller buffers: re-entrant, nothing
 * here fails. */
#ifndef TERN_UTIL_DELAY_H
#define TERN_UTIL_DELAY_H

#include <sys/time.h>

/* Room for one formatted time ("9223372036854775808" and a NUL). */
#define DELAY_TEXT_MAX 24
/* Room for "delay=T, delays=A/B/C/D" and a NUL. */
#define DELAY_FIELDS_MAX (5 * DELAY_TEXT_MAX + 24)

/* Stages of a delivery for delays=A/B/C/D, as in Postfix: before the
 * queue manager, in the queue manager, connection set-up, transmission. */
enum delay_stage {
	DELAY_BEFORE_QMGR,
	DELAY_IN_QMGR,
	DELAY_CONN_SETUP,
	DELAY_TRANSMISSION,
	DELAY_STAGES,
};

/* end - start, or 0 when end is earlier. Never fails. */
struct timeval
delay_between(const struct timeval *start, const struct timeval *end);

/* Format d into out and return out: below 1 s with a resolution of 0.01 s
 * ("0.01", "0.5", "0"), from 1 s to below 10 s with one decimal ("1.2"),
 * from 10 s on in whole seconds ("10", "123"). The resolution is chosen
 * from d before rounding to the nearest step, so 9.96 s is "10" and
 * 0.996 s is "1". Trailing zeros and a bare decimal point are omitted.
 * Never fails. */
const char *delay_format(char out[DELAY_TEXT_MAX], struct timeval d);

/* Write "delay=T, delays=A/B/C/D" into out (DELAY_FIELDS_MAX bytes) and
 * return out; T is total, A..D are stage[0..3] (enum delay_stage), each
 * formatted by delay_format. Never fails. */
const char *delay_fields(char out[DELAY_FIELDS_MAX], struct timeval total,
    const struct timeval stage[DELAY_STAGES]);

#endif
