"""Tests of the pure-Python half of the exporters: the manifest as they build it (through the
shared module, radsift_train.manifest, against models/bundle-manifest.schema.json), the cases both
schema checks must agree on, tokenizer limits and the preprocessing presets.

    PYTHONPATH=models/train /usr/bin/python3 -m unittest discover -s models/export -p 'test_*.py'
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
import unittest

import presets
from radsift_train import manifest as bm

CASES = os.path.join(os.path.dirname(bm.SCHEMA_PATH), "bundle-manifest.cases.json")


def make_bundle(root: str) -> dict[str, bytes]:
    files = {"image.onnx": b"\x08\x07image-graph", "text.onnx": b"\x08\x07text-graph",
             "tokenizer.json": b'{"model": {"type": "BPE"}}', "card.md": "# Card\n\nnon-ASCII: é\n".encode(),
             "extra/notes.txt": b""}
    for rel, data in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return files


def meta(**overrides) -> dict:
    base = {
        "id": "chexzero-test", "name": "CheXzero test", "version": "1", "licence": "MIT",
        "intended_use": "Research use only; not for clinical decisions.", "trained_on_synthetic_data": False,
        "provenance": {"source": "unit test"}, "embedding_dim": 512, "logit_scale": 1.0,
        "image": presets.chexzero_image(),
        "text": bm.text_section(max_length=77, pad_to_max_length=True, lowercase=True),
    }
    base.update(overrides)
    return base


class BuildManifest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.files = make_bundle(self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def test_hashes_every_file_except_the_manifest(self):
        with open(os.path.join(self.dir, bm.MANIFEST), "w") as f:
            f.write("{}")  # a stale manifest must not hash itself
        m = bm.build_manifest(self.dir, **meta())
        self.assertEqual(list(m["files"]), sorted(self.files))
        for rel, data in self.files.items():
            self.assertEqual(m["files"][rel], {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})

    def test_schema_fields(self):
        m = bm.build_manifest(self.dir, **meta())
        self.assertEqual(m["format"], "radsift-bundle/1")
        self.assertEqual(set(m), {"format", "id", "name", "version", "licence", "intendedUse", "trainedOnSyntheticData",
                                  "provenance", "embeddingDim", "logitScale", "image", "text", "files"})
        self.assertEqual(m["text"], {"file": "text.onnx", "tokenizer": "tokenizer.json",
                                     "inputs": {"ids": "input_ids", "mask": None}, "output": "text_embeds",
                                     "maxLength": 77, "padToMaxLength": True, "lowercase": True,
                                     "negationTemplate": "no {}"})
        self.assertEqual(m["image"]["outputs"], {"embeds": "image_embeds", "patches": None})
        self.assertIsNone(m["image"]["patchGrid"])
        self.assertEqual(m["image"]["dicom"], {"window": "default", "invertMonochrome1": True})

    def test_write_is_deterministic_json(self):
        def read(path: str) -> bytes:
            with open(path, "rb") as f:
                return f.read()

        path = bm.write_manifest(self.dir, bm.build_manifest(self.dir, **meta()))
        first = read(path)
        bm.write_manifest(self.dir, bm.build_manifest(self.dir, **meta()))
        self.assertEqual(first, read(path))
        self.assertTrue(first.endswith(b"\n"))
        self.assertEqual(json.loads(first)["files"]["card.md"]["bytes"], len(self.files["card.md"]))

    def test_missing_referenced_file(self):
        os.remove(os.path.join(self.dir, "text.onnx"))
        with self.assertRaisesRegex(bm.ManifestError, "files: text.onnx is referenced but not listed"):
            bm.build_manifest(self.dir, **meta())

    def test_file_changed_after_hashing(self):
        m = bm.build_manifest(self.dir, **meta())
        with open(os.path.join(self.dir, "image.onnx"), "ab") as f:
            f.write(b"!")
        with self.assertRaisesRegex(bm.ManifestError, "image.onnx changed since it was hashed"):
            bm.write_manifest(self.dir, m)
        self.assertFalse(os.path.exists(os.path.join(self.dir, bm.MANIFEST)))

    def test_reports_every_problem(self):
        bad_image = dict(presets.chexzero_image(), resize="crop", valueRange=100, mean=[0.5, 0.5])
        bad_text = dict(bm.text_section(max_length=1, pad_to_max_length=True, lowercase=True), negationTemplate="no")
        with self.assertRaises(bm.ManifestError) as cm:
            bm.build_manifest(self.dir, **meta(id="Bad ID", logit_scale=0, image=bad_image, text=bad_text))
        msg = str(cm.exception)
        for part in ("id:", "logitScale", "image.resize", "image.valueRange", "image.mean", "text.maxLength",
                     "text.negationTemplate"):
            self.assertIn(part, msg)

    def test_rejects_paths_outside_the_bundle(self):
        m = bm.build_manifest(self.dir, **meta())
        for path in ("../image.onnx", "/etc/passwd", "C:/x.onnx", "a/../../b"):
            bad = copy.deepcopy(m)
            bad["image"]["file"] = path
            with self.assertRaisesRegex(bm.ManifestError, "image.file"):
                bm.validate(bad)

    def test_patches_need_a_grid(self):
        img = bm.image_section(size=(224, 224), resize="stretch", interpolation="area", value_range=1,
                               mean=[0.5], std=[0.25], channels=1, patches="patch_embeds")
        with self.assertRaisesRegex(bm.ManifestError, "image.patchGrid: set exactly when image.outputs.patches is"):
            bm.build_manifest(self.dir, **meta(image=img))
        img = dict(img, patchGrid=[14, 14])
        self.assertEqual(bm.build_manifest(self.dir, **meta(image=img))["image"]["patchGrid"], [14, 14])

    def test_bool_is_not_a_number(self):
        m = bm.build_manifest(self.dir, **meta())
        m["embeddingDim"] = True
        with self.assertRaisesRegex(bm.ManifestError, "embeddingDim"):
            bm.validate(m)

    def test_not_plain_json(self):
        m = bm.build_manifest(self.dir, **meta())
        m["logitScale"] = float("nan")
        with self.assertRaisesRegex(bm.ManifestError, "not plain JSON"):
            bm.validate(m)
        with open(os.path.join(self.dir, bm.MANIFEST), "w") as f:
            f.write('{"logitScale": NaN}')
        with self.assertRaisesRegex(bm.ManifestError, "NaN is not JSON"):
            bm.read_manifest(self.dir)

    def test_extras_are_kept_before_the_file_list(self):
        m = bm.build_manifest(self.dir, **meta(extra={"metrics": {"auc": 0.9}}))
        self.assertEqual(list(m)[-2:], ["metrics", "files"])


def edited(base: dict, case: dict) -> dict:
    """base with the case's edits: `set` [{at: [key, …], to: value}], `unset` [[key, …]]."""
    m = copy.deepcopy(base)

    def parent(at: list) -> dict:
        node = m
        for key in at[:-1]:
            node = node[key]
        return node

    for edit in case.get("set", []):
        parent(edit["at"])[edit["at"][-1]] = edit["to"]
    for at in case.get("unset", []):
        del parent(at)[at[-1]]
    return m


class SharedCases(unittest.TestCase):
    """The manifests of models/bundle-manifest.cases.json, which the app's zod schema is tested on
    too (test/unit/inference/manifest-schema.test.ts): both checks must give the same verdicts."""

    def test_every_case(self):
        with open(CASES, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertGreater(len(doc["cases"]), 20)
        for case in doc["cases"]:
            m = edited(doc["base"], case)
            with self.subTest(case["name"]):
                try:
                    bm.validate(m)
                    errors = []
                except bm.ManifestError as e:
                    errors = str(e).splitlines()
                if case["rejects"] is None:
                    self.assertEqual(errors, [])
                else:
                    where = ".".join(case["rejects"])
                    self.assertTrue(any(e.startswith(where) for e in errors), f"expected {where}: {errors}")


class TokenizerLimits(unittest.TestCase):
    def test_fixed_padding_block(self):
        spec = {"version": "1.0", "truncation": None, "padding": None, "model": {"type": "BPE"}}
        out = presets.set_tokenizer_limits(spec, max_length=77, pad_id=0, pad_token="!", pad_to_max_length=True)
        self.assertEqual(out["truncation"]["max_length"], 77)
        self.assertEqual(out["padding"]["strategy"], {"Fixed": 77})
        self.assertEqual((out["padding"]["pad_id"], out["padding"]["pad_token"]), (0, "!"))
        self.assertIsNone(spec["padding"], "input must not be modified")

    def test_batch_longest(self):
        out = presets.set_tokenizer_limits({}, max_length=256, pad_id=0, pad_token="[PAD]", pad_to_max_length=False)
        self.assertEqual(out["padding"]["strategy"], "BatchLongest")


class Presets(unittest.TestCase):
    def test_chexzero(self):
        img = presets.chexzero_image()
        self.assertEqual((img["size"], img["resize"], img["resizeTo"], img["interpolation"]),
                         ([224, 224], "letterbox", 320, "bicubic"))
        self.assertEqual((img["valueRange"], img["channels"]), (255, 3))
        self.assertEqual(img["mean"], [101.48761] * 3)
        self.assertEqual(img["std"], [83.43944] * 3)

    def test_biomedclip(self):
        img = presets.biomedclip_image()
        self.assertEqual((img["size"], img["resize"], img["interpolation"], img["valueRange"]),
                         ([224, 224], "center-crop", "bicubic", 1))
        self.assertEqual(img["mean"], presets.OPENAI_CLIP_MEAN)
        self.assertEqual(img["std"], presets.OPENAI_CLIP_STD)

    def test_openclip_preprocess_cfg(self):
        siglip = {"size": [256, 256], "mode": "RGB", "mean": [0.5] * 3, "std": [0.5] * 3,
                  "interpolation": "bicubic", "resize_mode": "squash", "fill_color": 0}
        img = presets.image_from_openclip(siglip)
        self.assertEqual((img["size"], img["resize"], img["mean"]), ([256, 256], "stretch", [0.5] * 3))
        self.assertEqual(presets.image_from_openclip({"size": 336, "resize_mode": "longest"})["resize"], "letterbox")
        self.assertEqual(presets.image_from_openclip({"interpolation": "random"})["interpolation"], "bicubic")
        self.assertEqual(presets.image_from_openclip({})["size"], [224, 224])  # open_clip's defaults
        with self.assertRaises(ValueError):
            presets.image_from_openclip({"resize_mode": "crop"})
        with self.assertRaises(ValueError):
            presets.image_from_openclip({"resize_mode": "longest", "fill_color": 255})


if __name__ == "__main__":
    unittest.main()
