import type { ServiceDefinition } from '@atp/nest-kit';
import { executionService } from '@atp/svc-execution';
import { featuresService } from '@atp/svc-features';
import { gatewayService } from '@atp/svc-gateway';
import { marketFeedService } from '@atp/svc-market-feed';
import { mlInferenceService } from '@atp/svc-ml-inference';
import { otcQuotesService } from '@atp/svc-otc-quotes';
import { pnlService } from '@atp/svc-pnl';
import { riskService } from '@atp/svc-risk';
import { strategyService } from '@atp/svc-strategy';

/** The services whose configuration `config check` validates. */
export const SERVICES: readonly ServiceDefinition<never>[] = [
  marketFeedService, otcQuotesService, featuresService, mlInferenceService, strategyService, riskService, executionService, pnlService, gatewayService,
] as unknown as readonly ServiceDefinition<never>[];

export function serviceByName(name: string): ServiceDefinition<never> | undefined {
  return SERVICES.find((s) => s.name === name);
}
