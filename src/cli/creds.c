/* creds: see creds.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/creds.h"
#include "base/util.h"

#define PASS_MAX 1024

/* The password in buf[0..n): its first line, CR/LF stripped.  A line longer
 * than PASS_MAX or holding a NUL is refused rather than cut short, which
 * would send a wrong password and a false "authentication failed". */
static char *first_line(const char *buf, size_t n, const char *what, char **err)
{
    const char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n;
    if (len && buf[len - 1] == '\r')
        len--;
    if (len > PASS_MAX) {
        *err = xasprintf("the password from %s is longer than %d bytes", what, PASS_MAX);
        return NULL;
    }
    if (memchr(buf, '\0', len)) {
        *err = xasprintf("the password from %s contains a NUL byte", what);
        return NULL;
    }
    if (!len) {
        *err = xasprintf("the password from %s is empty", what);
        return NULL;
    }
    return xstrndup(buf, len);
}

/* Up to cap bytes, until a newline or the end (a pipe may deliver in parts). */
static ssize_t read_some(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t k = read(fd, buf + got, cap - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0 || memchr(buf + got, '\n', (size_t)k))
            return (ssize_t)(got + (size_t)k);
        got += (size_t)k;
    }
    return (ssize_t)got;
}

static char *read_file_line(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = xasprintf("cannot open the password file %s: %s", path, strerror(errno));
        return NULL;
    }
    char buf[PASS_MAX + 2];   /* one byte more than a legal line and its CR */
    ssize_t n = read_some(fd, buf, sizeof buf);
    int saved = errno;
    close(fd);
    char *p = NULL;
    if (n < 0) {
        *err = xasprintf("cannot read the password file %s: %s", path, strerror(saved));
    } else {
        char *what = xasprintf("the file %s", path);
        p = first_line(buf, (size_t)n, what, err);
        free(what);
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return p;
}

static char *prompt_tty(const char *user, char **err)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct termios old, quiet;
    if (tcgetattr(fd, &old) != 0) {
        close(fd);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    char *msg = xasprintf("Password for %s: ", user);
    if (write(fd, msg, strlen(msg)) < 0) { /* the prompt is best effort */ }
    free(msg);
    tcsetattr(fd, TCSAFLUSH, &quiet);
    char buf[PASS_MAX + 2];
    ssize_t n = read_some(fd, buf, sizeof buf);
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) { /* cosmetic */ }
    close(fd);
    char *p = n > 0 ? first_line(buf, (size_t)n, "the terminal", err) : NULL;
    OPENSSL_cleanse(buf, sizeof buf);
    return p;
}

char *creds_password(const char *password_file, const char *user, bool may_prompt, char **err)
{
    *err = NULL;
    if (password_file)
        return read_file_line(password_file, err);
    const char *env = getenv("SMTPWIZ_PASSWORD");
    if (env && *env) {
        char *p = xstrdup(env);
        /* Children (none today) must not inherit it. */
        unsetenv("SMTPWIZ_PASSWORD");
        return p;
    }
    if (user && may_prompt && isatty(STDIN_FILENO))
        return prompt_tty(user, err);
    return NULL;
}

void creds_free(char *password)
{
    if (!password)
        return;
    OPENSSL_cleanse(password, strlen(password));
    free(password);
}
