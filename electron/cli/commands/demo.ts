import { EXIT, type Command } from '../command.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: '(not built yet)',
  usage: 'radsift demo …',
  async run(_argv, io) {
    io.stderr('radsift demo: not built yet in this version\n');
    return EXIT.FATAL;
  },
};
