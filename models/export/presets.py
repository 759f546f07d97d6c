"""Preprocessing of the published models, expressed as manifest sections and tokenizer.json
limits (pure Python, with the shared manifest module: PYTHONPATH=models/train).

Sources: open_clip src/open_clip/transform.py (PreprocessCfg, image_transform),
rajpurkarlab/CheXzero data_process.py + zero_shot.py, the BiomedCLIP open_clip_config.json.
See docs/model-layouts.md.
"""

from __future__ import annotations

from radsift_train.manifest import image_section

OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

# open_clip resize_mode -> manifest resize. "shortest": Resize(short side) + CenterCrop;
# "longest": ResizeKeepRatio(long side) + CenterCropOrPad(fill_color) = letterbox;
# "squash": Resize((h, w)) ignoring aspect.
_OPENCLIP_RESIZE = {"shortest": "center-crop", "longest": "letterbox", "squash": "stretch"}


def image_from_openclip(preprocess_cfg: dict) -> dict:
    """open_clip.get_model_preprocess_cfg(model) (= Immich's visual/preprocess_cfg.json) ->
    manifest image section. Values are on the 0-1 scale (ToTensor, then Normalize)."""
    size = preprocess_cfg.get("size", 224)
    size = [size, size] if isinstance(size, int) else list(size)
    mode = preprocess_cfg.get("resize_mode", "shortest")
    if mode not in _OPENCLIP_RESIZE:
        raise ValueError(f"unsupported open_clip resize_mode {mode!r}")
    if preprocess_cfg.get("fill_color", 0) != 0 and mode == "longest":
        raise ValueError("letterbox with a non-zero fill colour is not expressible in the manifest")
    interp = preprocess_cfg.get("interpolation", "bicubic")
    # open_clip treats "random" (a training-time option) as bicubic at inference.
    interp = "bilinear" if interp == "bilinear" else "bicubic"
    return image_section(size=size, resize=_OPENCLIP_RESIZE[mode], interpolation=interp, value_range=1,
                         mean=list(preprocess_cfg.get("mean", OPENAI_CLIP_MEAN)),
                         std=list(preprocess_cfg.get("std", OPENAI_CLIP_STD)))


def chexzero_image() -> dict:
    """CheXzero: grayscale; long side to 320 (PIL ANTIALIAS), paste centred on a black
    320x320 canvas; 3 identical channels on the 0-255 scale normalised with the MIMIC-CXR
    statistics; bicubic resize to 224 (torchvision Resize after Normalize; both are linear,
    so doing the resize first is equivalent)."""
    return image_section(size=(224, 224), channels=3, resize="letterbox", resize_to=320, interpolation="bicubic",
                         value_range=255, mean=[101.48761] * 3, std=[83.43944] * 3)


BIOMEDCLIP_ID = "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224"


def biomedclip_image() -> dict:
    """BiomedCLIP's open_clip_config.json sets only mean/std (OpenAI's); open_clip's
    defaults supply 224, bicubic, resize_mode "shortest" (resize + centre crop)."""
    return image_from_openclip({"size": 224, "mean": OPENAI_CLIP_MEAN, "std": OPENAI_CLIP_STD,
                                "interpolation": "bicubic", "resize_mode": "shortest"})


def set_tokenizer_limits(tokenizer_json: dict, *, max_length: int, pad_id: int, pad_token: str,
                         pad_to_max_length: bool) -> dict:
    """Record the model's truncation and padding in tokenizer.json's standard blocks (as the
    Rust `tokenizers` crate writes them). @huggingface/tokenizers ignores both, so the app
    applies them itself, but this keeps the pad id with the tokenizer: the manifest's `padId` is
    optional (the app then reads it from here), and some towers (open_clip HF-text towers) derive
    their mask from it."""
    out = dict(tokenizer_json)
    out["truncation"] = {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst", "stride": 0}
    out["padding"] = {
        "strategy": {"Fixed": max_length} if pad_to_max_length else "BatchLongest",
        "direction": "Right", "pad_to_multiple_of": None, "pad_id": pad_id, "pad_type_id": 0, "pad_token": pad_token,
    }
    return out
