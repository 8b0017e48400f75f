/* eve_syslog.c — the syslog destinations of the event stream (eve.h). */
#include "eve.h"

#include <stdio.h>
#include <string.h>

int eve_syslog_transport(const char *target, const struct eve_opts *o,
			 const struct eve_transport **t, void **ctx, char *err, size_t errlen)
{
	(void)o;
	(void)t;
	(void)ctx;
	if (strncmp(target, "syslog", 6) != 0 || (target[6] && target[6] != ':' && target[6] != '+'))
		return 1;
	snprintf(err, errlen, "--eve %s: syslog destinations are not built in yet", target);
	return -1;
}
