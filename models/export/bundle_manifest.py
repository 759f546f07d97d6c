"""manifest.json of a RadSift bundle (format "radsift-bundle/1"): build, validate, write.

Pure standard library, so it is tested here (test_bundle_manifest.py) although the export
scripts that call it need torch/open_clip and the network. The schema is the one the app's
loader validates (electron/inference/manifest.ts) and docs/model-layouts.md documents;
`validate` mirrors its constraints so that an export fails at export time, not when a user
first loads the bundle.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re

FORMAT = "radsift-bundle/1"
MANIFEST = "manifest.json"
RESIZE_MODES = ("letterbox", "center-crop", "stretch")
INTERPOLATIONS = ("area", "bicubic", "bilinear")
DICOM_WINDOWS = ("default", "minmax")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CHUNK = 1 << 20


class ManifestError(ValueError):
    """Every problem found, one per line, so an export reports them all at once."""


def sha256_file(path: str) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def image_section(*, size: tuple[int, int], resize: str, interpolation: str, value_range: int, mean: list[float],
                  std: list[float], channels: int = 3, resize_to: int | None = None, file: str = "image.onnx",
                  input: str = "pixel_values", embeds: str = "image_embeds", patches: str | None = None,
                  patch_grid: tuple[int, int] | None = None, dicom_window: str = "default",
                  invert_monochrome1: bool = True) -> dict:
    return {
        "file": file, "input": input, "outputs": {"embeds": embeds, "patches": patches},
        "patchGrid": list(patch_grid) if patch_grid else None, "size": [int(size[0]), int(size[1])],
        "channels": channels, "resize": resize, "resizeTo": resize_to, "interpolation": interpolation,
        "valueRange": value_range, "mean": [float(m) for m in mean], "std": [float(s) for s in std],
        "dicom": {"window": dicom_window, "invertMonochrome1": invert_monochrome1},
    }


def text_section(*, max_length: int, pad_to_max_length: bool, lowercase: bool, mask: str | None = None,
                 negation_template: str = "no {}", file: str = "text.onnx", tokenizer: str = "tokenizer.json",
                 ids: str = "input_ids", output: str = "text_embeds") -> dict:
    return {
        "file": file, "tokenizer": tokenizer, "inputs": {"ids": ids, "mask": mask}, "output": output,
        "maxLength": max_length, "padToMaxLength": pad_to_max_length, "lowercase": lowercase,
        "negationTemplate": negation_template,
    }


def bundle_files(bundle_dir: str) -> dict[str, dict]:
    """sha256 and size of every regular file under bundle_dir except manifest.json,
    keyed by POSIX path relative to the bundle, sorted (stable manifests diff cleanly)."""
    found = {}
    for root, dirs, names in os.walk(bundle_dir):
        dirs.sort()
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, bundle_dir).replace(os.sep, "/")
            if rel == MANIFEST or not os.path.isfile(path) or os.path.islink(path):
                continue
            digest, size = sha256_file(path)
            found[rel] = {"sha256": digest, "bytes": size}
    return dict(sorted(found.items()))


def build_manifest(bundle_dir: str, *, id: str, name: str, version: str, licence: str, intended_use: str,
                   trained_on_synthetic_data: bool, provenance: dict, embedding_dim: int, logit_scale: float,
                   image: dict, text: dict) -> dict:
    manifest = {
        "format": FORMAT, "id": id, "name": name, "version": version, "licence": licence,
        "intendedUse": intended_use, "trainedOnSyntheticData": trained_on_synthetic_data,
        "provenance": provenance, "embeddingDim": int(embedding_dim), "logitScale": float(logit_scale),
        "image": image, "text": text, "files": bundle_files(bundle_dir),
    }
    validate(manifest, bundle_dir)
    return manifest


def _rel_path_ok(p) -> bool:
    return (isinstance(p, str) and 0 < len(p) <= 255 and not p.startswith("/") and ".." not in re.split(r"[\\/]", p)
            and not re.match(r"^[A-Za-z]:", p))


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def validate(m: dict, bundle_dir: str | None = None) -> None:
    """Raise ManifestError unless m satisfies the schema; with bundle_dir, also check that
    the referenced files exist and are listed, and that every listed hash is current."""
    errs: list[str] = []

    def need(ok: bool, msg: str) -> None:
        if not ok:
            errs.append(msg)

    need(m.get("format") == FORMAT, f"format must be {FORMAT!r}")
    need(isinstance(m.get("id"), str) and bool(_ID.match(m["id"])), "id: lower-case letters, digits, . _ - (max 64)")
    for key, limit in (("name", 200), ("version", 50), ("licence", 200), ("intendedUse", 2000)):
        need(isinstance(m.get(key), str) and 0 < len(m[key]) <= limit, f"{key}: non-empty string, max {limit}")
    need(isinstance(m.get("trainedOnSyntheticData"), bool), "trainedOnSyntheticData: bool")
    need(isinstance(m.get("provenance", {}), dict), "provenance: object")
    need(_int(m.get("embeddingDim")) and 0 < m["embeddingDim"] <= 65536, "embeddingDim: positive int")
    need(_num(m.get("logitScale")) and 0 < m["logitScale"] <= 1000, "logitScale: number in (0, 1000]")

    img = m.get("image") if isinstance(m.get("image"), dict) else {}
    need(bool(img), "image: object")
    need(_rel_path_ok(img.get("file")), "image.file: relative path inside the bundle")
    need(isinstance(img.get("input"), str) and bool(img.get("input")), "image.input: name")
    outs = img.get("outputs") if isinstance(img.get("outputs"), dict) else {}
    need(isinstance(outs.get("embeds"), str) and bool(outs.get("embeds")), "image.outputs.embeds: name")
    need(outs.get("patches") is None or isinstance(outs.get("patches"), str), "image.outputs.patches: name or null")
    grid = img.get("patchGrid")
    need(grid is None or (isinstance(grid, list) and len(grid) == 2 and all(_int(g) and g > 0 for g in grid)),
         "image.patchGrid: [rows, cols] or null")
    need((outs.get("patches") is None) == (grid is None), "image.outputs.patches and image.patchGrid go together")
    size = img.get("size")
    need(isinstance(size, list) and len(size) == 2 and all(_int(s) and 8 <= s <= 4096 for s in size),
         "image.size: [height, width], 8..4096")
    need(img.get("channels") in (1, 3), "image.channels: 1 or 3")
    need(img.get("resize") in RESIZE_MODES, f"image.resize: one of {RESIZE_MODES}")
    rt = img.get("resizeTo")
    need(rt is None or (_int(rt) and 0 < rt <= 8192), "image.resizeTo: positive int or null")
    need(img.get("interpolation") in INTERPOLATIONS, f"image.interpolation: one of {INTERPOLATIONS}")
    need(img.get("valueRange") in (1, 255), "image.valueRange: 1 or 255")
    mean, std = img.get("mean"), img.get("std")
    for key, vals in (("mean", mean), ("std", std)):
        ok = isinstance(vals, list) and 1 <= len(vals) <= 3 and all(_num(v) for v in vals)
        need(ok and (len(vals) in (1, img.get("channels"))), f"image.{key}: 1 or `channels` numbers")
    need(isinstance(std, list) and all(_num(s) and s > 0 for s in std), "image.std: positive")
    dicom = img.get("dicom", {})
    need(isinstance(dicom, dict) and dicom.get("window", "default") in DICOM_WINDOWS
         and isinstance(dicom.get("invertMonochrome1", True), bool), "image.dicom: {window, invertMonochrome1}")

    txt = m.get("text") if isinstance(m.get("text"), dict) else {}
    need(bool(txt), "text: object")
    need(_rel_path_ok(txt.get("file")), "text.file: relative path inside the bundle")
    need(_rel_path_ok(txt.get("tokenizer")), "text.tokenizer: relative path inside the bundle")
    ins = txt.get("inputs") if isinstance(txt.get("inputs"), dict) else {}
    need(isinstance(ins.get("ids"), str) and bool(ins.get("ids")), "text.inputs.ids: name")
    need(ins.get("mask") is None or (isinstance(ins.get("mask"), str) and bool(ins["mask"])), "text.inputs.mask: name or null")
    need(isinstance(txt.get("output"), str) and bool(txt.get("output")), "text.output: name")
    need(_int(txt.get("maxLength")) and 2 <= txt["maxLength"] <= 4096, "text.maxLength: 2..4096")
    need(isinstance(txt.get("padToMaxLength"), bool), "text.padToMaxLength: bool")
    need(isinstance(txt.get("lowercase"), bool), "text.lowercase: bool")
    need(isinstance(txt.get("negationTemplate"), str) and "{}" in txt["negationTemplate"],
         "text.negationTemplate: must contain {}")

    files = m.get("files")
    need(isinstance(files, dict) and all(_rel_path_ok(k) and isinstance(v, dict) and isinstance(v.get("sha256"), str)
                                         and re.fullmatch(r"[0-9a-f]{64}", v["sha256"]) and _int(v.get("bytes"))
                                         and v["bytes"] >= 0 for k, v in (files or {}).items()),
         "files: {relative path: {sha256: 64 hex, bytes: int}}")
    if isinstance(files, dict):
        for ref in (img.get("file"), txt.get("file"), txt.get("tokenizer")):
            need(ref in files, f"files: {ref!r} is referenced but not listed")
    if bundle_dir is not None and isinstance(files, dict) and not errs:
        for rel, entry in files.items():
            path = os.path.join(bundle_dir, *rel.split("/"))
            if not os.path.isfile(path):
                errs.append(f"files: {rel} is missing from {bundle_dir}")
            elif sha256_file(path) != (entry["sha256"], entry["bytes"]):
                errs.append(f"files: {rel} changed since it was hashed")
    if errs:
        raise ManifestError("\n".join(errs))


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def write_manifest(bundle_dir: str, manifest: dict) -> str:
    """Validate against the files on disk, then write bundle_dir/manifest.json."""
    validate(manifest, bundle_dir)
    path = os.path.join(bundle_dir, MANIFEST)
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(manifest))
    return path


def set_tokenizer_limits(tokenizer_json: dict, *, max_length: int, pad_id: int, pad_token: str,
                         pad_to_max_length: bool) -> dict:
    """Record the model's truncation and padding in tokenizer.json's standard blocks (as the
    Rust `tokenizers` crate writes them). @huggingface/tokenizers ignores both, so the app
    applies them itself, but this keeps the pad id with the tokenizer: the manifest has no
    field for it, and some towers (open_clip HF-text towers) derive their mask from it."""
    out = dict(tokenizer_json)
    out["truncation"] = {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst", "stride": 0}
    out["padding"] = {
        "strategy": {"Fixed": max_length} if pad_to_max_length else "BatchLongest",
        "direction": "Right", "pad_to_multiple_of": None, "pad_id": pad_id, "pad_type_id": 0, "pad_token": pad_token,
    }
    return out
