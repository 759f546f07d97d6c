"""Check a bundle the recipe wrote: the manifest against the shared schema and cross-field rules
(radsift_train.manifest, as the app does), every listed file present with its recorded sha256, the
files the recipe ships, total ≤ 40 MB, ONNX files that pass the checker with the tensor names
and opset the app expects, and, for a model with never-seen findings (zeroShot.neverSeen), that none of them is
also listed as trained and that the card names each one.

    /usr/bin/python3 models/train/check_bundle.py <bundle dir>
"""

from __future__ import annotations

import os
import sys

import onnx

from radsift_train.bundle import MAX_BUNDLE_BYTES
from radsift_train.manifest import ManifestError, read_manifest, validate

REQUIRED_FILES = ['image.onnx', 'text.onnx', 'tokenizer.json', 'card.md']
IO = {
    'image.onnx': (['pixel_values'], ['image_embeds', 'patch_embeds']),
    'text.onnx': (['input_ids', 'attention_mask'], ['text_embeds', 'token_embeds']),
}


def never_seen_errors(bundle_dir: str, m: dict) -> list[str]:
    zs = m.get('zeroShot') or {}
    never, trained = zs.get('neverSeen') or [], zs.get('findings') or []
    errors = [f'zeroShot: {x} is both trained and never seen' for x in never if x in trained]
    data = (m.get('provenance') or {}).get('data') or {}
    if 'neverSeen' in data and data['neverSeen'] != never:
        errors.append(f'provenance.data.neverSeen {data["neverSeen"]} != zeroShot.neverSeen {never}')
    if never:
        path = os.path.join(bundle_dir, 'card.md')
        card = open(path, encoding='utf-8').read() if os.path.isfile(path) else ''
        errors += [f'card.md does not name never-seen {x}' for x in never if x.replace('_', ' ') not in card]
    return errors


def check(bundle_dir: str) -> list[str]:
    try:
        m = read_manifest(bundle_dir)
        validate(m, bundle_dir)
    except ManifestError as e:
        return [f'manifest: {line}' for line in str(e).splitlines()]
    except (OSError, ValueError) as e:  # no manifest.json, or not JSON
        return [f'manifest: {e}']
    errors = [f'manifest: {name} not listed' for name in REQUIRED_FILES if name not in m['files']]
    total = sum(f['bytes'] for f in m['files'].values())
    if total > MAX_BUNDLE_BYTES:
        errors.append(f'bundle is {total} bytes, over {MAX_BUNDLE_BYTES}')
    errors += never_seen_errors(bundle_dir, m)
    for name, (inputs, outputs) in IO.items():
        path = os.path.join(bundle_dir, name)
        if not os.path.isfile(path):
            continue
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        got_in = [i.name for i in model.graph.input]
        got_out = [o.name for o in model.graph.output]
        if got_in != inputs or got_out != outputs:
            errors.append(f'{name}: io {got_in} -> {got_out}, expected {inputs} -> {outputs}')
        opset = max(o.version for o in model.opset_import if o.domain in ('', 'ai.onnx'))
        if opset != 17:
            errors.append(f'{name}: opset {opset}, expected 17')
    return errors


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    errors = check(sys.argv[1])
    for e in errors:
        print(f'check_bundle: {e}')
    print(f'check_bundle: {"ok" if not errors else "FAILED"} ({sys.argv[1]})')
    return 0 if not errors else 1


if __name__ == '__main__':
    sys.exit(main())
