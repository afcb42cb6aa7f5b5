/* uart.c - tty set-up (termios) and non-blocking reads of the target's UART. */
#include "sheep/uart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"

static speed_t baud_constant(uint32_t baud)
{
	switch (baud) {
	case 2400:
		return B2400;
	case 4800:
		return B4800;
	case 9600:
		return B9600;
	case 19200:
		return B19200;
	case 38400:
		return B38400;
	case 57600:
		return B57600;
	case 115200:
		return B115200;
	case 230400:
		return B230400;
	case 460800:
		return B460800;
	default:
		return B0;
	}
}

static void apply_frame(struct termios *t, const struct shp_uart_logging *cfg)
{
	static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
	t->c_cflag &= ~(tcflag_t)(CSIZE | CSTOPB | PARENB | PARODD | CMSPAR);
	t->c_cflag |= sizes[cfg->bytesize - 5] | CREAD | CLOCAL;
	if (cfg->stopbits > 1) /* termios has no 1.5: 2 stop bits, as pyserial does for 5 bits */
		t->c_cflag |= CSTOPB;
	switch (cfg->parity) {
	case 'E':
		t->c_cflag |= PARENB;
		break;
	case 'O':
		t->c_cflag |= PARENB | PARODD;
		break;
	case 'M':
		t->c_cflag |= PARENB | PARODD | CMSPAR;
		break;
	case 'S':
		t->c_cflag |= PARENB | CMSPAR;
		break;
	default:
		break;
	}
}

void uart_open(struct uart_port *u, const char *device, const struct shp_uart_logging *cfg)
{
	memset(u, 0, sizeof(*u));
	u->fd = -1;
	snprintf(u->device, sizeof(u->device), "%s", device);
	int fd = open(device, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_warn("UART logging off: cannot open %s: %s", device, strerror(errno));
		return;
	}
	struct termios t;
	if (tcgetattr(fd, &t) != 0) {
		log_warn("UART logging off: %s is not a terminal device: %s", device,
			 strerror(errno));
		close(fd);
		return;
	}
	cfmakeraw(&t);
	apply_frame(&t, cfg);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	speed_t speed = baud_constant(cfg->baudrate);
	if (cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0 ||
	    tcsetattr(fd, TCSANOW, &t) != 0) {
		log_warn("UART logging off: %s refuses %u baud, %u%c%g: %s", device, cfg->baudrate,
			 cfg->bytesize, cfg->parity, cfg->stopbits, strerror(errno));
		close(fd);
		return;
	}
	u->fd = fd;
	log_info("UART logging from %s at %u baud, %u%c%g", device, cfg->baudrate, cfg->bytesize,
		 cfg->parity, cfg->stopbits);
}

size_t uart_poll(struct uart_port *u, char *buf, size_t cap)
{
	if (u->fd < 0)
		return 0;
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(u->fd, buf + got, cap - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EIO) {
			log_warn("UART logging stops: reading %s failed: %s", u->device,
				 strerror(errno));
			close(u->fd);
			u->fd = -1;
		}
		break; /* nothing more now (EIO: a pty whose other side is closed) */
	}
	size_t out = 0;
	for (size_t k = 0; k < got; k++)
		if (buf[k] != '\0')
			buf[out++] = buf[k];
	u->bytes += out;
	return out;
}

void uart_close(struct uart_port *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}
