#!/bin/sh
# diagnose --markdown against a server whose replies carry Markdown (an
# image fetched from an outside host, a link, emphasis, HTML): the ticket
# must show them as text.  Checked on the report above the transcript (the
# transcript is a fenced code block, where they are inert anyway) by
# rendering it with a small CommonMark-subset check: no image, link,
# emphasis or HTML tag may come from the server's text.
. "$TOP/tests/lib/lib.sh"
need python3

check_md() { # FILE: exit 1 naming any live Markdown of the payload
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read().split("## Transcript")[0]
bad = []
# Unescaped constructs: a metacharacter not preceded by a backslash.
def live(pat):
    return [m.group(0) for m in re.finditer(r"(?<!\\)" + pat, text)]
for what, pat in (("image", r"!\[x\]\("), ("link", r"\[click\]\("), ("bold", r"\*bold\*"),
                  ("emphasis", r"_em_"), ("code span", r"`code`"), ("HTML", r"<img "),
                  ("strike", r"~~gone~~")):
    if live(pat):
        bad.append(what)
if "evil.example" not in text:
    bad.append("the server's text is missing altogether")
for b in bad:
    print("live Markdown from the server: %s" % b)
sys.exit(1 if bad else 0)
PY
}

for mode in xexch50 greet; do
    P=$(free_port)
    python3 "$TOP/tests/peers/md_hostile.py" "$mode" "$P" & PIDS="$PIDS $!"
    wait_port "$P"
    timeout 30 "$SMTPWIZ" diagnose 127.0.0.1 -p "$P" --dc none --kb "$TOP/kb/kb843106.ini" \
        --markdown --timeout 5 >"$T/$mode.md" 2>"$T/$mode.err"
    [ -s "$T/$mode.md" ] || { cat "$T/$mode.err"; fail "$mode: no report"; }
    check_md "$T/$mode.md" || { cat "$T/$mode.md"; fail "$mode: the report renders the server's Markdown"; }
done
echo "probe_markdown: server text in --markdown reports is inert"
