using System.Text;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Kafka;
using Confluent.Kafka;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// The Kafka event log over SSL with client certificates, against a Kafka 0.9 broker that requires them (0.9 has no
/// SASL/PLAIN or SCRAM: SASL is configuration for modern clusters only, see docs/security.md).
/// </summary>
public sealed class KafkaSslTests(SslKafkaBroker broker) : IClassFixture<SslKafkaBroker>
{
    private KafkaEventLogOptions Options(bool withCertificate) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        DefaultPartitions = 1,
        SecurityProtocol = SecurityProtocol.Ssl,
        SslCaFile = broker.Ca.CertificateFile,
        SslCertificateFile = withCertificate ? broker.Client.CertificateFile : string.Empty,
        SslKeyFile = withCertificate ? broker.Client.KeyFile : string.Empty,
        SslKeyPassword = withCertificate ? broker.ClientKeyPassword : string.Empty,
        // The refusal below is seen as a produce that cannot be delivered: bounded by this.
        MessageTimeout = TimeSpan.FromSeconds(8),
        RequestTimeout = TimeSpan.FromSeconds(8),
    };

    [Fact]
    public async Task Events_are_appended_and_consumed_over_ssl_with_a_client_certificate()
    {
        await using var log = new KafkaEventLog(Options(withCertificate: true));
        var topic = Servers.Unique("ssl");
        await log.CreateTopicAsync(topic, 1);

        var positions = await log.AppendAsync(topic, Enumerable.Range(0, 5).Select(i => new OutgoingRecord($"k{i}", Encoding.UTF8.GetBytes($"event-{i}"))).ToArray());
        positions.Should().HaveCount(5);

        await using var consumer = log.Subscribe(new ConsumerOptions(Servers.Unique("ssl-group"), [topic]));
        var consumed = new List<ConsumedRecord>();
        await Eventually.WaitUntilAsync(async () =>
        {
            consumed.AddRange(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)));
            return consumed.Count >= 5;
        }, "the 5 events are consumed over SSL", TimeSpan.FromSeconds(60), TimeSpan.Zero);
        consumed.Select(r => Encoding.UTF8.GetString(r.Value.Span)).Should().Equal(Enumerable.Range(0, 5).Select(i => $"event-{i}"));
    }

    [Fact]
    public async Task A_client_without_a_certificate_cannot_append()
    {
        await using var log = new KafkaEventLog(Options(withCertificate: false));

        var append = () => log.AppendAsync(Servers.Unique("refused"), [new OutgoingRecord("k", "never"u8.ToArray())]);

        await append.Should().ThrowAsync<EventLogException>();
    }
}
