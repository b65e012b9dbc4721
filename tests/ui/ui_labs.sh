#!/bin/sh
# Every practice lab walked in the wizard at 80x24, as a junior would read
# it: each lab that is not a robustness fixture, once, with its own article
# (the labs of either article take the two in turn: test_walkview walks
# every lab with both through the view model), "no" to every question, Enter after every
# finding, to the end.  Every screen of every walk is kept, and none may
# show rule syntax ("ehlo.exchange_auth = false", "xexch50.reply_auth ~
# ^504"), nor a hint that cannot help in a lab (--dc none, "run kinit ...
# then run smtpwiz again"); every finding carries its verdict mark, and
# every walk ends at a conclusion or stops on a finding that says why.  The walks run side by
# side, one tmux session each, stepped in turn.
. "$TOP/tests/lib/lib.sh"
need tmux
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
. "$TOP/tests/lib/tmux.sh"
walks="" i=0 alt=0
for f in "$TOP"/kb/labs/*.ini; do
    grep -q '^hostile' "$f" && continue
    name=$(basename "$f" .ini)
    art=$(sed -n 's/^article = //p' "$f")
    if [ -z "$art" ]; then
        alt=$((1 - alt))
        if [ "$alt" = 1 ]; then art=843106; else art=979174; fi
    fi
    for a in $art; do
        i=$((i + 1)) w=w$i    # a session's name: tmux reads a dot as a window
        echo "$name (KB$a)" >"$T/$w.name"
        walks="$walks $w"
        tm new-session -d -x 80 -y 24 -s "$w" -c "$T" \
            "env LANG=C.UTF-8 TERM=xterm-256color $SMTPWIZ --lab $name --kb $a; echo rc=\$?; sleep 120"
        : >"$T/$w.all"
        echo start >"$T/$w.last"
    done
done
nw=$(echo $walks | wc -w)
[ "$nw" -ge 15 ] || fail "only $nw lab walks"
grep -l 979174 "$T"/w*.name >/dev/null && grep -l 843106 "$T"/w*.name >/dev/null ||
    fail "the walks do not cover both articles"
end=$(( $(date +%s) + 300 ))   # a hang guard, not a timing test
left=$walks
while [ -n "$left" ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "walks not ended after 300 s:$(for w in $left; do printf " %s" "$(cat "$T/$w.name")"; done)"
    next=""
    for w in $left; do
        tm capture-pane -p -t "$w" >"$T/$w.screen"
        s=$T/$w.screen
        # what the walk is on: the form, a step (by number) or the end
        if grep -q 'Which server' "$s"; then at=form
        else at=$(head -n 1 "$s" | grep -o 'step [0-9]*\|conclusion' | head -n 1); fi
        last=$(cat "$T/$w.last")
        done_=""
        if [ "$at" = conclusion ]; then
            done_=1
        elif tail -n 1 "$s" | grep -Eq '^r +re-run' && [ "$last" = "$at finding" ]; then
            done_=1     # the walk stopped: the finding says why (greeting-421)
        elif grep -q 'Commands, whole' "$s"; then
            fail "$(cat "$T/$w.name"): an overlay opened by itself"
        elif [ "$at" = form ]; then
            [ "$last" = form ] || { tm send-keys -t "$w" F10; echo form >"$T/$w.last"; }
        elif grep -q 'y/n/d' "$s" && [ "$last" != "$at" ]; then
            cat "$s" >>"$T/$w.all"; tm send-keys -t "$w" n; echo "$at" >"$T/$w.last"
        elif grep -Eq 'r +re-run' "$s" && [ "$last" != "$at finding" ]; then
            # a finding: its row starts with the step's verdict mark, the
            # probe's own status after it ("· noted: ...  (connect probe: ✔ PASS)")
            grep -Eq '^  [^ ]+ (fault found here|expected condition|all clear|ruled out|noted|not tested|could not run)[^(]*\([a-z0-9-]+ probe: ' "$s" ||
                { cat "$s"; fail "$(cat "$T/$w.name"): a finding without its verdict mark"; }
            cat "$s" >>"$T/$w.all"; tm send-keys -t "$w" NPage; sleep 0.05
            tm capture-pane -p -t "$w" >>"$T/$w.all"
            tm send-keys -t "$w" Enter; echo "$at finding" >"$T/$w.last"
        fi
        if [ -n "$done_" ]; then
            cat "$s" >>"$T/$w.all"
            tm send-keys -t "$w" NPage; sleep 0.05; tm capture-pane -p -t "$w" >>"$T/$w.all"
        else
            next="$next $w"
        fi
    done
    left=$next
    sleep 0.05
done
# Quit every wizard (q, and q again where the report is unsaved) rather
# than leave it to the tmux server's end: each must exit 0.
for w in $walks; do tm send-keys -t "$w" q; done
sleep 0.3
for w in $walks; do tm send-keys -t "$w" q; done
end=$(( $(date +%s) + 30 ))
for w in $walks; do
    while tm capture-pane -p -t "$w" >"$T/$w.screen"; ! grep -q '^rc=' "$T/$w.screen"; do
        [ "$(date +%s)" -lt "$end" ] || { cat "$T/$w.screen"; fail "$(cat "$T/$w.name"): q did not quit"; }
        sleep 0.05
    done
    grep -q '^rc=0' "$T/$w.screen" || { cat "$T/$w.screen"; fail "$(cat "$T/$w.name"): the wizard exited non-zero"; }
done
screens=0
for w in $walks; do
    a=$T/$w.all
    screens=$((screens + $(grep -c 'smtpwiz ›' "$a")))
    # a rule's syntax: a dotted fact, an operator, a value
    if grep -En '[a-z0-9_-]+\.[a-z_]+ (=|!=|~|!~|<|>|<=|>=|has|lacks) ' "$a"; then
        fail "$(cat "$T/$w.name"): rule syntax on a screen"
    fi
    if grep -En -- '--dc none|smtpwiz again' "$a"; then
        fail "$(cat "$T/$w.name"): a hint that cannot help in a practice lab"
    fi
done
echo "ui_labs: $nw walks, $screens screens, no rule syntax, every finding marked"
