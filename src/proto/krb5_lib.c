/* krb5_lib: see krb5_lib.h. */
#include "config.h"

#define KRB5_LIB_NO_REDIRECT
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "proto/krb5_lib.h"

struct krb5_lib_fns krb5_lib_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static const char *load_why;

/* dlsym returns void *; POSIX guarantees it converts to a function pointer,
 * and the memcpy keeps ISO C's pedantry about that conversion quiet. */
static bool lookup(void *lib, const char *name, void *slot, size_t size)
{
    void *f = dlsym(lib, name);
    if (!f)
        return false;
    memcpy(slot, &f, size);
    return true;
}

static void load(void)
{
    void *krb = dlopen(SMTPWIZ_KRB5_SONAME, RTLD_NOW | RTLD_LOCAL);
    void *gss = krb ? dlopen(SMTPWIZ_GSSAPI_SONAME, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!krb || !gss) {
        load_why = krb ? "the GSSAPI library " SMTPWIZ_GSSAPI_SONAME " could not be loaded "
                         "(Debian: apt-get install libgssapi-krb5-2)"
                       : "the Kerberos library " SMTPWIZ_KRB5_SONAME " could not be loaded "
                         "(Debian: apt-get install libkrb5-3)";
        return;
    }
    bool ok = true;
#define KRB5_LIB_LOOKUP(lib, name) \
    ok = ok && lookup(lib, #name, &krb5_lib_fn.p_##name, sizeof krb5_lib_fn.p_##name);
#define FROM_KRB(name) KRB5_LIB_LOOKUP(krb, name)
#define FROM_GSS(name) KRB5_LIB_LOOKUP(gss, name)
    KRB5_LIB_KRB5_FUNCS(FROM_KRB)
    KRB5_LIB_GSS_FUNCS(FROM_GSS)
#undef FROM_GSS
#undef FROM_KRB
#undef KRB5_LIB_LOOKUP
    if (!ok) {
        load_why = "the Kerberos libraries lack a function smtpwiz needs (MIT krb5 1.15 or later)";
        return;
    }
    loaded = true;
}

bool krb5_lib_open(const char **why)
{
    pthread_once(&once, load);
    if (!loaded && why)
        *why = load_why;
    return loaded;
}
