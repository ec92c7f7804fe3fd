import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
// Type-only: the CDK app must not load the handlers' runtime code (SDK clients, logger) to synthesize.
import type { Environment } from '../shared/cycle/deps.js';

/** The handlers live in functions/<name>/handler.ts, each exporting `handler`. */
export type HandlerName = 'ingest' | 'compute' | 'publish' | 'api';

/**
 * Variables read by shared/cycle/deps.ts. Typed from its schema so a misspelt name fails `tsc`
 * instead of failing the function at its first cold start.
 */
export type HandlerEnvironment = { [K in keyof Environment]?: string };

export interface AdvisorFunctionProps {
  readonly handlerName: HandlerName;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: HandlerEnvironment;
  /** Applied to the function's log group, so that `prod` keeps its logs when the stack goes. */
  readonly removalPolicy: RemovalPolicy;
}

/** Resolved from this file rather than process.cwd(), so synth works from any directory (and from vitest). */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * ESM bundles have no `require`; a CommonJS dependency that calls it (for a Node built-in) would throw
 * "Dynamic require of ... is not supported" at cold start without this shim.
 */
const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * One of the advisor's Lambda functions: a NodejsFunction with the project's bundling and runtime
 * defaults (ESM, arm64, Node 22, source maps) and a log group with a bounded retention.
 */
export class AdvisorFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AdvisorFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    super(scope, id, {
      entry: fileURLToPath(new URL(`../functions/${props.handlerName}/handler.ts`, import.meta.url)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'leverage-advisor',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Stack traces point at the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.environment as Record<string, string>),
      },
      bundling: {
        format: OutputFormat.ESM,
        // Prefer packages' ESM builds: they tree-shake better than their CommonJS ones.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        minify: true,
        // AdvisorError sets `name` from its class: keep class names readable in logs and API errors.
        keepNames: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // --enable-source-maps needs only the mappings, not a copy of every source file.
        sourcesContent: false,
        // Bundle the AWS SDK instead of using the runtime's copy: the functions then run the exact
        // SDK version the tests ran against (package-lock.json), not whatever the runtime ships.
        externalModules: [],
      },
    });
  }
}
