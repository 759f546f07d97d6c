"""Smoke test of the torch half of the exporters with stand-ins for open_clip's objects
(open_clip, clip and the network are unavailable here): the bundle they write must have
the documented tensor contract and a manifest that validates. Skipped without torch/onnx.
The numerical parity checks need onnxruntime, so they run only where a user exports.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import types
import unittest

try:
    import onnx
    import torch
    from torch import nn
except ImportError:  # pragma: no cover - the exporters' own environment always has them
    torch = None

VOCAB, CONTEXT, SOT, EOT, PAD = 100, 16, 98, 99, 0


if torch is not None:

    class FakeClip(nn.Module):
        """encode_image / encode_text / logit_scale / .text like open_clip's models."""

        def __init__(self):
            super().__init__()
            self.img = nn.Linear(3 * 4 * 4, 8)
            self.emb = nn.Embedding(VOCAB, 8)
            self.txt = nn.Linear(8, 8, bias=False)
            self.logit_scale = nn.Parameter(torch.tensor(4.6052))  # ln(100)
            self.text = types.SimpleNamespace(  # open_clip HFTextEncoder's attributes
                transformer=lambda input_ids, attention_mask: types.SimpleNamespace(
                    last_hidden_state=self.emb(input_ids) * attention_mask[..., None]),
                pooler=lambda out, mask: out.last_hidden_state[:, 0],
                proj=self.txt)

        def encode_image(self, x):
            return self.img(nn.functional.adaptive_avg_pool2d(x, 4).flatten(1))

        def encode_text(self, ids):
            x = self.emb(ids.long())
            return self.txt(x[torch.arange(x.shape[0]), ids.argmax(dim=-1)])

    class FakeTokenizer:
        """open_clip HFTokenizer-like: callable -> [n, context] padded ids; .tokenizer saves files."""

        context_length = CONTEXT

        def __init__(self):
            self.tokenizer = types.SimpleNamespace(
                save_pretrained=self._save, pad_token_id=PAD, do_lower_case=True, name_or_path="fake",
                convert_ids_to_tokens=lambda i: "[PAD]")

        @staticmethod
        def _save(d):
            with open(os.path.join(d, "tokenizer.json"), "w") as f:
                json.dump({"version": "1.0", "truncation": None, "padding": None, "model": {"type": "WordLevel"}}, f)

        def __call__(self, texts):
            rows = [[SOT] + [5 + sum(map(ord, w)) % 90 for w in t.lower().split()][: CONTEXT - 2] + [EOT] for t in texts]
            return torch.tensor([r + [PAD] * (CONTEXT - len(r)) for r in rows])


def _shape(value_info) -> list:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


@unittest.skipIf(torch is None, "torch/onnx not installed")
class ExportSmoke(unittest.TestCase):
    def export(self, tower_kind: str) -> tuple[str, dict]:
        import export_biomedclip
        import export_openclip
        import presets

        model = FakeClip().eval()
        pcfg = {"size": [32, 32], "mean": [0.5] * 3, "std": [0.25] * 3, "interpolation": "bicubic",
                "resize_mode": "longest", "fill_color": 0}
        tower, to_max = ((export_openclip.openclip_text(model), True) if tower_kind == "causal"
                         else (export_biomedclip.bert_text(model), False))
        out = os.path.join(self.tmp.name, tower_kind)
        with contextlib.redirect_stdout(io.StringIO()):
            export_openclip.export_bundle(
                    model, FakeTokenizer(), out, text_tower=tower, pad_to_max=to_max,
                image=presets.image_from_openclip(pcfg), skip_checks=True, card="test card",
                meta={"id": f"fake-{tower_kind}", "name": "Fake", "version": "0", "licence": "MIT",
                      "intended_use": "tests", "trained_on_synthetic_data": True, "provenance": {}})
        with open(os.path.join(out, "manifest.json")) as f:
            return out, json.load(f)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_causal_tower_bundle(self):
        out, m = self.export("causal")
        self.assertEqual(sorted(m["files"]), ["card.md", "image.onnx", "text.onnx", "tokenizer.json"])
        self.assertEqual((m["embeddingDim"], round(m["logitScale"])), (8, 100))
        self.assertEqual((m["image"]["resize"], m["image"]["size"]), ("letterbox", [32, 32]))
        self.assertEqual(m["text"]["inputs"], {"ids": "input_ids", "mask": None})
        self.assertEqual((m["text"]["maxLength"], m["text"]["padToMaxLength"]), (CONTEXT, True))
        text = onnx.load(os.path.join(out, "text.onnx"))
        self.assertEqual(text.opset_import[0].version, 17)
        self.assertEqual([(i.name, _shape(i)) for i in text.graph.input], [("input_ids", ["batch", CONTEXT])])
        self.assertEqual(text.graph.input[0].type.tensor_type.elem_type, onnx.TensorProto.INT64)
        self.assertEqual([o.name for o in text.graph.output], ["text_embeds"])
        image = onnx.load(os.path.join(out, "image.onnx"))
        self.assertEqual([(i.name, _shape(i)) for i in image.graph.input], [("pixel_values", ["batch", 3, 32, 32])])
        self.assertEqual([o.name for o in image.graph.output], ["image_embeds"])
        with open(os.path.join(out, "tokenizer.json")) as f:
            tok = json.load(f)
        self.assertEqual((tok["padding"]["pad_id"], tok["padding"]["strategy"]), (PAD, {"Fixed": CONTEXT}))

    def test_masked_tower_bundle(self):
        out, m = self.export("masked")
        self.assertEqual(m["text"]["inputs"], {"ids": "input_ids", "mask": "attention_mask"})
        self.assertFalse(m["text"]["padToMaxLength"])
        text = onnx.load(os.path.join(out, "text.onnx"))
        self.assertEqual([(i.name, _shape(i)) for i in text.graph.input],
                         [("input_ids", ["batch", "sequence"]), ("attention_mask", ["batch", "sequence"])])


if __name__ == "__main__":
    unittest.main()
