/* SPDX-License-Identifier: BSD-3-Clause */
/* service.c — sd_notify(3) messages; see service.h. */
#include "service.h"

#ifdef HAVE_SYSTEMD
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <systemd/sd-daemon.h>

bool svc_enabled(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	return s != NULL && *s != 0;
}

int64_t svc_watchdog_usec(void)
{
	uint64_t us = 0;
	return sd_watchdog_enabled(0, &us) > 0 ? (int64_t)us : 0;
}

void svc_ready(const char *status)
{
	if (status)
		sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	else
		sd_notify(0, "READY=1");
}

void svc_reloading(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
}

void svc_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void svc_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

void svc_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}
#else
/* ISO C wants a translation unit to declare something */
typedef int svc_unused;
#endif
