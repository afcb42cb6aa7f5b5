/* msg_box.c - the queue of PRU messages behind the one-record FIFO pru_msg_box. */
#include "msg_box.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pru/shepherd_abi.h"

static void fifo_put_next(struct sim_msg_box *b)
{
	char buf[64];
	if (b->count == 0) {
		snprintf(buf, sizeof(buf), "0 \n");
		b->in_fifo = false;
	} else {
		const struct sim_msg *m = &b->msgs[b->head];
		snprintf(buf, sizeof(buf), "%u %u %u\n", m->type, m->v0, m->v1);
		b->in_fifo = true;
	}
	if (write(b->fd, buf, strlen(buf)) < 0 && b->verbose)
		fprintf(stderr, "shepherd-pru-sim: message box write failed: %s\n",
			strerror(errno));
}

void sim_msg_box_sync(struct sim_msg_box *b)
{
	int pending = 0;
	if (b->fd < 0 || ioctl(b->fd, FIONREAD, &pending) != 0 || pending > 0)
		return;
	if (b->in_fifo) { /* a reader took the head message */
		b->head = (b->head + 1) % SIM_MSG_QUEUE;
		b->count--;
	}
	fifo_put_next(b);
}

static void publish_msg_box(struct sim_msg_box *b)
{
	/* a new message replaces a shown "0 ", unless a reader just took that */
	if (b->in_fifo || b->fd < 0)
		return;
	char scratch[64];
	ssize_t n = read(b->fd, scratch, sizeof(scratch));
	(void)n;
	fifo_put_next(b);
}

void sim_msg_box_post(struct sim_msg_box *b, uint32_t type, uint32_t v0, uint32_t v1)
{
	if (b->count == SIM_MSG_QUEUE) {
		/* full: the oldest message not already in the FIFO is dropped, as in the kernel */
		for (unsigned k = b->in_fifo ? 1 : 0; k + 1 < b->count; k++)
			b->msgs[(b->head + k) % SIM_MSG_QUEUE] =
				b->msgs[(b->head + k + 1) % SIM_MSG_QUEUE];
		b->count--;
	}
	unsigned slot = (b->head + b->count) % SIM_MSG_QUEUE;
	b->msgs[slot] = (struct sim_msg){type, v0, v1};
	b->count++;
	if (b->verbose)
		fprintf(stderr, "shepherd-pru-sim: message 0x%02X %u %u\n", type, v0, v1);
	publish_msg_box(b);
}

void sim_msg_box_open(struct sim_msg_box *b, struct sim_sysfs *fs)
{
	b->head = b->count = 0;
	b->in_fifo = false;
	b->fd = sim_sysfs_fifo(fs, SHP_SYSFS_MSG_BOX);
	if (b->fd >= 0)
		fifo_put_next(b);
}

void sim_msg_box_close(struct sim_msg_box *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->head = b->count = 0;
	b->in_fifo = false;
}
