import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
// Type-only: the CDK app must not load the handlers' runtime code (SDK clients, logger) to synthesize.
import type { Environment } from '../shared/cycle/environment.js';
import { FUNCTION_SPECS, type FunctionRole, type FunctionSpec } from './function-specs.js';

export type { FunctionRole } from './function-specs.js';

/**
 * Variables read by shared/cycle/environment.ts. Typed from its schema so a misspelt name fails `tsc`
 * instead of failing the function at its first cold start.
 */
export type HandlerEnvironment = { [K in keyof Environment]?: string };

/** Powertools' own variables, the same for every function of a deployment stage. */
export const POWERTOOLS_SERVICE_NAME = 'leverage-advisor';

export interface AdvisorFunctionProps {
  /** What the function does in a cycle: its handler is functions/<functionRole>/handler.ts. */
  readonly functionRole: FunctionRole;
  readonly environment: HandlerEnvironment;
  readonly logRetention: RetentionDays;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** POWERTOOLS_METRICS_NAMESPACE: where the function's EMF metrics land. */
  readonly metricsNamespace: string;
  /** Applied to the log group, so that `prod` keeps its logs when the stack goes. */
  readonly removalPolicy: RemovalPolicy;
  readonly reservedConcurrentExecutions?: number;
  /** Defaults to FUNCTION_SPECS[functionRole]. */
  readonly spec?: FunctionSpec;
}

/** Resolved from this file rather than process.cwd(), so synth works from any directory (and from vitest). */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * ESM bundles have no `require`; a CommonJS dependency that calls it (for a Node built-in) would throw
 * "Dynamic require of ... is not supported" at cold start without this shim.
 */
const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const MIME_DB_STUB = fileURLToPath(new URL('./bundling/empty-mime-db.cjs', import.meta.url));

/**
 * One of the advisor's Lambda functions: a NodejsFunction with the project's bundling and runtime
 * defaults (ESM, arm64, the latest Node LTS runtime, minified with source maps), a log group with a
 * bounded retention, and a role of its own that may write to that log group and nothing else until
 * the stack grants it more (no AWSLambdaBasicExecutionRole: it may create any log group anywhere).
 */
export class AdvisorFunction extends NodejsFunction {
  /** Not `role`: NodejsFunction's `role` is its IAM execution role. */
  readonly functionRole: FunctionRole;
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: AdvisorFunctionProps) {
    const spec = props.spec ?? FUNCTION_SPECS[props.functionRole];
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const executionRole = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionRole} function of ${id}`,
    });
    logGroup.grantWrite(executionRole);
    super(scope, id, {
      description: spec.description,
      entry: fileURLToPath(new URL(`../functions/${props.functionRole}/handler.ts`, import.meta.url)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: executionRole,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
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
        // AdvisorError sets `name` from its class: keep class names readable in logs (see FunctionSpec).
        keepNames: spec.keepClassNames,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // --enable-source-maps needs only the mappings, not a copy of every source file.
        sourcesContent: false,
        // Bundle the AWS SDK instead of using the runtime's copy: the functions then run the exact
        // SDK version the tests ran against (package-lock.json), not whatever the runtime ships.
        externalModules: [],
        // 134 KB of MIME types that only multipart uploads consult (infra/bundling/empty-mime-db.cjs).
        esbuildArgs: { '--alias:mime-db': MIME_DB_STUB },
      },
    });
    this.functionRole = props.functionRole;
    this.spec = spec;
  }
}
