import { EXIT, type Command } from '../command.js';

export const infoCommand: Command = {
  name: 'info',
  summary: '(not built yet)',
  usage: 'radsift info …',
  async run(_argv, io) {
    io.stderr('radsift info: not built yet in this version\n');
    return EXIT.FATAL;
  },
};
