/* SPDX-License-Identifier: BSD-3-Clause */
/* service.h — telling the service manager how the capture is doing:
 * systemd's notification protocol, sd_notify(3) (READY, STATUS, WATCHDOG,
 * RELOADING, STOPPING). Built with libsystemd (configure --with-systemd,
 * the default when pkg-config finds it); without it every call is an empty
 * inline function. Each call is one datagram on NOTIFY_SOCKET, a no-op
 * when the variable is not set (not run by systemd). */
#ifndef WA_SERVICE_H
#define WA_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#ifdef HAVE_SYSTEMD
/* true when NOTIFY_SOCKET is set: someone listens */
bool svc_enabled(void);
/* the watchdog period, µs, from WATCHDOG_USEC (and WATCHDOG_PID, when it
 * names this process; sd_watchdog_enabled(3)); 0: no watchdog */
int64_t svc_watchdog_usec(void);
/* READY=1 with a STATUS= line (NULL: none) */
void svc_ready(const char *status);
/* RELOADING=1 with MONOTONIC_USEC (systemd 253 needs it, 252 ignores it) */
void svc_reloading(void);
void svc_stopping(void);
void svc_watchdog(void);
void svc_status(const char *status);
#else
static inline bool svc_enabled(void) { return false; }
static inline int64_t svc_watchdog_usec(void) { return 0; }
static inline void svc_ready(const char *status) { (void)status; }
static inline void svc_reloading(void) { }
static inline void svc_stopping(void) { }
static inline void svc_watchdog(void) { }
static inline void svc_status(const char *status) { (void)status; }
#endif

#endif
