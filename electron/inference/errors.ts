/** Typed failures of model loading and inference, each with a message a user can act on. */
import { CodedError } from '../util/coded-error.js';

export type ModelErrorCode =
  | 'NOT_A_MODEL' // no layout recognises the folder
  | 'BAD_MANIFEST' // manifest/config present but invalid
  | 'MISSING_FILE'
  | 'CHECKSUM_MISMATCH' // a file differs from the manifest's sha256
  | 'BAD_MODEL' // ONNX inputs/outputs/shapes not what the layout says
  | 'UNSUPPORTED_OPSET'
  | 'TOKENIZER_MISMATCH' // tokenizer ids outside the text model's vocabulary
  | 'SESSION_FAILED' // no execution provider could create a session
  | 'CHANGED_WHILE_LOADING' // a file was written between its digest and the sessions' reading it
  | 'MODEL_CHANGED' // another model was loaded while a run encoded with this one
  | 'BAD_INPUT'; // an image or text the model cannot take

export class ModelError extends CodedError<ModelErrorCode> {}
