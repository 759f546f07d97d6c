#!/usr/bin/env python3
"""Export CheXzero checkpoints (rajpurkarlab/CheXzero) as RadSift bundles, one per checkpoint.

    pip install git+https://github.com/openai/CLIP.git onnx onnxruntime tokenizers huggingface_hub jsonschema
    PYTHONPATH=models/train python models/export/export_chexzero.py --out-root models \\
        --checkpoint best_64_5e-05_original_22000_0.864.pt [--checkpoint more.pt ...]

A CheXzero checkpoint is the state_dict of OpenAI CLIP ViT-B/32 fine-tuned on MIMIC-CXR
(zero_shot.py: clip.load("ViT-B/32") then load_state_dict). Preprocessing (data_process.py,
zero_shot.py): grayscale, long side to 320, centred on a black 320x320 canvas, values on
the 0-255 scale normalised with mean 101.48761 / std 83.43944 on all 3 channels, bicubic
to 224. Text: CLIP BPE, 77 tokens, zero padding (clip.tokenize).
Zero-shot rule (zero_shot.py run_softmax_eval): for label L embed "L" and "no L";
p = exp(cos_pos) / (exp(cos_pos) + exp(cos_neg)) on *unscaled* cosines, averaged over the
ensemble's checkpoints. Hence logitScale 1 in the manifest (the learned CLIP scale is kept
in provenance) and all bundles of one run share provenance.ensemble so the app can average.
"""

from __future__ import annotations

import argparse
import os
import re

import torch

import export_common as ec  # noqa: E402
import presets  # noqa: E402
from radsift_train.manifest import sha256_file, text_section  # noqa: E402

CONTEXT = 77


def load_checkpoint(path: str):
    import clip

    model, _ = clip.load("ViT-B/32", device="cpu", jit=False)
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model.float().eval()


def export_one(ckpt: str, out: str, members: list[str], version: str, skip_checks: bool) -> None:
    import clip
    from huggingface_hub import hf_hub_download

    model = load_checkpoint(ckpt)
    os.makedirs(out, exist_ok=True)
    tok_path = ec.write_tokenizer(hf_hub_download("openai/clip-vit-base-patch32", "tokenizer.json"), out,
                                  max_length=CONTEXT, pad_id=0, pad_token="!", to_max=True)
    ids = clip.tokenize(ec.PARITY_TEXTS, context_length=CONTEXT, truncate=True).long()
    pixel = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    image = ec.ImageTower(model, lambda m, x: m.encode_image(x))
    # int32 ids inside the graph: CLIP pools at ids.argmax() (see export_openclip.openclip_text).
    text = ec.TextTower(model, lambda m, t: m.encode_text(t.to(torch.int32)), with_mask=False)
    ec.export_towers(out, image, text, pixel, ids, None, fixed_length=True)
    if not skip_checks:
        ec.check_tokenizer(tok_path, ids, CONTEXT, 0)
        ec.check_onnx(out, image, text, pixel, ids, None)
    with torch.no_grad():
        dim = image(pixel[:1]).shape[-1]
    digest, size = sha256_file(ckpt)
    ec.write_card(out, f"CheXzero ({os.path.basename(ckpt)})", CARD)
    ec.finish_bundle(
        out, id=os.path.basename(out), name=f"CheXzero ViT-B/32 ({os.path.basename(ckpt)})", version=version,
        licence="MIT (CheXzero code and weights); weights derived from MIMIC-CXR (PhysioNet credentialed licence)",
        intended_use=ec.INTENDED_USE, trained_on_synthetic_data=False, embedding_dim=dim, logit_scale=1.0,
        provenance={"source": "https://github.com/rajpurkarlab/CheXzero", "paper": "Tiu et al., Nat. Biomed. Eng. 2022",
                    "trainingData": "MIMIC-CXR images + report impressions", "checkpoint": os.path.basename(ckpt),
                    "checkpointSha256": digest, "checkpointBytes": size,
                    "learnedLogitScale": float(model.logit_scale.exp()),
                    "zeroShot": "softmax over unscaled cosines of '<label>' and 'no <label>', mean over ensemble",
                    "ensemble": {"group": "chexzero", "members": members},
                    "exporter": "models/export/export_chexzero.py"},
        image=presets.chexzero_image(),
        text=text_section(max_length=CONTEXT, pad_to_max_length=True, lowercase=True, negation_template="no {}"))


CARD = """
CheXzero (Tiu et al., "Expert-level detection of pathologies from unannotated chest X-ray images via
self-supervised learning", Nat. Biomed. Eng. 2022): OpenAI CLIP ViT-B/32 fine-tuned on MIMIC-CXR
images and report impressions. Reported mean AUC 0.889 on the five CheXpert competition findings
with the ensemble of checkpoints. Exported with models/export/export_chexzero.py.

Zero-shot scoring uses the pair "<label>" / "no <label>" on unscaled cosine similarities. "No Finding"
with the naive template scores poorly (AUC 0.07 in the paper's table): use a dedicated prompt pair.
Not trained with patch-aligned features: no grounding heatmaps. Research use only; not for clinical decisions.
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", action="append", required=True, help="CheXzero .pt state_dict (repeatable)")
    p.add_argument("--out-root", required=True, help="folder receiving one bundle per checkpoint")
    p.add_argument("--version", default="1")
    p.add_argument("--skip-checks", action="store_true")
    a = p.parse_args()

    ids: list[str] = []
    for ckpt in a.checkpoint:
        stem = re.sub(r"[^a-z0-9._-]+", "-", os.path.splitext(os.path.basename(ckpt))[0].lower())
        bid = f"chexzero-{stem}"[:60].rstrip("-.")
        ids.append(bid if bid not in ids else f"{bid[:58]}-{len(ids)}")  # stems may collide
    for ckpt, bid in zip(a.checkpoint, ids):
        export_one(ckpt, os.path.join(a.out_root, bid), ids, a.version, a.skip_checks)


if __name__ == "__main__":
    main()
