/* krb5_lib: MIT krb5 and its GSSAPI, loaded on first use.
 *
 * Most runs never touch Kerberos (a probe with --mech LOGIN, the wizard's
 * first steps, every non-Windows server), yet linking libkrb5 and
 * libgssapi_krb5 costs each start the loading of six libraries: about
 * 0.9 ms and 0.7 MiB of a ~14 ms probe here (issue 14's bench).  So the
 * few functions smtpwiz calls are looked up with dlopen/dlsym the first
 * time a Kerberos step runs, the way browsers load GSSAPI for Negotiate.
 *
 * Include this after (it includes) krb5.h and the GSSAPI headers: each
 * name below then calls through the table.  Before any call, the caller
 * checks krb5_lib_open(); when the libraries are missing it says why and
 * the step reports that instead of crashing.
 *
 * The Cyrus SASL GSSAPI plugin links the same libraries itself; dlopen of
 * a loaded soname simply returns it.  Nothing is ever unloaded. */
#ifndef SMTPWIZ_KRB5_LIB_H
#define SMTPWIZ_KRB5_LIB_H

#include <stdbool.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

/* X(name): every function smtpwiz calls, in libkrb5 then libgssapi_krb5. */
#define KRB5_LIB_KRB5_FUNCS(X) \
    X(krb5_init_context) X(krb5_free_context) X(krb5_get_error_message) \
    X(krb5_free_error_message) X(krb5_set_error_message) X(krb5_cc_default) \
    X(krb5_cc_get_principal) X(krb5_cc_close) X(krb5_cc_destroy) X(krb5_cc_new_unique) \
    X(krb5_cc_initialize) X(krb5_cc_start_seq_get) X(krb5_cc_next_cred) \
    X(krb5_cc_end_seq_get) X(krb5_cc_store_cred) X(krb5_cc_get_config) \
    X(krb5_cc_set_config) X(krb5_unparse_name) X(krb5_free_unparsed_name) \
    X(krb5_free_principal) X(krb5_build_principal) X(krb5_copy_data) \
    X(krb5_free_data_contents) X(krb5_get_credentials) X(krb5_free_creds) \
    X(krb5_free_cred_contents) X(krb5_set_kdc_send_hook) X(krb5_kt_resolve) \
    X(krb5_kt_close)
#define KRB5_LIB_GSS_FUNCS(X) \
    X(gss_display_status) X(gss_release_buffer) X(gss_release_cred) X(gss_krb5_import_cred)

#define KRB5_LIB_SLOT(name) __typeof__(name) *p_##name;
struct krb5_lib_fns {
    KRB5_LIB_KRB5_FUNCS(KRB5_LIB_SLOT)
    KRB5_LIB_GSS_FUNCS(KRB5_LIB_SLOT)
};
#undef KRB5_LIB_SLOT
extern struct krb5_lib_fns krb5_lib_fn;

/* Loads both libraries once (thread-safe); false if either soname or any
 * function is missing, with *why (static text) saying which. */
bool krb5_lib_open(const char **why);

#ifndef KRB5_LIB_NO_REDIRECT
#define krb5_init_context (*krb5_lib_fn.p_krb5_init_context)
#define krb5_free_context (*krb5_lib_fn.p_krb5_free_context)
#define krb5_get_error_message (*krb5_lib_fn.p_krb5_get_error_message)
#define krb5_free_error_message (*krb5_lib_fn.p_krb5_free_error_message)
#define krb5_set_error_message (*krb5_lib_fn.p_krb5_set_error_message)
#define krb5_cc_default (*krb5_lib_fn.p_krb5_cc_default)
#define krb5_cc_get_principal (*krb5_lib_fn.p_krb5_cc_get_principal)
#define krb5_cc_close (*krb5_lib_fn.p_krb5_cc_close)
#define krb5_cc_destroy (*krb5_lib_fn.p_krb5_cc_destroy)
#define krb5_cc_new_unique (*krb5_lib_fn.p_krb5_cc_new_unique)
#define krb5_cc_initialize (*krb5_lib_fn.p_krb5_cc_initialize)
#define krb5_cc_start_seq_get (*krb5_lib_fn.p_krb5_cc_start_seq_get)
#define krb5_cc_next_cred (*krb5_lib_fn.p_krb5_cc_next_cred)
#define krb5_cc_end_seq_get (*krb5_lib_fn.p_krb5_cc_end_seq_get)
#define krb5_cc_store_cred (*krb5_lib_fn.p_krb5_cc_store_cred)
#define krb5_cc_get_config (*krb5_lib_fn.p_krb5_cc_get_config)
#define krb5_cc_set_config (*krb5_lib_fn.p_krb5_cc_set_config)
#define krb5_unparse_name (*krb5_lib_fn.p_krb5_unparse_name)
#define krb5_free_unparsed_name (*krb5_lib_fn.p_krb5_free_unparsed_name)
#define krb5_free_principal (*krb5_lib_fn.p_krb5_free_principal)
#define krb5_build_principal (*krb5_lib_fn.p_krb5_build_principal)
#define krb5_copy_data (*krb5_lib_fn.p_krb5_copy_data)
#define krb5_free_data_contents (*krb5_lib_fn.p_krb5_free_data_contents)
#define krb5_get_credentials (*krb5_lib_fn.p_krb5_get_credentials)
#define krb5_free_creds (*krb5_lib_fn.p_krb5_free_creds)
#define krb5_free_cred_contents (*krb5_lib_fn.p_krb5_free_cred_contents)
#define krb5_set_kdc_send_hook (*krb5_lib_fn.p_krb5_set_kdc_send_hook)
#define krb5_kt_resolve (*krb5_lib_fn.p_krb5_kt_resolve)
#define krb5_kt_close (*krb5_lib_fn.p_krb5_kt_close)
#define gss_display_status (*krb5_lib_fn.p_gss_display_status)
#define gss_release_buffer (*krb5_lib_fn.p_gss_release_buffer)
#define gss_release_cred (*krb5_lib_fn.p_gss_release_cred)
#define gss_krb5_import_cred (*krb5_lib_fn.p_gss_krb5_import_cred)
#endif

#endif
