/** Typed failures of model loading and inference, each with a message a user can act on. */
export type ModelErrorCode =
  | 'NOT_A_MODEL' // no layout recognises the folder
  | 'BAD_MANIFEST' // manifest/config present but invalid
  | 'MISSING_FILE'
  | 'CHECKSUM_MISMATCH' // a file differs from the manifest's sha256
  | 'BAD_MODEL' // ONNX inputs/outputs/shapes not what the layout says
  | 'UNSUPPORTED_OPSET'
  | 'TOKENIZER_MISMATCH' // tokenizer ids outside the text model's vocabulary
  | 'SESSION_FAILED' // no execution provider could create a session
  | 'BAD_INPUT'; // an image or text the model cannot take

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelError';
    this.code = code;
  }
}
