import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import path from 'node:path';
import { SETTINGS_TOKEN, type Settings } from '../../../config/index.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { IngestService } from '../../ingest.service.js';
import { mqttRecord } from './mqtt-record.js';
import { DeliveryLedger } from './delivery-ledger.js';

const MIN_RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 60_000;

function payloadOf(packet: IPublishPacket): Buffer {
  return Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
}

/**
 * Subscribes to the configured topics with QoS 1 and acknowledges each message only once its
 * event is durable (or, with TAISHI_INGEST_ACK=journal, the message is in the ingest journal):
 * a crash before that makes the broker deliver it again, and the delivery
 * ledger gives the redelivery its first receive time, so its event gets the same id and is
 * stored once. Reconnects with exponential backoff.
 */
@Injectable()
export class MqttCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MQTT');
  private client: MqttClient | undefined;
  private reconnectMs = MIN_RECONNECT_MS;
  private ledger: DeliveryLedger | undefined;
  private readonly connected;
  private readonly redelivered;

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly ingest: IngestService,
    metrics: MetricsRegistry,
  ) {
    this.connected = metrics.counter('taishi_mqtt_connects_total', 'Successful connections to the MQTT broker');
    this.redelivered = metrics.counter('taishi_mqtt_redelivered_total', 'MQTT messages the broker delivered again after a lost acknowledgement, stored once');
    metrics.gauge('taishi_mqtt_connected', '1 while connected to the MQTT broker').track({}, () => (this.client?.connected ? 1 : 0));
  }

  async onApplicationBootstrap(): Promise<void> {
    const url = this.settings.TAISHI_MQTT_URL;
    if (!url) return;
    // One ledger per client id: packet ids belong to the broker's session of that client.
    const ledgerName = `${Buffer.from(this.settings.TAISHI_MQTT_CLIENT_ID).toString('base64url')}.deliveries`;
    this.ledger = new DeliveryLedger(path.resolve(this.settings.TAISHI_DATA_DIR, 'mqtt', ledgerName));
    await this.ledger.open();
    const client = mqtt.connect(url, {
      clientId: this.settings.TAISHI_MQTT_CLIENT_ID,
      // A persistent session: QoS 1 messages published while Taishi is down wait at the broker.
      clean: false,
      reconnectPeriod: MIN_RECONNECT_MS,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.handleMessage = (packet, done) => {
      void this.deliver(packet).then(
        () => done(),
        (error: Error) => {
          // Not acknowledged: the broker redelivers after we reconnect.
          this.logger.warn(`Message on ${packet.topic} not stored (${error.message}); reconnecting so the broker redelivers it`);
          client.end(true, {}, () => client.reconnect());
        },
      );
    };
    client.on('connect', () => {
      this.reconnectMs = MIN_RECONNECT_MS;
      client.options.reconnectPeriod = MIN_RECONNECT_MS;
      this.connected.inc();
      this.logger.log(`Connected to ${new URL(url).host}; subscribing to ${this.settings.TAISHI_MQTT_TOPICS.join(', ')}`);
      client.subscribe(this.settings.TAISHI_MQTT_TOPICS, { qos: 1 }, (error) => {
        if (error) this.logger.error(`Subscribing failed: ${error.message}`);
      });
    });
    client.on('close', () => {
      this.reconnectMs = Math.min(this.reconnectMs * 2, MAX_RECONNECT_MS);
      client.options.reconnectPeriod = this.reconnectMs;
    });
    client.on('error', (error) => this.logger.warn(`MQTT: ${error.message}`));
  }

  /** Waits out saturation instead of refusing: holding the ack is MQTT's own backpressure. */
  private async deliver(packet: IPublishPacket): Promise<void> {
    const { at, redelivered } = await this.ledger!.receivedAt({ messageId: packet.messageId, dup: packet.dup, topic: packet.topic, payload: payloadOf(packet) });
    if (redelivered) this.redelivered.inc();
    const payload = payloadOf(packet);
    const context = { source: `mqtt:${packet.topic}`, transport: 'mqtt' as const, receivedAt: at, format: 'auto' as const };
    await this.ingest.ingest([mqttRecord(payload, packet.topic)], context, 'mqtt', { waitForRoom: true, payload: { format: 'mqtt', bytes: payload, topic: packet.topic } });
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.client ? this.client.end(false, {}, () => resolve()) : resolve()));
    await this.ledger?.close();
  }
}
