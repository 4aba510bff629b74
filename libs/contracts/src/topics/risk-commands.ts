import { Type } from '@sinclair/typebox';
import { defineTopic, retention } from '../contract';
import { eventSchema, NonEmpty } from '../common';

/** EngageKillSwitch / ReleaseKillSwitch / ChangeLimit: from the gateway or CLI to risk. */
export const RiskCommandEvent = eventSchema(
  'RiskCommandEvent',
  {
    commandId: NonEmpty(),
    kind: Type.Union([Type.Literal('kill-switch-on'), Type.Literal('kill-switch-off'), Type.Literal('set-limit')]),
    limit: Type.Optional(NonEmpty('limit name, e.g. maxPositionNotional')),
    value: Type.Optional(NonEmpty('new value as a decimal string')),
    reason: NonEmpty(),
    actor: NonEmpty(),
  },
  'A risk command.',
);

export const riskCommandsV1 = defineTopic({
  name: 'risk.commands.v1',
  version: 1,
  schema: RiskCommandEvent,
  description: 'Kill switch and limit changes to risk.',
  partitions: 1,
  retentionMs: retention.forever,
  key: () => 'risk',
  keyDoc: '"risk" (constant)',
});
