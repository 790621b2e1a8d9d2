using System.Threading.Channels;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;

namespace Cascade.Serving.Domain;

/// <summary>
/// Logs every prediction to <c>cascade.predictions.logged.v1</c> off the request path: requests enqueue, a
/// background writer appends in batches. If the log falls 100,000 predictions behind, further ones are counted as
/// dropped rather than slowing requests down (<see cref="Dropped"/>).
/// </summary>
public sealed class PredictionLog(IEventLog log) : BackgroundService
{
    private readonly Channel<PredictionLogged> _queue = Channel.CreateBounded<PredictionLogged>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(PredictionLogged prediction)
    {
        if (_queue.Writer.TryWrite(prediction)) return;
        Interlocked.Increment(ref _dropped);
        ServingMetrics.DroppedFromLog(prediction.Model);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<OutgoingRecord>(1000);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < 1000 && _queue.Reader.TryRead(out var prediction))
                {
                    batch.Add(new OutgoingRecord(prediction.Model, EventEnvelopes.Wrap(prediction, prediction.Model, "cascade-serving", eventId: prediction.PredictionId).ToByteArray()));
                }
                while (true)
                {
                    try
                    {
                        await log.AppendAsync(Topics.PredictionsLogged, batch, stoppingToken);
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The log is unavailable: keep the batch and try again; requests keep being answered meanwhile.
                        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    }
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
