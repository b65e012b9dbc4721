/* worker: runs one blocking engine call (a probe) on a thread so the UI
 * never waits on the network.  The thread's end is one byte on done_fd,
 * which the main poll loop watches; Esc writes to cancel_fd, the fd the
 * probe polls next to its socket, so the probe gives up within its poll. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "ui/ui_int.h"
#include "base/util.h"

static void set_flags(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int worker_init(ui_worker *w)
{
    w->running = false;
    if (pipe(w->done_fd) != 0)
        return -1;
    if (pipe(w->cancel_fd) != 0) {
        close(w->done_fd[0]);
        close(w->done_fd[1]);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        set_flags(w->done_fd[i]);
        set_flags(w->cancel_fd[i]);
    }
    return 0;
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void *worker_main(void *p)
{
    ui_worker *w = p;
    w->fn(w->arg);
    char c = 1;
    while (write(w->done_fd[1], &c, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

void worker_start(ui_worker *w, void (*fn)(void *), void *arg)
{
    if (w->running)
        return;
    drain(w->cancel_fd[0]);
    drain(w->done_fd[0]);
    w->fn = fn;
    w->arg = arg;
    w->t0_ms = util_now_ms();
    /* The thread inherits this mask (as the lab's does, src/lab.c): the
     * loop's signals belong to the main thread, whose poll they wake, and a
     * write to a vanished server must not raise SIGPIPE. */
    sigset_t block, old;
    sigemptyset(&block);
    int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(&block, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&w->th, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        fn(arg);     /* no thread: run inline rather than not at all */
        return;
    }
    w->running = true;
}

void worker_cancel(ui_worker *w)
{
    char c = 1;
    if (w->running && write(w->cancel_fd[1], &c, 1) < 0) {
        /* the pipe is full: a cancel is already pending */
    }
}

void worker_cancel_all(ui_worker *w)
{
    char c = 1;
    if (write(w->cancel_fd[1], &c, 1) < 0) {
        /* full: a cancel is already pending */
    }
}

bool worker_reap(ui_worker *w)
{
    char buf[8];
    if (!w->running || read(w->done_fd[0], buf, sizeof buf) <= 0)
        return false;
    pthread_join(w->th, NULL);
    w->running = false;
    drain(w->cancel_fd[0]);
    return true;
}

bool worker_stop(ui_worker *w, int ms)
{
    if (!w->running)
        return !w->stuck;
    worker_cancel(w);
    double end = util_now_ms() + ms;
    for (;;) {
        int left = (int)(end - util_now_ms());
        struct pollfd p = { .fd = w->done_fd[0], .events = POLLIN };
        if (left > 0 && poll(&p, 1, left) < 0 && errno == EINTR)
            continue;
        if (worker_reap(w))
            return true;
        if (left <= 0)
            break;
    }
    /* The probe ignored the cancel: leave the thread; exit ends it.  It
     * may still use its argument and these pipes: the caller must not free
     * them (worker_free and ui_main leak them in this rare case). */
    pthread_detach(w->th);
    w->running = false;
    w->stuck = true;
    return false;
}

void worker_free(ui_worker *w)
{
    if (!worker_stop(w, 1000))
        return;   /* the detached thread still writes done_fd[1] */
    close(w->done_fd[0]);
    close(w->done_fd[1]);
    close(w->cancel_fd[0]);
    close(w->cancel_fd[1]);
}
