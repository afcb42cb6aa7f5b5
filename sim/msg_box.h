/*
 * msg_box.h - the simulated pru_msg_box: the kernel module's queue of PRU messages (128 entries,
 * the oldest dropped when full) shown through a FIFO that holds exactly one record, the oldest
 * message or "0 ". A read takes the record out, which is the "pop" of the real file without any
 * race; once the FIFO is found empty, the record shown was consumed and the next one goes in.
 */
#ifndef SIM_MSG_BOX_H
#define SIM_MSG_BOX_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_sysfs.h"

#define SIM_MSG_QUEUE 128

struct sim_msg {
	uint32_t type, v0, v1;
};

struct sim_msg_box {
	struct sim_msg msgs[SIM_MSG_QUEUE];
	unsigned head, count;
	int fd;       /* the FIFO, -1 if it could not be made */
	bool in_fifo; /* the queue head sits in the FIFO (else "0 " or nothing) */
	int verbose;
};

/* Creates the FIFO as pru_msg_box in fs and shows "0 ". */
void sim_msg_box_open(struct sim_msg_box *b, struct sim_sysfs *fs);

/* Closes the FIFO (the caller removes the file) and forgets the queue: the module's unload. */
void sim_msg_box_close(struct sim_msg_box *b);

/* Queues a message; it shows at once if the box showed "0 ". */
void sim_msg_box_post(struct sim_msg_box *b, uint32_t type, uint32_t v0, uint32_t v1);

/* Puts the next record in once a reader took the shown one (call often: ~5 ms refill latency). */
void sim_msg_box_sync(struct sim_msg_box *b);

#endif
