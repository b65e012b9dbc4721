/* lab: the lab server that `smtpwiz lab` and the wizard share.  Both build
 * the same lab_server (scenario, listening socket, TLS context, SASL) and
 * run lab_loop_run(): in the foreground for the CLI (lab_server_run), in
 * one background thread for lab_server_start(). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab/lab_int.h"

static bool valid_name(const char *n)
{
    if (!*n || strlen(n) > 64)
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return n[0] != '.';
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

void lab_server_free(lab_server *srv)
{
    if (!srv)
        return;
    if (srv->lfd >= 0)
        close(srv->lfd);
    for (int i = 0; i < 2; i++)
        if (srv->wake[i] >= 0)
            close(srv->wake[i]);
    if (srv->ssl_ctx)
        SSL_CTX_free(srv->ssl_ctx);
    if (srv->log)
        fclose(srv->log);
    lab_sasl_kerberos_free(srv);
    lab_scenario_free(srv->sc);
    free(srv);
}

/* Integrated Windows authentication offers both halves of Negotiate: where
 * the scenario offers AUTH NTLM, Kerberos mode offers "GSSAPI NTLM". */
static void offer_gssapi(unsigned *bits)
{
    if (*bits & LAB_M_NTLM)
        *bits |= LAB_M_GSSAPI;
}

/* Kerberos mode: GSSAPI verified with the keytab, and the scenario's faults
 * must be real ones - a clock offset is the process's own clock (libfaketime),
 * not a number added to the banner, or the acceptor would never see it. */
static int kerberos_setup(struct lab_server *srv, const char *keytab, char **err)
{
    if (access(keytab, R_OK) != 0) {
        *err = xasprintf("cannot read the keytab %s: %s (it needs SMTPSVC/%s for X-EXPS "
                         "and smtp/%s for AUTH: kadmin ktadd, or ktpass on a domain "
                         "controller)", keytab, strerror(errno), srv->sc->hostname,
                         srv->sc->hostname);
        return -1;
    }
    if (srv->sc->clock_offset && !getenv("FAKETIME")) {
        *err = xasprintf("scenario %s sets clock_offset = %ld; in Kerberos mode the offset must "
                         "be the lab's real clock, so run it under libfaketime: env "
                         "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 "
                         "FAKETIME=%+lds smtpwiz lab --scenario %s --keytab %s",
                         srv->sc->name, srv->sc->clock_offset, srv->sc->clock_offset,
                         srv->sc->name, keytab);
        return -1;
    }
    srv->sc->clock_offset = 0;   /* under faketime the clock already carries it */
    offer_gssapi(&srv->sc->auth_before);
    offer_gssapi(&srv->sc->auth_after);
    if (lab_sasl_kerberos(srv, keytab, err) < 0)
        return -1;
    srv->kerberos = true;
    return 0;
}

lab_server *lab_server_new(const lab_server_opts *o, char **err)
{
    const char *name = o->scenario ? o->scenario : LAB_DEFAULT_SCENARIO;
    const char *dir = o->scenarios_dir, *keytab = o->keytab, *logpath = o->log;
    struct lab_server *srv = xcalloc(1, sizeof *srv);
    srv->lfd = srv->wake[0] = srv->wake[1] = -1;
    if (!valid_name(name)) {
        *err = xasprintf("'%s' is not a scenario name (smtpwiz lab --list shows them)", name);
        goto fail;
    }
    char *d = lab_scenarios_dir(dir);
    char *path = xasprintf("%s/%s.ini", d, name);
    free(d);
    if (access(path, R_OK) != 0) {
        *err = xasprintf("no scenario '%s' (%s: %s); smtpwiz lab --list shows them", name, path,
                         strerror(errno));
        free(path);
        goto fail;
    }
    srv->sc = lab_scenario_load(path, err);
    free(path);
    if (!srv->sc)
        goto fail;
    if (keytab && kerberos_setup(srv, keytab, err) < 0)
        goto fail;
    if (logpath && !(srv->log = fopen(logpath, "a"))) {
        *err = xasprintf("cannot open the log %s: %s", logpath, strerror(errno));
        goto fail;
    }
    if (!(srv->ssl_ctx = lab_tls_ctx(o->cert, o->key, srv->sc->hostname, err)))
        goto fail;
    if (lab_sasl_init(err) < 0)
        goto fail;
    if (srv->kerberos && !lab_sasl_has_mech("GSSAPI")) {
        *err = xstrdup("--keytab needs Cyrus SASL's GSSAPI plugin, which is not installed "
                       "(Debian: apt-get install libsasl2-modules-gssapi-mit)");
        goto fail;
    }
    if (pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        *err = xasprintf("cannot create a pipe: %s", strerror(errno));
        goto fail;
    }
    raise_nofile();
    if (lab_listen(srv, o->listen, err) < 0)
        goto fail;
    return srv;
fail:
    lab_server_free(srv);
    return NULL;
}

/* ---- in-process API ---- */

static void *thread_main(void *arg)
{
    struct lab_server *srv = arg;
    lab_loop_run(srv);
    return NULL;
}

void lab_server_run(lab_server *ls)
{
    lab_loop_run(ls);
}

void lab_server_interrupt(lab_server *ls)
{
    atomic_store(&ls->stop, 1);
    ssize_t r = write(ls->wake[1], "x", 1);
    (void)r;   /* the pipe is full: the loop wakes anyway */
}

lab_server *lab_server_start(const lab_server_opts *o, char **err)
{
    struct lab_server *srv = lab_server_new(o, err);
    if (!srv)
        return NULL;
    /* The thread inherits this mask: a write to a vanished client must not
     * kill the wizard with SIGPIPE, and signals belong to the main thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&srv->thread, NULL, thread_main, srv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        *err = xasprintf("cannot start the lab thread: %s", strerror(rc));
        lab_server_free(srv);
        return NULL;
    }
    srv->threaded = true;
    return srv;
}

int lab_server_port(const lab_server *ls)
{
    return ls ? ls->port : -1;
}

const char *lab_server_description(const lab_server *ls)
{
    return ls && ls->sc && ls->sc->description ? ls->sc->description : "";
}

const char *lab_server_article(const lab_server *ls)
{
    return ls && ls->sc ? ls->sc->article : NULL;
}

const char *lab_server_host(const lab_server *ls)
{
    return ls->host;
}

const char *lab_server_scenario(const lab_server *ls)
{
    return ls->sc->name;
}

void lab_server_stop(lab_server *ls)
{
    if (!ls)
        return;
    atomic_store(&ls->stop, 1);
    if (write(ls->wake[1], "x", 1) < 0) {
        /* the pipe is full: the loop wakes anyway */
    }
    if (ls->threaded)
        pthread_join(ls->thread, NULL);
    lab_server_free(ls);
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const lab_scenario_info *)a)->name, ((const lab_scenario_info *)b)->name);
}

int lab_scenario_list(const char *dir, lab_scenario_info **out, char **err)
{
    char *d = lab_scenarios_dir(dir);
    DIR *dh = opendir(d);
    *out = NULL;
    if (!dh) {
        *err = xasprintf("cannot read the scenario directory %s: %s", d, strerror(errno));
        free(d);
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".ini") || e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", d, e->d_name), *why = NULL;
        lab_scenario *sc = lab_scenario_load(path, &why);
        free(path);
        free(why);
        if (!sc)
            continue;
        *out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
        (*out)[n].name = xstrdup(sc->name);
        (*out)[n].description = xstrdup(sc->description);
        (*out)[n].article = sc->article ? xstrdup(sc->article) : NULL;
        (*out)[n].hostile = sc->hostile != LAB_HOSTILE_NONE;
        n++;
        lab_scenario_free(sc);
    }
    closedir(dh);
    free(d);
    if (n > 1)
        qsort(*out, (size_t)n, sizeof **out, cmp_info);
    return n;
}

void lab_scenario_list_free(lab_scenario_info *list, int n)
{
    for (int i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].description);
        free(list[i].article);
    }
    free(list);
}

