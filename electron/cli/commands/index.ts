import type { Command } from '../command.js';
import { decodeCommand } from './decode.js';
import { demoCommand } from './demo.js';
import { infoCommand } from './info.js';
import { embedCommand } from './embed.js';
import { evalCommand } from './eval.js';
import { evalLanguageCommand } from './eval-language.js';
import { matrixCommand } from './matrix.js';
import { modelsCommand } from './models.js';
import { pacsCommand } from './pacs.js';
import { queryCommand } from './query.js';
import { screenCommand } from './screen.js';

/** Every subcommand, in the order `radsift help` lists them. */
export const COMMANDS: readonly Command[] = [
  infoCommand,
  decodeCommand,
  demoCommand,
  modelsCommand,
  embedCommand,
  queryCommand,
  matrixCommand,
  screenCommand,
  evalCommand,
  evalLanguageCommand,
  pacsCommand,
];
