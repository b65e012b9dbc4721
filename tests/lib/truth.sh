# Sourced by tests/integration/diagnose/: the truthful answers to both
# articles' questions for the lab scenarios, and what each such walk must
# conclude (diagnose_lab.sh checks each row; diagnose_matrix.sh walks every
# scenario with both articles and takes its truthful answers from here).
# Truthful answers: what the admin of each lab's servers would answer.
# Every question of an article answered no (a healthy environment), then
# the scenario's own fault answered yes; --domain names the organisation the
# labs' servers belong to (contoso.com for the 2003 ones, fabrikam.com for
# the 2010 ones), as an admin would give it.
Q843="accompanying-symptoms other-org not-offered iwa-setting sendas-ace sendas-sender tls-sender exps-events firewall-between firewall-bypass other-org-confirm ims-confirm"
Q979="internal-exchange clock-which clock-here clock-dc replication spn-list spn-dupes kerberos-ports exchangeauth-check kerberos-log kerberos-log-spn"
no_to() { for q in $1; do printf -- '--answer %s=no ' "$q"; done; }
NO843106=$(no_to "$Q843")
NO979174=$(no_to "$Q979")
C="--domain contoso.com"
F="--domain fabrikam.com"

# scenario | kb | expected conclusion id, INCONCLUSIVE or ERROR | extra arguments
# (a later --answer for the same question wins)
truth_rows() { # the table on stdout
cat <<EOT
e2003-healthy|843106|no-fault-found|$C $NO843106
e2010-healthy|843106|no-fault-found|$F $NO843106
e2010-healthy|979174|no-fault-found|$F $NO979174
e2010-healthy|843106|INCONCLUSIVE|$F
iwa-disabled|843106|iwa-disabled|$C $NO843106
sendas-denied|843106|sendas-denied|$C $NO843106 --answer sendas-ace=yes
tls-without-auth|843106|tls-without-auth|$C $NO843106 --answer tls-sender=yes
exps-logon-denied|843106|exps-auth-failed|$C $NO843106 --answer exps-events=yes
firewall-fixup|843106|firewall-interference|$C $NO843106
legacy-ims|843106|legacy-ims|$C $NO843106 --answer ims-confirm=yes
cross-org|843106|cross-org-expected|$C $NO843106
clock-skew|979174|clock-skew|$F $NO979174 --answer clock-which=yes
no-exchangeauth|979174|exchangeauth-disabled|$F $NO979174
spn-missing|979174|spn-missing|$F $NO979174 --answer spn-list=yes
back-pressure|843106|INCONCLUSIVE|$F $NO843106
dc-replication|979174|dc-replication|$F $NO979174 --answer replication=yes
e2013-frontend|843106|no-fault-found|$F $NO843106
e2013-frontend|979174|no-fault-found|$F $NO979174
exim-internet|843106|cross-org-expected|$C $NO843106
exim-internet|979174|not-internal-exchange|$C $NO979174
postfix-internet|843106|cross-org-expected|$C $NO843106
postfix-internet|979174|not-internal-exchange|$C $NO979174
sendmail-internet|843106|cross-org-expected|$C
sendmail-internet|979174|not-internal-exchange|$C
greeting-421|843106|ERROR|$F $NO843106
greeting-421|979174|ERROR|$F $NO979174
kerberos-ports-blocked|979174|kerberos-ports-blocked|$F $NO979174 --answer kerberos-ports=yes
local-clock|979174|local-clock|$F $NO979174 --answer clock-here=yes
spn-duplicate|979174|spn-duplicate|$F $NO979174 --answer spn-dupes=yes
ansi-banner|843106|ERROR|
endless-line|979174|ERROR|
slow-drip|843106|ERROR|
huge-ehlo|979174|ERROR|
early-close|843106|ERROR|
tls-garbage|843106|INCONCLUSIVE|
tls-garbage|979174|ERROR|
never-greets|979174|ERROR|
EOT
}
