/* Placeholder until the lab server lands (issue 3). */
#include "config.h"

#include <stdio.h>

#include "lab.h"

int lab_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("smtpwiz lab: the lab server is not built yet\n", stderr);
    return 3;
}
