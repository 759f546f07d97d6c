import type { ModelDescription } from '../model-description.js';

/** A model folder format: recognise it, then translate it into a ModelDescription. */
export interface ModelLayout {
  name: string;
  detect(dir: string): Promise<boolean>;
  load(dir: string): Promise<ModelDescription>;
}
