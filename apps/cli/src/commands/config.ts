import { Command } from 'commander';
import type { TObject, TSchema } from '@sinclair/typebox';
import { ConfigError, loadConfig, printableConfig } from '@atp/nest-kit';
import { formatTable } from '../format';
import { CliError, EXIT, type CliIo } from '../io';
import { SERVICES, serviceByName } from '../services';

/** `config check <service>`: validates a service's configuration from the environment. */
export function configCommand(io: CliIo): Command {
  const config = new Command('config').description('Service configuration');

  config
    .command('check')
    .description('Validate a service\'s configuration from the environment and print it with secrets redacted')
    .argument('<service>', `one of ${SERVICES.map((s) => s.name).join(', ')}`)
    .option('--prefix <prefix>', 'read <prefix>KEY before KEY, as the embedded launcher does (e.g. RISK_)')
    .option('--json', 'print JSON')
    .action((service: string, opts: { prefix?: string; json?: boolean }) => {
      const def = serviceByName(service);
      if (!def) throw new CliError(`unknown service "${service}": use one of ${SERVICES.map((s) => s.name).join(', ')}`, EXIT.usage);
      let values: Record<string, unknown>;
      try {
        values = printableConfig(def.config, loadConfig(def.config, io.env, opts.prefix ?? ''));
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(`${service}: ${e.message}`);
        throw e;
      }
      if (opts.json) {
        io.out(`${JSON.stringify({ service, valid: true, config: values }, null, 2)}\n`);
        return;
      }
      const props = (def.config.schema as TObject).properties as Record<string, TSchema>;
      const rows = Object.keys(props).map((key) => {
        const set = [opts.prefix ? `${opts.prefix}${key}` : undefined, key].find((k) => k !== undefined && io.env[k]?.trim());
        const v = values[key];
        return [key, v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v), set ? `from ${set}` : v === undefined ? 'unset' : 'default'];
      });
      io.out(formatTable(['KEY', 'VALUE', 'SOURCE'], rows));
      io.out(`${service}: configuration is valid\n`);
    });

  return config;
}
