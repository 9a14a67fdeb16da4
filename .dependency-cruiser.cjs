// `pnpm cycles`: no runtime import cycle in any package. It reads the compiled output (packages/*/dist/src),
// where TypeScript has erased the type-only imports, so only imports that run at load time count.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      severity: 'error',
      comment: 'A module that imports itself through others can see an import before it is initialized.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.d\\.ts$', '\\.map$'] },
    moduleSystems: ['es6'],
  },
};
