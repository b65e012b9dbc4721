#!/bin/sh
# The layer rule (src/README.md) holds on the tree: includes name their
# folder, none points to a layer above, ui/ reaches src/ only through its
# view model, no include cycle.  The checker itself is shown to catch each
# kind of break on a copy of the tree.
. "$TOP/tests/lib/lib.sh"
python3 "$TOP/tests/lib/layers.py" "$TOP" >"$T/out" 2>&1 || { cat "$T/out"; fail "the layer rule is broken"; }
python3 "$TOP/tests/lib/layers.py" "$TOP" --report

C=$T/copy
mkdir -p "$C"
cp -r "$TOP/src" "$TOP/ui" "$C/"
broken() { # WHAT FILE LINE REGEX
    cp "$C/$2" "$T/saved"
    printf '%s\n' "$3" >>"$C/$2"
    if python3 "$TOP/tests/lib/layers.py" "$C" >"$T/b.out" 2>&1; then
        fail "the checker missed $1"
    fi
    grep -q -- "$4" "$T/b.out" || { cat "$T/b.out"; fail "the checker did not name $1"; }
    cp "$T/saved" "$C/$2"
}
broken "an upward include" src/proto/smtp.c '#include "probe/probe.h"' 'a layer above'
broken "an include without its folder" src/kb/kb.c '#include "util.h"' 'does not name its folder'
broken "a screen reaching src/" ui/step.c '#include "walk/wizard.h"' 'only through walkview'
printf '#include "base/util.h"\n' >>"$C/src/base/exitcode.h"
printf '#include "base/exitcode.h"\n' >>"$C/src/base/util.h"
python3 "$TOP/tests/lib/layers.py" "$C" >"$T/c.out" 2>&1 && fail "the checker missed an include cycle"
grep -q 'include cycle' "$T/c.out" || { cat "$T/c.out"; fail "the checker did not name the cycle"; }
exit 0
