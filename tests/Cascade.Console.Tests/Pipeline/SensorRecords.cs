using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>Records for the figures tests: a one-column dataset of a name of the test's own (instruments are process-wide), registered and fed through Ingestion's API.</summary>
internal static class SensorRecords
{
    public static string NewDataset() => $"figures-{Guid.NewGuid():N}"[..24];

    /// <summary>Registers <paramref name="dataset"/> and ingests <paramref name="count"/> valid records into it; returns how many Ingestion accepted.</summary>
    public static async Task<long> IngestAsync(GrpcChannel channel, string dataset, int count)
    {
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(channel);
        await ingestion.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = dataset, EntityColumn = "device", EventTimeColumn = "time",
                Columns = { new ColumnSpec { Name = "x", Type = ValueType.Float64, Required = true } },
            },
        });
        var request = new IngestRequest { Dataset = dataset };
        for (var i = 0; i < count; i++)
        {
            request.Records.Add(new Record
            {
                RecordId = $"r{i}",
                EntityId = $"device-{i % 3}",
                EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Values = { ["x"] = new Value { Float64Value = i } },
            });
        }
        var response = await ingestion.IngestBatchAsync(request);
        return response.Accepted;
    }
}
