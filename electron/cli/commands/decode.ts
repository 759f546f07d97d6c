import { EXIT, type Command } from '../command.js';

export const decodeCommand: Command = {
  name: 'decode',
  summary: '(not built yet)',
  usage: 'radsift decode …',
  async run(_argv, io) {
    io.stderr('radsift decode: not built yet in this version\n');
    return EXIT.FATAL;
  },
};
