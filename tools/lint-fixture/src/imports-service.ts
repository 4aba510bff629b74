// No lib may import a service.
import { RiskModule } from '@atp/svc-risk';

export const service = RiskModule;
