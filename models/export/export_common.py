"""Torch-side helpers shared by the export scripts (need torch + onnx; onnxruntime and
`tokenizers` are used for the checks when installed, which they are wherever open_clip is).

Every RadSift bundle exported here has the same contract (docs/model-layouts.md):
  image.onnx  pixel_values float32 [batch, C, H, W]          -> image_embeds [batch, D], L2-normalised
  text.onnx   input_ids int64 [batch, L] (+ attention_mask)  -> text_embeds  [batch, D], L2-normalised
opset 17, dynamic batch axis; L is fixed at maxLength unless the tower takes a mask.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import warnings

import torch
import torch.nn.functional as F
from torch import nn

try:  # the manifest writer the training recipe uses too (docs/model-layouts.md §6)
    from radsift_train import manifest as bundle_manifest
except ImportError as e:
    raise SystemExit(f"{e}: run the exporters with PYTHONPATH=<repo>/models/train and jsonschema installed") from e
import presets  # noqa: E402

OPSET = 17
INTENDED_USE = "Research use only; not for clinical decisions."
PARITY_TEXTS = ["pleural effusion", "no pleural effusion", "left lower lobe consolidation with air bronchograms",
                "Heart size is normal. The lungs are clear.", "a chest x-ray of a patient's PICC line, 3.5 cm"]


class ImageTower(nn.Module):
    """encode(model, pixel_values) -> [B, D]; returns it L2-normalised."""

    def __init__(self, model: nn.Module, encode):
        super().__init__()
        self.model, self.encode = model, encode

    def forward(self, pixel_values):
        return F.normalize(self.encode(self.model, pixel_values), dim=-1)


class TextTower(nn.Module):
    """encode(model, input_ids[, attention_mask]) -> [B, D]; returns it L2-normalised."""

    def __init__(self, model: nn.Module, encode, with_mask: bool):
        super().__init__()
        self.model, self.encode, self.with_mask = model, encode, with_mask

    def forward(self, input_ids, attention_mask=None):
        args = (input_ids, attention_mask) if self.with_mask else (input_ids,)
        return F.normalize(self.encode(self.model, *args), dim=-1)


def add_common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="bundle folder to create (models/<id>)")
    p.add_argument("--version", default="1", help="bundle version string")
    p.add_argument("--skip-checks", action="store_true", help="skip the onnxruntime and tokenizer parity checks")


def export_towers(out_dir: str, image: ImageTower, text: TextTower, pixel: torch.Tensor, ids: torch.Tensor,
                  mask: torch.Tensor | None, fixed_length: bool) -> None:
    import onnx

    os.makedirs(out_dir, exist_ok=True)
    image.eval()
    text.eval()
    # As Immich's exporter: nn.MultiheadAttention's fused eval fast path does not export.
    if hasattr(torch.backends, "mha"):
        torch.backends.mha.set_fastpath_enabled(False)
    # torch >= 2.5 has a dynamo exporter (the default in recent releases); these
    # arguments (dynamic_axes, names) are the TorchScript exporter's.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    seq = {} if fixed_length else {1: "sequence"}
    text_args = (ids, mask) if text.with_mask else (ids,)
    text_inputs = ["input_ids", "attention_mask"] if text.with_mask else ["input_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(image, (pixel,), os.path.join(out_dir, "image.onnx"), opset_version=OPSET,
                          do_constant_folding=True, input_names=["pixel_values"], output_names=["image_embeds"],
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}}, **legacy)
        torch.onnx.export(text, text_args, os.path.join(out_dir, "text.onnx"), opset_version=OPSET,
                          do_constant_folding=True, input_names=text_inputs, output_names=["text_embeds"],
                          dynamic_axes={**{n: {0: "batch", **seq} for n in text_inputs}, "text_embeds": {0: "batch"}},
                          **legacy)
    for name in ("image.onnx", "text.onnx"):
        # Towers over 2 GiB would need external data; ViT-B/BERT-base are far below.
        onnx.checker.check_model(os.path.join(out_dir, name))


def check_onnx(out_dir: str, image: ImageTower, text: TextTower, pixel: torch.Tensor, ids: torch.Tensor,
               mask: torch.Tensor | None, min_cosine: float = 0.999) -> None:
    """PyTorch vs onnxruntime on the same inputs: the parity rule of notes/ml.md."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not installed: ONNX parity NOT checked (pip install onnxruntime)", file=sys.stderr)
        return
    with torch.no_grad():
        want_img = image(pixel)
        want_txt = text(ids, mask) if text.with_mask else text(ids)
    sess_i = ort.InferenceSession(os.path.join(out_dir, "image.onnx"), providers=["CPUExecutionProvider"])
    sess_t = ort.InferenceSession(os.path.join(out_dir, "text.onnx"), providers=["CPUExecutionProvider"])
    got_img = torch.from_numpy(sess_i.run(None, {"pixel_values": pixel.numpy()})[0])
    feeds = {"input_ids": ids.numpy()}
    if text.with_mask:
        feeds["attention_mask"] = mask.numpy()
    got_txt = torch.from_numpy(sess_t.run(None, feeds)[0])
    for what, got, want in (("image", got_img, want_img), ("text", got_txt, want_txt)):
        cos = F.cosine_similarity(got, want, dim=-1).min().item()
        print(f"ONNX parity {what}: min cosine {cos:.6f}")
        if cos < min_cosine:
            raise SystemExit(f"{what} tower: ONNX differs from PyTorch (cosine {cos:.6f} < {min_cosine})")


def pad_rows(rows: list[list[int]], max_length: int, pad_id: int, to_max: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The app's rule: keep the first max_length-1 ids and the final special token; pad right."""
    rows = [r if len(r) <= max_length else r[: max_length - 1] + r[-1:] for r in rows]
    width = max_length if to_max else max(len(r) for r in rows)
    ids = torch.tensor([r + [pad_id] * (width - len(r)) for r in rows], dtype=torch.int64)
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], dtype=torch.int64)
    return ids, mask


def check_tokenizer(tokenizer_json: str, reference: torch.Tensor, max_length: int, pad_id: int) -> None:
    """The shipped tokenizer.json, run through the app's truncation/padding rule, must give
    the ids the model's own tokenizer gives for PARITY_TEXTS (`reference`: [n, max_length],
    padded to max_length as open_clip and clip.tokenize pad)."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        print("`tokenizers` not installed: tokenizer parity NOT checked", file=sys.stderr)
        return
    tok = Tokenizer.from_file(tokenizer_json)
    tok.no_truncation()  # apply the app's rule, not the file's
    tok.no_padding()
    ids, _ = pad_rows([tok.encode(t).ids for t in PARITY_TEXTS], max_length, pad_id, True)
    bad = [t for t, a, b in zip(PARITY_TEXTS, ids.tolist(), reference.to(torch.int64).tolist()) if a != b]
    if bad:
        raise SystemExit(f"tokenizer.json does not reproduce the model's tokenizer for: {bad}")
    print(f"tokenizer parity: {len(PARITY_TEXTS)} texts identical")


def write_tokenizer(src: str, out_dir: str, *, max_length: int, pad_id: int, pad_token: str, to_max: bool) -> str:
    with open(src, encoding="utf-8") as f:
        spec = json.load(f)
    spec = presets.set_tokenizer_limits(spec, max_length=max_length, pad_id=pad_id, pad_token=pad_token,
                                                pad_to_max_length=to_max)
    path = os.path.join(out_dir, "tokenizer.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    return path


def write_card(out_dir: str, title: str, body: str) -> None:
    with open(os.path.join(out_dir, "card.md"), "w", encoding="utf-8") as f:
        f.write(f"# {title}\n\n{body.strip()}\n")


def finish_bundle(out_dir: str, **meta) -> str:
    """Hash every file and write manifest.json (after validation against the files)."""
    manifest = bundle_manifest.build_manifest(out_dir, **meta)
    path = bundle_manifest.write_manifest(out_dir, manifest)
    print(f"wrote {path}: {', '.join(manifest['files'])}")
    return path
