/* stop.h - the stop request set by SIGINT, SIGTERM or SIGHUP and polled by the run loops. */
#ifndef SHP_STOP_H
#define SHP_STOP_H

#include <signal.h>

extern volatile sig_atomic_t shp_stop_signal; /* signal number, 0 while none arrived */

/* Installs handlers for SIGINT, SIGTERM and SIGHUP that only record the signal, and makes
 * SIGPIPE harmless (a failed write). */
void shp_stop_install(void);

#endif
