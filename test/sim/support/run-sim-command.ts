/** Runs `gtc sim` alone in a child process (the command as main.ts registers it). */
import { simCommand } from '../../../src/cli/commands/sim.ts';

await simCommand().parseAsync(process.argv);
