#!/usr/bin/env python3
"""Export BiomedCLIP (microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224) as a RadSift bundle.

    pip install open_clip_torch transformers onnx onnxruntime huggingface_hub jsonschema
    PYTHONPATH=models/train python models/export/export_biomedclip.py --out models/biomedclip

BiomedCLIP is an open_clip model: timm ViT-B/16 at 224 (bicubic resize + centre crop,
OpenAI CLIP mean/std) and BiomedBERT (uncased WordPiece, 256 tokens) pooled at [CLS]
(cls_last_hidden_state_pooler) through an MLP projection, 512-d. open_clip derives the
text mask from the ids (ids != [PAD]); the exported text tower takes it as an explicit
attention_mask so the app can pad to the longest phrase instead of 256 tokens.
MIT licence; the model card restricts it to research use.
"""

from __future__ import annotations

import argparse

import export_common as ec  # noqa: E402
import presets  # noqa: E402
from export_openclip import export_bundle, load_openclip  # noqa: E402


def bert_text(model) -> ec.TextTower:
    """open_clip HFTextEncoder.forward with the mask as an input instead of ids != pad."""

    def encode(m, input_ids, attention_mask):
        out = m.text.transformer(input_ids=input_ids, attention_mask=attention_mask)
        return m.text.proj(m.text.pooler(out, attention_mask))

    return ec.TextTower(model, encode, with_mask=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ec.add_common_args(p)
    a = p.parse_args()
    model, tok, pcfg = load_openclip(presets.BIOMEDCLIP_ID, None)
    image = presets.biomedclip_image()
    derived = presets.image_from_openclip(pcfg)
    if derived != image:  # the hub config changed since this script was written: trust open_clip
        print(f"warning: open_clip's preprocessing {derived} differs from the documented one; using open_clip's")
        image = derived
    export_bundle(
        model, tok, a.out, text_tower=bert_text(model), pad_to_max=False, image=image,
        skip_checks=a.skip_checks,
        meta={"id": "biomedclip-pubmedbert-256-vit-b16", "name": "BiomedCLIP PubMedBERT_256 ViT-B/16",
              "version": a.version, "licence": "MIT (model card: research use only)",
              "intended_use": ec.INTENDED_USE, "trained_on_synthetic_data": False,
              "provenance": {"source": "https://huggingface.co/microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224",
                             "paper": "arXiv:2303.00915", "trainingData": "PMC-15M (figure-caption pairs from PubMed Central)",
                             "preprocessCfg": pcfg, "exporter": "models/export/export_biomedclip.py"}},
        card="BiomedCLIP (Zhang et al., arXiv:2303.00915), pretrained on PMC-15M figure-caption pairs; "
             "exported with models/export/export_biomedclip.py.\n\n"
             "Not trained with patch-aligned features: no grounding heatmaps. Centre-crop preprocessing cuts "
             "the sides of non-square radiographs, as in training. Research use only; not for clinical decisions.")


if __name__ == "__main__":
    main()
