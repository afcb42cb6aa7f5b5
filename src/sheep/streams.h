/*
 * streams.h - the streams of a run and the one shape they share.
 *
 *   stream_iv     PRU0's IV output ring → /data (harvest and emulation)
 *   stream_feed   the input recording → PRU0's IV input ring (emulation)
 *   stream_gpio   PRU1's GPIO edge ring → /gpio (emulation with GPIO tracing)
 *   stream_util   PRU1's utilisation ring → /pru_util
 *   stream_uart   the target's UART → /uart (emulation with UART logging)
 *   monitors      the node monitors → /sysutil, /kernel, /ptp, ..., /sheep (monitor/)
 *
 * Each is a module that owns its state and is driven by the run's loop through the same calls:
 * *_open (the ring, the window, where losses go), *_poll (take everything available, hand it to
 * the writer), *_flush (hand over what the stream still holds back; only the IV stream holds
 * anything back, the others say so in their header) and *_close or a figures call for the end.
 * When the writer's flush makes it durable is one rule, in durability.h.
 */
#ifndef SHP_STREAMS_H
#define SHP_STREAMS_H

#include <stdint.h>

/* A poll takes what is available, but ends after this long, so that a producer faster than
 * the sheep (the simulator at full speed) cannot hold off the loop's commits (durability.h). */
#define STREAM_POLL_BUDGET_NS (200u * 1000u * 1000u)

/* Losses beyond this many per stream are counted and recorded, but not logged one by one. */
#define STREAM_MAX_LOGGED 20

/* The run's window [start, end) and, inside it, the tracing window [from, to) a stream keeps. */
struct stream_window {
	uint64_t start_ns, end_ns;
	uint64_t from_ns, to_ns;
};

#endif
