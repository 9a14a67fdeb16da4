// `pnpm demo`: run the compiled demo (packages/demo/src/main.ts). Built by `tsc -b` first.
import { main } from '../packages/demo/dist/src/main.js';

process.exitCode = await main();
