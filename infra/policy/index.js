// The policy pack's entry point (`pulumi preview --policy-pack infra/policy`). Plain JavaScript so
// that it loads the same way whatever the CLI's TypeScript handling: it registers tsx, then loads
// the TypeScript pack.
require("tsx/cjs/api").register();
require("./pack");
