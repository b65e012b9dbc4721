/* lab: the built-in training server that plays a broken Exchange server. */
#ifndef SMTPWIZ_LAB_H
#define SMTPWIZ_LAB_H

/* `smtpwiz lab ...`: returns the process exit status. */
int lab_main(int argc, char **argv);

#endif
