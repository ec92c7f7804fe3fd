import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../shared/store/table.js';
import type { FunctionSpec } from '../function-specs.js';

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

function attribute(key: { readonly name: string; readonly type: keyof typeof ATTRIBUTE_TYPES }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

export interface AdvisorTableProps {
  /** Keep the table (and refuse its deletion) when the stack goes. */
  readonly retainData: boolean;
  readonly pointInTimeRecovery: boolean;
}

/**
 * The single table, from the key schema in shared/store/table.ts (the same definition the local
 * runtime creates its table from): on demand, encrypted, TTL on expiring items, PITR per stage.
 */
export class AdvisorTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AdvisorTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(TABLE_DEFINITION.partitionKey),
      sortKey: attribute(TABLE_DEFINITION.sortKey),
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        sortKey: attribute(gsi.sortKey),
        // As createTableInput() does locally: queries on the index read whole items.
        projectionType: ProjectionType.ALL,
      });
    }
    if (!props.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'Point-in-time recovery is off by stage configuration: a disposable stage whose data the next cycles re-derive',
      });
    }
  }

  /**
   * Grants exactly a function's declared actions (FUNCTION_SPECS, held to what its code sends by
   * test/integration/iam-actions.test.ts): `tableActions` on the table, `indexActions` on its named
   * indexes (never `index/*`), so no function holds an action its code does not call.
   */
  grantActions(grantee: IGrantable, spec: Pick<FunctionSpec, 'tableActions' | 'indexActions'>): void {
    const principal = grantee.grantPrincipal;
    if (spec.tableActions.length > 0) {
      principal.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: spec.tableActions.map((a) => `dynamodb:${a}`), resources: [this.table.tableArn] }),
      );
    }
    if (spec.indexActions.length > 0) {
      principal.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: spec.indexActions.map((a) => `dynamodb:${a}`),
          resources: TABLE_DEFINITION.globalSecondaryIndexes.map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`),
        }),
      );
    }
  }
}
