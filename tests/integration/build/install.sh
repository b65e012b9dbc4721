#!/bin/sh
# make install into a DESTDIR: the binary and every knowledge-base and lab
# file land where smtpwiz looks for them, and a file that cannot be
# installed fails make install (it used to be skipped with `|| true`).
. "$TOP/tests/lib/lib.sh"
[ -x "$SMTPWIZ" ] || fail "no binary at $SMTPWIZ"
# The binary under test, never rebuilt here (-o): under check-asan it is
# build-asan/smtpwiz.
inst() { # DESTDIR: make install into it, output in $T/install.out
    make -C "$TOP" install DESTDIR="$1" prefix=/usr BIN="$SMTPWIZ" -o "$SMTPWIZ" \
        >"$T/install.out" 2>&1
}
inst "$T/dest" || { cat "$T/install.out"; fail "make install failed"; }
[ -x "$T/dest/usr/bin/smtpwiz" ] || fail "no /usr/bin/smtpwiz"
for f in "$TOP"/kb/*.ini "$TOP"/kb/README.md; do
    cmp -s "$f" "$T/dest/usr/share/smtpwiz/kb/$(basename "$f")" || fail "kb/$(basename "$f") not installed"
done
for f in "$TOP"/kb/labs/*.ini; do
    cmp -s "$f" "$T/dest/usr/share/smtpwiz/kb/labs/$(basename "$f")" ||
        fail "kb/labs/$(basename "$f") not installed"
done
# A directory where a lab file must go: install cannot write it.
mkdir -p "$T/blocked/usr/share/smtpwiz/kb/labs/e2010-healthy.ini"
if inst "$T/blocked"; then
    cat "$T/install.out"; fail "make install exited 0 though kb/labs/e2010-healthy.ini could not be installed"
fi
grep -q 'e2010-healthy.ini' "$T/install.out" || { cat "$T/install.out"; fail "make install did not say what failed"; }
echo "install: ok"
