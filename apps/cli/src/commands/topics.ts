import { Command, Option } from 'commander';
import { createBus, jsonStderrLogger, type Bus, type BusLogger } from '@atp/bus';
import { ALL_TOPICS, dlqTopicName, topicName } from '@atp/contracts';
import { formatRetention, formatTable } from '../format';
import { CliError, EXIT, type CliIo } from '../io';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;

function runIdOption(): Option {
  return new Option('--run-id <id>', 'replay/backtest run: physical topics are run.<id>.<topic>').argParser((v) => {
    if (!RUN_ID.test(v)) throw new CliError(`--run-id must be 1-64 characters of [A-Za-z0-9_-] (got "${v}")`, EXIT.usage);
    return v;
  });
}

/** `topics list` and `topics create`: the Kafka topics of libs/contracts. */
export function topicsCommand(io: CliIo): Command {
  const topics = new Command('topics').description('Kafka topics defined by the contracts (libs/contracts)');

  topics
    .command('list')
    .description('List every topic: name, partitions, retention and message key')
    .addOption(runIdOption())
    .option('--json', 'print JSON instead of a table')
    .action((opts: { runId?: string; json?: boolean }) => {
      const rows = ALL_TOPICS.map((t) => ({
        topic: topicName(t, opts.runId),
        partitions: t.partitions,
        retention: formatRetention(t.retentionMs),
        retentionMs: t.retentionMs,
        key: t.keyDoc,
        dlq: dlqTopicName(topicName(t, opts.runId)),
        description: t.description,
      }));
      if (opts.json) {
        io.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      io.out(formatTable(['TOPIC', 'PARTITIONS', 'RETENTION', 'KEY'], rows.map((r) => [r.topic, String(r.partitions), r.retention, r.key])));
      io.out(`${rows.length} topics, each with a dead-letter topic <topic>.dlq\n`);
    });

  topics
    .command('create')
    .description('Create every topic and its .dlq on Kafka (idempotent), with the contracts\' partitions and retention')
    .addOption(runIdOption())
    .option('--brokers <host:port,...>', 'Kafka bootstrap servers (default: $KAFKA_BROKERS)')
    .addOption(new Option('--timeout <ms>', 'give up when no broker answers within this').default('15000'))
    .option('--verbose', 'show the Kafka client\'s own log records (JSON on stderr)')
    .action(async (opts: { runId?: string; brokers?: string; timeout: string; verbose?: boolean }) => {
      const raw = opts.brokers ?? io.env['KAFKA_BROKERS'];
      if (!raw?.trim()) throw new CliError('no Kafka brokers: pass --brokers host:port[,host:port] or set KAFKA_BROKERS', EXIT.usage);
      const brokers = raw.split(',').map((b) => b.trim()).filter(Boolean);
      const bad = brokers.find((b) => !HOST_PORT.test(b));
      if (bad !== undefined) throw new CliError(`--brokers / KAFKA_BROKERS must be a comma-separated list of host:port (got "${bad}")`, EXIT.usage);
      const timeout = Number(opts.timeout);
      if (!Number.isInteger(timeout) || timeout < 100) throw new CliError(`--timeout must be an integer >= 100 (got "${opts.timeout}")`, EXIT.usage);

      let bus: Bus;
      try {
        // The client's retry chatter is noise for a one-shot command: the outcome is one line.
        const logger: BusLogger = opts.verbose ? jsonStderrLogger('info') : () => undefined;
        bus = await createBus({ kind: 'kafka', brokers, clientId: 'atp-cli', connectDeadlineMs: timeout, logger, logLevel: opts.verbose ? 'info' : 'error' });
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      try {
        await bus.ensureTopics(ALL_TOPICS, opts.runId);
      } catch (e) {
        throw new CliError(`creating topics failed: ${(e as Error).message}`);
      } finally {
        await bus.close();
      }
      const names = ALL_TOPICS.map((t) => topicName(t, opts.runId));
      io.out(`${names.map((n) => `${n}\n${dlqTopicName(n)}\n`).join('')}ensured ${names.length * 2} topics (${names.length} + dead-letter) on ${brokers.join(',')}\n`);
    });

  return topics;
}
