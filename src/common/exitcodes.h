/* SPDX-License-Identifier: BSD-3-Clause */
/* exitcodes.h — the program's exit statuses (docs/CLI.md), shared by the
 * capture and report sides. */
#ifndef WA_EXITCODES_H
#define WA_EXITCODES_H

#define EXIT_OK 0
#define EXIT_USAGE 2
#define EXIT_INPUT 3      /* a capture file or interface could not be read */
#define EXIT_STORE 4      /* the database could not be opened or written */
#define EXIT_INTERRUPTED 5 /* stopped by a signal, everything flushed */

#endif
