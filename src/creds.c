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

#include "creds.h"
#include "util.h"

#define PASS_MAX 1024

static char *read_file_line(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = xasprintf("cannot open the password file %s: %s", path, strerror(errno));
        return NULL;
    }
    char buf[PASS_MAX + 1];
    ssize_t n = read(fd, buf, PASS_MAX);
    close(fd);
    if (n < 0) {
        *err = xasprintf("cannot read the password file %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = (size_t)n;
    char *nl = memchr(buf, '\n', len);
    if (nl)
        len = (size_t)(nl - buf);
    if (len && buf[len - 1] == '\r')
        len--;
    char *p = len ? xstrndup(buf, len) : NULL;
    OPENSSL_cleanse(buf, sizeof buf);
    if (!p)
        *err = xasprintf("the password file %s is empty", path);
    return p;
}

static char *prompt_tty(const char *user)
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
    char buf[PASS_MAX + 1];
    ssize_t n = read(fd, buf, PASS_MAX);
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) { /* cosmetic */ }
    close(fd);
    if (n <= 0)
        return NULL;
    size_t len = (size_t)n;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    char *p = len ? xstrndup(buf, len) : NULL;
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
        return prompt_tty(user);
    return NULL;
}

void creds_free(char *password)
{
    if (!password)
        return;
    OPENSSL_cleanse(password, strlen(password));
    free(password);
}
