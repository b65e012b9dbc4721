/* lab_scenario: one lab scenario (a kb/labs/NAME.ini file) loaded with
 * libinih and validated, plus the lookup of the scenario directory.
 * A scenario says which Exchange the lab plays and which fault it has; the
 * keys are documented in kb/labs/README.md.  Everything returned is owned by
 * the caller: free a scenario with lab_scenario_free(). */
#ifndef SMTPWIZ_LAB_SCENARIO_H
#define SMTPWIZ_LAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

/* Every scenario has this account (added unless the file declares it). */
#define LAB_USER "labuser"
#define LAB_PASSWORD "Lab-Pass-1234"
/* ... and this server account (a sending Exchange server's computer
 * account, with the Exchange servers' rights), same password. */
#define LAB_SERVER_USER "EXCH02$"

/* The Exchange versions, then Internet mail servers of other products. */
typedef enum { LAB_E2003, LAB_E2007, LAB_E55, LAB_POSTFIX, LAB_EXIM, LAB_SENDMAIL } lab_product;
#define LAB_IS_EXCHANGE(p) ((p) <= LAB_E55)

/* What an AUTH / X-EXPS exchange ends with, or what XEXCH50 answers. */
typedef enum {
    LAB_ANS_UNSET = 0,
    LAB_ANS_235,    /* 235 2.7.0 Authentication successful */
    LAB_ANS_535,    /* 535 5.7.3 Authentication unsuccessful */
    LAB_ANS_454,    /* 454 4.7.0 Temporary authentication failure, then disconnect */
    LAB_ANS_504,    /* 504 5.7.4 Unrecognized authentication type / XEXCH50 504 */
    LAB_ANS_354,    /* XEXCH50: 354 Send binary data */
    LAB_ANS_505,    /* XEXCH50: 505 Authentication required (Exchange 5.5) */
    LAB_ANS_500,    /* XEXCH50: 500 5.5.1 Not enabled */
} lab_answer;

typedef enum {
    LAB_HOSTILE_NONE = 0,
    LAB_HOSTILE_ANSI_BANNER,
    LAB_HOSTILE_ENDLESS_LINE,
    LAB_HOSTILE_SLOW_DRIP,
    LAB_HOSTILE_HUGE_EHLO,
    LAB_HOSTILE_EARLY_CLOSE,
    LAB_HOSTILE_TLS_GARBAGE,
    LAB_HOSTILE_NEVER_GREETS,
} lab_hostile;

/* SASL-ish mechanisms the lab knows, as bits. */
enum {
    LAB_M_PLAIN = 1u << 0, LAB_M_LOGIN = 1u << 1, LAB_M_NTLM = 1u << 2,
    LAB_M_GSSAPI = 1u << 3, LAB_M_EXCHANGEAUTH = 1u << 4,
};
#define LAB_NMECH 5

typedef struct lab_account {
    char *user;
    char *password;
    lab_answer auth;                 /* AUTH PLAIN/LOGIN with the right password */
    lab_answer mech[LAB_NMECH];      /* AUTH <mech> for NTLM/GSSAPI (UNSET: default) */
    lab_answer exps[LAB_NMECH];      /* X-EXPS <mech> (UNSET: default) */
    lab_answer xexch50;              /* XEXCH50 once authenticated as this account */
    bool server;                     /* holds the Exchange servers' rights */
} lab_account;

typedef struct lab_scenario {
    char *name;                      /* file name without .ini */
    char *description;
    char *article;                   /* "843106": the KB article it plays, or NULL */
    lab_product product;
    char *hostname;                  /* FQDN in banner and Hello line */
    char *nb_computer, *nb_domain, *dns_domain, *dns_tree;
    unsigned os_major, os_minor, os_build;
    char *smtp_version;              /* 2003 banner "Version:", 5.5 IMS build */
    long clock_offset;               /* seconds added to the real clock */
    int tz_offset_min;               /* zone printed in the banner */
    bool upper_banner;               /* 2013+ style upper-case banner text */
    long long size_limit;
    bool tls, anonymous_tls, exchangeauth;
    /* LAB_M_* bits; the EHLO text is built from them (lab_reply.c), in the
     * order Exchange prints, whatever order the file used */
    unsigned auth_before, auth_after;
    unsigned exps_before, exps_after;
    lab_answer mech_default[LAB_NMECH];      /* AUTH NTLM/GSSAPI answers */
    lab_answer exps_default[LAB_NMECH];      /* X-EXPS answers */
    bool xexch50_offered;
    lab_answer xexch50_unauth, xexch50_auth;
    bool xrdst, link2state;
    bool exps_server_only;           /* X-EXPS only for server accounts (2013+ front end) */
    bool pix_fixup;
    bool greet_421;                  /* greeting = 421: refuse the session */
    bool back_pressure;              /* MAIL FROM gets 452 4.3.1 */
    lab_hostile hostile;
    long idle_timeout;               /* seconds without progress either way: hang up */
    lab_account *accounts;
    size_t naccounts;
} lab_scenario;

/* Load and validate path.  Returns NULL with *err = "file:line: reason". */
lab_scenario *lab_scenario_load(const char *path, char **err);
void lab_scenario_free(lab_scenario *s);
const lab_account *lab_scenario_account(const lab_scenario *s, const char *user);
/* The account a client logged on as: user may carry DOMAIN\ or @realm. */
const lab_account *lab_scenario_logon(const lab_scenario *s, const char *user);
/* What XEXCH50 answers after AUTH as account a (NULL: not one of the
 * scenario's): only an account with the servers' rights gets the
 * scenario's [xexch50] auth answer; Exchange refuses the verb to every other
 * account, so an ordinary one gets 504 where a server would get 354. */
lab_answer lab_scenario_xexch50_after_auth(const lab_scenario *s, const lab_account *a);
/* X-EXPS may succeed for account a: false where only server accounts may
 * use it (exps_accounts = server) and a is not one. */
bool lab_scenario_exps_allowed(const lab_scenario *s, const lab_account *a);

/* The scenario directory: explicit (if non-NULL), else kb_dir_find()/labs. */
char *lab_scenarios_dir(const char *explicit_dir);

/* Mechanism name <-> bit index. */
int lab_mech_index(const char *name);       /* -1 if unknown */
const char *lab_mech_name(int index);

#endif
