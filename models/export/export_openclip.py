#!/usr/bin/env python3
"""Export an OpenCLIP model (any name/pretrained tag open_clip knows) as a RadSift bundle.

    pip install open_clip_torch onnx onnxruntime transformers huggingface_hub jsonschema
    PYTHONPATH=models/train python models/export/export_openclip.py --model ViT-B-32 --pretrained laion2b_s34b_b79k \\
        --out models/vit-b-32-laion2b --licence MIT

Writes image.onnx, text.onnx (both returning L2-normalised embeddings), tokenizer.json,
card.md and manifest.json with the preprocessing open_clip itself uses for the model
(open_clip.get_model_preprocess_cfg). The text tower takes input_ids padded to the context
length exactly as open_clip pads them (pad id recorded in tokenizer.json's "padding").
Tokenizers: models with a Hugging Face tokenizer ship it; models with OpenAI's CLIP BPE
(open_clip's SimpleTokenizer) ship openai/clip-vit-base-patch32's tokenizer.json, as Immich
does, and the export checks it reproduces open_clip's ids.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile

import torch

import export_common as ec  # noqa: E402
import presets  # noqa: E402
from radsift_train.manifest import text_section  # noqa: E402

CLIP_BPE_REPO = "openai/clip-vit-base-patch32"


def load_openclip(name: str, pretrained: str | None):
    import open_clip

    model = open_clip.create_model(name, pretrained=pretrained).eval()
    return model, open_clip.get_tokenizer(name), open_clip.get_model_preprocess_cfg(model)


def tokenizer_source(tok, tmpdir: str) -> dict:
    """-> {path, pad_id, pad_token, lowercase} for open_clip's tokenizer object."""
    clean = getattr(getattr(tok, "clean_fn", None), "__name__", "")
    if "canonical" in clean:  # e.g. SigLIP: strips punctuation; the app's loader cannot
        raise SystemExit("this model's tokenizer canonicalises text (clean='canonicalize'); not supported")
    if getattr(tok, "strip_sep_token", False) or getattr(tok, "tokenizer_mode", ""):
        raise SystemExit("this model's tokenizer post-processes ids (strip_sep_token / tokenizer_mode); not supported")
    hf = getattr(tok, "tokenizer", None)
    if hf is not None and hasattr(hf, "save_pretrained"):  # open_clip.HFTokenizer
        hf.save_pretrained(tmpdir)
        path = os.path.join(tmpdir, "tokenizer.json")
        if not os.path.exists(path):
            raise SystemExit(f"{hf.name_or_path} has no fast tokenizer (tokenizer.json); not supported")
        pad_id = hf.pad_token_id if hf.pad_token_id is not None else 0
        return {"path": path, "pad_id": pad_id, "pad_token": hf.convert_ids_to_tokens(pad_id),
                "lowercase": bool(getattr(hf, "do_lower_case", False)) or "lower" in clean}
    from huggingface_hub import hf_hub_download

    # SimpleTokenizer: OpenAI's BPE; open_clip pads with 0, which is "!" in that vocabulary.
    return {"path": hf_hub_download(CLIP_BPE_REPO, "tokenizer.json"), "pad_id": 0, "pad_token": "!",
            "lowercase": True}


def openclip_text(model) -> ec.TextTower:
    """open_clip's own encode_text on padded ids (its HF text towers derive the mask from
    the pad id). ids become int32 inside the graph: CLIP pools at ids.argmax(), and
    onnxruntime's ArgMax lacks an int64 kernel in older releases (why HF and Immich cast too)."""
    return ec.TextTower(model, lambda m, ids: m.encode_text(ids.to(torch.int32)), with_mask=False)


def export_bundle(model, tok, out: str, *, text_tower: ec.TextTower, pad_to_max: bool,
                  image: dict, meta: dict, card: str, skip_checks: bool) -> None:
    os.makedirs(out, exist_ok=True)
    max_length = tok.context_length
    with tempfile.TemporaryDirectory() as tmp:
        src = tokenizer_source(tok, tmp)
        tok_path = ec.write_tokenizer(src["path"], out, max_length=max_length, pad_id=src["pad_id"],
                                      pad_token=src["pad_token"], to_max=pad_to_max)
    ids = tok(ec.PARITY_TEXTS).long()  # open_clip's own ids, padded to the context length
    # A masked tower gets the mask open_clip's HFTextEncoder derives itself: ids != pad id.
    mask = (ids != src["pad_id"]).long() if text_tower.with_mask else None
    h, w = image["size"]
    pixel = torch.randn(2, 3, h, w, generator=torch.Generator().manual_seed(0))
    image_tower = ec.ImageTower(model, lambda m, x: m.encode_image(x))
    ec.export_towers(out, image_tower, text_tower, pixel, ids, mask, fixed_length=pad_to_max)
    if not skip_checks:
        ec.check_tokenizer(tok_path, ids, max_length, src["pad_id"])
        ec.check_onnx(out, image_tower, text_tower, pixel, ids, mask)
    with torch.no_grad():
        dim = image_tower(pixel[:1]).shape[-1]
    ec.write_card(out, meta["name"], card)
    ec.finish_bundle(
        out, embedding_dim=dim, logit_scale=float(model.logit_scale.exp()), image=image,
        text=text_section(max_length=max_length, pad_to_max_length=pad_to_max, lowercase=src["lowercase"],
                          mask="attention_mask" if text_tower.with_mask else None),
        **meta)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="open_clip model name, e.g. ViT-B-32 or hf-hub:org/repo")
    p.add_argument("--pretrained", default=None, help="open_clip pretrained tag, e.g. laion2b_s34b_b79k")
    p.add_argument("--licence", required=True, help="licence of the weights (see the model card)")
    p.add_argument("--id", help="bundle id (default: derived from model and tag)")
    ec.add_common_args(p)
    a = p.parse_args()
    model, tok, pcfg = load_openclip(a.model, a.pretrained)
    bundle_id = a.id or re.sub(r"[^a-z0-9._-]+", "-", f"{a.model}-{a.pretrained or ''}".lower()).strip("-.")[:64]
    name = f"OpenCLIP {a.model}" + (f" ({a.pretrained})" if a.pretrained else "")
    export_bundle(
        model, tok, a.out, text_tower=openclip_text(model), pad_to_max=True,
        image=presets.image_from_openclip(pcfg), skip_checks=a.skip_checks,
        meta={"id": bundle_id, "name": name, "version": a.version, "licence": a.licence,
              "intended_use": ec.INTENDED_USE, "trained_on_synthetic_data": False,
              "provenance": {"source": "open_clip", "model": a.model, "pretrained": a.pretrained,
                             "preprocessCfg": pcfg, "exporter": "models/export/export_openclip.py"}},
        card=f"OpenCLIP `{a.model}` / `{a.pretrained}`, exported with models/export/export_openclip.py.\n\n"
             "General-domain weights: not trained on radiographs. See the upstream model card for training "
             "data, metrics and limits.")


if __name__ == "__main__":
    main()
