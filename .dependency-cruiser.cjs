/**
 * The house rules, checked by `npm run lint` (and so by `npm test`). Type-only imports count:
 * a cycle through types is still a cycle a reader has to untangle.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment:
        'Import cycles: two files that need each other are one idea in two places; move the shared part out.',
      from: { path: '^(functions|infra|schemas)/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'Domain code is plain functions over plain data: no adapters, web or mail rendering, infra, wiring, ' +
        'and no AWS, Lambda, xlsx, zip or mail library. Adapters implement the ports in functions/shared/ports.ts.',
      from: { path: '(^|/)domain/' },
      to: {
        path: [
          '(^|/)(adapters|web|mail|infra)/',
          '^functions/shared/(wiring|storage-wiring|aws-clients|storage-clients|metrics)[.]ts$',
          '^functions/(?!shared/)',
          'node_modules/(@aws-sdk|@smithy|aws-lambda|@types/aws-lambda|@middy|@aws-lambda-powertools|exceljs|jszip|yazl|nodemailer|aws-cdk-lib|constructs|cdk-nag)/',
        ],
      },
    },
    {
      name: 'functions-stand-apart',
      severity: 'error',
      comment: 'A function may use functions/shared/ and its own folder, never another function.',
      from: { path: '^functions/([^/]+)/', pathNot: '^functions/shared/' },
      to: { path: '^functions/', pathNot: ['^functions/$1/', '^functions/shared/'] },
    },
    {
      name: 'shared-serves-functions',
      severity: 'error',
      comment: 'functions/shared/ is what two or more functions share; it must not reach into one of them.',
      from: { path: '^functions/shared/' },
      to: { path: '^functions/(?!shared/)' },
    },
    {
      name: 'schemas-are-leaves',
      severity: 'error',
      comment: 'schemas/ describes data; the functions and infra depend on it, never the other way.',
      from: { path: '^schemas/' },
      to: { path: '^(functions|infra)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
