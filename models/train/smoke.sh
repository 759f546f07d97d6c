#!/usr/bin/env bash
# Smoke test of the training recipe, end to end, for CI (scripts/run-tests.mjs runs it):
# unit tests -> data (fake, generator 1.1's layout with four rare findings excluded, or the phantom export
# in $RADSIFT_TRAIN_DATA) -> exclusion check -> tokenizer -> a few training steps -> ONNX export ->
# tokenizer and ONNX parity in node -> bundle check (never-seen findings in the manifest and card) ->
# a few second-stage steps at a larger input (--init-from, --train-only, then --resume exports) -> bundle check.
# Needs /usr/bin/python3 with Debian's python3-torch, python3-onnx, python3-numpy, python3-pil, python3-jsonschema,
# and node with the repo's node_modules. Prints one PASS/FAIL line; exit 0 only on PASS.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${RADSIFT_PYTHON:-/usr/bin/python3}"
budget="${RADSIFT_SMOKE_BUDGET_S:-120}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

fail() {
  echo "train smoke: FAIL — $1 ($(($(date +%s) - start)) s)"
  exit 1
}

"$py" -c 'import torch, onnx, numpy, PIL, jsonschema' 2>/dev/null ||
  fail "$py lacks torch/onnx/numpy/PIL/jsonschema (apt-get install python3-torch python3-onnx python3-numpy \
python3-pil python3-jsonschema)"
command -v node >/dev/null || fail 'node not on PATH'

"$py" -m unittest discover -s "$here" -p 'test_*.py' || fail 'unit tests'

# The findings the fake run must never see (as configs/rare-*.json: data.neverSeen), unless the data is given.
never="${RADSIFT_SMOKE_NEVER_SEEN-pneumoperitoneum,hiatal_hernia,cavitary_lesion,subcutaneous_emphysema}"
data="${RADSIFT_TRAIN_DATA:-}"
if [ -z "$data" ]; then
  data="$tmp/data"
  "$py" "$here/fake_data.py" --out "$data" --count 256 --seed 1 --exclude-findings "$never" || fail 'fake data'
else
  never="${RADSIFT_SMOKE_NEVER_SEEN-}"
fi
# smoke.json plus data.neverSeen; and the second stage's config (--init-from): a larger input, 4 steps, the
# extended prompt wordings.
"$py" - "$here/configs/smoke.json" "$tmp/stage1.json" "$tmp/stage2.json" "$never" <<'PYEOF' || fail 'configs'
import json, sys
c = json.load(open(sys.argv[1]))
c['data']['neverSeen'] = [x for x in sys.argv[4].split(',') if x]
json.dump(c, open(sys.argv[2], 'w'))
c['image']['size'] += 32
c['optim']['maxSteps'] = 4
c['loss']['promptWordings'] = 'extended'  # as the recipe's later stages: the same vocabulary, more wordings
c['loss']['weights']['regionPrompt'] = 1.0  # as stage 28: the app's region score as a loss
json.dump(c, open(sys.argv[3], 'w'))
c = json.load(open(sys.argv[2]))  # a language stage: the image tower locked, its outputs cached for two views
c['optim'].update(maxSteps=4, freeze=['image'], cacheImage=2)
c['loss']['weights']['textAnchor'] = 1.0  # held near the first run's text tower,
c['loss']['anchorPhrases'] = 8  # on random token sequences too
json.dump(c, open(sys.argv[3].replace('stage2', 'stage3'), 'w'))
c['bundle']['version'] += '-wise'  # the same training exported another way: halfway from the first run's weights
c['export']['interpolate'] = 0.5
json.dump(c, open(sys.argv[3].replace('stage2', 'stage3w'), 'w'))
c['optim']['lr'] *= 2  # another training: not resumed
json.dump(c, open(sys.argv[3].replace('stage2', 'stage3x'), 'w'))
PYEOF

"$py" "$here/train.py" --config "$tmp/stage1.json" --data "$data" --out "$tmp/bundle" --work "$tmp/work" \
  --seed 0 || fail 'train.py (training, export or parity; see the log above)'
"$py" "$here/check_bundle.py" "$tmp/bundle" || fail 'bundle check'
"$py" - "$tmp/bundle" "$never" <<'PYEOF' || fail 'never-seen findings not recorded in the bundle'
import json, os, sys
m = json.load(open(os.path.join(sys.argv[1], 'manifest.json')))
never = [x for x in sys.argv[2].split(',') if x]
card = open(os.path.join(sys.argv[1], 'card.md')).read()
assert m['zeroShot']['neverSeen'] == never, m['zeroShot']['neverSeen']
assert m['provenance']['data']['neverSeen'] == never
assert not set(never) & set(m['zeroShot']['findings'])
assert all(x.replace('_', ' ') in card for x in never) and (not never or 'Never seen' in card)
# a patch grid trained against text (grounding, pointing): the export sets the app's regionOffset itself
assert m['regionOffset'] == round(m['metrics']['regionOffset']['value'], 2), m.get('regionOffset')
assert '`regionOffset`' in card
PYEOF
# The second-stage path (--init-from): a few steps at a larger input from the run above, trained with
# --train-only (no bundle), then exported by --resume (as a GPU machine trains and this one exports), which
# refuses an export other than the one trained on.
stage2=("$py" "$here/train.py" --config "$tmp/stage2.json" --out "$tmp/bundle2" --work "$tmp/work2" --seed 0
  --init-from "$tmp/work/checkpoint.pt" --skip-parity)
"${stage2[@]}" --data "$data" --train-only >"$tmp/stage2.log" 2>&1 || { cat "$tmp/stage2.log"; fail 'train.py --init-from --train-only'; }
grep -q 'regionPrompt [0-9]' "$tmp/stage2.log" || { cat "$tmp/stage2.log"; fail 'no regionPrompt term'; }
[ -f "$tmp/work2/checkpoint.pt" ] && [ ! -e "$tmp/bundle2/manifest.json" ] ||
  fail '--train-only did not stop before the bundle'
cp -r "$data" "$tmp/other" && "$py" -c 'import json, sys; p = sys.argv[1]; json.dump(json.load(open(p)), open(p, "w"), indent=1)' \
  "$tmp/other/manifest.json" || fail 'copy of the data'
"${stage2[@]}" --data "$tmp/other" --resume >"$tmp/other.log" 2>&1 && fail '--resume accepted another export'
grep -q 'trained on other exports' "$tmp/other.log" || { cat "$tmp/other.log"; fail '--resume: no reason given'; }
"${stage2[@]}" --data "$data" --resume || fail 'train.py --resume after --train-only'
# The resumed run trained no step: its card's time and images/s are the --train-only run's (kept in the checkpoint).
"$py" - "$tmp/work2/summary.json" "$tmp/work2/checkpoint.pt" <<'PYEOF' || fail 'the resumed run lost the training time of the --train-only run'
import json, sys, torch
s = json.load(open(sys.argv[1]))
run = torch.load(sys.argv[2], map_location='cpu', weights_only=False)['run']
assert s['trainSeconds'] >= run['seconds'] > 0, (s['trainSeconds'], run)
assert s['imagesPerSecond'] > 0 and list(run['devices']) == ['cpu'], (s['imagesPerSecond'], run)
PYEOF
"$py" "$here/check_bundle.py" "$tmp/bundle2" || fail 'stage-2 bundle check'
# A language stage from the first run (optim.freeze image, optim.cacheImage): trains the text tower from the
# cached image outputs and leaves the image tower as it was.
stage3=("$py" "$here/train.py" --config "$tmp/stage3.json" --seed 0 --init-from "$tmp/work/checkpoint.pt"
  --data "$data" --train-only --image-cache "$tmp/views")
"${stage3[@]}" --out "$tmp/bundle3" --work "$tmp/work3" >"$tmp/stage3.log" 2>&1 ||
  { cat "$tmp/stage3.log"; fail 'train.py with optim.cacheImage'; }
grep -q 'image cache (optim.cacheImage): 2 augmented view.*computed, written to' "$tmp/stage3.log" ||
  { cat "$tmp/stage3.log"; fail 'no image cache written'; }
grep -q 'textAnchor [0-9]' "$tmp/stage3.log" || { cat "$tmp/stage3.log"; fail 'no textAnchor term'; }
# Again, reading the views the first run kept (--image-cache): the same run, weight for weight.
"${stage3[@]}" --out "$tmp/bundle3b" --work "$tmp/work3b" >"$tmp/stage3b.log" 2>&1 ||
  { cat "$tmp/stage3b.log"; fail 'train.py reading --image-cache'; }
grep -q 'image cache (optim.cacheImage): 2 augmented view.*read from' "$tmp/stage3b.log" ||
  { cat "$tmp/stage3b.log"; fail 'the kept image cache was not read'; }
"$py" - "$tmp/work3/checkpoint.pt" "$tmp/work3b/checkpoint.pt" <<'PYEOF' || fail 'a run from kept views differs'
import sys, torch
a, b = (torch.load(p, map_location='cpu', weights_only=False)['model'] for p in sys.argv[1:3])
assert all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])][:3]
PYEOF
"$py" - "$tmp/work/checkpoint.pt" "$tmp/work3/checkpoint.pt" <<'PYEOF' || fail 'the cached language stage moved the image tower or not the text'
import sys, torch
a, b = (torch.load(p, map_location='cpu', weights_only=False)['model'] for p in sys.argv[1:3])
assert all(torch.equal(a[k], b[k]) for k in a if k.startswith('image.')), 'image tower changed'
assert not all(torch.equal(a[k], b[k]) for k in a if k.startswith('text.')), 'text tower did not train'
PYEOF
# The trained language stage exported halfway from the first run's weights (export.interpolate, WiSE-FT): a resumed
# run may change the export and the bundle's name, not the training.
cp -r "$tmp/work3" "$tmp/work3w" && cp -r "$tmp/work3" "$tmp/work3x" || fail 'copy of the language stage'
"$py" "$here/train.py" --config "$tmp/stage3x.json" --seed 0 --init-from "$tmp/work/checkpoint.pt" --data "$data" \
  --out "$tmp/bundle3x" --work "$tmp/work3x" --resume --skip-parity >"$tmp/stage3x.log" 2>&1 &&
  fail '--resume accepted another training config'
grep -q 'written with another config' "$tmp/stage3x.log" || { cat "$tmp/stage3x.log"; fail '--resume: no reason given'; }
"$py" "$here/train.py" --config "$tmp/stage3w.json" --seed 0 --init-from "$tmp/work/checkpoint.pt" --data "$data" \
  --out "$tmp/bundle3w" --work "$tmp/work3w" --resume >"$tmp/stage3w.log" 2>&1 ||
  { cat "$tmp/stage3w.log"; fail 'train.py --resume with export.interpolate'; }
# The text tower trained (its distance from the start above 0) and was exported halfway (half that distance).
"$py" - "$tmp/stage3w.log" <<'PYEOF' || { cat "$tmp/stage3w.log"; fail 'the export was not halfway'; }
import re, sys
m = re.search(r'export\.interpolate 0\.5: .* text ([0-9.]+) → ([0-9.]+)', open(sys.argv[1]).read())
trained, exported = float(m[1]), float(m[2])
assert trained > 0 and abs(exported - trained / 2) <= 0.002, (trained, exported)
PYEOF
"$py" "$here/check_bundle.py" "$tmp/bundle3w" || fail 'interpolated bundle check'
grep -q 'plus 0.5 of the way' "$tmp/bundle3w/card.md" || fail 'the card does not say the weights were interpolated'
"$py" -c 'import json, sys; z = json.load(open(sys.argv[1]))["zeroShot"]["prompts"]; assert "statements" in z, z.keys()' \
  "$tmp/bundle2/manifest.json" || fail 'the second stage did not record its extended wordings'
"$py" - "$tmp/work/summary.json" <<'PYEOF' || fail 'training did not lower the loss'
import json, sys
s = json.load(open(sys.argv[1]))
loss = s['metrics']['loss']
print(f"train smoke: loss {loss['first5']:.3f} -> {loss['last5']:.3f}, "
      f"tokenizer parity {s['parity']['tokenizer']['identical']}/{s['parity']['tokenizer']['sentences']}, "
      f"onnx min cosine {min(v['min'] for v in s['parity']['onnx']['cos'].values()):.6f}, "
      f"bundle {s['bundleBytes'] / 1e6:.2f} MB")
sys.exit(0 if loss['last5'] < loss['first5'] else 1)
PYEOF

secs=$(($(date +%s) - start))
if [ "$secs" -gt "$budget" ]; then
  echo "train smoke: note — took ${secs} s, over the ${budget} s budget (a loaded machine?)"
fi
echo "train smoke: PASS (${secs} s)"
